import { BlockList, isIPv4 } from 'node:net';
import type { Decision, ReachingPath, RequestContext, Stage } from '../context.js';
import { readSigning, scopeRegion } from '../auth/sigv4.js';
import type { Attachment, AttachmentSource, NetworkModel, SourceMapping } from './model.js';
import { resolvePath, type Hop, type ResolvedPath } from './resolve.js';
import { DEFAULT_ENDPOINT_POLICY } from './config.js';
import { compilePolicy } from '../policy/document.js';

/** The policy of an endpoint a PROXY header names that the model does not declare: AWS's default. */
const PROXIED_ENDPOINT_POLICY = compilePolicy('endpoint/proxied', DEFAULT_ENDPOINT_POLICY, 'vpcEndpoint');

export type AttachmentPlace = { kind: 'attachment'; name: string; source: AttachmentSource };

interface MappedSource {
  cidr: string;
  family: 'ipv4' | 'ipv6';
  prefixLength: number;
  range: BlockList;
  place: AttachmentPlace;
}

/**
 * What a listener stands for: the internet (public), a modelled client location
 * (an attachment's own listener), or, self-hosted, a map from the client's real
 * address to attachments (longest CIDR first; no match is the internet).
 */
export type ListenerPlace = { kind: 'public' } | AttachmentPlace | { kind: 'mapped'; sources: MappedSource[] };

/**
 * The place of every listener of a configuration: `listeners:` are the internet
 * (or, with `sources`, a map from client addresses to attachments); each
 * attachment with its own `listen` is that attachment.
 */
export function listenerPlaces(listeners: readonly { name: string }[], attachments: readonly Attachment[], sourceMaps: ReadonlyMap<string, readonly SourceMapping[]>): Map<string, ListenerPlace> {
  const byName = new Map(attachments.map((a): [string, AttachmentPlace] => [a.name, { kind: 'attachment', name: a.name, source: a.source }]));
  const places = new Map<string, ListenerPlace>(listeners.map((l) => [l.name, { kind: 'public' }]));
  for (const a of attachments) if (a.listen !== undefined) places.set(a.name, byName.get(a.name)!);
  for (const [listener, mappings] of sourceMaps) {
    const sources = mappings.map((mapping): MappedSource => {
      const [network, bits] = mapping.cidr.split('/');
      const family = isIPv4(network) ? 'ipv4' : 'ipv6';
      const range = new BlockList();
      range.addSubnet(network, Number(bits), family);
      return { cidr: mapping.cidr, family, prefixLength: Number(bits), range, place: byName.get(mapping.attachment)! };
    });
    sources.sort((a, b) => b.prefixLength - a.prefixLength);
    places.set(listener, { kind: 'mapped', sources });
  }
  return places;
}

export interface RouteOptions {
  model: NetworkModel;
  /** Listener name → place (listenerPlaces). A listener not listed is no longer configured: its requests are dropped. */
  places: ReadonlyMap<string, ListenerPlace>;
  region: string;
  accountId: string;
  /** `reset` (as the network would: the connection is dropped) or `explain` (HTTP 503 with the reason). */
  unreachable: 'reset' | 'explain';
}

const MAX_CACHED_PATHS = 1024;

/** The path a request takes when it reaches the service, as the later stages see it. */
export function networkPathOf(path: Exclude<ResolvedPath, { kind: 'unreachable' }>, accountId: string): ReachingPath {
  if (path.kind === 'public') return { kind: 'public', sourceIp: path.sourceIp };
  return { kind: 'endpoint', sourceIp: path.sourceIp, vpcId: path.vpc, endpointId: path.endpoint.id, endpointAccountId: accountId, endpointPolicy: path.endpoint.policy };
}

export function formatHops(hops: readonly Hop[]): string[] {
  return hops.map((hop) => `${hop.component}: ${hop.detail}${hop.code ? ` [${hop.code}]` : ''}`);
}

/**
 * route: which network path reaches the service. A listener of an attachment
 * sends every request from that attachment's place in the model; the path is
 * resolved with AWS's rules (resolve.ts) once per (listener, service, region, port).
 */
export class Router {
  private readonly cache = new Map<string, ResolvedPath>();

  constructor(private options: RouteOptions) {}

  /** A reloaded model and attachments apply from the next request on. */
  update(model: NetworkModel, places: ReadonlyMap<string, ListenerPlace>, unreachable: RouteOptions['unreachable']): void {
    this.options = { ...this.options, model, places, unreachable };
    this.cache.clear();
  }

