import { isIPv4 } from 'node:net';
import type { CoveConfig } from '../config/schema.js';
import { compilePolicy, PolicyDocumentError, type CompiledPolicy } from '../policy/document.js';
import { cidrContains, cidrCovers, cidrsOverlap, ipv4ToNumber, parseCidr4, type Cidr4 } from './cidr.js';
import type {
  SourceMapping,
  Attachment,
  EgressDestination,
  EgressRule,
  GatewayEndpoint,
  InternetGateway,
  NatGateway,
  NetworkModel,
  OnPremisesLink,
  PeeringConnection,
  PrefixList,
  RouteDestination,
  RouteTable,
  RouteTarget,
  RouteTargetKind,
  SecurityGroup,
  Subnet,
  Vpc,
} from './model.js';
import { dynamodbPrefixLists, dynamodbServiceName } from './prefixLists.js';

/**
 * `network:` and `attachments:` of cove.yaml → the NetworkModel and the
 * attachments, cross-checked with AWS's rules. The shapes were validated by
 * the zod schema (src/config/schema.ts); here are the references, the
 * containment and the rules AWS enforces, each fault with its path in the
 * file. What cove adds, as AWS does:
 * - every route table: the `local` route for the VPC's CIDR;
 * - a VPC without a main table: an implicit main table `rtb-main-<vpc id>`
 *   with only the local route;
 * - every VPC: its default security group `sg-default-<vpc id>` (all egress
 *   allowed), unless the file declares a group with that ID; an attachment
 *   that names no security groups is in it, as an instance launched without
 *   one is;
 * - every route table associated with a gateway endpoint: the route
 *   `pl-… (the region's DynamoDB prefix list) → vpce-…`, origin `endpoint`;
 * - every route table of a VPC with a VPN connection or a Direct Connect
 *   interface: a route per on-premises CIDR to the VPC's virtual private
 *   gateway, origin `propagated`. AWS propagates only into tables with route
 *   propagation enabled; cove assumes every table has it.
 * - a VPN connection or Direct Connect interface without `vgw` uses the VPC's
 *   virtual private gateway `vgw-<vpc id without vpc->` (a VPC has at most one).
 */

type Path = (string | number)[];
type NetworkConfig = CoveConfig['network'];
type AttachmentConfig = CoveConfig['attachments'][number];

export interface NetworkIssue {
  /** Where in cove.yaml, e.g. `['network', 'routeTables', 1, 'routes', 0, 'target']`. */
  path: Path;
  message: string;
  /** For a policy document at `path`: the fault's place inside it (`Statement[0].Effect`). */
  within?: string;
}

