import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy } from '../../src/policy/document.js';
import type { AttachmentSource, GatewayEndpoint, NetworkModel, Route, RouteTable, SecurityGroup, Vpc } from '../../src/network/model.js';
import { resolvePath, type ResolvedPath } from '../../src/network/resolve.js';
import { STREAMS } from '../../src/streams/service.js';
import { Router, listenerPlaces } from '../../src/network/route.js';
import type { RequestContext } from '../../src/context.js';
import { testContext } from '../support/context.js';

/**
 * Path resolution on a hand-built model of issue 5's sample: vpc-app with a
 * private subnet (NAT default route, endpoint route) and a public one (IGW),
 * a peered vpc-other, VPN and Direct Connect into vpc-app.
 */
const PL = 'pl-02cd2c6b';
const PL_WEST = 'pl-00a54069';
const FULL_ACCESS = compilePolicy('vpce-app', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }, 'vpcEndpoint');

interface Overrides {
  vpc?: Partial<Vpc>;
  appRoutes?: Route[];
  sgEgress?: SecurityGroup['egress'];
  otherRoutes?: Route[];
}

const route = (destination: string, target: string, origin: Route['origin'] = 'static'): Route => ({
  destination: destination.startsWith('pl-') ? { kind: 'prefixList', prefixListId: destination } : { kind: 'cidr', cidr: destination },
  target: { kind: target === 'local' ? 'local' : (target.split('-')[0] as Route['target']['kind']), id: target },
  origin,
});

function model(o: Overrides = {}): NetworkModel {
  const vpcApp: Vpc = { id: 'vpc-app', region: 'us-east-1', cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true, ...o.vpc };
  const vpcOther: Vpc = { id: 'vpc-other', region: 'us-east-1', cidr: '10.1.0.0/16', enableDnsSupport: true, enableDnsHostnames: true };
  const endpoint: GatewayEndpoint = { id: 'vpce-app', vpc: 'vpc-app', region: 'us-east-1', serviceName: 'com.amazonaws.us-east-1.dynamodb', routeTables: ['rtb-app'], policy: FULL_ACCESS };
  const tables: RouteTable[] = [
    { id: 'rtb-main', vpc: 'vpc-app', main: true, subnets: [], routes: [route('10.0.0.0/16', 'local')] },
    { id: 'rtb-app', vpc: 'vpc-app', main: false, subnets: ['subnet-app'], routes: o.appRoutes ?? [route('10.0.0.0/16', 'local'), route('0.0.0.0/0', 'nat-app'), route(PL, 'vpce-app', 'endpoint')] },
    { id: 'rtb-pub', vpc: 'vpc-app', main: false, subnets: ['subnet-pub'], routes: [route('10.0.0.0/16', 'local'), route('0.0.0.0/0', 'igw-app')] },
    { id: 'rtb-other', vpc: 'vpc-other', main: true, subnets: [], routes: o.otherRoutes ?? [route('10.1.0.0/16', 'local'), route('0.0.0.0/0', 'pcx-1')] },
  ];
  return {
    vpcs: new Map([['vpc-app', vpcApp], ['vpc-other', vpcOther]]),
    subnets: new Map([
      ['subnet-app', { id: 'subnet-app', vpc: 'vpc-app', cidr: '10.0.1.0/24' }],
      ['subnet-pub', { id: 'subnet-pub', vpc: 'vpc-app', cidr: '10.0.0.0/24' }],
      ['subnet-other', { id: 'subnet-other', vpc: 'vpc-other', cidr: '10.1.1.0/24' }],
    ]),
    routeTables: new Map(tables.map((t) => [t.id, t])),
    prefixLists: new Map([
      [PL, { id: PL, name: 'com.amazonaws.us-east-1.dynamodb', region: 'us-east-1', cidrs: ['3.218.182.0/24', '3.218.180.0/23', '52.94.0.0/22', '52.119.224.0/20'] }],
      [PL_WEST, { id: PL_WEST, name: 'com.amazonaws.us-west-2.dynamodb', region: 'us-west-2', cidrs: ['52.94.8.0/21', '35.71.64.0/22'] }],
    ]),
    endpoints: new Map([['vpce-app', endpoint]]),
    securityGroups: new Map([
      ['sg-app', { id: 'sg-app', vpc: 'vpc-app', egress: o.sgEgress ?? [{ protocol: 'tcp', fromPort: 443, toPort: 443, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } }, { protocol: 'tcp', fromPort: 80, toPort: 80, destination: { kind: 'prefixList', prefixListId: PL } }] }],
      ['sg-other', { id: 'sg-other', vpc: 'vpc-other', egress: [{ protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } }] }],
    ]),
    internetGateways: new Map([['igw-app', { id: 'igw-app', vpc: 'vpc-app' }]]),
    natGateways: new Map([['nat-app', { id: 'nat-app', subnet: 'subnet-pub', publicIp: '203.0.113.10' }]]),
    peeringConnections: new Map([['pcx-1', { id: 'pcx-1', requesterVpc: 'vpc-app', accepterVpc: 'vpc-other', status: 'active' }]]),
    onPremisesLinks: new Map([
      ['vpn-1', { id: 'vpn-1', kind: 'vpn', vpc: 'vpc-app', onPremisesCidrs: ['192.168.0.0/16'] }],
      ['dxvif-1', { id: 'dxvif-1', kind: 'directConnect', vpc: 'vpc-app', onPremisesCidrs: ['172.20.0.0/16'] }],
    ]),
  };
}

