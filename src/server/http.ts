import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { crc32 } from 'node:zlib';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AwsError, CORAL_NAMESPACE, coralError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { Pipeline } from '../pipeline.js';
import { readSigning, scopeService, type RawRequest, type SigningFields } from '../auth/sigv4.js';
import type { Protocol, Service, ServiceRegistry } from '../service.js';
import { BodyReader } from './body.js';
import { ByteBudget } from './byteBudget.js';
import { newEventId, newRequestId } from './ids.js';
import { chooseEncoding, encodeBody, type ResponseEncoding } from './compression.js';
import { SERVER_LIMITS, type HttpSettings } from './limits.js';
import { atEndOfTurn } from '../endOfTurn.js';
import { acceptingServer, peerOf, type ProxyProtocolSettings } from './accept.js';
import { CertificateWatcher, secureContextOptions, type TlsSettings } from './tls.js';
import type { Connection } from '../context.js';

export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
  /** HTTPS with cove's TLS policy; absent = plain HTTP. */
  tls?: TlsSettings;
  /** Take the PROXY protocol (v1, v2) from these peers. */
  proxyProtocol?: ProxyProtocolSettings;
}

/** What a listener shares with the process, or a test sets. */
export interface ListenerOptions {
  /** cove.yaml's `http:`; what is not given is SERVER_LIMITS'. */
  settings?: Partial<HttpSettings>;
  /** The budget of buffered body bytes; by default the one every listener of the process shares. */
  budget?: ByteBudget;
  /** Where certificate reloads and refused connections are reported. */
  log?: (line: string) => void;
}

const DEFAULT_SETTINGS: HttpSettings = {
  headersTimeoutMs: SERVER_LIMITS.headersTimeoutMs,
  requestTimeoutMs: SERVER_LIMITS.requestTimeoutMs,
  keepAliveTimeoutMs: SERVER_LIMITS.keepAliveTimeoutMs,
  maxConnections: SERVER_LIMITS.connectionsMax,
  maxRequestsPerConnection: SERVER_LIMITS.requestsPerConnectionMax,
};

const CLOSE_GRACE_MS = 2000;
/** After answering a request it could not parse, the listener gives the client this long to read the answer before closing. */
const LINGER_MS = 1000;

/** One budget for every listener of a process: the bound is on the process's memory. */
const PROCESS_BODY_BUDGET = new ByteBudget(SERVER_LIMITS.bufferedBodyBytesMax);

const EMPTY_BODY = Buffer.alloc(0);

/**
 * Writes an answer with the turn's others (src/endOfTurn.ts). One that cannot be written ends
 * its connection (`giveUp`), as a failure to answer always has: never left open unanswered;
 * the turn's other answers still go out.
 */
function writeAtEndOfTurn(write: () => void, giveUp: () => void): void {
  atEndOfTurn('answers', () => {
    try {
      write();
    } catch {
      giveUp();
    }
  });
}

/**
 * An AWS answer, written at the end of the turn. The body goes to node:http as a string, which
 * prepends the header block to it, so header and body are one chunk of the socket write (a
 * Buffer body would be a chunk of its own); the headers are a flat list, which node:http
 * serializes as given, in order.
 */
function send(res: ServerResponse, protocol: Protocol, statusCode: number, requestId: string, body: string, contentType = protocol.contentType, crossOrigin = false, encoding?: ResponseEncoding): void {
  // Most answers go as they are: no encoding object for them.
  const encoded = encoding === undefined ? { bytes: body, encoding: undefined } : encodeBody(body, encoding);
  const length = typeof encoded.bytes === 'string' ? Buffer.byteLength(encoded.bytes, 'utf8') : encoded.bytes.length;
  const headers = ['Server', 'Server', 'Content-Type', contentType, 'Content-Length', String(length), 'x-amzn-RequestId', requestId];
  if (encoded.encoding) headers.push('Content-Encoding', encoded.encoding);
  // The CRC32 of the bytes as sent (zlib.crc32 encodes a string as UTF-8).
  if (protocol.sendsCrc32) headers.push('x-amz-crc32', String(crc32(encoded.bytes)));
  if (crossOrigin) headers.push(...CORS_HEADERS);
  const bytes = encoded.bytes;
  writeAtEndOfTurn(
    () => {
      res.writeHead(statusCode, headers);
      if (typeof bytes === 'string') res.end(bytes, 'utf8');
      else res.end(bytes);
    },
    () => res.destroy(),
  );
}

