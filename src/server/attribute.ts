import type { Stage } from '../context.js';

/** attribute: who is on the wire — the listener and the socket's peer. */
export const attributeStage: Stage<unknown> = {
  name: 'attribute',
  run(ctx) {
    const { listener, remoteAddress, remotePort, secure } = ctx.connection;
    const attribution = { listener, remoteAddress: normaliseAddress(remoteAddress), remotePort, secureTransport: secure };
    ctx.attribution = attribution;
    return { findings: [{ decision: 'continue', detail: `listener ${listener}, peer ${attribution.remoteAddress}:${remotePort}` }] };
  },
};

/** IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d`; AWS shows them as plain IPv4. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
