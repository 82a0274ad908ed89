import { cidrContains, parseCidr4, type Cidr4 } from './cidr.js';
import type { AttachmentSource, EgressRule, GatewayEndpoint, NetworkModel, PrefixList, Route, RouteTable, Subnet, Vpc } from './model.js';

/**
 * Path resolution: from where a client is (an attachment) to a regional AWS
 * service of the request's region (DynamoDB, STS, ...), with AWS's rules. Pure:
 * the model is data and nothing is contacted.
 *
 * Explanation codes are VPC Reachability Analyzer's where one fits, cove's own
 * (DNS_RESOLUTION_DISABLED, VPCE_CROSS_REGION, VPCE_NOT_TRANSITIVE,
 * VPCE_IPV4_ONLY) where none does.
 */
export type ExplanationCode =
  | 'NO_ROUTE_TO_DESTINATION'
  | 'MORE_SPECIFIC_ROUTE'
  | 'HIGHER_PRIORITY_ROUTE'
  | 'ENI_SG_RULES_MISMATCH'
  | 'NGW_REQUIRES_SOURCE_IN_VPC'
  | 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'
  | 'NO_POSSIBLE_DESTINATION'
  | 'BAD_STATE_ROUTE'
  | 'DNS_RESOLUTION_DISABLED'
  | 'VPCE_CROSS_REGION'
  | 'VPCE_NOT_TRANSITIVE'
  | 'VPCE_IPV4_ONLY'
  | 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS'
  | 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS';

export interface Hop {
  /** What the packet passes: `attachment app`, `subnet subnet-app`, `route table rtb-app`, `nat-app`... */
  component: string;
  detail: string;
  /** Set at the hop that decides (or that explains a choice, such as MORE_SPECIFIC_ROUTE). */
  code?: ExplanationCode;
}

export type ResolvedPath =
  | { kind: 'public'; sourceIp: string; hops: Hop[] }
  | { kind: 'endpoint'; sourceIp: string; vpc: string; endpoint: GatewayEndpoint; hops: Hop[] }
  | { kind: 'unreachable'; /** The client's own address: what the audit records. */ sourceIp: string; code: ExplanationCode; reason: string; hops: Hop[] };

export interface ResolveRequest {
  source: AttachmentSource;
  /**
   * The service's SigV4 signing name (`dynamodb`, `sts`, `iam`). A service with an AWS-managed
   * prefix list (`com.amazonaws.REGION.dynamodb`) is addressed by it, so gateway endpoint
   * routes and prefix-list security-group rules apply; any other is a public address outside
   * every prefix list, which only a default route (NAT, internet gateway) reaches.
   */
  service: string;
  /** The request's region (its credential scope): the destination is that region's service. */
  region: string;
  /** 80 for plain HTTP listeners, 443 for HTTPS, for security-group checks. */
  port: number;
}

export const DYNAMODB_SERVICE = (region: string) => `com.amazonaws.${region}.dynamodb`;

interface Candidate {
  route: Route;
  cidr: Cidr4;
  /** Tie-break at equal prefix length: static CIDR (3) > prefix list (2) > propagated (1). */
  rank: number;
}

function describeRoute(route: Route): string {
  const destination = route.destination.kind === 'cidr' ? route.destination.cidr : route.destination.prefixListId;
  return `${destination} → ${route.target.id}${route.origin === 'static' ? '' : ` (${route.origin})`}`;
}

function rankOf(route: Route): number {
  if (route.origin === 'propagated') return 1;
  return route.destination.kind === 'prefixList' ? 2 : 3;
}

/** The route a packet to `address` takes in `table`: longest prefix, then static > prefix list > propagated. */
export function chooseRoute(model: NetworkModel, table: RouteTable, address: number): { chosen: Candidate | undefined; beaten: Candidate[] } {
  const candidates: Candidate[] = [];
  for (const route of table.routes) {
    const cidrs = route.destination.kind === 'cidr' ? [route.destination.cidr] : (model.prefixLists.get(route.destination.prefixListId)?.cidrs ?? []);
    for (const text of cidrs) {
      const cidr = parseCidr4(text);
      if (cidr && cidrContains(cidr, address)) candidates.push({ route, cidr, rank: rankOf(route) });
    }
  }
  candidates.sort((a, b) => b.cidr.prefixLength - a.cidr.prefixLength || b.rank - a.rank);
  return { chosen: candidates[0], beaten: candidates.slice(1) };
}

