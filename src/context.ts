import type { AwsError } from './errors.js';
import type { RawRequest, SigningFields } from './auth/sigv4.js';
import type { Principal } from './auth/identities.js';
import type { InterpretedRequest, ParsedRequest, Service } from './service.js';
import type { CompiledPolicy } from './policy/document.js';
import type { StatementRef } from './policy/evaluate.js';

/** The stages, and `record`, which runs after them and refuses requests while the audit trail cannot be written. */
export type StageName = 'attribute' | 'route' | 'parse' | 'authenticate' | 'interpret' | 'authorize' | 'execute' | 'record';

/** Who decided: a stage, or the listener itself for an HTTP request it could not read (Pipeline.refuse). */
export type DeciderName = StageName | 'listener';

/** One line of the decision trace: which stage decided what, and by which rule. */
export interface TraceEntry {
  stage: DeciderName;
  decision: 'continue' | 'deny' | 'fail' | 'done';
  detail: string;
  rule?: StatementRef;
  /** For a denial: each statement consulted and why it did or did not match; for a route, the hops. */
  explanation?: string[];
  /** The Reachability Analyzer (or cove) code of the hop that decided. */
  code?: string;
}

/** A trace line as a stage reports it; the pipeline adds the stage's name. */
export type Finding = Omit<TraceEntry, 'stage'>;

/**
 * What a stage decided: the trace lines it reports and, if it ends the request, how. A stage
 * that fails (a malformed request, a bug) throws instead; the pipeline records that as `fail`.
 */
export interface Decision {
  findings: Finding[];
  end?: {
    /** What the client is answered. */
    error: AwsError;
    /** No answer at all: the network drops the connection (an unreachable path). */
    reset?: boolean;
  };
}

/**
 * One stage of the pipeline: a name and a function of the request context. It reads the context,
 * extends it with what it establishes (the path, the principal, the request, the response) and
 * returns its decision; it never writes the trace or another stage's fields.
 */
export interface Stage<Env> {
  name: StageName;
  run(ctx: RequestContext, env: Env): Decision | Promise<Decision>;
}

/** How the request ended, as the pipeline recorded it: the stage that decided, and its decision. */
export interface Outcome {
  stage: DeciderName;
  decision: 'done' | 'deny' | 'fail';
  /** The deciding trace line's code (a route's Reachability Analyzer code, VPCE_POLICY_DENY). */
  code?: string;
  /** The connection is dropped unanswered. */
  reset: boolean;
}

/** The socket a request came over, as the listener read it (the attribute stage interprets it). */
export interface Connection {
  listener: string;
  /** The socket's peer, or the client a trusted PROXY protocol header named. */
  remoteAddress: string;
  remotePort: number;
  /** Over TLS: `aws:SecureTransport`. */
  secure: boolean;
  /** What TLS negotiated (CloudTrail's tlsDetails); present exactly when `secure`. */
  tls?: TlsDetails;
  /** The VPC endpoint a trusted PROXY v2 header named (AWS's TLV: PrivateLink). */
  vpceId?: string;
}

/** CloudTrail's `tlsDetails`. */
export interface TlsDetails {
  tlsVersion: string;
  cipherSuite: string;
  clientProvidedHostHeader: string;
}

/** Who is on the wire, as the listener saw it. */
export interface Attribution {
  listener: string;
  remoteAddress: string;
  remotePort: number;
  secureTransport: boolean;
  /** The VPC endpoint the client came through, when a trusted load balancer said so. */
  vpceId?: string;
}

/** The network path the request took to reach the service. */
export type NetworkPath =
  | {
      kind: 'public';
      /** The address the service sees as `aws:SourceIp`. */
      sourceIp: string;
    }
  | {
      kind: 'endpoint';
      /** The client's private address: `aws:VpcSourceIp` and the audit's sourceIPAddress. */
      sourceIp: string;
      /** Unknown for an endpoint a PROXY header named that the model does not declare: `aws:SourceVpc` is then absent. */
      vpcId: string | undefined;
      endpointId: string;
      endpointAccountId: string;
      /** The endpoint policy, which joins the authorization. */
      endpointPolicy: CompiledPolicy;
    }
  | {
      /** No path reaches the service; the request goes no further than the route stage. */
      kind: 'unreachable';
      /** The client's modelled address, for the audit record. */
      sourceIp: string;
    };

/** A path that reaches the service. */
export type ReachingPath = Exclude<NetworkPath, { kind: 'unreachable' }>;

/** The one context type every stage reads and extends. */
export interface RequestContext {
  requestId: string;
  eventId: string;
  receivedAtMs: number;
  raw: RawRequest;
  /** `X-Amz-Target`, as the listener read it. */
  target: string | undefined;
  /** `Content-Type`, as the listener read it. */
  contentType?: string;
  /** `Content-Encoding`, as the listener read it. */
  contentEncoding?: string;
  userAgent: string;
  connection: Connection;
  /** The service the request is for (the listener dispatched it by its protocol). */
  service: Service;
  /** The operation the request names, if its service recognized the protocol. */
  operationName: string | undefined;
  /** The body as the parse stage read it (the service's wire checks, made before authentication). */
  parsed?: ParsedRequest;
  /** The listener did not read the body (authentication refuses the request whatever it holds): nothing parses it. */
  bodyCut?: boolean;
  attribution?: Attribution;
  path?: NetworkPath;
  /** The request's SigV4 fields, read once (by the route stage, or else by authenticate). */
  signing?: SigningFields;
  accessKeyId?: string;
  /** The region the request is for: its credential scope's, among those cove serves (authenticate); else cove's first. */
  region?: string;
  principal?: Principal;
  /** Open mode: the principal was assumed, not authenticated (the signature was not checked). */
  unauthenticated?: boolean;
  request?: InterpretedRequest;
  response?: Record<string, unknown>;
  error?: AwsError;
  /** How the request ended; set by the pipeline. */
  outcome?: Outcome;
  trace: TraceEntry[];
}
