import type { ConditionContext } from './conditionContext.js';
import { evaluateCondition, explainCondition, type ConditionExplanation } from './conditions.js';
import type { CompiledPolicy, CompiledStatement, PolicyKind } from './document.js';
import { principalMatches, type RequestPrincipal } from './principals.js';
import { perResolution } from './variables.js';
import { compileSegments } from './wildcard.js';

/** What is asked: may this principal perform `action` on `resource`, in this context? */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  principal: RequestPrincipal;
  context: ConditionContext;
}

export interface StatementRef {
  policy: string;
  kind: PolicyKind;
  statementIndex: number;
  sid: string | undefined;
}

export interface StatementTrace extends StatementRef {
  effect: 'Allow' | 'Deny';
  matched: boolean;
  /** Why it did or did not match, for people. */
  reason: string;
  conditions?: ConditionExplanation[];
}

export type SetDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The verdict of one kind of policy (all identity policies, or the boundary...). */
export interface SetEvaluation {
  kind: PolicyKind;
  decision: SetDecision;
  deciding?: StatementRef;
  /** One line per statement consulted; filled only when asked to explain. */
  trace: StatementTrace[];
}

function refOf(policy: CompiledPolicy, statement: CompiledStatement): StatementRef {
  return { policy: policy.ref, kind: policy.kind, statementIndex: statement.index, sid: statement.sid };
}

function actionMatches(statement: CompiledStatement, action: string): boolean {
  return statement.actions.matchers.some((m) => m(action)) !== statement.actions.negated;
}

function resourceMatches(statement: CompiledStatement, request: AuthorizationRequest): boolean {
  const resources = statement.resources;
  if (!resources) return true;
  let hit = false;
  for (const entry of resources.list) {
    let matcher = entry.matcher;
    if (!matcher) {
      matcher = perResolution(entry.template, request.context, (segments) => compileSegments(segments, false));
      if (!matcher) continue; // an unresolvable variable matches nothing
    }
    if (matcher(request.resource)) {
      hit = true;
      break;
    }
  }
  return hit !== resources.negated;
}

function statementMatches(statement: CompiledStatement, request: AuthorizationRequest): boolean {
  if (!actionMatches(statement, request.action)) return false;
  if (!resourceMatches(statement, request)) return false;
  if (statement.principal && !principalMatches(statement.principal, request.principal)) return false;
  for (const condition of statement.conditions) if (!evaluateCondition(condition, request.context)) return false;
  return true;
}

function explainStatement(policy: CompiledPolicy, statement: CompiledStatement, request: AuthorizationRequest): StatementTrace {
  const base = { ...refOf(policy, statement), effect: statement.effect };
  const element = (plain: string, negated: boolean) => (negated ? `Not${plain}` : plain);
  if (!actionMatches(statement, request.action)) {
    return { ...base, matched: false, reason: `${element('Action', statement.actions.negated)} does not cover ${request.action}` };
  }
  if (!resourceMatches(statement, request)) {
    return { ...base, matched: false, reason: `${element('Resource', statement.resources!.negated)} ${JSON.stringify(statement.resources!.list.map((r) => r.pattern))} does not cover ${request.resource}` };
  }
  if (statement.principal && !principalMatches(statement.principal, request.principal)) {
    return { ...base, matched: false, reason: `${element('Principal', statement.principal.negated)} ${JSON.stringify(statement.principal.source)} does not cover ${request.principal.arn}` };
  }
  const conditions = statement.conditions.map((c) => explainCondition(c, request.context));
  const failed = conditions.find((c) => !c.matched);
  if (failed) return { ...base, matched: false, reason: `Condition ${failed.operator} failed: ${failed.reason}`, conditions };
  const how = conditions.length > 0 ? 'Action, Resource and every Condition match' : 'Action and Resource match';
  return { ...base, matched: true, reason: statement.principal ? how.replace('Action', 'Principal, Action') : how, ...(conditions.length > 0 ? { conditions } : {}) };
}

/**
 * Evaluates one set of policies of the same kind: an explicit Deny wins, else
 * any Allow allows, else implicit deny. Pure: no I/O, no clock. With `explain`,
 * every statement gets a trace line (the server asks only after a denial).
 */
