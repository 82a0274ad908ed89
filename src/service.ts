import type { AwsError } from './errors.js';
import type { RawRequest } from './auth/sigv4.js';
import type { ContextValue } from './policy/conditionContext.js';
import type { CompiledPolicy } from './policy/document.js';
import type { Decision, Stage } from './context.js';
import type { Principal } from './auth/identities.js';

/** A request as the listener read it: the raw HTTP request and the headers it read on the way. */
export interface WireRequest {
  raw: RawRequest;
  /** `X-Amz-Target`, the JSON protocols' operation selector (repeats joined with ", "). */
  target: string | undefined;
  /** `Content-Type`, as sent. */
  contentType?: string;
  /** `Content-Encoding`, as sent (a gzip body). */
  contentEncoding?: string;
  /** The region the request is for (authenticate: its credential scope's); undefined before authentication. */
  region?: string | undefined;
}

/**
 * An AWS wire protocol (`src/server/protocols/`): how a request names its operation, and how
 * answers and errors are written. The server knows protocols; it never names a service.
 */
export interface Protocol {
  /** The operation the request names in this protocol's way, or undefined if it does not speak it. */
  operationName(request: WireRequest): string | undefined;
  contentType: string;
  serializeResult(result: Record<string, unknown>, request: { operationName: string; requestId: string }): string;
  serializeError(error: AwsError, requestId: string): string;
  /** An error as this protocol's services name it on the wire (Query services rename coral's authentication errors). */
  wireError(error: AwsError): AwsError;
  /** DynamoDB's JSON answers carry the body's CRC32 in `x-amz-crc32`, which botocore verifies. */
  sendsCrc32: boolean;
}

/** One IAM question a request asks: may the principal do `action` on `resource`? */
export interface AuthorizationTarget {
  action: string;
  resource: string;
  /** The service's own condition keys for this target; computed only when a policy reads one. */
  conditionKeys?: () => Record<string, ContextValue | undefined>;
  /**
   * A role's trust policy, for sts:AssumeRole (and sts:TagSession) on that role: it must allow
   * the caller too, and when it names the caller by ARN it is enough without an identity policy.
   */
  trustPolicy?: CompiledPolicy;
}

/** A request the service understood: what IAM must allow, what the audit records, and how to run it. */
export interface InterpretedRequest {
  eventName: string;
  readOnly: boolean;
  /** CloudTrail's split: item APIs are Data events, table APIs Management events. */
  category: 'Data' | 'Management';
  targets: AuthorizationTarget[];
  /** CloudTrail's requestParameters. */
  requestParameters: Record<string, unknown> | null;
  /** Runs the request; called only once every target is authorized. */
  execute(nowMs: number): Promise<Record<string, unknown>>;
  /** The operation has no output in the service's model: its answer's body is empty, not `{}`. */
  emptyAnswer?: boolean;
}

/** What is known of a service without its state: how it is signed, spoken, addressed and audited. */
export interface ServiceDescription {
  /** The service's name in AWS's prose (`DynamoDB`). */
  displayName: string;
  /** The SigV4 credential scope's service (`dynamodb`). */
  signingName: string;
  /**
   * The destination's name in the network model (`com.amazonaws.REGION.<name>` prefix lists, the
   * `<name>.REGION.amazonaws.com` host), when it is not the signing name: DynamoDB Streams signs as
   * `dynamodb` but is `streams.dynamodb`, which a DynamoDB gateway endpoint does not serve.
   */
  networkName?: string;
  /** CloudTrail's eventSource (`dynamodb.amazonaws.com`). */
  eventSource: string;
  /** CloudTrail's apiVersion. */
  apiVersion: string;
  protocol: Protocol;
  /** The largest request body the service takes. */
  maxRequestBytes: number;
  /**
   * The region requests to the service are signed for, given cove's region: absent for a regional
   * service (cove's region); a global service's one region (IAM: us-east-1).
   */
  signingRegion?(region: string): string;
  /** The regional endpoint's host name, as DNS and DescribeEndpoints know it. */
  endpointHost(region: string): string;
  /** Actions the service answers on its public endpoint without an IAM check (DynamoDB's DescribeEndpoints), as its operations name them. */
  actionsExemptOnPublicPath: ReadonlySet<string>;
  /** CloudTrail's `resources[].type` for an ARN the service records, or undefined for one it does not list. */
  auditResourceType(arn: string): string | undefined;
  /** The answer to a fault of cove's own (a bug), in the service's words. */
  internalError(): AwsError;
  /** The answer when the network path reaches no service (the route stage's explain mode). */
  unreachableError(reason: string): AwsError;
}

