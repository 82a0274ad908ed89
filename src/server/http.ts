import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { AwsError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { Pipeline } from '../pipeline.js';
import { attribute } from './attribute.js';
import { newEventId, newRequestId } from './ids.js';
import { LIMITS } from '../dynamo/limits.js';
import { serializeResponse } from '../dynamo/rawJson.js';

export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
}

const CLOSE_GRACE_MS = 2000;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * DynamoDB's response shape. The body goes to node:http as a string, which prepends the header
 * block to it, so header and body are one chunk of the socket write (a Buffer body would be a
 * chunk of its own); the headers are a flat list, which node:http serializes as given, in order.
 */
function send(res: ServerResponse, statusCode: number, requestId: string, body: string): void {
  res.writeHead(statusCode, [
    'Content-Type',
    JSON_CONTENT_TYPE,
    'Content-Length',
    String(Buffer.byteLength(body, 'utf8')),
    'x-amzn-RequestId',
    requestId,
    // DynamoDB sends the CRC32 of the body's bytes (zlib.crc32 encodes a string as UTF-8); botocore verifies it when present.
    'x-amz-crc32',
    String(crc32(body)),
  ]);
  res.end(body, 'utf8');
}

export function errorBody(error: AwsError): string {
  return JSON.stringify({ __type: error.type, ...(error.message ? { [error.messageKey]: error.message } : {}), ...error.extra });
}

/**
 * An HTTP listener. Owns the socket, the body limit and the `attribute` stage;
 * everything after that belongs to the pipeline.
 */
export class HttpListener {
  private readonly server: Server;
  private closing = false;

  get name(): string {
    return this.config.name;
  }

  constructor(private readonly config: ListenerConfig, private readonly pipeline: Pipeline, private readonly region: string) {
    this.server = createServer({ keepAlive: true }, (req, res) => {
      // A client that aborts mid-body must cost us its socket, never the process.
      this.onRequest(req, res).catch(() => res.destroy());
    });
    this.server.keepAliveTimeout = 60_000;
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

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
      // Health probe, answered as DynamoDB answers it.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`healthy: dynamodb.${this.region}.amazonaws.com `);
      return;
    }
    const requestId = newRequestId();
    const body = await readBody(req, LIMITS.maxRequestBytes);
    if (body === undefined) {
      // Unverified against AWS: the exact code and text for a body over 16 MB.
      send(res, 413, requestId, JSON.stringify({ __type: 'com.amazon.coral.service#RequestEntityTooLarge', message: 'Request entity too large' }));
      return;
    }
    const headers = requestHeaders(req);
    const ctx: RequestContext = {
      requestId,
      eventId: newEventId(),
      receivedAtMs: Date.now(),
      raw: { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body },
      userAgent: headers.userAgent ?? '',
      trace: [],
    };
    attribute(ctx, this.config.name, req.socket, false);
    await this.pipeline.handle(ctx, headers.target);
    if (ctx.networkReset) {
      // No path to the service: as the network would, the connection is reset, unanswered.
      req.socket.resetAndDestroy();
      return;
    }
    if (this.closing) res.shouldKeepAlive = false;
    if (ctx.error) send(res, ctx.error.statusCode, requestId, errorBody(ctx.error));
    else send(res, 200, requestId, serializeResponse(ctx.response ?? {}));
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