/**
 * CORS, so that the SDK works from a browser page: a request with an Origin is answered with
 * these (as DynamoDB answers, any origin); a preflight also echoes what it asks to send.
 * Unverified: the exact list DynamoDB exposes (these are what the SDKs read from an answer).
 */
const CORS_HEADERS: readonly string[] = ['Access-Control-Allow-Origin', '*', 'Access-Control-Expose-Headers', 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,x-amz-crc32,Date'];
/** How long a browser may cache a preflight's answer (dynalite's figure, from the live service). */
const CORS_MAX_AGE_S = 172_800;

/** A CORS preflight (OPTIONS with an Origin): allowed, echoing the method and headers it asks for. */
function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const headers = [...CORS_HEADERS, 'Access-Control-Max-Age', String(CORS_MAX_AGE_S), 'Content-Length', '0'];
  const method = req.headers['access-control-request-method'];
  const requested = req.headers['access-control-request-headers'];
  if (method) headers.push('Access-Control-Allow-Methods', method);
  if (requested) headers.push('Access-Control-Allow-Headers', requested);
  res.writeHead(200, headers);
  res.end();
}

/**
 * An HTTP listener. Owns the socket and the body limit, dispatches each request to its service by
 * its protocol, and writes the answer in that protocol; everything in between is the pipeline's.
 */
export class HttpListener {
  /** The HTTP (or HTTPS) server; it never listens itself: `front` accepts and hands it connections. */
  private readonly server: Server;
  private readonly front: NetServer;
  private readonly certificates: CertificateWatcher | undefined;
  /** Each connection's last request, which its next one waits for. */
  private readonly connectionTails = new WeakMap<Socket, Promise<void>>();
  private readonly budget: ByteBudget;
  private closing = false;

  get name(): string {
    return this.config.name;
  }

  constructor(
    private readonly config: ListenerConfig,
    private readonly pipeline: Pipeline,
    private readonly services: ServiceRegistry,
    private readonly region: string,
    options: ListenerOptions = {},
  ) {
    const settings = { ...DEFAULT_SETTINGS, ...options.settings };
    const log = options.log ?? (() => {});
    this.budget = options.budget ?? PROCESS_BODY_BUDGET;
    if (this.budget.capacityBytes < services.maxRequestBytes) throw new Error('the body budget must hold at least one largest request');
    const httpOptions = {
      keepAlive: true,
      maxHeaderSize: SERVER_LIMITS.headerBytesMax,
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      connectionsCheckingInterval: SERVER_LIMITS.timeoutCheckIntervalMs,
    };
    const handler = (req: IncomingMessage, res: ServerResponse) => this.inOrder(req, res);
    const tls = config.tls;
    // An HTTPS server is node:tls's server under node:http's: the same limits hold on both.
    this.server = tls ? createHttpsServer({ ...httpOptions, ...secureContextOptions(tls), handshakeTimeout: SERVER_LIMITS.tlsHandshakeTimeoutMs }, handler) : createServer(httpOptions, handler);
    this.certificates = tls ? new CertificateWatcher(tls, this.server as Server & { setSecureContext: CertificateWatcher['target']['setSecureContext'] }, log) : undefined;
    this.server.maxRequestsPerSocket = settings.maxRequestsPerConnection;
    // node:http checks its timeouts from a timer it starts on 'listening'; the front listens instead.
    this.server.emit('listening');
    this.front = acceptingServer(settings.maxConnections, config.proxyProtocol, (socket) => this.deliver(socket), (peer, reason) => log(`cove: ${config.name}: closed a connection from ${peer}: ${reason}`));
    // `Expect: 100-continue` (the C++ SDK's default): the 100 goes out only once the body will be
    // read (onRequest), so a body that would be refused, or must wait for the budget, is not sent yet.
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.inOrder(req, res));
    this.server.keepAliveTimeout = settings.keepAliveTimeoutMs;
    // Requests node:http cannot parse, and timeouts: answered in AWS's shape and recorded.
    this.server.on('clientError', (error: ParserError, socket: Socket) => this.onClientError(error, socket));
    // A client that half-closes after pipelining requests still gets the answers of those that
    // run (node:http would otherwise abort them and end the socket: executed, never answered).
    (this.server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  }