export function evaluatePolicies(kind: PolicyKind, policies: readonly CompiledPolicy[], request: AuthorizationRequest, explain = false): SetEvaluation {
  const trace: StatementTrace[] = [];
  let allow: StatementRef | undefined;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      let matched: boolean;
      if (explain) {
        const line = explainStatement(policy, statement, request);
        trace.push(line);
        matched = line.matched;
      } else {
        matched = statementMatches(statement, request);
      }
      if (!matched) continue;
      if (statement.effect === 'Deny') {
        if (explain) continue; // keep tracing the rest; the first Deny still decides
        return { kind, decision: 'ExplicitDeny', deciding: refOf(policy, statement), trace };
      }
      allow ??= refOf(policy, statement);
    }
  }
  if (explain) {
    const deny = trace.find((line) => line.matched && line.effect === 'Deny');
    if (deny) return { kind, decision: 'ExplicitDeny', deciding: refOfTrace(deny), trace };
  }
  return allow ? { kind, decision: 'Allow', deciding: allow, trace } : { kind, decision: 'ImplicitDeny', trace };
}

function refOfTrace(line: StatementTrace): StatementRef {
  return { policy: line.policy, kind: line.kind, statementIndex: line.statementIndex, sid: line.sid };
}

/** The policies that bear on one same-account request. Absent kinds do not apply. */
export interface PolicySets {
  identity: readonly CompiledPolicy[];
  permissionsBoundary?: readonly CompiledPolicy[];
  session?: readonly CompiledPolicy[];
  vpcEndpoint?: readonly CompiledPolicy[];
}

export type AuthorizationResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface AuthorizationDecision {
  result: AuthorizationResult;
  /** The one policy kind AWS's AccessDenied message names. */
  deniedBy?: PolicyKind;
  /** Every kind that blocked the request (explicitly, or by not allowing). */
  blockedBy: PolicyKind[];
  /** The explicit Deny that decided, or the identity statement that allowed. */
  deciding?: StatementRef;
  sets: SetEvaluation[];
}

/**
 * The order in which kinds are consulted, and so which one an AccessDenied
 * message names when several block (AWS names one and does not document which):
 * explicit denies first, then the first kind that does not allow. The endpoint
 * policy comes first because the endpoint decides before the request reaches
 * DynamoDB; then identity, boundary and session, AWS's evaluation order.
 */
export const KIND_ORDER: readonly PolicyKind[] = ['vpcEndpoint', 'identity', 'permissionsBoundary', 'session'];

/**
 * Same-account evaluation, as AWS documents it: an explicit Deny in any policy
 * wins; otherwise the identity policies must allow, and so must each of the
 * permissions boundary, the session policy and the VPC endpoint policy when
 * the request has one. DynamoDB has no resource-based policies.
 */
export function evaluateAuthorization(sets: PolicySets, request: AuthorizationRequest, explain = false): AuthorizationDecision {
  const evaluations: SetEvaluation[] = [];
  for (const kind of KIND_ORDER) {
    const policies = sets[kind as keyof PolicySets];
    if (policies === undefined || (kind !== 'identity' && policies.length === 0)) continue;
    evaluations.push(evaluatePolicies(kind, policies, request, explain));
  }
  const denied = evaluations.filter((e) => e.decision === 'ExplicitDeny');
  if (denied.length > 0) {
    return { result: 'ExplicitlyDenied', deniedBy: denied[0].kind, blockedBy: denied.map((e) => e.kind), deciding: denied[0].deciding, sets: evaluations };
  }
  const notAllowing = evaluations.filter((e) => e.decision !== 'Allow');
  if (notAllowing.length > 0) {
    return { result: 'ImplicitlyDenied', deniedBy: notAllowing[0].kind, blockedBy: notAllowing.map((e) => e.kind), sets: evaluations };
  }
  return { result: 'Allowed', blockedBy: [], deciding: evaluations.find((e) => e.kind === 'identity')?.deciding, sets: evaluations };
}

/** The request was denied, and would have been allowed but for the VPC endpoint policy. */
export function deniedOnlyByEndpointPolicy(decision: AuthorizationDecision): boolean {
  if (decision.result === 'Allowed') return false;
  let endpointBlocked = false;
  for (const set of decision.sets) {
    if (set.kind === 'vpcEndpoint') endpointBlocked = set.decision !== 'Allow';
    else if (set.decision !== 'Allow') return false;
  }
  return endpointBlocked;
}