export function routeTableOf(model: NetworkModel, subnet: Subnet): RouteTable | undefined {
  let main: RouteTable | undefined;
  for (const table of model.routeTables.values()) {
    if (table.vpc !== subnet.vpc) continue;
    if (table.subnets.includes(subnet.id)) return table;
    if (table.main) main = table;
  }
  return main;
}

export function servicePrefixList(model: NetworkModel, region: string, service = 'dynamodb'): PrefixList | undefined {
  const name = `com.amazonaws.${region}.${service}`;
  for (const list of model.prefixLists.values()) if (list.name === name) return list;
  return undefined;
}

/**
 * The address that stands for the public endpoint of a service with no prefix list (STS, IAM):
 * 52.46.0.0/18 is AWS's, and outside every DynamoDB prefix list, so exactly the routes and
 * security-group rules that cover "anywhere" cover it. Which address it is changes nothing else.
 */
const PUBLIC_SERVICE_ADDRESS = { text: '52.46.0.10', value: ((52 << 24) | (46 << 16) | 10) >>> 0 };

function dnsResolves(vpc: Vpc): boolean {
  return vpc.customDns ? vpc.customDns.resolvesAwsServices : vpc.enableDnsSupport;
}

function egressAllows(rule: EgressRule, port: number, address: number, prefixListId: string | undefined): boolean {
  if (rule.protocol !== '-1' && rule.protocol !== 'tcp') return false;
  if (rule.protocol === 'tcp' && (port < rule.fromPort || port > rule.toPort)) return false;
  const destination = rule.destination;
  if (destination.kind === 'prefixList') return destination.prefixListId === prefixListId;
  if (destination.kind === 'cidr') {
    const cidr = parseCidr4(destination.cidr);
    return cidr !== undefined && cidrContains(cidr, address);
  }
  return false; // a security-group destination names instances, never the service
}

/** The address the client sends from, before any translation. */
export function clientAddress(source: AttachmentSource): string {
  if (source.kind === 'onPremises') return source.ip;
  return source.ipv6 ?? source.privateIp;
}

function unreachable(hops: Hop[], code: ExplanationCode, component: string, reason: string, source: AttachmentSource): ResolvedPath {
  hops.push({ component, detail: reason, code });
  return { kind: 'unreachable', sourceIp: clientAddress(source), code, reason, hops };
}