  /**
   * Hands an accepted connection to the HTTP (HTTPS) server. One the PROXY reader paused, with
   * the bytes after the header put back, is resumed for node:http, which reads the socket's
   * handle directly and expects it flowing (node:tls reads the bytes put back by itself).
   */
  private deliver(socket: Socket): void {
    this.server.emit('connection', socket);
    if (this.config.tls === undefined && socket.isPaused()) socket.resume();
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen(this.config.port, this.config.host, () => {
        const address = this.front.address() as AddressInfo;
        resolve({ host: this.config.host, port: address.port });
      });
    });
  }

  /** Stops accepting; answers in flight finish with `Connection: close`, stragglers are cut after a grace period. */
  close(): Promise<void> {
    this.closing = true;
    this.certificates?.close();
    // The front's close completes once every connection it accepted has ended.
    const closed = new Promise<void>((resolve) => this.front.close(() => resolve()));
    // Stops node:http's timeout timer and closes idle keep-alive connections (it never listened: the error is expected).
    this.server.close(() => {});
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
    if (req.method === 'OPTIONS' && req.headers.origin !== undefined) return answerPreflight(req, res);
    if (req.method === 'GET' && (req.url === '/' || req.url === '')) {
      // Health probe, answered as the default service (DynamoDB) answers it: with the host the
      // client named (DynamoDB's own answer names dynamodb.REGION.amazonaws.com, which it was called by).
      res.writeHead(200, req.headers.origin !== undefined ? ['Content-Type', 'text/plain', ...CORS_HEADERS] : ['Content-Type', 'text/plain']);
      res.end(`healthy: ${req.headers.host || this.services.defaultService.endpointHost(this.region)} `);
      return;
    }
    const requestId = newRequestId();
    const receivedAtMs = Date.now();
    const headers = requestHeaders(req);
    const maxBytes = this.services.maxRequestBytes;
    // A declared length over the limit is refused before a byte of the body is read, as the
    // default service (a Query protocol names its service in the body).
    if (headers.contentLength !== undefined && headers.contentLength > maxBytes) return tooLarge(res, this.services.defaultService, requestId);
    const failing = this.failingWhateverTheBody(req, requestId, receivedAtMs, headers);
    const body = new BodyReader(req, this.budget);
    let ctx: RequestContext;
    try {
      const cutAfterBytes = failing === undefined ? undefined : SERVER_LIMITS.unauthenticatedBodyBytesMax;
      const read = await body.read(headers.contentLength, maxBytes, cutAfterBytes, headers.expectsContinue ? () => res.writeContinue() : undefined);
      if (read === 'tooLarge') return tooLarge(res, this.services.defaultService, requestId);
      // Cut short, the request runs without its body and ends in authentication as it would with it.
      ctx = read === 'cut' ? failing! : this.context(req, requestId, receivedAtMs, headers, read);
      await this.pipeline.handle(ctx);
    } finally {
      body.release();
    }
    if (ctx.outcome?.reset) {
      // No path to the service: as the network would, the connection is reset, unanswered (after
      // the answers before it, which went out before it on the wire).
      writeAtEndOfTurn(() => req.socket.resetAndDestroy(), () => req.socket.destroy());
      return;
    }
    const { service, operationName } = ctx;
    if (this.closing) res.shouldKeepAlive = false;
    const contentType = ctx.parsed?.answerContentType ?? service.protocol.contentType;
    const encoding = chooseEncoding(headers.acceptEncoding);
    if (ctx.error) send(res, service.protocol, ctx.error.statusCode, requestId, service.protocol.serializeError(ctx.error, requestId), contentType, headers.origin, encoding);
    else send(res, service.protocol, 200, requestId, ctx.request?.emptyAnswer ? '' : service.protocol.serializeResult(ctx.response ?? {}, { operationName: operationName!, requestId }), contentType, headers.origin, encoding);
  }

  /** The request's context once its body is read: the service is the one its protocol names. */
  private context(req: IncomingMessage, requestId: string, receivedAtMs: number, headers: RequestHeaders, body: Buffer): RequestContext {
    const raw: RawRequest = { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body };
    const { service, operationName } = this.services.dispatch({ raw, target: headers.target });
    return {
      requestId,
      eventId: newEventId(),
      receivedAtMs,
      raw,
      target: headers.target,
      contentType: headers.contentType,
      contentEncoding: headers.contentEncoding,
      userAgent: headers.userAgent ?? '',
      connection: this.connectionOf(req.socket, headers.host),
      service,
      operationName,
      trace: [],
    };
  }

  /**
   * The socket's facts: its peer (or the client a trusted PROXY header named), and on TLS what
   * was negotiated, in the names CloudTrail's tlsDetails uses (`TLSv1.3`; OpenSSL's suite name
   * for TLS 1.2, the IANA one for TLS 1.3, as node:tls reports them).
   */
  private connectionOf(socket: Socket, hostHeader: string | undefined): Connection {
    const proxied = peerOf(socket);
    const connection: Connection = {
      listener: this.config.name,
      remoteAddress: proxied?.address ?? socket.remoteAddress ?? '',
      remotePort: proxied?.port ?? socket.remotePort ?? 0,
      secure: this.config.tls !== undefined,
    };
    if (proxied?.vpceId !== undefined) connection.vpceId = proxied.vpceId;
    if (this.config.tls) {
      const tlsSocket = socket as TLSSocket;
      connection.tls = { tlsVersion: tlsSocket.getProtocol() ?? '', cipherSuite: tlsSocket.getCipher()?.name ?? '', clientProvidedHostHeader: hostHeader ?? '' };
    }
    return connection;
  }

  /**
   * For a body larger than a small one (or of unknown length), the context of the request without
   * its body when authentication is certain to refuse it whatever the body, else undefined. A
   * small body (the common case) is read whole without asking, so that it meets every check in
   * the usual order; a larger one from a client that cannot be authenticated is not worth
   * buffering. Without its body the service is the one the headers name (X-Amz-Target), else
   * the one the credential scope is signed for, else the default.
   */
  private failingWhateverTheBody(req: IncomingMessage, requestId: string, receivedAtMs: number, headers: RequestHeaders): RequestContext | undefined {
    if (headers.contentLength !== undefined && headers.contentLength <= SERVER_LIMITS.unauthenticatedBodyBytesMax) return undefined;
    const ctx = this.context(req, requestId, receivedAtMs, headers, EMPTY_BODY);
    ctx.bodyCut = true;
    ctx.signing = readSigning(ctx.raw); // from the request line and headers only
    if (ctx.operationName === undefined) ctx.service = this.services.bySigningName(scopeService(ctx.signing)) ?? ctx.service;
    return this.pipeline.authenticationFailsWhateverTheBody(ctx) ? ctx : undefined;
  }

  /**
   * A request node:http could not parse (duplicate or conflicting lengths, bad header bytes, an
   * HTTP/2 preface, headers over the limit) or a client too slow (headersTimeout, requestTimeout):
   * answered in AWS's shape, as the default service, and recorded. Socket errors (a reset) end
   * the connection silently: there is no request to answer.
   */
  private onClientError(error: ParserError, socket: Socket): void {
    const refusal = httpRefusal(error);
    if (refusal === undefined || !socket.writable) return void socket.destroy();
    // A request whose own body timed out is answered at once; a malformed request that follows
    // requests still being answered is answered after them, in order.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const earlier = inFlight != null && inFlight.req.complete ? this.connectionTails.get(socket) : undefined;
    if (earlier === undefined) this.refuse(refusal, socket);
    else void earlier.then(() => this.refuse(refusal, socket));
  }

  /** Answers `refusal` on a socket node:http gave up on, records it, and closes the connection. */
  private refuse(refusal: AwsError, socket: Socket): void {
    if (!socket.writable) return void socket.destroy();
    const service = this.services.defaultService;
    const requestId = newRequestId();
    const raw: RawRequest = { method: '', url: '', rawHeaders: [], body: EMPTY_BODY };
    const ctx: RequestContext = {
      requestId,
      eventId: newEventId(),
      receivedAtMs: Date.now(),
      raw,
      target: undefined,
      userAgent: '',
      connection: this.connectionOf(socket, undefined),
      service,
      operationName: undefined,
      trace: [],
    };
    this.pipeline.refuse(ctx, refusal).then(
      () => {
        if (ctx.outcome?.reset) return writeAtEndOfTurn(() => socket.resetAndDestroy(), () => socket.destroy());
        const body = service.protocol.serializeError(ctx.error ?? refusal, requestId);
        // After the answers of the requests before it, which are still to be written this turn.
        writeAtEndOfTurn(
          () => {
            socket.end(rawResponse(ctx.error?.statusCode ?? refusal.statusCode, service.protocol, requestId, body));
            setTimeout(() => socket.destroy(), LINGER_MS).unref();
          },
          () => socket.destroy(),
        );
      },
      () => socket.destroy(),
    );
  }
}

