import type { AwsError } from './errors.js';
import type { RawRequest } from './auth/sigv4.js';
import type { Principal } from './auth/identities.js';
import type { InterpretedRequest } from './dynamo/service.js';
import type { CompiledPolicy } from './policy/document.js';
import type { StatementRef } from './policy/evaluate.js';

/** One line of the decision trace: which stage decided what, and by which rule. */
export interface TraceEntry {
  stage: 'attribute' | 'route' | 'authenticate' | 'interpret' | 'authorize' | 'execute';
  decision: 'continue' | 'deny' | 'fail' | 'done';
  detail: string;
  rule?: StatementRef;
  /** For a denial: each statement consulted and why it did or did not match; for a route, the hops. */
  explanation?: string[];
  /** The Reachability Analyzer (or cove) code of the hop that decided. */
  code?: string;
}

/** Who is on the wire, as the listener saw it. */
export interface Attribution {
  listener: string;
  remoteAddress: string;
  remotePort: number;
  secureTransport: boolean;
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
      vpcId: string;
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

/** The one context type every stage reads and extends. */
export interface RequestContext {
  requestId: string;
  eventId: string;
  receivedAtMs: number;
  raw: RawRequest;
  userAgent: string;
  attribution?: Attribution;
  path?: NetworkPath;
  accessKeyId?: string;
  principal?: Principal;
  request?: InterpretedRequest;
  response?: Record<string, unknown>;
  error?: AwsError;
  /** Only the VPC endpoint policy denied the request: the audit records a network activity event. */
  deniedByEndpointPolicyOnly?: boolean;
  /** The route found no path and the network would drop the connection: the listener resets it. */
  networkReset?: boolean;
  trace: TraceEntry[];
}
