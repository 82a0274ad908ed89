import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { DEFAULT_ENDPOINT_POLICY } from '../../src/network/config.js';
import type { Route } from '../../src/network/model.js';
import { dynamodbPrefixList, dynamodbPrefixLists } from '../../src/network/prefixLists.js';
import { cidrCovers, parseCidr4 } from '../../src/network/cidr.js';

const SAMPLE_FILE = new URL('../../../test/fixtures/network/sample.yaml', import.meta.url);
const SAMPLE = readFileSync(SAMPLE_FILE, 'utf8');
const FILE = 'test.yaml';

/** `LINE:COL` of `inner` inside the only occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, inner = needle): string {
  const at = text.indexOf(needle);
  assert.ok(at >= 0 && text.indexOf(needle, at + 1) < 0, `"${needle}" must occur once in the test's YAML`);
  const index = at + needle.indexOf(inner);
  const before = text.slice(0, index);
  return `${before.split('\n').length}:${index - before.lastIndexOf('\n')}`;
}

/** `text` with the only occurrence of `from` replaced. */
function edit(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `"${from}" must occur once in the YAML being edited`);
  return text.replace(from, to);
}

function failure(text: string): string {
  try {
    loadConfig(FILE, text);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the configuration to be rejected');
}

/** The configuration fails with exactly this one fault, at the position of `inner` in `needle`. */
function rejects(text: string, needle: string, inner: string, pathAndMessage: string): void {
  assert.equal(failure(text), `${FILE}:${positionOf(text, needle, inner)}: ${pathAndMessage}`);
}

const local = (cidr: string): Route => ({ destination: { kind: 'cidr', cidr }, target: { kind: 'local', id: 'local' }, origin: 'static' });
const propagated = (cidr: string, vgw: string): Route => ({ destination: { kind: 'cidr', cidr }, target: { kind: 'vgw', id: vgw }, origin: 'propagated' });

describe('network config: the sample of issue 5', () => {
  const loaded = loadConfig(SAMPLE_FILE.pathname);
  const { network, attachments } = loaded;

  it('loads the VPCs, subnets, gateways, peering and on-premises links as written', () => {
    assert.deepEqual([...network.vpcs.values()], [
      { id: 'vpc-app', region: 'us-east-1', cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true },
      { id: 'vpc-other', region: 'us-east-1', cidr: '10.1.0.0/16', enableDnsSupport: true, enableDnsHostnames: true },
    ]);
    assert.deepEqual([...network.subnets.values()], [
      { id: 'subnet-app', vpc: 'vpc-app', cidr: '10.0.1.0/24' },
      { id: 'subnet-pub', vpc: 'vpc-app', cidr: '10.0.0.0/24' },
    ]);
    assert.deepEqual([...network.internetGateways.values()], [{ id: 'igw-app', vpc: 'vpc-app' }]);
    assert.deepEqual([...network.natGateways.values()], [{ id: 'nat-app', subnet: 'subnet-pub', publicIp: '203.0.113.10' }]);
    assert.deepEqual([...network.peeringConnections.values()], [{ id: 'pcx-1', requesterVpc: 'vpc-app', accepterVpc: 'vpc-other', status: 'active' }]);
    assert.deepEqual([...network.onPremisesLinks.values()], [
      { id: 'vpn-1', kind: 'vpn', vpc: 'vpc-app', onPremisesCidrs: ['192.168.0.0/16'] },
      { id: 'dxvif-1', kind: 'directConnect', vpc: 'vpc-app', onPremisesCidrs: ['172.20.0.0/16'] },
    ]);
    assert.equal(loaded.config.network.unreachable, 'reset');
  });

  it('route tables: local route first, declared routes, the endpoint route on rtb-app, VPN and DX routes propagated to the VPC gateway', () => {
    const onPremises = [propagated('192.168.0.0/16', 'vgw-app'), propagated('172.20.0.0/16', 'vgw-app')];
    assert.deepEqual(network.routeTables.get('rtb-app'), {
      id: 'rtb-app',
      vpc: 'vpc-app',
      main: false,
      subnets: ['subnet-app'],
      routes: [
        local('10.0.0.0/16'),
        { destination: { kind: 'cidr', cidr: '0.0.0.0/0' }, target: { kind: 'nat', id: 'nat-app' }, origin: 'static' },
        { destination: { kind: 'prefixList', prefixListId: 'pl-02cd2c6b' }, target: { kind: 'vpce', id: 'vpce-app' }, origin: 'endpoint' },
        ...onPremises,
      ],
    });
    assert.deepEqual(network.routeTables.get('rtb-pub'), {
      id: 'rtb-pub',
      vpc: 'vpc-app',
      main: false,
      subnets: ['subnet-pub'],
      routes: [local('10.0.0.0/16'), { destination: { kind: 'cidr', cidr: '0.0.0.0/0' }, target: { kind: 'igw', id: 'igw-app' }, origin: 'static' }, ...onPremises],
    });
  });

  it('a VPC that declares no main table gets rtb-main-<vpc> with the local route only (plus propagated routes)', () => {
    assert.deepEqual(network.routeTables.get('rtb-main-vpc-other'), { id: 'rtb-main-vpc-other', vpc: 'vpc-other', main: true, subnets: [], routes: [local('10.1.0.0/16')] });
    assert.deepEqual(network.routeTables.get('rtb-main-vpc-app'), {
      id: 'rtb-main-vpc-app',
      vpc: 'vpc-app',
      main: true,
      subnets: [],
      routes: [local('10.0.0.0/16'), propagated('192.168.0.0/16', 'vgw-app'), propagated('172.20.0.0/16', 'vgw-app')],
    });
    assert.deepEqual([...network.routeTables.keys()], ['rtb-app', 'rtb-pub', 'rtb-main-vpc-app', 'rtb-main-vpc-other']);
  });

  it('the gateway endpoint, with its compiled policy', () => {
    const endpoint = network.endpoints.get('vpce-app')!;
    assert.deepEqual({ ...endpoint, policy: undefined }, { id: 'vpce-app', vpc: 'vpc-app', region: 'us-east-1', serviceName: 'com.amazonaws.us-east-1.dynamodb', routeTables: ['rtb-app'], policy: undefined });
    assert.equal(endpoint.policy.kind, 'vpcEndpoint');
    assert.equal(endpoint.policy.ref, 'endpoint/vpce-app');
    assert.deepEqual(endpoint.policy.source, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['dynamodb:*'], Resource: '*' }] });
  });

  it('security groups: the declared rules, the prefix list by its ID, and each VPC default group', () => {
    assert.deepEqual(network.securityGroups.get('sg-app'), {
      id: 'sg-app',
      vpc: 'vpc-app',
      egress: [
        { protocol: 'tcp', fromPort: 443, toPort: 443, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } },
        { protocol: 'tcp', fromPort: 80, toPort: 80, destination: { kind: 'prefixList', prefixListId: 'pl-02cd2c6b' } },
      ],
    });
    const allTraffic = [{ protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } }];
    assert.deepEqual(network.securityGroups.get('sg-default-vpc-app'), { id: 'sg-default-vpc-app', vpc: 'vpc-app', egress: allTraffic });
    assert.deepEqual(network.securityGroups.get('sg-default-vpc-other'), { id: 'sg-default-vpc-other', vpc: 'vpc-other', egress: allTraffic });
  });

  it('prefix lists: us-east-1 DynamoDB is pl-02cd2c6b with its four CIDRs; other known regions are there too', () => {
    assert.deepEqual(network.prefixLists.get('pl-02cd2c6b'), { id: 'pl-02cd2c6b', name: 'com.amazonaws.us-east-1.dynamodb', region: 'us-east-1', cidrs: ['3.218.182.0/24', '3.218.180.0/23', '52.94.0.0/22', '52.119.224.0/20'] });
    assert.equal(network.prefixLists.get('pl-00a54069')?.name, 'com.amazonaws.us-west-2.dynamodb');
    assert.equal(network.prefixLists.get('pl-6fa54006')?.name, 'com.amazonaws.eu-west-1.dynamodb');
  });

  it('attachments: a workload in subnet-app and an office over vpn-1', () => {
    assert.deepEqual(attachments, [
      { name: 'app', listen: '127.0.0.1:8101', source: { kind: 'subnet', subnet: 'subnet-app', privateIp: '10.0.1.25', securityGroups: ['sg-app'] } },
      { name: 'office', listen: '127.0.0.1:8102', source: { kind: 'onPremises', via: 'vpn-1', ip: '192.168.10.7' } },
    ]);
  });
});