/**
 * The answer to a request node:http refused, or undefined for a socket error. DynamoDB refuses
 * more than 16 KB of headers with a plain 400 (ScyllaDB's Alternator maintainers, who test
 * against DynamoDB: scylladb/scylladb#23438), not node's 431.
 * Unverified against AWS: the body of these answers (codes and texts are cove's, in the shape of
 * DynamoDB's front-end errors), and the 408 for a client too slow to send its request.
 */
function httpRefusal(error: ParserError): AwsError | undefined {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AwsError(CORAL_NAMESPACE, 'RequestTimeoutException', 'Request timed out before the whole request was received', 408);
  if (error.code === 'HPE_HEADER_OVERFLOW') return new AwsError(CORAL_NAMESPACE, 'BadRequestException', 'Request header section too large', 400);
  if (error.code?.startsWith('HPE_')) return new AwsError(CORAL_NAMESPACE, 'BadRequestException', `Malformed HTTP request: ${error.reason ?? error.code}`, 400);
  return undefined;
}

/** node:http's parser errors carry llhttp's code (`HPE_…`) and its reason. */
type ParserError = NodeJS.ErrnoException & { reason?: string };

/** A whole HTTP/1.1 answer for a socket whose request node:http could not parse; the connection closes after it. */
function rawResponse(statusCode: number, protocol: Protocol, requestId: string, body: string): string {
  const reason = STATUS_TEXT[statusCode] ?? 'Bad Request';
  const crc = protocol.sendsCrc32 ? `x-amz-crc32: ${crc32(body)}\r\n` : '';
  return (
    `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: ${protocol.contentType}\r\nContent-Length: ${Buffer.byteLength(body, 'utf8')}\r\n` +
    `x-amzn-RequestId: ${requestId}\r\n${crc}Connection: close\r\n\r\n${body}`
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout' };

function tooLarge(res: ServerResponse, service: Service, requestId: string): void {
  // Unverified against AWS: the exact code and text for a body over 16 MB.
  const error = coralError('RequestEntityTooLarge', 'Request entity too large');
  send(res, service.protocol, 413, requestId, service.protocol.serializeError(error, requestId));
}

interface RequestHeaders {
  userAgent: string | undefined;
  target: string | undefined;
  /** The declared body length; undefined for a chunked body (node:http has checked the framing). */
  contentLength: number | undefined;
  /** `Expect: 100-continue`: the client sends its body once told to. */
  expectsContinue: boolean;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  acceptEncoding: string | undefined;
  /** An Origin header came: a browser's cross-origin request, answered with CORS headers. */
  origin: boolean;
  /** `Host`: CloudTrail's clientProvidedHostHeader. */
  host: string | undefined;
}

/**
 * The headers the listener reads, from `rawHeaders` in one pass: reading `req.headers` would
 * make node:http build the whole lower-cased header object for every request. Same values as
 * `req.headers` gives: the first User-Agent (node:http drops repeats of it), and repeated
 * X-Amz-Target values joined with ", ". node:http has refused a request with two lengths.
 */
function requestHeaders(req: IncomingMessage): RequestHeaders {
  let userAgent: string | undefined;
  let target: string | undefined;
  let contentLength: number | undefined;
  let expectsContinue = false;
  let contentType: string | undefined;
  let origin = false;
  let contentEncoding: string | undefined;
  let acceptEncoding: string | undefined;
  let host: string | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 10 && userAgent === undefined && name.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
    else if (name.length === 12) {
      const lower = name.toLowerCase();
      if (lower === 'x-amz-target') target = target === undefined ? raw[i + 1] : `${target}, ${raw[i + 1]}`;
      else if (lower === 'content-type' && contentType === undefined) contentType = raw[i + 1];
    }
    else if (name.length === 14 && name.toLowerCase() === 'content-length') contentLength = Number(raw[i + 1]);
    else if (name.length === 16 && contentEncoding === undefined && name.toLowerCase() === 'content-encoding') contentEncoding = raw[i + 1];
    else if (name.length === 15 && name.toLowerCase() === 'accept-encoding') acceptEncoding = acceptEncoding === undefined ? raw[i + 1] : `${acceptEncoding}, ${raw[i + 1]}`;
    else if (name.length === 4 && host === undefined && name.toLowerCase() === 'host') host = raw[i + 1];
    else if (name.length === 6) {
      const lower = name.toLowerCase();
      if (lower === 'expect') expectsContinue = raw[i + 1].toLowerCase() === '100-continue';
      else if (lower === 'origin') origin = true;
    }
  }
  return { userAgent, target, contentLength, expectsContinue, contentType, origin, contentEncoding, acceptEncoding, host };
}
