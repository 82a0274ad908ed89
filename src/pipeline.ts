import { AwsError } from './errors.js';
import type { Decision, RequestContext, Stage, StageName } from './context.js';
import { authenticateStage, authenticationFailsWhateverTheBody, type RefreshCredentials } from './auth/authenticate.js';
import type { CredentialStore, Principal } from './auth/identities.js';
import { buildRecord } from './audit/recordStage.js';
import type { RequestLog } from './audit/requestLog.js';
import type { AuditWriter } from './audit/writer.js';
import { selects, type DataEventSelection } from './audit/selection.js';
import { routeStage, type Router } from './network/route.js';
import { authorizeStage } from './policy/authorize.js';
import { attributeStage } from './server/attribute.js';
import { executeStage, interpretStage, parseStage } from './service.js';

/** What the stages consult besides the request context. */
export interface PipelineEnv {
  region: string;
  /** The other regions cove serves (`regions:`); a request is for its scope's region among them. */
  otherRegions?: readonly string[];
  /** Told of a request scoped to a region cove does not serve. */
  onUnservedRegion?: (region: string) => void;
  accountId: string;
  credentials: CredentialStore;
  router: Router;
  /** Brings the credential store up to date with changes made by other processes (the IAM API), before authenticate. */
  refreshCredentials?: RefreshCredentials;
  /** Open mode: the principal every request acts as, unauthenticated (authenticate.ts). */
  openModePrincipal?: () => Principal | undefined;
  /** Told of a request refused for an access key no one has. */
  onUnknownKey?: (accessKeyId: string) => void;
  /** The request log (stdout, one line per request); absent with --quiet. */
  requestLog?: Pick<RequestLog, 'log'>;
  /** cove.yaml's `audit.durability`: `sync` makes every record durable before its answer, not only writes' and refusals'. */
  auditDurability?: 'writes' | 'sync';
  /** cove.yaml's `audit.dataEvents`: which data events are recorded (default all). */
  auditDataEvents?: DataEventSelection;
}

/**
 * Where the record stage puts each request's record. `append` returns a promise when the answer
 * must wait for the record to be durable; `unavailable` names a fault that keeps records from
 * being kept.
 */
export type AuditSink = Pick<AuditWriter, 'append'> & Partial<Pick<AuditWriter, 'unavailable'>>;

/**
 * The stages, in order: who is on the wire, which network path reaches the service, whether the
 * request is well formed on the wire, who signed, what the request asks, whether IAM and the
 * endpoint policy allow it, and its execution. The record stage is not among them: it runs after
 * them whatever they decided.
 */
export const STAGES: readonly Stage<PipelineEnv>[] = [attributeStage, routeStage, parseStage, authenticateStage, interpretStage, authorizeStage, executeStage];

/**
 * The request pipeline. It runs the stages in order on one RequestContext and writes the trace
 * itself: each stage's findings under its name, and a `fail` line for a stage that threw. The
 * first stage that ends the request decides its answer; `record` always runs.
 */
export class Pipeline {
  constructor(
    private readonly env: PipelineEnv,
    private readonly audit: AuditSink,
    private readonly stages: readonly Stage<PipelineEnv>[] = STAGES,
  ) {}

  async handle(ctx: RequestContext): Promise<void> {
    try {
      if (this.refusedForAudit(ctx)) return;
      if (await this.run(ctx, this.stages)) return;
      ctx.outcome = { stage: this.stages[this.stages.length - 1].name, decision: 'done', reset: false };
    } finally {
      await this.record(ctx);
      this.env.requestLog?.log(ctx);
    }
  }

  /**
   * Whether the authenticate stage will refuse the request whatever its body (its checks before the
   * signature's read only the request line and headers): the listener then reads no more of a large
   * body. The stages before it never read the body, so the request ends the same way without it.
   */
  authenticationFailsWhateverTheBody(ctx: RequestContext): boolean {
    return authenticationFailsWhateverTheBody(ctx, this.env);
  }

