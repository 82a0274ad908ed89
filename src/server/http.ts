import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { coralError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { Pipeline } from '../pipeline.js';
import type { Protocol, ServiceRegistry } from '../service.js';
import { newEventId, newRequestId } from './ids.js';

export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
}

const CLOSE_GRACE_MS = 2000;

/**
 * An AWS answer. The body goes to node:http as a string, which prepends the header block to it,
 * so header and body are one chunk of the socket write (a Buffer body would be a chunk of its
 * own); the headers are a flat list, which node:http serializes as given, in order.
 */
function send(res: ServerResponse, protocol: Protocol, statusCode: number, requestId: string, body: string): void {
  const headers = ['Content-Type', protocol.contentType, 'Content-Length', String(Buffer.byteLength(body, 'utf8')), 'x-amzn-RequestId', requestId];
  // The CRC32 of the body's bytes (zlib.crc32 encodes a string as UTF-8).
  if (protocol.sendsCrc32) headers.push('x-amz-crc32', String(crc32(body)));
  res.writeHead(statusCode, headers);
  res.end(body, 'utf8');
}

/**
 * An HTTP listener. Owns the socket and the body limit, dispatches each request to its service by
 * its protocol, and writes the answer in that protocol; everything in between is the pipeline's.
 */
export class HttpListener {
  private readonly server: Server;
  /** Each connection's last request, which its next one waits for. */
  private readonly connectionTails = new WeakMap<Socket, Promise<void>>();
  private closing = false;

  get name(): string {
    return this.config.name;
  }

  constructor(
    private readonly config: ListenerConfig,
    private readonly pipeline: Pipeline,
    private readonly services: ServiceRegistry,
    private readonly region: string,
  ) {
    this.server = createServer({ keepAlive: true }, (req, res) => this.inOrder(req, res));
    this.server.keepAliveTimeout = 60_000;
    // A client that half-closes after pipelining requests still gets the answers of those that
    // run (node:http would otherwise abort them and end the socket: executed, never answered).
    (this.server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        const address = this.server.address() as AddressInfo;
        resolve({ host: this.config.host, port: address.port });
      });
    });
  }

  /** Stops accepting; answers in flight finish with `Connection: close`, stragglers are cut after a grace period. */
  close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
    return closed.finally(() => clearTimeout(grace));
  }

  /**
   * One connection's requests run one after another, in the order they arrived: node:http hands
   * over pipelined requests at once, and a GetItem must see the PutItem sent before it.
   */
  private inOrder(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const previous = this.connectionTails.get(socket);
    // A client that aborts mid-body must cost us its socket, never the process.
    const run = () =>
      this.onRequest(req, res).catch(() => {
        res.destroy();
      });
    this.connectionTails.set(socket, previous ? previous.then(run) : run());
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
      // Health probe, answered as the default service (DynamoDB) answers it.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`healthy: ${this.services.defaultService.endpointHost(this.region)} `);
      return;
    }
    const requestId = newRequestId();
    const body = await readBody(req, this.services.maxRequestBytes);
    const headers = requestHeaders(req);
    const raw = { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body: body ?? Buffer.alloc(0) };
    const { service, operationName } = this.services.dispatch({ raw, target: headers.target });
    if (body === undefined) {
      // Unverified against AWS: the exact code and text for a body over 16 MB.
      const tooLarge = coralError('RequestEntityTooLarge', 'Request entity too large');
      send(res, service.protocol, 413, requestId, service.protocol.serializeError(tooLarge, requestId));
      return;
    }
    const ctx: RequestContext = {
      requestId,
      eventId: newEventId(),
      receivedAtMs: Date.now(),
      raw,
      target: headers.target,
      userAgent: headers.userAgent ?? '',
      connection: { listener: this.config.name, remoteAddress: req.socket.remoteAddress ?? '', remotePort: req.socket.remotePort ?? 0, secure: false },
      service,
      operationName,
      trace: [],
    };
    await this.pipeline.handle(ctx);
    if (ctx.outcome?.reset) {
      // No path to the service: as the network would, the connection is reset, unanswered.
      req.socket.resetAndDestroy();
      return;
    }
    if (this.closing) res.shouldKeepAlive = false;
    if (ctx.error) send(res, service.protocol, ctx.error.statusCode, requestId, service.protocol.serializeError(ctx.error, requestId));
    else send(res, service.protocol, 200, requestId, service.protocol.serializeResult(ctx.response ?? {}, { operationName: operationName!, requestId }));
  }
}

/**
 * The two headers the listener reads, from `rawHeaders` in one pass: reading `req.headers`
 * would make node:http build the whole lower-cased header object for every request. Same
 * values as `req.headers` gives: the first User-Agent (node:http drops repeats of it), and
 * repeated X-Amz-Target values joined with ", ".
 */
function requestHeaders(req: IncomingMessage): { userAgent: string | undefined; target: string | undefined } {
  let userAgent: string | undefined;
  let target: string | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 10 && userAgent === undefined && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
    else if (name.length === 12 && name.toLowerCase() === 'x-amz-target') target = target === undefined ? raw[i + 1] : `${target}, ${raw[i + 1]}`;
  }
  return { userAgent, target };
}

/** The whole body, or undefined once it exceeds `maxBytes` (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