describe('network config: defaults', () => {
  it('without network: and attachments:, the model is empty and there are no attachments', () => {
    for (const loaded of [loadConfig(undefined), loadConfig(FILE, 'region: eu-west-1\n')]) {
      assert.deepEqual(loaded.attachments, []);
      for (const [name, map] of Object.entries(loaded.network)) assert.equal(map.size, 0, `${name} is empty`);
      assert.equal(loaded.config.network.unreachable, 'reset');
    }
  });

  it('a VPC takes the top-level region, DNS support on and hostnames off (AWS defaults for a VPC you create); custom DNS is kept', () => {
    const { network } = loadConfig(FILE, `region: eu-west-1
network:
  unreachable: explain
  vpcs:
    - { id: vpc-a, cidr: 10.0.0.0/16 }
    - { id: vpc-b, cidr: 10.1.0.0/16, dns: { servers: [10.1.0.2, AmazonProvidedDNS], resolvesAwsServices: false } }
`);
    assert.deepEqual(network.vpcs.get('vpc-a'), { id: 'vpc-a', region: 'eu-west-1', cidr: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: false });
    assert.deepEqual(network.vpcs.get('vpc-b')?.customDns, { servers: ['10.1.0.2', 'AmazonProvidedDNS'], resolvesAwsServices: false });
    assert.equal(network.prefixLists.get('pl-6fa54006')?.region, 'eu-west-1');
  });

  it('the endpoint policy defaults to full access; a declared main table replaces the implicit one', () => {
    const { network } = loadConfig(FILE, `network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  routeTables:
    - { id: rtb-a, vpc: vpc-a, main: true }
  vpcEndpoints:
    - { id: vpce-a, vpc: vpc-a, serviceName: com.amazonaws.us-east-1.dynamodb, routeTables: [rtb-a] }
`);
    assert.deepEqual(network.endpoints.get('vpce-a')?.policy.source, DEFAULT_ENDPOINT_POLICY);
    assert.deepEqual([...network.routeTables.keys()], ['rtb-a']);
    assert.deepEqual(network.routeTables.get('rtb-a')?.routes, [
      local('10.0.0.0/16'),
      { destination: { kind: 'prefixList', prefixListId: 'pl-02cd2c6b' }, target: { kind: 'vpce', id: 'vpce-a' }, origin: 'endpoint' },
    ]);
  });

  it('security groups: no egress key is AWS default allow-all, egress: [] allows nothing; an attachment without groups is in the VPC default group', () => {
    const { network, attachments } = loadConfig(FILE, `network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  subnets: [{ id: subnet-a, vpc: vpc-a, cidr: 10.0.0.0/24 }]
  securityGroups:
    - { id: sg-open, vpc: vpc-a }
    - { id: sg-closed, vpc: vpc-a, egress: [] }
    - id: sg-mixed
      vpc: vpc-a
      egress:
        - { protocol: -1, securityGroup: sg-open }
        - { protocol: all, prefixList: pl-02cd2c6b }
        - { protocol: icmp, destination: 10.0.0.0/8 }
        - { protocol: UDP, fromPort: 53, toPort: 53, destination: 10.0.0.2/32 }
attachments:
  - { name: a, listen: "127.0.0.1:0", subnet: subnet-a, privateIp: 10.0.0.10, publicIp: 198.51.100.7, ipv6: "2001:db8::10" }
  - { name: b, listen: "127.0.0.1:0", subnet: subnet-a, privateIp: 10.0.0.11, securityGroups: [sg-closed, sg-mixed] }
`);
    assert.deepEqual(network.securityGroups.get('sg-open')?.egress, [{ protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } }]);
    assert.deepEqual(network.securityGroups.get('sg-closed')?.egress, []);
    assert.deepEqual(network.securityGroups.get('sg-mixed')?.egress, [
      { protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'securityGroup', groupId: 'sg-open' } },
      { protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'prefixList', prefixListId: 'pl-02cd2c6b' } },
      { protocol: 'icmp', fromPort: -1, toPort: -1, destination: { kind: 'cidr', cidr: '10.0.0.0/8' } },
      { protocol: 'udp', fromPort: 53, toPort: 53, destination: { kind: 'cidr', cidr: '10.0.0.2/32' } },
    ]);
    assert.deepEqual(attachments.map((a) => a.source), [
      { kind: 'subnet', subnet: 'subnet-a', privateIp: '10.0.0.10', securityGroups: ['sg-default-vpc-a'], publicIp: '198.51.100.7', ipv6: '2001:db8::10' },
      { kind: 'subnet', subnet: 'subnet-a', privateIp: '10.0.0.11', securityGroups: ['sg-closed', 'sg-mixed'] },
    ]);
  });

  it('a declared sg-default-<vpc> replaces the implicit default group', () => {
    const { network } = loadConfig(FILE, `network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  securityGroups: [{ id: sg-default-vpc-a, vpc: vpc-a, egress: [] }]
`);
    assert.deepEqual([...network.securityGroups.values()], [{ id: 'sg-default-vpc-a', vpc: 'vpc-a', egress: [] }]);
  });

  it('a VPN names its virtual private gateway (vgw:), which routes may target; DX in the same VPC shares it', () => {
    const { network } = loadConfig(FILE, `network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  routeTables:
    - { id: rtb-a, vpc: vpc-a, routes: [{ destination: 10.50.0.0/16, target: vgw-corp }] }
  vpnConnections: [{ id: vpn-a, vpc: vpc-a, vgw: vgw-corp, onPremisesCidrs: [192.168.0.0/16] }]
  directConnectInterfaces: [{ id: dxvif-a, vpc: vpc-a, onPremisesCidrs: [192.168.0.0/16, 172.16.0.0/12] }]
`);
    assert.deepEqual(network.routeTables.get('rtb-a')?.routes, [
      local('10.0.0.0/16'),
      { destination: { kind: 'cidr', cidr: '10.50.0.0/16' }, target: { kind: 'vgw', id: 'vgw-corp' }, origin: 'static' },
      propagated('192.168.0.0/16', 'vgw-corp'),
      propagated('172.16.0.0/12', 'vgw-corp'),
    ]);
  });

  it('listeners and attachments on port 0 never clash (the system picks a free port)', () => {
    const { attachments } = loadConfig(FILE, `listeners: [{ name: public, listen: "127.0.0.1:0" }]
network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  subnets: [{ id: subnet-a, vpc: vpc-a, cidr: 10.0.0.0/24 }]
  directConnectInterfaces: [{ id: dxvif-a, vpc: vpc-a, onPremisesCidrs: [172.20.0.0/16] }]
attachments:
  - { name: a, listen: "127.0.0.1:0", subnet: subnet-a, privateIp: 10.0.0.10 }
  - { name: b, listen: "127.0.0.1:0", onPremises: { via: dxvif-a, ip: 172.20.1.1 } }
`);
    assert.deepEqual(attachments[1].source, { kind: 'onPremises', via: 'dxvif-a', ip: '172.20.1.1' });
  });
});

