import type { RequestContext } from '../context.js';
import { atEndOfTurn } from '../endOfTurn.js';

/** `--log-format`: one line of words, or one JSON object, per request. */
export type RequestLogFormat = 'text' | 'json';

/** What one line of the request log says of a request: who asked what, and how it ended. */
export interface RequestLogEntry {
  time: string;
  listener: string;
  source: string;
  principal: string;
  operation: string;
  table: string;
  /**
   * allow (answered with success), deny (refused by authentication or authorization), fail (the
   * request's own fault: validation, a failed condition, a missing table), error (cove's: a 5xx),
   * or unreachable (the network dropped or refused it).
   */
  decision: 'allow' | 'deny' | 'fail' | 'error' | 'unreachable';
  /** The HTTP status answered; 0 when the connection was reset unanswered. */
  status: number;
  ms: number;
  /** Why it was denied, failed or unreachable (the deciding code and text), when it was. */
  why?: string;
}

/** A table the request names (not the `table/*` of ListTables). */
const TABLE_IN_ARN = /:table\/([^/*]+)(?:\/|$)/;

/** The request log's view of a finished request. */
export function requestLogEntry(ctx: RequestContext, nowMs: number): RequestLogEntry {
  const outcome = ctx.outcome;
  const status = outcome?.reset ? 0 : (ctx.error?.statusCode ?? 200);
  const decision = decisionOf(ctx, status);
  const table = ctx.request?.targets.map((target) => TABLE_IN_ARN.exec(target.resource)?.[1]).find((name) => name !== undefined);
  const why = whyOf(ctx);
  return {
    time: new Date(ctx.receivedAtMs).toISOString(),
    listener: ctx.connection.listener,
    source: `${ctx.attribution?.remoteAddress ?? ctx.connection.remoteAddress}:${ctx.attribution?.remotePort ?? ctx.connection.remotePort}`,
    principal: ctx.principal?.arn ?? '-',
    operation: ctx.request?.eventName ?? ctx.operationName ?? '-',
    table: table ?? '-',
    decision,
    status,
    ms: Math.max(0, nowMs - ctx.receivedAtMs),
    ...(why !== undefined ? { why } : {}),
  };
}

/** Why a request did not succeed: the deciding code and the error, or the route's words for a reset connection. */
function whyOf(ctx: RequestContext): string | undefined {
  const code = ctx.outcome?.code ? `[${ctx.outcome.code}] ` : '';
  if (ctx.error) return `${code}${ctx.error.code}: ${ctx.error.message}`;
  if (ctx.path?.kind !== 'unreachable') return undefined;
  const route = [...ctx.trace].reverse().find((entry) => entry.stage === 'route');
  return `${code}${route?.detail ?? 'unreachable'}; connection reset`;
}

const REFUSING_STAGES: ReadonlySet<string> = new Set(['authenticate', 'authorize']);

function decisionOf(ctx: RequestContext, status: number): RequestLogEntry['decision'] {
  if (ctx.path?.kind === 'unreachable') return 'unreachable';
  if (ctx.error === undefined) return 'allow';
  if (status >= 500) return 'error';
  return ctx.outcome !== undefined && REFUSING_STAGES.has(ctx.outcome.stage) ? 'deny' : 'fail';
}

export function formatRequestLogEntry(entry: RequestLogEntry, format: RequestLogFormat): string {
  if (format === 'json') return JSON.stringify(entry);
  const words = [entry.time, entry.listener, entry.source, entry.principal, entry.operation, entry.table, entry.decision, String(entry.status), `${entry.ms}ms`];
  return entry.why === undefined ? words.join(' ') : `${words.join(' ')} ${entry.why}`;
}

/**
 * Writes the request log to a stream, one write per event-loop turn however many requests the turn
 * finished (a write per request would cost a syscall each on the hot path).
 */
export class RequestLog {
  private pending: string[] = [];

  constructor(
    private readonly format: RequestLogFormat,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  log(ctx: RequestContext): void {
    if (this.pending.length === 0) atEndOfTurn('records', () => this.flush());
    this.pending.push(formatRequestLogEntry(requestLogEntry(ctx, Date.now()), this.format));
  }

  private flush(): void {
    const lines = this.pending;
    this.pending = [];
    if (lines.length > 0) this.write(`${lines.join('\n')}\n`);
  }
}
