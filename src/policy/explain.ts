import { displayKey, type ConditionContext, type ContextValue } from './conditionContext.js';
import { KIND_NAMES } from './document.js';
import type { AuthorizationDecision, AuthorizationRequest } from './evaluate.js';

/**
 * A decision as people read it: the request, its context, each kind of policy
 * consulted with every statement and why it matched or not, and the verdict.
 * The same trace the server records for a denial, laid out for a terminal.
 */
export function formatDecision(request: AuthorizationRequest, decision: AuthorizationDecision, deniedMessage: string | undefined): string {
  const lines: string[] = [];
  lines.push(`Request:  ${request.action} on ${request.resource}`);
  lines.push(`Principal: ${request.principal.arn}`);
  lines.push('Context:');
  for (const [key, value] of sortedEntries(request.context)) lines.push(`  ${key} = ${JSON.stringify(value)}`);
  for (const set of decision.sets) {
    lines.push('');
    lines.push(`${KIND_NAMES[set.kind]}: ${set.decision}${set.deciding ? ` (decided by ${set.deciding.policy} Statement[${set.deciding.statementIndex}]${set.deciding.sid ? ` ${set.deciding.sid}` : ''})` : ''}`);
    if (set.trace.length === 0) lines.push('  (no statements)');
    for (const statement of set.trace) {
      const name = `${statement.policy} Statement[${statement.statementIndex}]${statement.sid ? ` ${statement.sid}` : ''}`;
      lines.push(`  ${statement.matched ? '✓' : '✗'} ${name} ${statement.effect}: ${statement.reason}`);
      for (const condition of statement.conditions ?? []) {
        lines.push(`      ${condition.matched ? '✓' : '✗'} ${condition.operator} ${condition.key}: ${condition.reason}`);
      }
    }
  }
  lines.push('');
  lines.push(`Result: ${decision.result}${decision.blockedBy.length > 0 ? ` (blocked by: ${decision.blockedBy.map((k) => KIND_NAMES[k]).join(', ')})` : ''}`);
  if (deniedMessage) lines.push(`AccessDeniedException: ${deniedMessage}`);
  return lines.join('\n');
}

function sortedEntries(context: ConditionContext): [string, ContextValue][] {
  return [...context.entries()].map(([key, value]): [string, ContextValue] => [displayKey(key), value]).sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
}
