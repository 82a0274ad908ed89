import type { Attribution, Stage } from '../context.js';

/** attribute: who is on the wire — the listener, the socket's peer (or the client a trusted PROXY header names), TLS or not. */
export const attributeStage: Stage<unknown> = {
  name: 'attribute',
  run(ctx) {
    const { listener, remoteAddress, remotePort, secure, tls, vpceId } = ctx.connection;
    const attribution: Attribution = { listener, remoteAddress: normaliseAddress(remoteAddress), remotePort, secureTransport: secure, ...(vpceId !== undefined ? { vpceId } : {}) };
    ctx.attribution = attribution;
    const transport = tls ? `, ${tls.tlsVersion} ${tls.cipherSuite}` : secure ? '' : ', plain HTTP';
    const endpoint = vpceId !== undefined ? `, through ${vpceId} (PROXY protocol)` : '';
    return { findings: [{ decision: 'continue', detail: `listener ${listener}, peer ${attribution.remoteAddress}:${remotePort}${transport}${endpoint}` }] };
  },
};

/** IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d`; AWS shows them as plain IPv4. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
