/**
 * The HTTP front end's own limits, in one place: how much one process buffers for requests it
 * has not answered, and how long it waits for a client. DynamoDB's limits (the 16 MB request)
 * are the services' (src/dynamo/limits.ts); these are cove's, and each is the only definition.
 */
export const SERVER_LIMITS = {
  /**
   * Body bytes, across every connection of one process, buffered by requests not yet answered
   * (every body is unauthenticated until it has been read whole: the signature covers it).
   * A request waits (its socket is not read) until its declared length fits; at least one
   * largest request (16 MB) must fit.
   */
  bufferedBodyBytesMax: 64 * 1024 * 1024,
  /**
   * A request whose authentication is certain to fail whatever its body (no or a malformed
   * Authorization header, an unknown key, a stale date) has at most this much of its body read
   * before it is answered; a body of at most this size is read whole, as any other, so small
   * requests see DynamoDB's order of checks unchanged.
   */
  unauthenticatedBodyBytesMax: 64 * 1024,
  /** Request line and headers. DynamoDB refuses more than 16 KB of headers with a 400 (see http.ts). */
  headerBytesMax: 16 * 1024,
  /** From a request's first byte to the end of its headers (slowloris sending headers a byte at a time). */
  headersTimeoutMs: 10_000,
  /** From a request's first byte to the end of its body: 16 MB at about 2.2 Mbit/s. */
  requestTimeoutMs: 60_000,
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: 60_000,
  /** How often node:http looks for connections past the two timeouts above (its default is 30 s). */
  timeoutCheckIntervalMs: 1_000,
  /** Open connections per listener and process; one more is closed as it arrives (cove.yaml `http.maxConnections`). */
  connectionsMax: 10_000,
  /** Requests one keep-alive connection may carry; the last is answered with `Connection: close` (cove.yaml `http.maxRequestsPerConnection`). */
  requestsPerConnectionMax: 100_000,
  /** From a connection's first byte to the end of its TLS handshake. */
  tlsHandshakeTimeoutMs: 10_000,
  /** From a connection's opening to the end of its PROXY protocol header. */
  proxyHeaderTimeoutMs: 10_000,
  /**
   * A PROXY header's size: v1 is at most 107 bytes; v2 is 16 bytes and a block of declared
   * length (addresses and TLVs: NLB's are well under 1 KB). A larger one closes the connection.
   */
  proxyHeaderBytesMax: 4096,
  /** How often a listener's certificate and key files are checked for a change (reloaded without a restart). */
  certificateCheckIntervalMs: 1_000,
} as const;

/** The timeouts cove.yaml's `http:` may set (see src/config/schema.ts). */
export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** What cove.yaml's `http:` sets for every listener: the timeouts, and how many connections each holds open. */
export interface HttpSettings extends HttpTimeouts {
  maxConnections: number;
  keepAliveTimeoutMs: number;
  maxRequestsPerConnection: number;
}
