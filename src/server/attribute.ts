import type { Socket } from 'node:net';
import type { Attribution, RequestContext } from '../context.js';

/** attribute: who is on the wire — the listener and the socket's peer. */
export function attribute(ctx: RequestContext, listenerName: string, socket: Socket, secureTransport: boolean): void {
  const attribution: Attribution = {
    listener: listenerName,
    remoteAddress: normaliseAddress(socket.remoteAddress ?? ''),
    remotePort: socket.remotePort ?? 0,
    secureTransport,
  };
  ctx.attribution = attribution;
  ctx.trace.push({
    stage: 'attribute',
    decision: 'continue',
    detail: `listener ${listenerName}, peer ${attribution.remoteAddress}:${attribution.remotePort}`,
  });
}

/** IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d`; AWS shows them as plain IPv4. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
