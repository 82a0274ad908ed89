import type { CompiledPolicy, CompiledStatement } from './document.js';

/** What is asked: may this principal perform `action` on `resource`? */
export interface AuthorizationRequest {
  action: string;
  resource: string;
}

export interface StatementRef {
  policy: string;
  statementIndex: number;
  sid: string | undefined;
}

export interface TraceLine {
  policy: string;
  statementIndex: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  matched: boolean;
  /** Why it did or did not match, for people. */
  reason: string;
}

export type PolicyDecision =
  | { effect: 'Allow'; deciding: StatementRef; trace: TraceLine[] }
  | { effect: 'ExplicitDeny'; deciding: StatementRef; trace: TraceLine[] }
  | { effect: 'ImplicitDeny'; trace: TraceLine[] };

function matchStatement(statement: CompiledStatement, request: AuthorizationRequest): { matched: boolean; reason: string } {
  const actionHit = statement.actions.matchers.some((m) => m(request.action));
  if (actionHit === statement.actions.negated) {
    return { matched: false, reason: `${statement.actions.negated ? 'NotAction' : 'Action'} does not cover ${request.action}` };
  }
  if (statement.resources) {
    const resourceHit = statement.resources.matchers.some((m) => m(request.resource));
    if (resourceHit === statement.resources.negated) {
      return { matched: false, reason: `${statement.resources.negated ? 'NotResource' : 'Resource'} does not cover ${request.resource}` };
    }
  }
  // Until conditions and policy variables are evaluated, fail closed: such an
  // Allow never grants, such a Deny always applies.
  if (statement.hasCondition || statement.hasUnresolvedVariables) {
    const what = statement.hasCondition ? 'Condition' : 'policy variable';
    return statement.effect === 'Deny'
      ? { matched: true, reason: `${what} not yet evaluated; Deny applied (fail closed)` }
      : { matched: false, reason: `${what} not yet evaluated; Allow withheld (fail closed)` };
  }
  return { matched: true, reason: 'Action and Resource match' };
}

/**
 * Evaluates one set of policies of the same kind (e.g. all identity policies of
 * a principal): an explicit Deny wins, else any Allow allows, else implicit deny.
 * Pure: no I/O, no clock.
 */
export function evaluatePolicies(policies: readonly CompiledPolicy[], request: AuthorizationRequest): PolicyDecision {
  const trace: TraceLine[] = [];
  let allow: StatementRef | undefined;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      const { matched, reason } = matchStatement(statement, request);
      trace.push({ policy: policy.ref, statementIndex: statement.index, sid: statement.sid, effect: statement.effect, matched, reason });
      if (!matched) continue;
      const ref = { policy: policy.ref, statementIndex: statement.index, sid: statement.sid };
      if (statement.effect === 'Deny') return { effect: 'ExplicitDeny', deciding: ref, trace };
      allow ??= ref;
    }
  }
  return allow ? { effect: 'Allow', deciding: allow, trace } : { effect: 'ImplicitDeny', trace };
}