const app: AttachmentSource = { kind: 'subnet', subnet: 'subnet-app', privateIp: '10.0.1.25', securityGroups: ['sg-app'] };
const resolve = (m: NetworkModel, source: AttachmentSource = app, region = 'us-east-1', port = 80): ResolvedPath => resolvePath(m, { source, service: 'dynamodb', region, port });
const codes = (path: ResolvedPath) => path.hops.filter((h) => h.code).map((h) => h.code);

describe('path resolution', () => {
  it('a subnet whose table routes the prefix list to the endpoint goes through it, with its private IP', () => {
    const path = resolve(model());
    assert.equal(path.kind, 'endpoint');
    assert.ok(path.kind === 'endpoint');
    assert.equal(path.sourceIp, '10.0.1.25');
    assert.equal(path.endpoint.id, 'vpce-app');
    assert.deepEqual(path.hops.map((h) => h.component), ['subnet subnet-app', 'route table rtb-app', 'route table rtb-app', 'security groups sg-app', 'endpoint vpce-app']);
  });

  it('without the endpoint route, the NAT gateway takes it to the public endpoint as the NAT address', () => {
    const path = resolve(model({ appRoutes: [route('10.0.0.0/16', 'local'), route('0.0.0.0/0', 'nat-app')] }));
    assert.equal(path.kind, 'public');
    assert.ok(path.kind === 'public');
    assert.equal(path.sourceIp, '203.0.113.10');
  });

  it('a more specific static route beats the endpoint route (MORE_SPECIFIC_ROUTE); at equal length a static CIDR route wins', () => {
    const specific = resolve(model({ appRoutes: [route('3.218.182.0/25', 'nat-app'), route(PL, 'vpce-app', 'endpoint')] }));
    assert.equal(specific.kind, 'public');
    assert.deepEqual(codes(specific), ['MORE_SPECIFIC_ROUTE']);
    const tie = resolve(model({ appRoutes: [route('3.218.182.0/24', 'nat-app'), route(PL, 'vpce-app', 'endpoint')] }));
    assert.equal(tie.kind, 'public');
    assert.deepEqual(codes(tie), ['HIGHER_PRIORITY_ROUTE']);
    const propagated = resolve(model({ appRoutes: [route('3.218.182.0/24', 'vgw-1', 'propagated'), route(PL, 'vpce-app', 'endpoint')] }));
    assert.equal(propagated.kind, 'endpoint', 'a prefix-list route beats a propagated route of the same length');
  });

  it('a service without a prefix list (STS) never takes the DynamoDB endpoint: the NAT, or nothing', () => {
    const sts = (m: NetworkModel) => resolvePath(m, { source: app, service: 'sts', region: 'us-east-1', port: 443 });
    const viaNat = sts(model());
    assert.equal(viaNat.kind, 'public', 'the endpoint route covers only DynamoDB\'s prefix list; the default route takes STS');
    assert.ok(viaNat.kind === 'public');
    assert.equal(viaNat.sourceIp, '203.0.113.10');
    assert.match(viaNat.hops[1].detail, /sts\.us-east-1\.amazonaws\.com \(52\.46\.0\.10, a public address\)/);
    const endpointOnly = sts(model({ appRoutes: [route('10.0.0.0/16', 'local'), route(PL, 'vpce-app', 'endpoint')] }));
    assert.ok(endpointOnly.kind === 'unreachable');
    assert.equal(endpointOnly.code, 'NO_ROUTE_TO_DESTINATION');
    const prefixListRuleOnly = sts(model({ sgEgress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, destination: { kind: 'prefixList', prefixListId: PL } }] }));
    assert.ok(prefixListRuleOnly.kind === 'unreachable');
    assert.equal(prefixListRuleOnly.code, 'ENI_SG_RULES_MISMATCH', 'a rule for DynamoDB\'s prefix list does not let STS traffic out');
  });

  it('DynamoDB Streams (its own destination, though signed as dynamodb) never takes the DynamoDB gateway endpoint', () => {
    const streams = (m: NetworkModel) => resolvePath(m, { source: app, service: STREAMS.networkName!, region: 'us-east-1', port: 443 });
    const viaNat = streams(model());
    assert.ok(viaNat.kind === 'public');
    assert.match(viaNat.hops[1].detail, /streams\.dynamodb\.us-east-1\.amazonaws\.com \(52\.46\.0\.10, a public address\)/);
    const endpointOnly = streams(model({ appRoutes: [route('10.0.0.0/16', 'local'), route(PL, 'vpce-app', 'endpoint')] }));
    assert.ok(endpointOnly.kind === 'unreachable');
    assert.equal(endpointOnly.code, 'NO_ROUTE_TO_DESTINATION');
  });

  it('no NAT and no endpoint route: unreachable, NO_ROUTE_TO_DESTINATION', () => {
    const path = resolve(model({ appRoutes: [route('10.0.0.0/16', 'local')] }));
    assert.equal(path.kind, 'unreachable');
    assert.ok(path.kind === 'unreachable');
    assert.equal(path.code, 'NO_ROUTE_TO_DESTINATION');
  });

  it('DNS off: unreachable, DNS_RESOLUTION_DISABLED; hostnames off: no endpoint path', () => {
    const noDns = resolve(model({ vpc: { enableDnsSupport: false } }));
    assert.ok(noDns.kind === 'unreachable');
    assert.equal(noDns.code, 'DNS_RESOLUTION_DISABLED');
    const noHostnames = resolve(model({ vpc: { enableDnsHostnames: false } }));
    assert.ok(noHostnames.kind === 'unreachable');
    assert.equal(noHostnames.code, 'DNS_RESOLUTION_DISABLED');
    const customDns = resolve(model({ vpc: { enableDnsSupport: false, enableDnsHostnames: false, customDns: { servers: ['10.0.0.53'], resolvesAwsServices: true } } }));
    assert.equal(customDns.kind, 'endpoint');
  });

  it('security-group egress must allow the listener port to the service: ENI_SG_RULES_MISMATCH', () => {
    assert.equal(resolve(model(), app, 'us-east-1', 443).kind, 'endpoint', 'tcp/443 to 0.0.0.0/0');
    assert.equal(resolve(model(), app, 'us-east-1', 80).kind, 'endpoint', 'tcp/80 to the prefix list');
    const path = resolve(model({ sgEgress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } }] }), app, 'us-east-1', 80);
    assert.ok(path.kind === 'unreachable');
    assert.equal(path.code, 'ENI_SG_RULES_MISMATCH');
  });

  it('another region\'s request does not use the endpoint: the NAT takes it', () => {
    const path = resolve(model(), app, 'us-west-2', 443);
    assert.equal(path.kind, 'public');
    assert.deepEqual(codes(path), ['VPCE_CROSS_REGION']);
    assert.match(path.hops.find((h) => h.code === 'VPCE_CROSS_REGION')!.detail, /serves us-east-1 only; this request is for us-west-2/);
  });

  it('a public subnet reaches the public endpoint through the IGW only with a public IP', () => {
    const withIp = resolve(model(), { kind: 'subnet', subnet: 'subnet-pub', privateIp: '10.0.0.9', publicIp: '198.51.100.7', securityGroups: ['sg-app'] });
    assert.ok(withIp.kind === 'public');
    assert.equal(withIp.sourceIp, '198.51.100.7');
    const without = resolve(model(), { kind: 'subnet', subnet: 'subnet-pub', privateIp: '10.0.0.9', securityGroups: ['sg-app'] });
    assert.ok(without.kind === 'unreachable');
    assert.equal(without.code, 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS');
  });

  it('a peered VPC cannot use the other VPC\'s endpoint: VPCE_NOT_TRANSITIVE', () => {
    const path = resolve(model(), { kind: 'subnet', subnet: 'subnet-other', privateIp: '10.1.1.5', securityGroups: ['sg-other'] });
    assert.ok(path.kind === 'unreachable');
    assert.equal(path.code, 'VPCE_NOT_TRANSITIVE');
  });

  it('on-premises traffic over VPN or Direct Connect stops at the virtual private gateway: neither the endpoint nor the NAT serves it', () => {
    const vpn = resolve(model(), { kind: 'onPremises', via: 'vpn-1', ip: '192.168.10.7' });
    assert.ok(vpn.kind === 'unreachable');
    assert.equal(vpn.code, 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
    assert.equal(vpn.sourceIp, '192.168.10.7');
    const viaEndpointTable = model({});
    (viaEndpointTable.routeTables.get('rtb-main')!.routes as Route[]).push(route(PL, 'vpce-app', 'endpoint'));
    const dx = resolve(viaEndpointTable, { kind: 'onPremises', via: 'dxvif-1', ip: '172.20.0.9' });
    assert.ok(dx.kind === 'unreachable');
    assert.equal(dx.code, 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
    assert.deepEqual(codes(dx), ['VPCE_NOT_TRANSITIVE', 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS']);
    (viaEndpointTable.routeTables.get('rtb-main')!.routes as Route[]).splice(1, 1, route('0.0.0.0/0', 'nat-app'));
    const nat = resolve(viaEndpointTable, { kind: 'onPremises', via: 'vpn-1', ip: '192.168.10.7' });
    assert.ok(nat.kind === 'unreachable');
    assert.deepEqual(codes(nat), ['NGW_REQUIRES_SOURCE_IN_VPC', 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS']);
  });

  it('on premises with its own internet access: the public endpoint, as that address', () => {
    const path = resolve(model(), { kind: 'onPremises', via: 'vpn-1', ip: '192.168.10.7', publicIp: '198.51.100.20' });
    assert.ok(path.kind === 'public');
    assert.equal(path.sourceIp, '198.51.100.20');
  });

  it('IPv6 clients never use a gateway endpoint: VPCE_IPV4_ONLY', () => {
    const path = resolve(model(), { ...app, ipv6: '2600:1f18::25' } as AttachmentSource);
    assert.ok(path.kind === 'unreachable');
    assert.equal(path.code, 'VPCE_IPV4_ONLY');
    assert.equal(path.sourceIp, '2600:1f18::25');
    // Without an endpoint route, IPv4 routes (the NAT's 0.0.0.0/0) still never carry IPv6.
    const natted = resolve(model(), { kind: 'subnet', subnet: 'subnet-pub', privateIp: '10.0.0.9', publicIp: '198.51.100.7', ipv6: '2600:1f18::9', securityGroups: ['sg-app'] });
    assert.ok(natted.kind === 'unreachable');
    assert.equal(natted.code, 'NO_ROUTE_TO_DESTINATION');
  });
});

describe('route stage: listener places', () => {
  const request = (listener: string): RequestContext => testContext({ requestId: 'r', attribution: { listener, remoteAddress: '127.0.0.9', remotePort: 1, secureTransport: false } });
  const router = new Router({ model: model(), places: listenerPlaces([{ name: 'public' }], [], new Map()), region: 'us-east-1', accountId: '123456789012', unreachable: 'explain' });

  it('a configured listener is the internet, as the peer address', () => {
    const ctx = request('public');
    router.route(ctx);
    assert.deepEqual(ctx.path, { kind: 'public', sourceIp: '127.0.0.9' });
  });

  it('a listener no longer configured (retired by a reload, a request still in flight) fails closed: reset, never public', () => {
    const ctx = request('retired');
    const decision = router.route(ctx);
    assert.ok(decision.end?.reset === true && decision.findings.at(-1)?.code === 'NO_POSSIBLE_DESTINATION');
    assert.equal(ctx.path?.kind, 'unreachable');
  });
});
