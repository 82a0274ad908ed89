/**
 * Accepting connections, before HTTP or TLS sees a byte: the connection cap, and the PROXY
 * protocol header, which precedes the TLS ClientHello, so it is read from the raw socket. A
 * connection that passes is handed to the listener's HTTP (or HTTPS) server, with the client's
 * true address and endpoint kept for its requests (`peerOf`).
 */
import { BlockList, createServer, isIPv4, type Server, type Socket } from 'node:net';
import { SERVER_LIMITS } from './limits.js';
import { parseProxyHeader, type ProxyHeader } from './proxyProtocol.js';

/** A listener's PROXY protocol setting (cove.yaml `proxyProtocol:`). */
export interface ProxyProtocolSettings {
  /** Peers allowed to send a header: the load balancers' addresses. */
  trustedCidrs: readonly string[];
  /** Every connection must come from a trusted peer with a header; others are closed. */
  required: boolean;
}

/** Who a connection's requests come from, when a PROXY header said so. */
export interface ProxiedPeer {
  address: string;
  port: number;
  /** The VPC endpoint (PrivateLink) the client came through, from AWS's TLV. */
  vpceId?: string;
  /** The load balancer that sent the header. */
  proxyAddress: string;
}

const proxiedPeers = new WeakMap<Socket, ProxiedPeer>();

/**
 * The PROXY header's facts for the socket a request arrived on, if any. A TLS socket wraps the
 * raw one the header was read from; node:tls keeps that as `_parent` (not in its typings).
 */
export function peerOf(socket: Socket): ProxiedPeer | undefined {
  return proxiedPeers.get(socket) ?? proxiedPeers.get((socket as Socket & { _parent?: Socket })._parent as Socket);
}

/** Why a connection was closed before HTTP saw it; the listener logs these. */
export type Refusal = (peer: string, reason: string) => void;

/**
 * A listening socket that hands each accepted connection to `deliver` (the HTTP or HTTPS
 * server's `connection` event), after the PROXY header when the listener takes one.
 */
export function acceptingServer(maxConnections: number, proxy: ProxyProtocolSettings | undefined, deliver: (socket: Socket) => void, refused: Refusal): Server {
  const trusted = proxy ? trustList(proxy.trustedCidrs) : undefined;
  // node:http's and node:tls's own socket options, which their servers would set had they listened:
  // half-open (a client that half-closes after pipelining still gets its answers), no Nagle delay.
  const server = createServer({ allowHalfOpen: true, noDelay: true, keepAlive: true, pauseOnConnect: proxy !== undefined }, (socket) => {
    if (proxy === undefined || trusted === undefined) return deliver(socket);
    readProxyHeader(socket, proxy, trusted, deliver, refused);
  });
  // Over the cap, node:net closes a new connection as it arrives.
  server.maxConnections = maxConnections;
  return server;
}

function trustList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network, bits] = cidr.split('/');
    list.addSubnet(network, Number(bits), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  return list;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return trusted.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
}

/**
 * Reads until the header is whole (or its absence certain), then hands the socket on with the
 * bytes after the header put back. A header from an untrusted peer, a malformed one, or none
 * where one is required closes the connection; so does a peer that sends nothing in time.
 */
function readProxyHeader(socket: Socket, proxy: ProxyProtocolSettings, trusted: BlockList, deliver: (socket: Socket) => void, refused: Refusal): void {
  const peer = socket.remoteAddress ?? '';
  const peerTrusted = isTrusted(trusted, peer);
  let received: Buffer = Buffer.alloc(0);
  const close = (reason: string) => {
    cleanup();
    refused(peer, reason);
    socket.destroy();
  };
  const timer = setTimeout(() => close('no complete PROXY header in time'), SERVER_LIMITS.proxyHeaderTimeoutMs);
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const parsed = parseProxyHeader(received, SERVER_LIMITS.proxyHeaderBytesMax);
    if (parsed.kind === 'incomplete') return;
    if (parsed.kind === 'malformed') return close(`malformed PROXY header: ${parsed.reason}`);
    if (parsed.kind === 'header' && !peerTrusted) return close('PROXY header from a peer outside trustedCidrs');
    if (parsed.kind === 'absent' && proxy.required) return close(peerTrusted ? 'no PROXY header, and proxyProtocol.required' : 'peer outside trustedCidrs, and proxyProtocol.required');
    cleanup();
    socket.pause();
    const rest = parsed.kind === 'header' ? received.subarray(parsed.headerBytes) : received;
    if (parsed.kind === 'header') remember(socket, parsed.header, peer);
    if (rest.length > 0) socket.unshift(rest);
    deliver(socket);
  };
  const onEnd = () => close('connection ended before a PROXY header');
  const cleanup = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', cleanup);
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('error', cleanup);
  socket.resume();
}

/** A PROXY command's client; a LOCAL one (a health check) leaves the socket's own peer. */
function remember(socket: Socket, header: ProxyHeader, proxyAddress: string): void {
  if (header.command !== 'proxy' || !header.source) return;
  proxiedPeers.set(socket, { address: header.source.address, port: header.source.port, proxyAddress, ...(header.vpceId !== undefined ? { vpceId: header.vpceId } : {}) });
}
