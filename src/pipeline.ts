import { AwsError, dynamoError } from './errors.js';
import type { RequestContext } from './context.js';
import { authenticate } from './auth/authenticate.js';
import type { CredentialStore } from './auth/identities.js';
import { buildRecord } from './audit/recordStage.js';
import type { AuditWriter } from './audit/writer.js';
import { interpretDynamoRequest, operationNameOf } from './dynamo/service.js';
import type { TableCatalog } from './dynamo/tables.js';
import { UnreachableError, type Router } from './network/route.js';
import { authorize } from './policy/authorize.js';
import type { StorageEngine } from './storage/engine.js';

export interface PipelineDeps {
  region: string;
  accountId: string;
  credentials: CredentialStore;
  engine: StorageEngine;
  catalog: TableCatalog;
  audit: AuditWriter;
  router: Router;
}

/**
 * The request pipeline, in one screen. `attribute` ran in the listener, which
 * owns the socket; every stage below reads and extends the one RequestContext,
 * and a stage that denies throws the AwsError the client will see. `record`
 * always runs.
 */
export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  async handle(ctx: RequestContext, target: string | undefined): Promise<void> {
    const { region, accountId } = this.deps;
    try {
      this.deps.router.route(ctx);
      authenticate(ctx, { credentials: this.deps.credentials, region, service: 'dynamodb' });
      // Reads from here on see every commit acknowledged so far, by any process sharing the
      // store, and the catalog mirror every table created or deleted so far.
      const fresh = this.deps.engine.refreshSnapshot?.();
      if (fresh) await fresh;
      const refreshed = this.deps.catalog.refresh();
      if (refreshed) await refreshed;
      ctx.request = interpretDynamoRequest(target, ctx.raw.body, { region, accountId, catalog: this.deps.catalog });
      ctx.trace.push({ stage: 'interpret', decision: 'continue', detail: `${ctx.request.eventName} on ${ctx.request.targets.map((t) => t.resource).join(', ')}` });
      authorize(ctx, region);
      ctx.response = await ctx.request.execute({ engine: this.deps.engine, catalog: this.deps.catalog, region, accountId, nowMs: ctx.receivedAtMs });
      ctx.trace.push({ stage: 'execute', decision: 'done', detail: ctx.request.eventName });
    } catch (error) {
      if (error instanceof UnreachableError) {
        // No service answered: the network drops the connection, or (explain mode) cove says why.
        ctx.networkReset = error.mode === 'reset';
        ctx.error = new AwsError('com.amazon.coral.service', 'ServiceUnavailableException', `cove: dynamodb is unreachable from here: ${error.path.code}: ${error.path.reason}`, 503, 'message');
        return;
      }
      ctx.error = error instanceof AwsError ? error : internalError(error);
      const stage = ctx.trace.at(-1)?.decision === 'deny' ? undefined : stageOf(ctx);
      if (stage) ctx.trace.push({ stage, decision: 'fail', detail: `${ctx.error.code}: ${ctx.error.message}` });
    } finally {
      this.deps.audit.append(buildRecord(ctx, operationNameOf(target) ?? 'Unknown', { region, accountId }));
    }
  }
}

function stageOf(ctx: RequestContext): 'route' | 'authenticate' | 'interpret' | 'execute' {
  if (!ctx.path) return 'route';
  if (!ctx.principal) return 'authenticate';
  if (!ctx.request) return 'interpret';
  return 'execute';
}

function internalError(error: unknown): AwsError {
  console.error('cove: internal error', error);
  return dynamoError('InternalServerError', 'Internal server error', 500);
}
