import type { RequestContext } from '../context.js';
import type { AttachmentSource, NetworkModel } from './model.js';
import { resolvePath, type Hop, type ResolvedPath } from './resolve.js';

/** What a listener stands for: the internet (public), or a modelled client location. */
export type ListenerPlace = { kind: 'public' } | { kind: 'attachment'; name: string; source: AttachmentSource };

export interface RouteOptions {
  model: NetworkModel;
  /** Listener name → place. Listeners not listed are public. */
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
  resolve(place: Extract<ListenerPlace, { kind: 'attachment' }>, region: string, port: number): ResolvedPath {
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
    const place = this.options.places.get(attribution.listener);
    if (!place || place.kind === 'public') {
      ctx.path = { kind: 'public', sourceIp: attribution.remoteAddress };
      ctx.trace.push({ stage: 'route', decision: 'continue', detail: `listener ${attribution.listener} is the public endpoint; source IP ${attribution.remoteAddress}` });
      return;
    }
    const region = requestRegion(ctx, this.options.region);
    const path = this.resolve(place, region, attribution.secureTransport ? 443 : 80);
    const explanation = [`attachment ${place.name}`, ...formatHops(path.hops)];
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