describe('network config: prefix lists', () => {
  it('a region cove has no data for gets a stable synthetic list in a documentation range', () => {
    const first = dynamodbPrefixList('xx-test-1');
    assert.deepEqual(dynamodbPrefixList('xx-test-1'), first);
    assert.match(first.id, /^pl-[0-9a-f]{8}$/);
    assert.equal(first.name, 'com.amazonaws.xx-test-1.dynamodb');
    const block = parseCidr4(first.cidrs[0])!;
    assert.ok(['192.0.2.0/24', '198.51.100.0/24'].some((range) => cidrCovers(parseCidr4(range)!, block)), first.cidrs[0]);
    const { network } = loadConfig(FILE, `region: xx-test-1
network:
  vpcs: [{ id: vpc-a, cidr: 10.0.0.0/16 }]
  vpcEndpoints: [{ id: vpce-a, vpc: vpc-a, serviceName: com.amazonaws.xx-test-1.dynamodb, routeTables: [rtb-main-vpc-a] }]
`);
    assert.deepEqual(network.prefixLists.get(first.id), first);
    assert.equal(network.routeTables.get('rtb-main-vpc-a')?.routes[1].destination.kind, 'prefixList');
  });

  it('synthetic lists of one model never share an ID or a block', () => {
    const regions = Array.from({ length: 40 }, (_, i) => `zz-test-${i + 1}`);
    const lists = dynamodbPrefixLists(regions);
    assert.equal(new Set(lists.map((l) => l.id)).size, lists.length);
    assert.equal(new Set(lists.flatMap((l) => l.cidrs)).size, lists.flatMap((l) => l.cidrs).length);
  });
});

