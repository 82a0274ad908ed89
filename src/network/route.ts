import type { RequestContext } from '../context.js';

/**
 * route: which network path reaches the service. Today every listener is the
 * public regional endpoint, so the path is public and the peer address is the
 * source IP; the VPC model (gateway endpoints, peering, VPN, Direct Connect)
 * will decide here instead.
 */
export function route(ctx: RequestContext): void {
  const attribution = ctx.attribution!;
  ctx.path = { kind: 'public', sourceIp: attribution.remoteAddress };
  ctx.trace.push({
    stage: 'route',
    decision: 'continue',
    detail: `listener ${attribution.listener} is the public endpoint; source IP ${attribution.remoteAddress}`,
  });
}