/** Every fault found in `network:` and `attachments:`, in file order of the sections. */
export class NetworkConfigError extends Error {
  constructor(readonly issues: readonly NetworkIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}${issue.within ? `.${issue.within}` : ''}: ${issue.message}`).join('\n'));
  }
}

export interface BuiltNetwork {
  network: NetworkModel;
  attachments: Attachment[];
  /** Listener name → its source map (self-hosted listeners whose clients' addresses place them). */
  sourceMaps: Map<string, SourceMapping[]>;
}

/** The full-access endpoint policy AWS attaches when none is given. */
export const DEFAULT_ENDPOINT_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
/** AWS's limit on an endpoint policy, in characters. */
export const MAX_ENDPOINT_POLICY_LENGTH = 20_480;

export const implicitMainTableId = (vpc: string): string => `rtb-main-${vpc}`;
export const defaultSecurityGroupId = (vpc: string): string => `sg-default-${vpc}`;
export const defaultVirtualPrivateGatewayId = (vpc: string): string => `vgw-${vpc.replace(/^vpc-/, '')}`;

export function emptyNetworkModel(): NetworkModel {
  return {
    vpcs: new Map(),
    subnets: new Map(),
    routeTables: new Map(),
    prefixLists: new Map(),
    endpoints: new Map(),
    securityGroups: new Map(),
    internetGateways: new Map(),
    natGateways: new Map(),
    peeringConnections: new Map(),
    onPremisesLinks: new Map(),
  };
}

const DYNAMODB_NAME = /^com\.amazonaws\.([a-z0-9-]+)\.dynamodb$/;
const TARGET_KINDS: Record<string, RouteTargetKind> = { igw: 'igw', nat: 'nat', vpce: 'vpce', pcx: 'pcx', vgw: 'vgw' };
const ALL_TRAFFIC: EgressRule = { protocol: '-1', fromPort: 0, toPort: 65535, destination: { kind: 'cidr', cidr: '0.0.0.0/0' } };

function formatPath(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

function lastAddress(cidr: Cidr4): number {
  return (cidr.network + 2 ** (32 - cidr.prefixLength) - 1) >>> 0;
}

/** Builds the model, or throws NetworkConfigError with every fault found. */
export function buildNetwork(config: CoveConfig): BuiltNetwork {
  return new Builder(config).build();
}

class Builder {
  private readonly issues: NetworkIssue[] = [];
  private readonly net: NetworkConfig;
  /** IDs declared (valid or not) → where; a reference to a declared but faulty ID is not reported again. */
  private readonly declared = new Map<string, Path>();

  private readonly vpcs = new Map<string, Vpc>();
  private readonly vpcCidrs = new Map<string, Cidr4>();
  private readonly subnets = new Map<string, Subnet>();
  private readonly subnetCidrs = new Map<string, Cidr4>();
  private readonly internetGateways = new Map<string, InternetGateway>();
  private readonly natGateways = new Map<string, NatGateway>();
  private readonly peerings = new Map<string, PeeringConnection>();
  private readonly links = new Map<string, OnPremisesLink>();
  /** VPC → its virtual private gateway; and back. */
  private readonly vgwOfVpc = new Map<string, string>();
  private readonly vpcOfVgw = new Map<string, string>();
  private readonly tables = new Map<string, RouteTable>();
  private readonly endpoints = new Map<string, GatewayEndpoint>();
  private readonly securityGroups = new Map<string, SecurityGroup>();
  private readonly prefixListsById = new Map<string, PrefixList>();
  private readonly prefixListsByName = new Map<string, PrefixList>();
  /** Public IPv4 addresses in use (NAT gateways, attachments) → by whom. */
  private readonly publicIps = new Map<string, string>();

  constructor(private readonly config: CoveConfig) {
    this.net = config.network;
  }

  private fail(path: Path, message: string, within?: string): void {
    this.issues.push({ path, message, ...(within !== undefined ? { within } : {}) });
  }

  /** Registers a declared ID; false (and a fault) if it is declared twice. */
  private declare(id: string, path: Path, what: string): boolean {
    const first = this.declared.get(id);
    if (first) {
      this.fail([...path, 'id'], `${what} ${id} is declared twice (first at ${formatPath(first)})`);
      return false;
    }
    this.declared.set(id, path);
    return true;
  }

  /** A reference that is neither in `map` nor a declared-but-faulty ID is reported; undefined either way. */
  private lookup<T>(map: ReadonlyMap<string, T>, id: string, path: Path, what: string): T | undefined {
    const found = map.get(id);
    if (found === undefined && !this.declared.has(id)) this.fail(path, `no ${what} ${id} is declared`);
    return found;
  }

  build(): BuiltNetwork {
    this.buildVpcs();
    this.buildPrefixLists();
    this.buildSubnets();
    this.buildInternetGateways();
    this.buildNatGateways();
    this.buildPeerings();
    this.buildOnPremisesLinks();
    this.buildRouteTables();
    this.buildEndpoints();
    this.propagateRoutes();
    this.buildSecurityGroups();
    const attachments = this.buildAttachments();
    const sourceMaps = this.buildSourceMaps();
    if (this.issues.length > 0) throw new NetworkConfigError(this.issues);
    return {
      network: {
        vpcs: this.vpcs,
        subnets: this.subnets,
        routeTables: this.tables,
        prefixLists: this.prefixListsById,
        endpoints: this.endpoints,
        securityGroups: this.securityGroups,
        internetGateways: this.internetGateways,
        natGateways: this.natGateways,
        peeringConnections: this.peerings,
        onPremisesLinks: this.links,
      },
      attachments,
      sourceMaps,
    };
  }

  private buildVpcs(): void {
    this.net.vpcs.forEach((v, i) => {
      const path = ['network', 'vpcs', i];
      if (!this.declare(v.id, path, 'VPC')) return;
      const cidr = parseCidr4(v.cidr)!;
      if (cidr.prefixLength < 16 || cidr.prefixLength > 28) this.fail([...path, 'cidr'], `a VPC's CIDR must be /16 to /28 (AWS's limits), got /${cidr.prefixLength}`);
      v.dns?.servers.forEach((server, s) => {
        if (!isIPv4(server) && server !== 'AmazonProvidedDNS') this.fail([...path, 'dns', 'servers', s], `expected an IPv4 address or AmazonProvidedDNS (got "${server}")`);
      });
      this.vpcs.set(v.id, {
        id: v.id,
        region: v.region ?? this.config.region,
        cidr: v.cidr,
        enableDnsSupport: v.enableDnsSupport,
        enableDnsHostnames: v.enableDnsHostnames,
        ...(v.dns ? { customDns: { servers: [...v.dns.servers], resolvesAwsServices: v.dns.resolvesAwsServices } } : {}),
      });
      this.vpcCidrs.set(v.id, cidr);
    });
  }

  /**
   * Every known region's DynamoDB list, plus a synthetic one for each other
   * region the file uses; none when the file declares no VPC (the model is
   * then empty: every listener is public).
   */
  private buildPrefixLists(): void {
    if (this.net.vpcs.length === 0) return;
    const regions = [this.config.region, ...[...this.vpcs.values()].map((vpc) => vpc.region)];
    for (const list of dynamodbPrefixLists(regions)) {
      this.prefixListsById.set(list.id, list);
      this.prefixListsByName.set(list.name, list);
    }
  }

  /** A prefix list named in a route or rule of a VPC in `region`: `com.amazonaws.REGION.dynamodb` or its `pl-` ID. */
  private prefixList(reference: string, region: string, owner: string, path: Path): PrefixList | undefined {
    const expected = this.prefixListsByName.get(dynamodbServiceName(region))!;
    if (reference.startsWith('pl-')) {
      const list = this.prefixListsById.get(reference);
      if (!list) {
        this.fail(path, `no prefix list ${reference}: in ${region} (${owner}'s region) DynamoDB's is ${expected.id} (${expected.name})`);
      } else if (list.region !== region) {
        this.fail(path, `${reference} is ${list.name}; prefix lists are regional and ${owner} is in ${region}, whose list is ${expected.id} (${expected.name})`);
      } else return list;
      return undefined;
    }
    const match = DYNAMODB_NAME.exec(reference);
    if (!match) {
      this.fail(path, `cove models DynamoDB's prefix lists only: expected ${expected.name} or ${expected.id} (got ${reference})`);
    } else if (match[1] !== region) {
      this.fail(path, `prefix lists are regional: ${owner} is in ${region}, so DynamoDB's is ${expected.name} (${expected.id}), not ${reference}`);
    } else return expected;
    return undefined;
  }

  private buildSubnets(): void {
    this.net.subnets.forEach((s, i) => {
      const path = ['network', 'subnets', i];
      if (!this.declare(s.id, path, 'subnet')) return;
      const vpc = this.lookup(this.vpcs, s.vpc, [...path, 'vpc'], 'VPC');
      if (!vpc) return;
      const cidr = parseCidr4(s.cidr)!;
      const vpcCidr = this.vpcCidrs.get(vpc.id)!;
      if (cidr.prefixLength < 16 || cidr.prefixLength > 28) {
        this.fail([...path, 'cidr'], `a subnet's CIDR must be /16 to /28 (AWS's limits), got /${cidr.prefixLength}`);
      } else if (!cidrCovers(vpcCidr, cidr)) {
        this.fail([...path, 'cidr'], `${s.cidr} is not inside ${vpc.id}'s CIDR ${vpc.cidr}`);
      } else {
        for (const other of this.subnets.values()) {
          if (other.vpc === vpc.id && cidrsOverlap(this.subnetCidrs.get(other.id)!, cidr)) {
            this.fail([...path, 'cidr'], `${s.cidr} overlaps subnet ${other.id} (${other.cidr}) of ${vpc.id}`);
            break;
          }
        }
      }
      this.subnets.set(s.id, { id: s.id, vpc: vpc.id, cidr: s.cidr });
      this.subnetCidrs.set(s.id, cidr);
    });
  }

  private buildInternetGateways(): void {
    const byVpc = new Map<string, string>();
    this.net.internetGateways.forEach((g, i) => {
      const path = ['network', 'internetGateways', i];
      if (!this.declare(g.id, path, 'internet gateway')) return;
      const vpc = this.lookup(this.vpcs, g.vpc, [...path, 'vpc'], 'VPC');
      if (!vpc) return;
      const other = byVpc.get(vpc.id);
      if (other) this.fail([...path, 'vpc'], `${vpc.id} already has internet gateway ${other}; a VPC has at most one`);
      byVpc.set(vpc.id, g.id);
      this.internetGateways.set(g.id, { id: g.id, vpc: vpc.id });
    });
  }

  private usePublicIp(ip: string, user: string, path: Path): void {
    const other = this.publicIps.get(ip);
    if (other) this.fail(path, `public IP ${ip} is already ${other}'s; an Elastic IP is associated with one resource`);
    else this.publicIps.set(ip, user);
  }

  private buildNatGateways(): void {
    this.net.natGateways.forEach((g, i) => {
      const path = ['network', 'natGateways', i];
      if (!this.declare(g.id, path, 'NAT gateway')) return;
      const subnet = this.lookup(this.subnets, g.subnet, [...path, 'subnet'], 'subnet');
      this.usePublicIp(g.publicIp, g.id, [...path, 'publicIp']);
      if (subnet) this.natGateways.set(g.id, { id: g.id, subnet: subnet.id, publicIp: g.publicIp });
    });
  }

  private buildPeerings(): void {
    this.net.vpcPeeringConnections.forEach((p, i) => {
      const path = ['network', 'vpcPeeringConnections', i];
      if (!this.declare(p.id, path, 'VPC peering connection')) return;
      const requester = this.lookup(this.vpcs, p.requesterVpc, [...path, 'requesterVpc'], 'VPC');
      const accepter = this.lookup(this.vpcs, p.accepterVpc, [...path, 'accepterVpc'], 'VPC');
      if (!requester || !accepter) return;
      if (requester.id === accepter.id) {
        this.fail([...path, 'accepterVpc'], `${p.id} has ${requester.id} on both sides; a VPC cannot peer with itself`);
        return;
      }
      if (cidrsOverlap(this.vpcCidrs.get(requester.id)!, this.vpcCidrs.get(accepter.id)!)) {
        this.fail(path, `${requester.id} (${requester.cidr}) and ${accepter.id} (${accepter.cidr}) have overlapping CIDRs: AWS refuses to peer them`);
        return;
      }
      if (p.status === 'active' || p.status === 'pending-acceptance') {
        for (const other of this.peerings.values()) {
          const same = new Set([other.requesterVpc, other.accepterVpc, requester.id, accepter.id]).size === 2;
          if (same && (other.status === 'active' || other.status === 'pending-acceptance')) {
            this.fail(path, `${requester.id} and ${accepter.id} are already peered by ${other.id}`);
            return;
          }
        }
      }
      this.peerings.set(p.id, { id: p.id, requesterVpc: requester.id, accepterVpc: accepter.id, status: p.status });
    });
  }

  private buildOnPremisesLinks(): void {
    const sections = [
      { key: 'vpnConnections', kind: 'vpn', what: 'VPN connection', list: this.net.vpnConnections },
      { key: 'directConnectInterfaces', kind: 'directConnect', what: 'Direct Connect interface', list: this.net.directConnectInterfaces },
    ] as const;
    const pending: { link: OnPremisesLink; path: Path }[] = [];
    for (const section of sections) {
      section.list.forEach((l, i) => {
        const path = ['network', section.key, i];
        if (!this.declare(l.id, path, section.what)) return;
        const vpc = this.lookup(this.vpcs, l.vpc, [...path, 'vpc'], 'VPC');
        if (!vpc) return;
        const vpcCidr = this.vpcCidrs.get(vpc.id)!;
        l.onPremisesCidrs.forEach((text, c) => {
          if (cidrsOverlap(parseCidr4(text)!, vpcCidr)) this.fail([...path, 'onPremisesCidrs', c], `${text} overlaps ${vpc.id}'s CIDR ${vpc.cidr}`);
        });
        const link: OnPremisesLink = { id: l.id, kind: section.kind, vpc: vpc.id, onPremisesCidrs: [...l.onPremisesCidrs] };
        this.links.set(l.id, link);
        if (l.vgw !== undefined) this.attachVgw(l.vgw, vpc.id, l.id, [...path, 'vgw']);
        else pending.push({ link, path });
      });
    }
    // Links that name no gateway use the one their VPC has, or its default.
    for (const { link, path } of pending) {
      if (!this.vgwOfVpc.has(link.vpc)) this.attachVgw(defaultVirtualPrivateGatewayId(link.vpc), link.vpc, link.id, path);
    }
  }

  private attachVgw(vgw: string, vpc: string, link: string, path: Path): void {
    const attachedTo = this.vpcOfVgw.get(vgw);
    if (attachedTo !== undefined && attachedTo !== vpc) {
      this.fail(path, `${vgw} is attached to ${attachedTo}; a virtual private gateway attaches to one VPC (${link} is in ${vpc})`);
      return;
    }
    const current = this.vgwOfVpc.get(vpc);
    if (current !== undefined && current !== vgw) {
      this.fail(path, `${vpc} already has virtual private gateway ${current}; a VPC has at most one`);
      return;
    }
    this.vgwOfVpc.set(vpc, vgw);
    this.vpcOfVgw.set(vgw, vpc);
  }

  private buildRouteTables(): void {
    const mainOf = new Map<string, string>();
    const associatedWith = new Map<string, string>();
    const validTables: { table: RouteTable; path: Path; routes: NetworkConfig['routeTables'][number]['routes'] }[] = [];
    this.net.routeTables.forEach((t, i) => {
      const path = ['network', 'routeTables', i];
      if (!this.declare(t.id, path, 'route table')) return;
      const vpc = this.lookup(this.vpcs, t.vpc, [...path, 'vpc'], 'VPC');
      if (!vpc) return;
      if (t.main) {
        const other = mainOf.get(vpc.id);
        if (other) this.fail([...path, 'main'], `${vpc.id} already has main route table ${other}; a VPC has one`);
        else mainOf.set(vpc.id, t.id);
      }
      const subnets: string[] = [];
      t.subnets.forEach((id, s) => {
        const subnetPath = [...path, 'subnets', s];
        const subnet = this.lookup(this.subnets, id, subnetPath, 'subnet');
        if (!subnet) return;
        const other = associatedWith.get(id);
        if (subnet.vpc !== vpc.id) this.fail(subnetPath, `${id} is in ${subnet.vpc}, not in ${vpc.id}`);
        else if (other !== undefined) this.fail(subnetPath, other === t.id ? `${id} is listed twice` : `${id} is already associated with ${other}; a subnet is associated with one route table`);
        else {
          associatedWith.set(id, t.id);
          subnets.push(id);
        }
      });
      const table: RouteTable = { id: t.id, vpc: vpc.id, main: t.main, subnets, routes: [{ destination: { kind: 'cidr', cidr: vpc.cidr }, target: { kind: 'local', id: 'local' }, origin: 'static' }] };
      this.tables.set(t.id, table);
      validTables.push({ table, path, routes: t.routes });
    });
    for (const vpc of this.vpcs.values()) {
      if (mainOf.has(vpc.id)) continue;
      const id = implicitMainTableId(vpc.id);
      const clash = this.declared.get(id);
      if (clash) {
        this.fail([...clash, 'id'], `${id} is the ID cove gives ${vpc.id}'s implicit main table (${vpc.id} declares no main table): set main: true on it, or rename it`);
        continue;
      }
      this.declared.set(id, ['network', 'vpcs', this.net.vpcs.findIndex((v) => v.id === vpc.id)]);
      this.tables.set(id, { id, vpc: vpc.id, main: true, subnets: [], routes: [{ destination: { kind: 'cidr', cidr: vpc.cidr }, target: { kind: 'local', id: 'local' }, origin: 'static' }] });
    }
    for (const { table, path, routes } of validTables) {
      routes.forEach((r, j) => this.declaredRoute(table, r, [...path, 'routes', j]));
    }
  }

  private destinationKey(destination: RouteDestination): string {
    return destination.kind === 'cidr' ? destination.cidr : destination.prefixListId;
  }

  private declaredRoute(table: RouteTable, r: NetworkConfig['routeTables'][number]['routes'][number], path: Path): void {
    const vpc = this.vpcs.get(table.vpc)!;
    let destination: RouteDestination;
    if (r.destination !== undefined && r.prefixList !== undefined) {
      this.fail(path, 'a route has one destination: destination (a CIDR) or prefixList, not both');
      return;
    } else if (r.destination !== undefined) {
      destination = { kind: 'cidr', cidr: r.destination };
    } else if (r.prefixList !== undefined) {
      const list = this.prefixList(r.prefixList, vpc.region, vpc.id, [...path, 'prefixList']);
      if (!list) return;
      destination = { kind: 'prefixList', prefixListId: list.id };
    } else {
      this.fail(path, 'a route needs a destination (a CIDR) or a prefixList');
      return;
    }
    const targetPath = [...path, 'target'];
    let target: RouteTarget | undefined;
    if (r.target === 'local') {
      if (destination.kind !== 'cidr' || destination.cidr !== vpc.cidr) {
        this.fail(targetPath, `the local route's destination is the VPC's CIDR (${vpc.id}: ${vpc.cidr}); cove adds it to every route table`);
      }
      return; // the implicit local route already is this route
    }
    const kind = TARGET_KINDS[r.target.slice(0, r.target.indexOf('-'))];
    switch (kind) {
      case 'igw': {
        const igw = this.lookup(this.internetGateways, r.target, targetPath, 'internet gateway');
        if (igw && igw.vpc !== vpc.id) this.fail(targetPath, `${igw.id} is attached to ${igw.vpc}, not to ${vpc.id}`);
        else if (igw) target = { kind, id: igw.id };
        break;
      }
      case 'nat': {
        const nat = this.lookup(this.natGateways, r.target, targetPath, 'NAT gateway');
        const natVpc = nat && this.subnets.get(nat.subnet)!.vpc;
        if (nat && natVpc !== vpc.id) this.fail(targetPath, `${nat.id} is in ${natVpc}, not in ${vpc.id}`);
        else if (nat) target = { kind, id: nat.id };
        break;
      }
      case 'vpce': {
        const endpoint = this.net.vpcEndpoints.findIndex((e) => e.id === r.target);
        this.fail(
          targetPath,
          endpoint >= 0
            ? `a route to a gateway endpoint cannot be created by hand (AWS rejects it): list ${table.id} in network.vpcEndpoints[${endpoint}].routeTables and cove adds the prefix-list route to ${r.target}`
            : `no VPC endpoint ${r.target} is declared; and a route to a gateway endpoint is never created by hand (AWS rejects it): it comes from vpcEndpoints[].routeTables`,
        );
        return;
      }
      case 'pcx': {
        const peering = this.lookup(this.peerings, r.target, targetPath, 'VPC peering connection');
        if (peering && peering.requesterVpc !== vpc.id && peering.accepterVpc !== vpc.id) {
          this.fail(targetPath, `${peering.id} connects ${peering.requesterVpc} and ${peering.accepterVpc}, not ${vpc.id}`);
        } else if (peering) target = { kind, id: peering.id };
        break;
      }
      case 'vgw': {
        const attachedTo = this.vpcOfVgw.get(r.target);
        if (attachedTo === undefined) {
          this.fail(targetPath, `no virtual private gateway ${r.target} is declared: a VPC's gateway comes with its vpnConnections or directConnectInterfaces (vgw:, default ${defaultVirtualPrivateGatewayId(vpc.id)})`);
        } else if (attachedTo !== vpc.id) {
          this.fail(targetPath, `${r.target} is attached to ${attachedTo}, not to ${vpc.id}`);
        } else target = { kind, id: r.target };
        break;
      }
    }
    if (!target) return;
    const key = this.destinationKey(destination);
    const existing = table.routes.find((route) => this.destinationKey(route.destination) === key);
    if (existing) {
      this.fail(path, `${table.id} already has a route to ${key} (→ ${existing.target.id}); a route table has one route per destination`);
      return;
    }
    table.routes.push({ destination, target, origin: 'static' });
  }

  private buildEndpoints(): void {
    this.net.vpcEndpoints.forEach((e, i) => {
      const path = ['network', 'vpcEndpoints', i];
      if (!this.declare(e.id, path, 'VPC endpoint')) return;
      const vpc = this.lookup(this.vpcs, e.vpc, [...path, 'vpc'], 'VPC');
      if (e.type !== 'Gateway') this.fail([...path, 'type'], `cove models Gateway endpoints only (got ${e.type})`);
      const policy = this.endpointPolicy(e.id, e.policy, [...path, 'policy']);
      if (!vpc) return;
      const list = this.prefixListsByName.get(dynamodbServiceName(vpc.region))!;
      let serviceOk = e.serviceName === list.name;
      if (!serviceOk) {
        const match = DYNAMODB_NAME.exec(e.serviceName);
        this.fail(
          [...path, 'serviceName'],
          match
            ? `a gateway endpoint serves its VPC's region: ${vpc.id} is in ${vpc.region}, so the service is ${list.name} (got ${e.serviceName}, a ${match[1]} service)`
            : `cove models DynamoDB gateway endpoints only: expected ${list.name} (got ${e.serviceName})`,
        );
      }
      const routeTables: string[] = [];
      e.routeTables.forEach((id, t) => {
        const tablePath = [...path, 'routeTables', t];
        const table = this.lookup(this.tables, id, tablePath, 'route table');
        if (!table) return;
        if (table.vpc !== vpc.id) {
          this.fail(tablePath, `${id} is a route table of ${table.vpc}; ${e.id} is in ${vpc.id} (${vpc.region}) and serves only its own VPC's route tables`);
          serviceOk = false;
          return;
        }
        if (routeTables.includes(id)) {
          this.fail(tablePath, `${id} is listed twice`);
          return;
        }
        const existing = table.routes.find((route) => route.destination.kind === 'prefixList' && route.destination.prefixListId === list.id);
        if (existing) {
          this.fail(tablePath, `${id} already has a route to ${list.id} (→ ${existing.target.id}); a route table takes one route per prefix list, so one ${list.name} endpoint`);
          return;
        }
        routeTables.push(id);
        if (serviceOk) table.routes.push({ destination: { kind: 'prefixList', prefixListId: list.id }, target: { kind: 'vpce', id: e.id }, origin: 'endpoint' });
      });
      if (policy && serviceOk && e.type === 'Gateway') {
        this.endpoints.set(e.id, { id: e.id, vpc: vpc.id, region: vpc.region, serviceName: e.serviceName, routeTables, policy });
      }
    });
  }

  private endpointPolicy(endpoint: string, document: unknown, path: Path): CompiledPolicy | undefined {
    const given = document ?? DEFAULT_ENDPOINT_POLICY;
    const length = typeof given === 'string' ? given.length : JSON.stringify(given).length;
    if (length > MAX_ENDPOINT_POLICY_LENGTH) {
      this.fail(path, `the endpoint policy is ${length} characters (as compact JSON); AWS allows at most 20,480`);
      return undefined;
    }
    try {
      return compilePolicy(`endpoint/${endpoint}`, given, 'vpcEndpoint');
    } catch (error) {
      if (!(error instanceof PolicyDocumentError)) throw error;
      this.fail(path, error.detail, error.path);
      return undefined;
    }
  }

  /** Routes to each on-premises CIDR through the VPC's virtual private gateway, in every table of the VPC. */
  private propagateRoutes(): void {
    for (const table of this.tables.values()) {
      const vgw = this.vgwOfVpc.get(table.vpc);
      if (vgw === undefined) continue;
      const seen = new Set<string>();
      for (const link of this.links.values()) {
        if (link.vpc !== table.vpc) continue;
        for (const cidr of link.onPremisesCidrs) {
          if (seen.has(cidr)) continue;
          seen.add(cidr);
          table.routes.push({ destination: { kind: 'cidr', cidr }, target: { kind: 'vgw', id: vgw }, origin: 'propagated' });
        }
      }
    }
  }

  private peered(a: string, b: string): boolean {
    for (const p of this.peerings.values()) {
      if (p.status === 'active' && ((p.requesterVpc === a && p.accepterVpc === b) || (p.requesterVpc === b && p.accepterVpc === a))) return true;
    }
    return false;
  }

  private buildSecurityGroups(): void {
    const groups: { group: SecurityGroup; config: NetworkConfig['securityGroups'][number]; path: Path }[] = [];
    this.net.securityGroups.forEach((g, i) => {
      const path = ['network', 'securityGroups', i];
      if (!this.declare(g.id, path, 'security group')) return;
      const vpc = this.lookup(this.vpcs, g.vpc, [...path, 'vpc'], 'VPC');
      if (!vpc) return;
      const defaultOf = /^sg-default-(vpc-.+)$/.exec(g.id)?.[1];
      if (defaultOf !== undefined && defaultOf !== vpc.id && this.vpcs.has(defaultOf)) {
        this.fail([...path, 'vpc'], `${g.id} is the ID of ${defaultOf}'s default security group; declare it in ${defaultOf}`);
        return;
      }
      const group: SecurityGroup = { id: g.id, vpc: vpc.id, egress: g.egress === undefined ? [{ ...ALL_TRAFFIC }] : [] };
      this.securityGroups.set(g.id, group);
      groups.push({ group, config: g, path });
    });
    // Each VPC's default group, unless declared: all egress allowed, as AWS creates it.
    for (const vpc of this.vpcs.values()) {
      const id = defaultSecurityGroupId(vpc.id);
      if (this.declared.has(id)) continue;
      this.declared.set(id, ['network', 'vpcs', this.net.vpcs.findIndex((v) => v.id === vpc.id)]);
      this.securityGroups.set(id, { id, vpc: vpc.id, egress: [{ ...ALL_TRAFFIC }] });
    }
    for (const { group, config, path } of groups) {
      config.egress?.forEach((rule, r) => {
        const built = this.egressRule(group, rule, [...path, 'egress', r]);
        if (built) group.egress.push(built);
      });
    }
  }

  private egressRule(group: SecurityGroup, rule: NonNullable<NetworkConfig['securityGroups'][number]['egress']>[number], path: Path): EgressRule | undefined {
    const vpc = this.vpcs.get(group.vpc)!;
    let fromPort: number;
    let toPort: number;
    if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
      if (rule.fromPort === undefined || rule.toPort === undefined) {
        this.fail(path, `a ${rule.protocol} rule needs fromPort and toPort (0-65535)`);
        return undefined;
      }
      if (rule.fromPort < 0 || rule.toPort < 0) {
        this.fail([...path, rule.fromPort < 0 ? 'fromPort' : 'toPort'], `a ${rule.protocol} port is 0-65535`);
        return undefined;
      }
      if (rule.fromPort > rule.toPort) {
        this.fail([...path, 'toPort'], `toPort ${rule.toPort} is below fromPort ${rule.fromPort}`);
        return undefined;
      }
      [fromPort, toPort] = [rule.fromPort, rule.toPort];
    } else if (rule.protocol === 'icmp') {
      // For ICMP the ports are the type and the code; -1 is any.
      [fromPort, toPort] = [rule.fromPort ?? -1, rule.toPort ?? -1];
      if (fromPort > 255 || toPort > 255) {
        this.fail(path, 'for icmp, fromPort is the ICMP type and toPort the code: -1 (any) to 255');
        return undefined;
      }
    } else {
      [fromPort, toPort] = [0, 65535]; // all traffic: AWS ignores the ports
    }
    const given = [rule.destination !== undefined, rule.prefixList !== undefined, rule.securityGroup !== undefined].filter(Boolean).length;
    if (given !== 1) {
      this.fail(path, `an egress rule has exactly one of destination (a CIDR), prefixList or securityGroup${given > 1 ? ', not several' : ''}`);
      return undefined;
    }
    let destination: EgressDestination | undefined;
    if (rule.destination !== undefined) {
      destination = { kind: 'cidr', cidr: rule.destination };
    } else if (rule.prefixList !== undefined) {
      const list = this.prefixList(rule.prefixList, vpc.region, `${group.id} (${vpc.id})`, [...path, 'prefixList']);
      if (list) destination = { kind: 'prefixList', prefixListId: list.id };
    } else {
      const groupPath = [...path, 'securityGroup'];
      const other = this.lookup(this.securityGroups, rule.securityGroup!, groupPath, 'security group');
      if (other && other.vpc !== group.vpc && !this.peered(other.vpc, group.vpc)) {
        this.fail(groupPath, `${other.id} is in ${other.vpc}, which is neither ${group.vpc} nor peered with it (an active peering connection)`);
      } else if (other) destination = { kind: 'securityGroup', groupId: other.id };
    }
    return destination && { protocol: rule.protocol, fromPort, toPort, destination };
  }

  private buildAttachments(): Attachment[] {
    const names = new Map<string, string>();
    const addresses: { listen: string; host: string; port: number; who: string }[] = [];
    const claimAddress = (listen: string, who: string, path: Path): void => {
      const colon = listen.lastIndexOf(':');
      const host = listen.slice(0, colon).replace(/^\[|\]$/g, '').toLowerCase();
      const port = Number(listen.slice(colon + 1));
      const wildcard = (h: string) => h === '0.0.0.0' || h === '::';
      // Port 0 asks the system for a free port: never a clash.
      const clash = port === 0 ? undefined : addresses.find((a) => a.port === port && (a.host === host || wildcard(a.host) || wildcard(host)));
      if (clash) this.fail(path, `${listen} is already the address of ${clash.who} (${clash.listen}); each listener and attachment listens on its own HOST:PORT`);
      addresses.push({ listen, host, port, who });
    };
    this.config.listeners.forEach((listener, i) => {
      names.set(listener.name, `listener ${listener.name}`);
      claimAddress(listener.listen, `listener ${listener.name}`, ['listeners', i, 'listen']);
    });
    const privateIps = new Map<string, string>();
    const attachments: Attachment[] = [];
    this.config.attachments.forEach((a, i) => {
      const path = ['attachments', i];
      const other = names.get(a.name);
      if (other) this.fail([...path, 'name'], `${other} already has the name ${a.name}; listeners and attachments need distinct names`);
      else names.set(a.name, `attachment ${a.name}`);
      if (a.listen !== undefined) claimAddress(a.listen, `attachment ${a.name}`, [...path, 'listen']);
      else if (!this.config.listeners.some((l) => l.sources?.some((m) => m.attachment === a.name))) {
        this.fail(path, `attachment ${a.name} has no listen address and no listener's sources map clients to it; give it one or the other`);
      }
      const source = a.onPremises !== undefined && a.subnet === undefined ? this.onPremisesSource(a, path) : this.subnetSource(a, path, privateIps);
      if (source) attachments.push({ name: a.name, ...(a.listen !== undefined ? { listen: a.listen } : {}), source });
    });
    return attachments;
  }

  private buildSourceMaps(): Map<string, SourceMapping[]> {
    const maps = new Map<string, SourceMapping[]>();
    const attachmentNames = new Set(this.config.attachments.map((a) => a.name));
    this.config.listeners.forEach((listener, i) => {
      if (!listener.sources) return;
      const seen = new Set<string>();
      listener.sources.forEach((mapping, j) => {
        const path = ['listeners', i, 'sources', j];
        if (!attachmentNames.has(mapping.attachment)) this.fail([...path, 'attachment'], `no attachment is named ${mapping.attachment}`);
        if (seen.has(mapping.cidr)) this.fail([...path, 'cidr'], `${mapping.cidr} is mapped twice in listener ${listener.name}`);
        seen.add(mapping.cidr);
      });
      maps.set(listener.name, listener.sources.map((m) => ({ cidr: m.cidr, attachment: m.attachment })));
    });
    return maps;
  }

  private subnetSource(a: AttachmentConfig, path: Path, privateIps: Map<string, string>): Attachment['source'] | undefined {
    if (a.subnet === undefined) {
      this.fail(path, 'an attachment is a workload in a subnet (subnet, privateIp, securityGroups) or on premises (onPremises: { via, ip })');
      return undefined;
    }
    if (a.onPremises !== undefined) {
      this.fail([...path, 'onPremises'], 'an attachment is in a subnet or on premises, not both');
      return undefined;
    }
    const subnet = this.lookup(this.subnets, a.subnet, [...path, 'subnet'], 'subnet');
    if (a.privateIp === undefined) {
      this.fail(path, `a subnet attachment needs privateIp: its address in ${a.subnet}`);
      return undefined;
    }
    if (!subnet) return undefined;
    let ok = true;
    const cidr = this.subnetCidrs.get(subnet.id)!;
    const ip = ipv4ToNumber(a.privateIp)!;
    if (!cidrContains(cidr, ip)) {
      this.fail([...path, 'privateIp'], `${a.privateIp} is not in ${subnet.id}'s CIDR ${subnet.cidr}`);
      ok = false;
    } else if (ip - cidr.network < 4 || ip === lastAddress(cidr)) {
      const reserved = [0, 1, 2, 3].map((n) => numberToIpv4(cidr.network + n)).join(', ');
      this.fail([...path, 'privateIp'], `${a.privateIp} is reserved: AWS keeps the first four addresses (${reserved}) and the last (${numberToIpv4(lastAddress(cidr))}) of every subnet`);
      ok = false;
    } else {
      const key = `${subnet.vpc}\0${a.privateIp}`;
      const owner = privateIps.get(key);
      if (owner) {
        this.fail([...path, 'privateIp'], `${a.privateIp} is already attachment ${owner}'s address in ${subnet.vpc}`);
        ok = false;
      } else privateIps.set(key, a.name);
    }
    let securityGroups: string[];
    if (a.securityGroups === undefined) {
      securityGroups = [defaultSecurityGroupId(subnet.vpc)];
    } else if (a.securityGroups.length === 0) {
      this.fail([...path, 'securityGroups'], `an instance has at least one security group; omit securityGroups to use ${subnet.vpc}'s default group ${defaultSecurityGroupId(subnet.vpc)}`);
      return undefined;
    } else {
      securityGroups = [];
      a.securityGroups.forEach((id, g) => {
        const groupPath = [...path, 'securityGroups', g];
        const group = this.lookup(this.securityGroups, id, groupPath, 'security group');
        if (!group) ok = false;
        else if (group.vpc !== subnet.vpc) {
          this.fail(groupPath, `${id} is in ${group.vpc}; an attachment's security groups must be in its subnet's VPC ${subnet.vpc}`);
          ok = false;
        } else if (securityGroups.includes(id)) {
          this.fail(groupPath, `${id} is listed twice`);
          ok = false;
        } else securityGroups.push(id);
      });
    }
    if (a.publicIp !== undefined) this.usePublicIp(a.publicIp, `attachment ${a.name}`, [...path, 'publicIp']);
    if (!ok) return undefined;
    return {
      kind: 'subnet',
      subnet: subnet.id,
      privateIp: a.privateIp,
      securityGroups,
      ...(a.publicIp !== undefined ? { publicIp: a.publicIp } : {}),
      ...(a.ipv6 !== undefined ? { ipv6: a.ipv6 } : {}),
    };
  }

  private onPremisesSource(a: AttachmentConfig, path: Path): Attachment['source'] | undefined {
    const onPremises = a.onPremises!;
    let ok = true;
    for (const key of ['privateIp', 'securityGroups', 'publicIp', 'ipv6'] as const) {
      if (a[key] !== undefined) {
        this.fail([...path, key], `only a subnet attachment has ${key}; an on-premises one has onPremises: { via, ip, publicIp }`);
        ok = false;
      }
    }
    const viaPath = [...path, 'onPremises', 'via'];
    if (!/^(vpn|dxvif)-/.test(onPremises.via)) {
      this.fail(viaPath, `expected a VPN connection (vpn-…) or Direct Connect interface (dxvif-…) ID (got "${onPremises.via}")`);
      return undefined;
    }
    const link = this.lookup(this.links, onPremises.via, viaPath, onPremises.via.startsWith('vpn-') ? 'VPN connection' : 'Direct Connect interface');
    if (!link) return undefined;
    const ip = ipv4ToNumber(onPremises.ip)!;
    if (!link.onPremisesCidrs.some((text) => cidrContains(parseCidr4(text)!, ip))) {
      this.fail([...path, 'onPremises', 'ip'], `${onPremises.ip} is not in ${link.id}'s on-premises CIDRs (${link.onPremisesCidrs.join(', ')})`);
      ok = false;
    }
    return ok ? { kind: 'onPremises', via: link.id, ip: onPremises.ip, ...(onPremises.publicIp !== undefined ? { publicIp: onPremises.publicIp } : {}) } : undefined;
  }
}
