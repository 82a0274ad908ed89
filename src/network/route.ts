import { BlockList, isIPv4 } from 'node:net';
import type { RequestContext } from '../context.js';
import type { Attachment, AttachmentSource, NetworkModel, SourceMapping } from './model.js';
import { resolvePath, type Hop, type ResolvedPath } from './resolve.js';

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

/** The request cannot reach the service from where it was sent; the listener resets or explains. */
export class UnreachableError extends Error {
  constructor(
    readonly path: Extract<ResolvedPath, { kind: 'unreachable' }>,
    readonly mode: 'reset' | 'explain',
  ) {
    super(`unreachable: ${path.code}: ${path.reason}`);
  }
}

const MAX_CACHED_PATHS = 1024;
const SCOPE_REGION = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//;

/** The region the request is for: its credential scope (the destination is that region's DynamoDB). */
function requestRegion(ctx: RequestContext, fallback: string): string {
  const raw = ctx.raw.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization') {
      const match = SCOPE_REGION.exec(raw[i + 1]);
      return match ? match[1] : fallback;
    }
  }
  return fallback;
}

export function formatHops(hops: readonly Hop[]): string[] {
  return hops.map((hop) => `${hop.component}: ${hop.detail}${hop.code ? ` [${hop.code}]` : ''}`);
}

/**
 * route: which network path reaches the service. A listener of an attachment
 * sends every request from that attachment's place in the model; the path is
 * resolved with AWS's rules (resolve.ts) once per (listener, region, port).
 */
export class Router {
  private readonly cache = new Map<string, ResolvedPath>();

  constructor(private options: RouteOptions) {}

  /** A reloaded model and attachments apply from the next request on. */
  update(model: NetworkModel, places: ReadonlyMap<string, ListenerPlace>, unreachable: RouteOptions['unreachable']): void {
    this.options = { ...this.options, model, places, unreachable };
    this.cache.clear();
  }

  /** The path from a place, for `cove explain --from` and for requests. */
  resolve(place: AttachmentPlace, region: string, port: number): ResolvedPath {
    const key = `${place.name}\0${region}\0${port}`;
    let path = this.cache.get(key);
    if (!path) {
      path = resolvePath(this.options.model, { source: place.source, region, port });
      // The region comes from the client's credential scope: keep the cache bounded whatever it sends.
      if (this.cache.size >= MAX_CACHED_PATHS) this.cache.clear();
      this.cache.set(key, path);
    }
    return path;
  }

  route(ctx: RequestContext): void {
    const attribution = ctx.attribution!;
    let place = this.options.places.get(attribution.listener);
    if (place === undefined) {
      // A listener a reload retired, with this request still in flight: fail closed.
      const reason = `listener ${attribution.listener} is no longer in the configuration`;
      ctx.path = { kind: 'unreachable', sourceIp: attribution.remoteAddress };
      ctx.trace.push({ stage: 'route', decision: 'deny', detail: reason, code: 'NO_POSSIBLE_DESTINATION' });
      throw new UnreachableError({ kind: 'unreachable', sourceIp: attribution.remoteAddress, code: 'NO_POSSIBLE_DESTINATION', reason, hops: [] }, 'reset');
    }
    let mappedBy = '';
    if (place?.kind === 'mapped') {
      const family = isIPv4(attribution.remoteAddress) ? 'ipv4' : 'ipv6';
      const match = place.sources.find((s) => s.family === family && s.range.check(attribution.remoteAddress, family));
      mappedBy = match ? ` (peer ${attribution.remoteAddress} in ${match.cidr} of listener ${attribution.listener})` : '';
      place = match?.place;
    }
    if (place === undefined || place.kind !== 'attachment') {
      ctx.path = { kind: 'public', sourceIp: attribution.remoteAddress };
      ctx.trace.push({ stage: 'route', decision: 'continue', detail: `listener ${attribution.listener} is the public endpoint; source IP ${attribution.remoteAddress}` });
      return;
    }
    const region = requestRegion(ctx, this.options.region);
    const path = this.resolve(place, region, attribution.secureTransport ? 443 : 80);
    const explanation = [`attachment ${place.name}${mappedBy}`, ...formatHops(path.hops)];
    if (path.kind === 'unreachable') {
      ctx.path = { kind: 'unreachable', sourceIp: path.sourceIp };
      ctx.trace.push({ stage: 'route', decision: 'deny', detail: `from attachment ${place.name}, dynamodb.${region} is unreachable: ${path.reason}`, code: path.code, explanation });
      throw new UnreachableError(path, this.options.unreachable);
    }
    if (path.kind === 'public') {
      ctx.path = { kind: 'public', sourceIp: path.sourceIp };
      ctx.trace.push({ stage: 'route', decision: 'continue', detail: `from attachment ${place.name} to the public endpoint as ${path.sourceIp}`, explanation });
      return;
    }
    ctx.path = { kind: 'endpoint', sourceIp: path.sourceIp, vpcId: path.vpc, endpointId: path.endpoint.id, endpointAccountId: this.options.accountId, endpointPolicy: path.endpoint.policy };
    ctx.trace.push({ stage: 'route', decision: 'continue', detail: `from attachment ${place.name} through ${path.endpoint.id} as ${path.sourceIp}`, explanation });
  }
}