  /** The path from a place to a service (its signing name), for `cove explain --from` and for requests. */
  resolve(place: AttachmentPlace, service: string, region: string, port: number): ResolvedPath {
    const key = `${place.name}\0${service}\0${region}\0${port}`;
    let path = this.cache.get(key);
    if (!path) {
      path = resolvePath(this.options.model, { source: place.source, service, region, port });
      // The region comes from the client's credential scope: keep the cache bounded whatever it sends.
      if (this.cache.size >= MAX_CACHED_PATHS) this.cache.clear();
      this.cache.set(key, path);
    }
    return path;
  }

  /**
   * The route decision for a request: the path it takes (set as `ctx.path`), or, when none reaches
   * the service, its end — the connection reset as the network would, or (explain mode) a 503
   * that says why.
   */
  route(ctx: RequestContext): Decision {
    const attribution = ctx.attribution!;
    let place = this.options.places.get(attribution.listener);
    if (place === undefined) {
      // A listener a reload retired, with this request still in flight: fail closed.
      const reason = `listener ${attribution.listener} is no longer in the configuration`;
      ctx.path = { kind: 'unreachable', sourceIp: attribution.remoteAddress };
      return this.unreachable(ctx, { decision: 'deny', detail: reason, code: 'NO_POSSIBLE_DESTINATION' }, `NO_POSSIBLE_DESTINATION: ${reason}`, 'reset');
    }
    if (attribution.vpceId !== undefined) return this.throughProxiedEndpoint(ctx, attribution.vpceId);
    let mappedBy = '';
    if (place?.kind === 'mapped') {
      const family = isIPv4(attribution.remoteAddress) ? 'ipv4' : 'ipv6';
      const match = place.sources.find((s) => s.family === family && s.range.check(attribution.remoteAddress, family));
      mappedBy = match ? ` (peer ${attribution.remoteAddress} in ${match.cidr} of listener ${attribution.listener})` : '';
      place = match?.place;
    }
    if (place === undefined || place.kind !== 'attachment') {
      ctx.path = { kind: 'public', sourceIp: attribution.remoteAddress };
      return { findings: [{ decision: 'continue', detail: `listener ${attribution.listener} is the public endpoint; source IP ${attribution.remoteAddress}` }] };
    }
    // The destination is the service in the region the request is signed for; a global service (IAM) is in its one region.
    ctx.signing ??= readSigning(ctx.raw);
    const region = ctx.service.signingRegion?.(this.options.region) ?? scopeRegion(ctx.signing) ?? this.options.region;
    const destination = ctx.service.networkName ?? ctx.service.signingName;
    const path = this.resolve(place, destination, region, attribution.secureTransport ? 443 : 80);
    const explanation = [`attachment ${place.name}${mappedBy}`, ...formatHops(path.hops)];
    if (path.kind === 'unreachable') {
      ctx.path = { kind: 'unreachable', sourceIp: path.sourceIp };
      const detail = `from attachment ${place.name}, ${destination}.${region} is unreachable: ${path.reason}`;
      return this.unreachable(ctx, { decision: 'deny', detail, code: path.code, explanation }, `${path.code}: ${path.reason}`, this.options.unreachable);
    }
    ctx.path = networkPathOf(path, this.options.accountId);
    const detail = path.kind === 'public' ? `from attachment ${place.name} to the public endpoint as ${path.sourceIp}` : `from attachment ${place.name} through ${path.endpoint.id} as ${path.sourceIp}`;
    return { findings: [{ decision: 'continue', detail, explanation }] };
  }

  /**
   * A client a trusted load balancer's PROXY v2 header says came through a VPC endpoint
   * (PrivateLink's TLV): the path is that endpoint, whatever the listener's place. An endpoint
   * the model declares brings its VPC and policy; another gets AWS's default full-access
   * policy and no `aws:SourceVpc` (cove does not know its VPC).
   */
  private throughProxiedEndpoint(ctx: RequestContext, vpceId: string): Decision {
    const sourceIp = ctx.attribution!.remoteAddress;
    const declared = this.options.model.endpoints.get(vpceId);
    const endpointPolicy = declared?.policy ?? PROXIED_ENDPOINT_POLICY;
    ctx.path = { kind: 'endpoint', sourceIp, vpcId: declared?.vpc, endpointId: vpceId, endpointAccountId: this.options.accountId, endpointPolicy };
    const known = declared ? `declared in ${declared.vpc}` : 'not in the model: default full-access endpoint policy';
    return { findings: [{ decision: 'continue', detail: `through ${vpceId} as ${sourceIp} (PROXY protocol header; ${known})` }] };
  }

  private unreachable(ctx: RequestContext, finding: Decision['findings'][number], reason: string, mode: 'reset' | 'explain'): Decision {
    return { findings: [finding], end: { error: ctx.service.unreachableError(reason), reset: mode === 'reset' } };
  }
}

/** route: which network path reaches the service (see Router.route). */
export const routeStage: Stage<{ router: Router }> = {
  name: 'route',
  run: (ctx, env) => env.router.route(ctx),
};