/** A request's body as a service's wire checks read it, before authentication. */
export interface ParsedRequest {
  body: unknown;
  /** The content type the answer is written with, when the request asked for another than the protocol's own (DynamoDB echoes `application/json`). */
  answerContentType?: string;
}

/** A service with its state (storage, catalog): it turns wire requests into interpreted requests. */
export interface Service extends ServiceDescription {
  /**
   * The checks DynamoDB makes at the HTTP layer, before authentication: method, content type, body
   * syntax, a known operation. A service without them reads its request in `interpret` alone.
   */
  parse?(request: WireRequest, operationName: string | undefined): ParsedRequest;
  /**
   * Parses and validates the request and resolves what it names. Malformed requests are answered
   * here, before IAM; anything that needs the service's state to be current is brought up to date
   * here first.
   */
  interpret(request: WireRequest, operationName: string | undefined, receivedAtMs: number, caller: Principal, parsed: ParsedRequest | undefined): InterpretedRequest | Promise<InterpretedRequest>;
}

/** The service a request is for, and the operation it names (undefined when no service recognizes it). */
export interface Dispatch {
  service: Service;
  operationName: string | undefined;
}

/**
 * The services one cove serves. A request goes to the service whose protocol recognizes it; one
 * that none recognizes goes to the first (the default), which answers it as unknown.
 */
export class ServiceRegistry {
  private readonly services: readonly Service[];
  /** The largest body any service takes: the listener reads no more (the service is known only then). */
  readonly maxRequestBytes: number;

  constructor(services: readonly Service[]) {
    if (services.length === 0) throw new Error('a service registry needs at least one service');
    this.services = services;
    this.maxRequestBytes = Math.max(...services.map((service) => service.maxRequestBytes));
  }

  get defaultService(): Service {
    return this.services[0];
  }

  /** The service signed for as `signingName` (a credential scope's service), if cove serves it. */
  bySigningName(signingName: string | undefined): Service | undefined {
    return this.services.find((service) => service.signingName === signingName);
  }

  dispatch(request: WireRequest): Dispatch {
    for (const service of this.services) {
      const operationName = service.protocol.operationName(request);
      if (operationName !== undefined) return { service, operationName };
    }
    return { service: this.services[0], operationName: undefined };
  }
}

/** parse: the service's wire checks, before authentication (DynamoDB's order: syntax before signature). */
export const parseStage: Stage<unknown> = {
  name: 'parse',
  run(ctx) {
    const parse = ctx.service.parse;
    if (parse === undefined || ctx.bodyCut) return NO_FINDINGS;
    ctx.parsed = parse({ raw: ctx.raw, target: ctx.target, contentType: ctx.contentType, contentEncoding: ctx.contentEncoding }, ctx.operationName);
    return NO_FINDINGS;
  },
};

const NO_FINDINGS: Decision = { findings: [] };

/** interpret: the service parses, validates and resolves the request, and names its IAM targets. */
export const interpretStage: Stage<unknown> = {
  name: 'interpret',
  run(ctx) {
    const interpreted = (request: InterpretedRequest): Decision => {
      ctx.request = request;
      return { findings: [{ decision: 'continue', detail: `${request.eventName} on ${request.targets.map((t) => t.resource).join(', ')}` }] };
    };
    const pending = ctx.service.interpret({ raw: ctx.raw, target: ctx.target, region: ctx.region }, ctx.operationName, ctx.receivedAtMs, ctx.principal!, ctx.parsed);
    return pending instanceof Promise ? pending.then(interpreted) : interpreted(pending);
  },
};

/** execute: the authorized request runs. */
export const executeStage: Stage<unknown> = {
  name: 'execute',
  async run(ctx) {
    const request = ctx.request!;
    ctx.response = await request.execute(ctx.receivedAtMs);
    return { findings: [{ decision: 'done', detail: request.eventName }] };
  },
};
