import type { CompiledPolicy } from '../policy/document.js';

/**
 * The VPC model cove routes requests through: what `network:` and
 * `attachments:` in cove.yaml declare, validated and cross-referenced
 * (config.ts). Pure data: addresses here are never contacted.
 */
export interface Vpc {
  id: string;
  region: string;
  cidr: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  /** A custom DNS server (DHCP options): whether it resolves the regional DynamoDB name. */
  customDns?: { servers: string[]; resolvesAwsServices: boolean };
}

export interface Subnet {
  id: string;
  vpc: string;
  cidr: string;
}

export type RouteTargetKind = 'local' | 'igw' | 'nat' | 'vpce' | 'pcx' | 'vgw';

export interface RouteTarget {
  kind: RouteTargetKind;
  /** `local`, or the target's ID (`igw-…`, `nat-…`, `vpce-…`, `pcx-…`, `vgw-…`). */
  id: string;
}

export type RouteDestination = { kind: 'cidr'; cidr: string } | { kind: 'prefixList'; prefixListId: string };

/**
 * How the route got into the table; it breaks ties at equal prefix length:
 * static CIDR routes beat prefix-list routes, which beat propagated ones.
 * `endpoint` routes are the `pl-… → vpce-…` routes a gateway endpoint adds.
 */
export type RouteOrigin = 'static' | 'endpoint' | 'propagated';

export interface Route {
  destination: RouteDestination;
  target: RouteTarget;
  origin: RouteOrigin;
}

export interface RouteTable {
  id: string;
  vpc: string;
  /** The VPC's main table serves every subnet without an explicit association. */
  main: boolean;
  subnets: string[];
  /** Declared routes plus the implicit `local` route and the endpoint routes. */
  routes: Route[];
}

/** An AWS-managed prefix list (`com.amazonaws.REGION.dynamodb`). */
export interface PrefixList {
  id: string;
  name: string;
  region: string;
  cidrs: string[];
}

export interface GatewayEndpoint {
  id: string;
  vpc: string;
  region: string;
  serviceName: string;
  routeTables: string[];
  /** The endpoint policy; the default is full access. */
  policy: CompiledPolicy;
}

export type EgressDestination = { kind: 'cidr'; cidr: string } | { kind: 'prefixList'; prefixListId: string } | { kind: 'securityGroup'; groupId: string };

export interface EgressRule {
  /** `tcp`, `udp`, `icmp`, or `-1` for all traffic. */
  protocol: string;
  fromPort: number;
  toPort: number;
  destination: EgressDestination;
}

export interface SecurityGroup {
  id: string;
  vpc: string;
  egress: EgressRule[];
}

export interface InternetGateway {
  id: string;
  vpc: string;
}

export interface NatGateway {
  id: string;
  subnet: string;
  publicIp: string;
}

export interface PeeringConnection {
  id: string;
  requesterVpc: string;
  accepterVpc: string;
  status: 'active' | 'pending-acceptance' | 'rejected' | 'deleted';
}

/** A Site-to-Site VPN connection or a Direct Connect virtual interface: on-premises CIDRs entering a VPC. */
export interface OnPremisesLink {
  id: string;
  kind: 'vpn' | 'directConnect';
  vpc: string;
  onPremisesCidrs: string[];
}

export interface NetworkModel {
  vpcs: ReadonlyMap<string, Vpc>;
  subnets: ReadonlyMap<string, Subnet>;
  routeTables: ReadonlyMap<string, RouteTable>;
  prefixLists: ReadonlyMap<string, PrefixList>;
  endpoints: ReadonlyMap<string, GatewayEndpoint>;
  securityGroups: ReadonlyMap<string, SecurityGroup>;
  internetGateways: ReadonlyMap<string, InternetGateway>;
  natGateways: ReadonlyMap<string, NatGateway>;
  peeringConnections: ReadonlyMap<string, PeeringConnection>;
  onPremisesLinks: ReadonlyMap<string, OnPremisesLink>;
}

/** Where a listener's clients are: a workload in a subnet, or on premises over VPN/DX. */
export type AttachmentSource =
  | { kind: 'subnet'; subnet: string; privateIp: string; securityGroups: string[]; publicIp?: string; ipv6?: string }
  | { kind: 'onPremises'; via: string; ip: string; /** The on-premises network's internet address, if it has internet access. */ publicIp?: string };

export interface Attachment {
  name: string;
  /** Its own listener; absent when only listeners' source maps lead to it. */
  listen?: string;
  source: AttachmentSource;
}


/** One entry of a listener's source map: clients whose real address is in `cidr` are the attachment. */
export interface SourceMapping {
  cidr: string;
  attachment: string;
}