  /**
   * A request the listener refuses before any service could read it (malformed HTTP, a timeout).
   * The stages before authentication still place the client on the network, so a client with no
   * path to the service is reset as the network would; any other is answered with `error`. Either
   * way it is recorded (and, while the trail cannot be written, refused as every request is).
   */
  async refuse(ctx: RequestContext, error: AwsError): Promise<void> {
    // The network stages only: nothing of the request past its source is read.
    const network = this.stages.findIndex((stage) => stage.name !== 'attribute' && stage.name !== 'route');
    try {
      if (this.refusedForAudit(ctx)) return;
      if (await this.run(ctx, this.stages.slice(0, network < 0 ? this.stages.length : network))) return;
      ctx.error = ctx.service.protocol.wireError(error);
      ctx.trace.push({ stage: 'listener', decision: 'deny', detail: `${error.code}: ${error.message}` });
      ctx.outcome = { stage: 'listener', decision: 'deny', reset: false };
    } finally {
      await this.record(ctx);
      this.env.requestLog?.log(ctx);
    }
  }

  /** Runs `stages` in order; true once one of them has ended the request (answer or failure set). */
  private async run(ctx: RequestContext, stages: readonly Stage<PipelineEnv>[]): Promise<boolean> {
    for (const stage of stages) {
      let decision: Decision;
      try {
        const pending = stage.run(ctx, this.env);
        decision = pending instanceof Promise ? await pending : pending;
      } catch (error) {
        this.fail(ctx, stage.name, error);
        return true;
      }
      for (const finding of decision.findings) ctx.trace.push({ stage: stage.name, ...finding });
      if (decision.end) {
        ctx.error = ctx.service.protocol.wireError(decision.end.error);
        ctx.outcome = { stage: stage.name, decision: 'deny', code: decision.findings.at(-1)?.code, reset: decision.end.reset ?? false };
        return true;
      }
    }
    return false;
  }

  /**
   * The durability promise: the record of a write, and of any request not answered with success
   * (a denial above all), is durable before the answer is sent; a successful read's within a
   * second (before its answer too with `audit.durability: sync`). When the record cannot be made
   * durable the answer is the service's 500: a write is then not acknowledged (it may have been
   * applied, as after any 500), and its record is still held and written once the disk allows.
   */
  private async record(ctx: RequestContext): Promise<void> {
    const record = buildRecord(ctx, { region: ctx.region ?? this.env.region, accountId: this.env.accountId });
    if (!selects(this.env.auditDataEvents ?? 'all', record)) return;
    const refusedForAudit = ctx.outcome?.stage === 'record';
    const successfulRead = ctx.error === undefined && ctx.request?.readOnly === true;
    const waits = !refusedForAudit && (this.env.auditDurability === 'sync' || !successfulRead);
    const durable = this.audit.append(record, waits ? 'before-answer' : 'within-a-second');
    if (durable === undefined) return;
    try {
      await durable;
    } catch {
      ctx.error = ctx.service.protocol.wireError(ctx.service.internalError());
      ctx.response = undefined;
      ctx.outcome = { stage: 'record', decision: 'fail', reset: false };
    }
  }

  /**
   * While the audit trail cannot be written (a full or failing disk), a request is refused before
   * any stage runs: nothing is executed, and no answer but a 500 is given, for a request that would
   * have no record (issue 17). One check per request; the writer lifts it once the trail is
   * written and fsynced again. A request already past this check when the fault begins is still
   * answered: its record is held in memory, and written when the fault clears.
   */
  private refusedForAudit(ctx: RequestContext): boolean {
    const fault = this.audit.unavailable?.();
    if (fault === undefined) return false;
    ctx.error = ctx.service.internalError();
    ctx.trace.push({ stage: 'record', decision: 'fail', detail: `the audit trail cannot be written (${fault}): refused, nothing executed` });
    ctx.outcome = { stage: 'record', decision: 'fail', reset: false };
    return true;
  }

  private fail(ctx: RequestContext, stage: StageName, error: unknown): void {
    if (!(error instanceof AwsError)) console.error('cove: internal error', error);
    ctx.error = ctx.service.protocol.wireError(error instanceof AwsError ? error : ctx.service.internalError());
    ctx.trace.push({ stage, decision: 'fail', detail: `${ctx.error.code}: ${ctx.error.message}` });
    ctx.outcome = { stage, decision: 'fail', reset: false };
  }
}