/** The service address a client connects to: the first address of the region's prefix list (DNS answers one of them). */
function serviceAddress(list: PrefixList | undefined): { text: string; value: number } | undefined {
  const cidr = list && parseCidr4(list.cidrs[0]);
  if (!cidr) return undefined;
  const value = cidr.network;
  return { text: [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.'), value };
}

export function resolvePath(model: NetworkModel, request: ResolveRequest): ResolvedPath {
  const hops: Hop[] = [];
  const source = request.source;
  const list = servicePrefixList(model, request.region, request.service);
  const service = list ? serviceAddress(list) : request.service === 'dynamodb' ? undefined : PUBLIC_SERVICE_ADDRESS;
  if (!service) {
    return unreachable(hops, 'NO_POSSIBLE_DESTINATION', 'destination', `no DynamoDB prefix list is known for region ${request.region}`, source);
  }
  const host = `${request.service}.${request.region}.amazonaws.com`;
  if (source.kind === 'onPremises') return resolveOnPremises(model, source, list?.id ?? service.text, service.value, hops);

  const subnet = model.subnets.get(source.subnet)!;
  const vpc = model.vpcs.get(subnet.vpc)!;
  hops.push({ component: `subnet ${subnet.id}`, detail: `${source.privateIp} in ${subnet.cidr} of ${vpc.id} (${vpc.region})` });
  if (!dnsResolves(vpc)) {
    return unreachable(hops, 'DNS_RESOLUTION_DISABLED', `vpc ${vpc.id}`, `DNS resolution is disabled in ${vpc.id}: ${host} does not resolve`, source);
  }
  const table = routeTableOf(model, subnet);
  if (!table) return unreachable(hops, 'NO_ROUTE_TO_DESTINATION', `subnet ${subnet.id}`, `${vpc.id} has no route table for ${subnet.id}`, source);
  hops.push({ component: `route table ${table.id}`, detail: `${table.main ? 'the main table' : 'explicitly associated'}; destination ${host} (${service.text}, ${list ? `in ${list.id}` : 'a public address'})` });

  if (source.ipv6 !== undefined) {
    // IPv4 routes and rules never carry an IPv6 packet, and cove models no IPv6 routes.
    const endpointRoute = table.routes.find((r) => r.target.kind === 'vpce' && model.endpoints.get(r.target.id)?.region === request.region);
    if (endpointRoute) {
      return unreachable(hops, 'VPCE_IPV4_ONLY', `endpoint ${endpointRoute.target.id}`, `the client uses IPv6 (${source.ipv6}); gateway endpoint ${endpointRoute.target.id} carries IPv4 only, and ${table.id} has no IPv6 route to the service`, source);
    }
    return unreachable(hops, 'NO_ROUTE_TO_DESTINATION', `route table ${table.id}`, `the client uses IPv6 (${source.ipv6}); ${table.id} has no IPv6 route to the service`, source);
  }
  const { chosen, beaten } = chooseRoute(model, table, service.value);
  const endpointRoute = beaten.find((c) => c.route.target.kind === 'vpce');
  for (const other of table.routes) {
    if (other.target.kind !== 'vpce') continue;
    const endpoint = model.endpoints.get(other.target.id);
    if (endpoint && endpoint.region !== request.region) {
      hops.push({ component: `endpoint ${endpoint.id}`, detail: `serves ${endpoint.region} only; this request is for ${request.region}`, code: 'VPCE_CROSS_REGION' });
    }
  }
  if (!chosen) return unreachable(hops, 'NO_ROUTE_TO_DESTINATION', `route table ${table.id}`, `no route in ${table.id} covers ${service.text}`, source);
  const chosenText = `route ${describeRoute(chosen.route)} (matched ${chosen.cidr.text})`;
  if (endpointRoute && chosen.route.target.kind !== 'vpce') {
    hops.push({ component: `route table ${table.id}`, detail: `${chosenText} wins over the endpoint route ${describeRoute(endpointRoute.route)}`, code: chosen.cidr.prefixLength > endpointRoute.cidr.prefixLength ? 'MORE_SPECIFIC_ROUTE' : 'HIGHER_PRIORITY_ROUTE' });
  } else {
    hops.push({ component: `route table ${table.id}`, detail: chosenText });
  }

  const groups = source.securityGroups.map((id) => model.securityGroups.get(id)!);
  const egressOk = groups.some((group) => group.egress.some((rule) => egressAllows(rule, request.port, service.value, list?.id)));
  if (!egressOk) {
    return unreachable(hops, 'ENI_SG_RULES_MISMATCH', `security groups ${source.securityGroups.join(', ') || '(none)'}`, `no egress rule allows tcp/${request.port} to ${list ? `${service.text} or ${list.id}` : service.text}`, source);
  }
  hops.push({ component: `security groups ${source.securityGroups.join(', ')}`, detail: `egress allows tcp/${request.port} to the service` });

  const target = chosen.route.target;
  switch (target.kind) {
    case 'vpce': {
      const endpoint = model.endpoints.get(target.id)!;
      if (!vpc.customDns && !vpc.enableDnsHostnames) {
        return unreachable(hops, 'DNS_RESOLUTION_DISABLED', `vpc ${vpc.id}`, `DNS hostnames are disabled in ${vpc.id}; the gateway endpoint needs DNS support and hostnames`, source);
      }
      hops.push({ component: `endpoint ${endpoint.id}`, detail: `gateway endpoint for ${endpoint.serviceName}; the endpoint policy applies; source ${source.privateIp}` });
      return { kind: 'endpoint', sourceIp: source.privateIp, vpc: vpc.id, endpoint, hops };
    }
    case 'nat':
      return throughNat(model, request, target.id, service.value, hops);
    case 'igw': {
      if (source.publicIp === undefined) {
        return unreachable(hops, 'IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS', `internet gateway ${target.id}`, `${source.privateIp} has no public IP for ${target.id} to translate`, source);
      }
      hops.push({ component: `internet gateway ${target.id}`, detail: `to the public endpoint as ${source.publicIp}` });
      return { kind: 'public', sourceIp: source.publicIp, hops };
    }
    case 'pcx':
      return throughPeering(model, target.id, vpc, hops, source);
    case 'vgw':
      return unreachable(hops, 'NO_POSSIBLE_DESTINATION', `virtual private gateway ${target.id}`, `the route sends the traffic on premises, where cove models no way to the service`, source);
    case 'local':
      return unreachable(hops, 'NO_ROUTE_TO_DESTINATION', `route table ${table.id}`, `the local route cannot reach the service`, source);
  }
}

function throughNat(model: NetworkModel, request: ResolveRequest, natId: string, address: number, hops: Hop[]): ResolvedPath {
  const source = request.source;
  const nat = model.natGateways.get(natId)!;
  const natSubnet = model.subnets.get(nat.subnet)!;
  const natTable = routeTableOf(model, natSubnet);
  hops.push({ component: `nat gateway ${nat.id}`, detail: `in ${natSubnet.id}, translates to ${nat.publicIp}` });
  const natRoute = natTable && chooseRoute(model, natTable, address).chosen;
  if (!natTable || !natRoute || natRoute.route.target.kind !== 'igw') {
    return unreachable(hops, 'NO_ROUTE_TO_DESTINATION', `route table ${natTable?.id ?? '(none)'}`, `the NAT gateway's subnet ${natSubnet.id} has no route to an internet gateway for the service`, source);
  }
  hops.push({ component: `internet gateway ${natRoute.route.target.id}`, detail: `to the public endpoint of ${request.region} as ${nat.publicIp}` });
  return { kind: 'public', sourceIp: nat.publicIp, hops };
}

function throughPeering(model: NetworkModel, peeringId: string, from: Vpc, hops: Hop[], source: AttachmentSource): ResolvedPath {
  const peering = model.peeringConnections.get(peeringId)!;
  const peerId = peering.requesterVpc === from.id ? peering.accepterVpc : peering.requesterVpc;
  if (peering.status !== 'active') return unreachable(hops, 'BAD_STATE_ROUTE', `peering ${peering.id}`, `${peering.id} is ${peering.status}`, source);
  const peerEndpoint = [...model.endpoints.values()].find((e) => e.vpc === peerId);
  if (peerEndpoint) {
    return unreachable(hops, 'VPCE_NOT_TRANSITIVE', `peering ${peering.id}`, `${peerId}'s gateway endpoint ${peerEndpoint.id} does not serve traffic from a peered VPC`, source);
  }
  return unreachable(hops, 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', `peering ${peering.id}`, `${peerId} accepts over ${peering.id} only traffic for its own CIDR`, source);
}

/** `destination`: the service's addresses as hops name them (its prefix list's ID, or its address). */
function resolveOnPremises(model: NetworkModel, source: Extract<AttachmentSource, { kind: 'onPremises' }>, destination: string, address: number, hops: Hop[]): ResolvedPath {
  const link = model.onPremisesLinks.get(source.via)!;
  const vpc = model.vpcs.get(link.vpc)!;
  const linkName = `${link.kind === 'vpn' ? 'VPN connection' : 'Direct Connect interface'} ${link.id}`;
  if (source.publicIp !== undefined) {
    // The virtual private gateway advertises only the VPC's CIDR on premises, so the
    // service's public addresses leave through the on-premises internet connection.
    hops.push({ component: linkName, detail: `carries only traffic for ${vpc.id} (${vpc.cidr}); the service's addresses (${destination}) are not routed into the VPC` });
    const endpoint = [...model.endpoints.values()].find((e) => e.vpc === vpc.id);
    if (endpoint) hops.push({ component: `endpoint ${endpoint.id}`, detail: `a gateway endpoint does not serve on-premises traffic`, code: 'VPCE_NOT_TRANSITIVE' });
    hops.push({ component: 'on-premises internet', detail: `to the public endpoint as ${source.publicIp}` });
    return { kind: 'public', sourceIp: source.publicIp, hops };
  }
  hops.push({ component: linkName, detail: `${source.ip} reaches ${vpc.id}'s virtual private gateway from on premises` });
  // No edge-to-edge routing: what the VPC's route tables would do with the packet never happens.
  const main = [...model.routeTables.values()].find((t) => t.vpc === vpc.id && t.main);
  const chosen = main && chooseRoute(model, main, address).chosen;
  const via = link.kind === 'vpn' ? 'VPN' : 'Direct Connect';
  if (chosen?.route.target.kind === 'vpce') hops.push({ component: `endpoint ${chosen.route.target.id}`, detail: `a gateway endpoint does not serve traffic that entered the VPC over ${via}`, code: 'VPCE_NOT_TRANSITIVE' });
  if (chosen?.route.target.kind === 'nat') hops.push({ component: `nat gateway ${chosen.route.target.id}`, detail: `a NAT gateway does not forward traffic that entered over ${via}`, code: 'NGW_REQUIRES_SOURCE_IN_VPC' });
  return unreachable(hops, 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS', `virtual private gateway of ${vpc.id}`, `it accepts traffic from on premises only for private addresses in ${vpc.id} (${vpc.cidr}); the service's addresses (${destination}) are not`, source);
}