describe('network config: faults, with their place in the file', () => {
  it('an unknown ID in a reference', () => {
    const text = edit(SAMPLE, 'target: igw-app', 'target: nat-x');
    rejects(text, 'target: nat-x', 'nat-x', 'network.routeTables[1].routes[0].target: no NAT gateway nat-x is declared');
    const text2 = edit(SAMPLE, '{ id: subnet-app, vpc: vpc-app,', '{ id: subnet-app, vpc: vpc-nope,');
    assert.equal(failure(text2).split('\n')[0], `${FILE}:${positionOf(text2, 'vpc: vpc-nope', 'vpc-nope')}: network.subnets[0].vpc: no VPC vpc-nope is declared`);
    const text3 = edit(SAMPLE, 'routeTables: [rtb-app]', 'routeTables: [rtb-nope]');
    rejects(text3, 'routeTables: [rtb-nope]', 'rtb-nope', 'network.vpcEndpoints[0].routeTables[0]: no route table rtb-nope is declared');
  });

  it('a NAT gateway must be in a declared subnet', () => {
    const text = edit(SAMPLE, 'subnet: subnet-pub, publicIp', 'subnet: subnet-nope, publicIp');
    rejects(text, 'subnet: subnet-nope', 'subnet-nope', 'network.natGateways[0].subnet: no subnet subnet-nope is declared');
  });

  for (const [from, to, path, what] of [
    ['{ id: vpc-other,', '{ id: other,', 'network.vpcs[1].id', 'a VPC ID: vpc-'],
    ['{ id: subnet-pub,', '{ id: sub-pub,', 'network.subnets[1].id', 'a subnet ID: subnet-'],
    ['id: rtb-pub', 'id: rt-pub', 'network.routeTables[1].id', 'a route table ID: rtb-'],
    ['id: sg-app', 'id: group-app', 'network.securityGroups[0].id', 'a security group ID: sg-'],
    ['{ id: igw-app', '{ id: gw-app', 'network.internetGateways[0].id', 'an internet gateway ID: igw-'],
    ['{ id: nat-app', '{ id: natgw-app', 'network.natGateways[0].id', 'a NAT gateway ID: nat-'],
    ['id: vpce-app', 'id: endpoint-app', 'network.vpcEndpoints[0].id', 'a VPC endpoint ID: vpce-'],
    ['id: pcx-1', 'id: peering-1', 'network.vpcPeeringConnections[0].id', 'a VPC peering connection ID: pcx-'],
    ['id: vpn-1', 'id: vpn1', 'network.vpnConnections[0].id', 'a VPN connection ID: vpn-'],
    ['id: dxvif-1', 'id: dx-1', 'network.directConnectInterfaces[0].id', 'a Direct Connect virtual interface ID: dxvif-'],
    ['subnets: [subnet-app]', 'subnets: [vpc-app]', 'network.routeTables[0].subnets[0]', 'a subnet ID: subnet-'],
  ] as const) {
    it(`an ID with the wrong prefix: ${path}`, () => {
      const text = edit(SAMPLE, from, to);
      const value = to.replace(/^.*?(id: |\[)/, '').replace(/[,\]]$/, '');
      rejects(text, to, value, `${path}: expected ${what} then letters, digits, _ . or - (got "${value}")`);
    });
  }

  it('a route target that is none of local, igw-, nat-, vpce-, pcx-, vgw-', () => {
    const text = edit(SAMPLE, 'target: igw-app', 'target: eni-123');
    rejects(text, 'target: eni-123', 'eni-123', 'network.routeTables[1].routes[0].target: expected a route target: local or an igw-, nat-, vpce-, pcx- or vgw- ID (got "eni-123")');
  });

  it('a duplicate ID', () => {
    const text = edit(SAMPLE, '  subnets:\n', '    - { id: vpc-other, cidr: 10.2.0.0/16 }\n  subnets:\n');
    rejects(text, 'vpc-other, cidr: 10.2.0.0/16', 'vpc-other', 'network.vpcs[2].id: VPC vpc-other is declared twice (first at network.vpcs[1])');
  });

  it('a gateway endpoint in a route table of another VPC (or another region)', () => {
    let text = edit(SAMPLE, '  securityGroups:\n', '    - { id: rtb-other, vpc: vpc-other }\n  securityGroups:\n');
    text = edit(text, 'routeTables: [rtb-app]', 'routeTables: [rtb-app, rtb-other]');
    rejects(text, 'rtb-app, rtb-other]', 'rtb-other', 'network.vpcEndpoints[0].routeTables[1]: rtb-other is a route table of vpc-other; vpce-app is in vpc-app (us-east-1) and serves only its own VPC\'s route tables');
    // vpc-other in us-west-2: its table still cannot take vpce-app.
    text = edit(text, 'cidr: 10.1.0.0/16, region: us-east-1', 'cidr: 10.1.0.0/16, region: us-west-2');
    rejects(text, 'rtb-app, rtb-other]', 'rtb-other', 'network.vpcEndpoints[0].routeTables[1]: rtb-other is a route table of vpc-other; vpce-app is in vpc-app (us-east-1) and serves only its own VPC\'s route tables');
  });

  it("an endpoint for another region's DynamoDB, or another service", () => {
    const text = edit(SAMPLE, 'serviceName: com.amazonaws.us-east-1.dynamodb', 'serviceName: com.amazonaws.us-west-2.dynamodb');
    rejects(text, 'com.amazonaws.us-west-2.dynamodb', 'com', "network.vpcEndpoints[0].serviceName: a gateway endpoint serves its VPC's region: vpc-app is in us-east-1, so the service is com.amazonaws.us-east-1.dynamodb (got com.amazonaws.us-west-2.dynamodb, a us-west-2 service)");
    const text2 = edit(SAMPLE, 'serviceName: com.amazonaws.us-east-1.dynamodb', 'serviceName: com.amazonaws.us-east-1.s3');
    rejects(text2, 'com.amazonaws.us-east-1.s3', 'com', 'network.vpcEndpoints[0].serviceName: cove models DynamoDB gateway endpoints only: expected com.amazonaws.us-east-1.dynamodb (got com.amazonaws.us-east-1.s3)');
    const text3 = edit(SAMPLE, 'type: Gateway', 'type: Interface');
    rejects(text3, 'type: Interface', 'Interface', 'network.vpcEndpoints[0].type: cove models Gateway endpoints only (got Interface)');
  });

  it('a route to a vpce- declared by hand (AWS rejects it)', () => {
    const text = edit(SAMPLE, '        - { destination: 0.0.0.0/0, target: nat-app }\n', '        - { destination: 0.0.0.0/0, target: nat-app }\n        - { prefixList: com.amazonaws.us-east-1.dynamodb, target: vpce-app }\n');
    rejects(text, 'target: vpce-app', 'vpce-app', 'network.routeTables[0].routes[1].target: a route to a gateway endpoint cannot be created by hand (AWS rejects it): list rtb-app in network.vpcEndpoints[0].routeTables and cove adds the prefix-list route to vpce-app');
  });

  it('a second route to the endpoint prefix list in a table the endpoint is associated with', () => {
    const text = edit(SAMPLE, '        - { destination: 0.0.0.0/0, target: nat-app }\n', '        - { destination: 0.0.0.0/0, target: nat-app }\n        - { prefixList: pl-02cd2c6b, target: nat-app }\n');
    rejects(text, 'routeTables: [rtb-app]', 'rtb-app', 'network.vpcEndpoints[0].routeTables[0]: rtb-app already has a route to pl-02cd2c6b (→ nat-app); a route table takes one route per prefix list, so one com.amazonaws.us-east-1.dynamodb endpoint');
  });

  it('a prefix list of another region', () => {
    const text = edit(SAMPLE, 'prefixList: com.amazonaws.us-east-1.dynamodb', 'prefixList: com.amazonaws.eu-west-1.dynamodb');
    rejects(text, 'com.amazonaws.eu-west-1.dynamodb', 'com', 'network.securityGroups[0].egress[1].prefixList: prefix lists are regional: sg-app (vpc-app) is in us-east-1, so DynamoDB\'s is com.amazonaws.us-east-1.dynamodb (pl-02cd2c6b), not com.amazonaws.eu-west-1.dynamodb');
    const text2 = edit(SAMPLE, 'prefixList: com.amazonaws.us-east-1.dynamodb', 'prefixList: pl-6fa54006');
    rejects(text2, 'pl-6fa54006', 'pl', 'network.securityGroups[0].egress[1].prefixList: pl-6fa54006 is com.amazonaws.eu-west-1.dynamodb; prefix lists are regional and sg-app (vpc-app) is in us-east-1, whose list is pl-02cd2c6b (com.amazonaws.us-east-1.dynamodb)');
  });

  it('peered VPCs with overlapping CIDRs, and a VPC peered with itself', () => {
    const text = edit(SAMPLE, 'cidr: 10.1.0.0/16', 'cidr: 10.0.128.0/17');
    rejects(text, '{ id: pcx-1', '{', 'network.vpcPeeringConnections[0]: vpc-app (10.0.0.0/16) and vpc-other (10.0.128.0/17) have overlapping CIDRs: AWS refuses to peer them');
    const text2 = edit(SAMPLE, 'accepterVpc: vpc-other', 'accepterVpc: vpc-app');
    rejects(text2, 'accepterVpc: vpc-app', 'vpc-app', 'network.vpcPeeringConnections[0].accepterVpc: pcx-1 has vpc-app on both sides; a VPC cannot peer with itself');
  });

  it('subnets: inside the VPC CIDR, not overlapping each other', () => {
    const text = edit(SAMPLE, 'cidr: 10.0.1.0/24 }', 'cidr: 10.9.1.0/24 }');
    assert.equal(failure(text).split('\n')[0], `${FILE}:${positionOf(text, '10.9.1.0/24')}: network.subnets[0].cidr: 10.9.1.0/24 is not inside vpc-app's CIDR 10.0.0.0/16`);
    const text2 = edit(SAMPLE, 'cidr: 10.0.0.0/24 }', 'cidr: 10.0.0.0/23 }');
    rejects(text2, '10.0.0.0/23', '10.0.0.0/23', 'network.subnets[1].cidr: 10.0.0.0/23 overlaps subnet subnet-app (10.0.1.0/24) of vpc-app');
  });

  it('a CIDR with host bits set', () => {
    const text = edit(SAMPLE, 'cidr: 10.0.1.0/24 }', 'cidr: 10.0.1.7/24 }');
    rejects(text, '10.0.1.7/24', '10.0.1.7/24', 'network.subnets[0].cidr: 10.0.1.7/24 has host bits set: the network is 10.0.1.0/24');
  });

  it('one main table per VPC; a subnet associated with one table', () => {
    const text = edit(edit(SAMPLE, '    - id: rtb-app\n      vpc: vpc-app\n', '    - id: rtb-app\n      vpc: vpc-app\n      main: true\n'), '    - id: rtb-pub\n      vpc: vpc-app\n', '    - id: rtb-pub\n      vpc: vpc-app\n      main: true # second\n');
    rejects(text, 'main: true # second', 'true', 'network.routeTables[1].main: vpc-app already has main route table rtb-app; a VPC has one');
    const text2 = edit(SAMPLE, 'subnets: [subnet-pub]', 'subnets: [subnet-app]');
    rejects(text2, 'subnets: [subnet-app]\n      routes:\n        - { destination: 0.0.0.0/0, target: igw', 'subnet-app', 'network.routeTables[1].subnets[0]: subnet-app is already associated with rtb-app; a subnet is associated with one route table');
  });

  it('route targets must belong to the route table VPC', () => {
    let text = edit(SAMPLE, '  securityGroups:\n', '    - { id: rtb-other, vpc: vpc-other, routes: [{ destination: 0.0.0.0/0, target: igw-app }] }\n  securityGroups:\n');
    rejects(text, 'target: igw-app }] }', 'igw-app', 'network.routeTables[2].routes[0].target: igw-app is attached to vpc-app, not to vpc-other');
    text = edit(SAMPLE, '  securityGroups:\n', '    - { id: rtb-other, vpc: vpc-other, routes: [{ destination: 192.168.0.0/16, target: vgw-app }] }\n  securityGroups:\n');
    rejects(text, 'target: vgw-app', 'vgw-app', 'network.routeTables[2].routes[0].target: vgw-app is attached to vpc-app, not to vpc-other');
    text = edit(SAMPLE, '  securityGroups:\n', '    - { id: rtb-other, vpc: vpc-other, routes: [{ destination: 10.0.0.0/16, target: pcx-1 }, { destination: 10.1.0.0/16, target: local }, { destination: 10.1.5.0/24, target: local }] }\n  securityGroups:\n');
    rejects(text, 'destination: 10.1.5.0/24, target: local', 'local', "network.routeTables[2].routes[2].target: the local route's destination is the VPC's CIDR (vpc-other: 10.1.0.0/16); cove adds it to every route table");
  });

  it('the endpoint policy: compiled as an endpoint policy, at most 20,480 characters', () => {
    const text = edit(SAMPLE, '{ Effect: Allow, Principal: "*", Action', '{ Effect: Allow, Action');
    rejects(text, 'policy: {', '{', 'network.vpcEndpoints[0].policy.Statement[0]: requires Principal in a VPC endpoint policy');
    const long = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'dynamodb:GetItem', Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:dynamodb:us-east-1:123456789012:table/t${i}`) }] });
    const text2 = edit(SAMPLE, /policy: \{.*\}\n/.exec(SAMPLE)![0], `policy: '${long}'\n`);
    rejects(text2, "policy: '", "'", `network.vpcEndpoints[0].policy: the endpoint policy is ${long.length} characters (as compact JSON); AWS allows at most 20,480`);
  });

  it('attachments: privateIp in the subnet, not reserved, security groups of the same VPC', () => {
    const text = edit(SAMPLE, 'privateIp: 10.0.1.25', 'privateIp: 10.0.2.25');
    rejects(text, '10.0.2.25', '10.0.2.25', "attachments[0].privateIp: 10.0.2.25 is not in subnet-app's CIDR 10.0.1.0/24");
    const text2 = edit(SAMPLE, 'privateIp: 10.0.1.25', 'privateIp: 10.0.1.255');
    rejects(text2, '10.0.1.255', '10.0.1.255', 'attachments[0].privateIp: 10.0.1.255 is reserved: AWS keeps the first four addresses (10.0.1.0, 10.0.1.1, 10.0.1.2, 10.0.1.3) and the last (10.0.1.255) of every subnet');
    const text3 = edit(edit(SAMPLE, '  vpcEndpoints:\n', '    - { id: sg-other, vpc: vpc-other }\n  vpcEndpoints:\n'), 'securityGroups: [sg-app]', 'securityGroups: [sg-app, sg-other]');
    rejects(text3, 'sg-app, sg-other]', 'sg-other', "attachments[0].securityGroups[1]: sg-other is in vpc-other; an attachment's security groups must be in its subnet's VPC vpc-app");
  });

  it('attachments: HOST:PORT and names unique across listeners and attachments', () => {
    const text = edit(SAMPLE, 'listen: 127.0.0.1:8102', 'listen: 127.0.0.1:8101');
    rejects(text, 'ip: 192.168.10.7 }\n    listen: 127.0.0.1:8101', '127.0.0.1:8101', 'attachments[1].listen: 127.0.0.1:8101 is already the address of attachment app (127.0.0.1:8101); each listener and attachment listens on its own HOST:PORT');
    const text2 = edit(SAMPLE, 'listen: 127.0.0.1:8102', 'listen: 0.0.0.0:8000');
    rejects(text2, '0.0.0.0:8000', '0.0.0.0:8000', 'attachments[1].listen: 0.0.0.0:8000 is already the address of listener public (127.0.0.1:8000); each listener and attachment listens on its own HOST:PORT');
    const text3 = edit(SAMPLE, 'name: office', 'name: public');
    rejects(text3, 'name: public   ', 'public', 'attachments[1].name: listener public already has the name public; listeners and attachments need distinct names');
  });

  it('attachments: onPremises via an existing vpn- or dxvif-, with its ip in that link', () => {
    const text = edit(SAMPLE, 'via: vpn-1', 'via: vpn-2');
    rejects(text, 'vpn-2', 'vpn-2', 'attachments[1].onPremises.via: no VPN connection vpn-2 is declared');
    const text2 = edit(SAMPLE, 'via: vpn-1', 'via: igw-app');
    rejects(text2, 'via: igw-app', 'igw-app', 'attachments[1].onPremises.via: expected a VPN connection (vpn-…) or Direct Connect interface (dxvif-…) ID (got "igw-app")');
    const text3 = edit(SAMPLE, 'ip: 192.168.10.7', 'ip: 172.20.0.9');
    rejects(text3, '172.20.0.9', '172.20.0.9', "attachments[1].onPremises.ip: 172.20.0.9 is not in vpn-1's on-premises CIDRs (192.168.0.0/16)");
    const text4 = edit(SAMPLE, 'via: vpn-1, ip: 192.168.10.7', 'via: dxvif-1, ip: 172.20.0.9');
    assert.deepEqual(loadConfig(FILE, text4).attachments[1].source, { kind: 'onPremises', via: 'dxvif-1', ip: '172.20.0.9' });
  });

  it('attachments: a subnet or on premises, never both nor neither; at least one security group; one owner per public IP', () => {
    const text = edit(SAMPLE, '    subnet: subnet-app\n', '    subnet: subnet-app\n    onPremises: { via: vpn-1, ip: 192.168.1.1 }\n');
    rejects(text, 'onPremises: { via: vpn-1, ip: 192.168.1.1 }', '{', 'attachments[0].onPremises: an attachment is in a subnet or on premises, not both');
    const text2 = edit(SAMPLE, '    onPremises: { via: vpn-1, ip: 192.168.10.7 }\n', '');
    rejects(text2, 'name: office', 'name', 'attachments[1]: an attachment is a workload in a subnet (subnet, privateIp, securityGroups) or on premises (onPremises: { via, ip })');
    const text3 = edit(SAMPLE, 'securityGroups: [sg-app]', 'securityGroups: []');
    rejects(text3, 'securityGroups: []', '[]', "attachments[0].securityGroups: an instance has at least one security group; omit securityGroups to use vpc-app's default group sg-default-vpc-app");
    const text4 = edit(SAMPLE, 'securityGroups: [sg-app]', 'securityGroups: [sg-app]\n    publicIp: 203.0.113.10');
    rejects(text4, 'publicIp: 203.0.113.10\n', '203', "attachments[0].publicIp: public IP 203.0.113.10 is already nat-app's; an Elastic IP is associated with one resource");
    const text5 = edit(SAMPLE, 'ip: 192.168.10.7 }', 'ip: 192.168.10.7 }\n    privateIp: 10.0.1.26');
    rejects(text5, '10.0.1.26', '10.0.1.26', 'attachments[1].privateIp: only a subnet attachment has privateIp; an on-premises one has onPremises: { via, ip, publicIp }');
  });

  it('egress rules: ports for tcp and udp, exactly one destination', () => {
    const text = edit(SAMPLE, '{ protocol: tcp, fromPort: 443, toPort: 443, destination: 0.0.0.0/0 }', '{ protocol: tcp, destination: 0.0.0.0/0 }');
    rejects(text, '{ protocol: tcp, destination', '{', 'network.securityGroups[0].egress[0]: a tcp rule needs fromPort and toPort (0-65535)');
    const text2 = edit(SAMPLE, 'toPort: 443, destination: 0.0.0.0/0 }', 'toPort: 443, destination: 0.0.0.0/0, securityGroup: sg-app }');
    rejects(text2, '{ protocol: tcp, fromPort: 443', '{', 'network.securityGroups[0].egress[0]: an egress rule has exactly one of destination (a CIDR), prefixList or securityGroup, not several');
    const text3 = edit(SAMPLE, '{ protocol: tcp, fromPort: 443', '{ protocol: sctp, fromPort: 443');
    rejects(text3, 'sctp', 'sctp', 'network.securityGroups[0].egress[0].protocol: expected a protocol: tcp, udp, icmp, or -1 (all) (got "sctp")');
  });

  it('every fault is reported, one per line', () => {
    let text = edit(SAMPLE, 'target: igw-app', 'target: nat-x');
    text = edit(text, 'privateIp: 10.0.1.25', 'privateIp: 10.0.2.25');
    text = edit(text, 'accepterVpc: vpc-other', 'accepterVpc: vpc-app');
    assert.deepEqual(failure(text).split('\n'), [
      `${FILE}:${positionOf(text, 'accepterVpc: vpc-app', 'vpc-app')}: network.vpcPeeringConnections[0].accepterVpc: pcx-1 has vpc-app on both sides; a VPC cannot peer with itself`,
      `${FILE}:${positionOf(text, 'nat-x')}: network.routeTables[1].routes[0].target: no NAT gateway nat-x is declared`,
      `${FILE}:${positionOf(text, '10.0.2.25')}: attachments[0].privateIp: 10.0.2.25 is not in subnet-app's CIDR 10.0.1.0/24`,
    ]);
  });
});
