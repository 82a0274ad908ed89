import { coralError, type AwsError } from '../errors.js';
import type { RequestContext } from '../context.js';
import { LayeredContext, contextFromRecord, type ConditionContext } from './conditionContext.js';
import { KIND_NAMES, type CompiledPolicy, type PolicyKind } from './document.js';
import { evaluateAuthorization, type AuthorizationDecision, type PolicySets, type StatementTrace } from './evaluate.js';
import { globalConditionContext } from './requestContext.js';

const ARTICLE: Record<PolicyKind, string> = {
  identity: 'an',
  permissionsBoundary: 'a',
  session: 'a',
  vpcEndpoint: 'a',
  trust: 'a',
};

/** AWS's AccessDenied text: one policy kind named, explicit denies first. */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, decision: AuthorizationDecision): string {
  const prefix = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind = decision.deniedBy ?? 'identity';
  // AWS's own documented wording for an explicit session-policy deny is "a sessions policy".
  if (decision.result === 'ExplicitlyDenied') return `${prefix} with an explicit deny in ${ARTICLE[kind]} ${kind === 'session' ? 'sessions policy' : KIND_NAMES[kind]}`;
  return `${prefix} because no ${KIND_NAMES[kind]} allows the ${action} action`;
}

const servicePrefixReads = new WeakMap<CompiledPolicy, boolean>();

/** Whether any policy reads a `dynamodb:` key, so the operation's own keys are worth computing. */
function readsServiceKeys(sets: PolicySets): boolean {
  for (const policies of [sets.identity, sets.permissionsBoundary, sets.session, sets.vpcEndpoint]) {
    for (const policy of policies ?? []) {
      let reads = servicePrefixReads.get(policy);
      if (reads === undefined) {
        reads = [...policy.referencedKeys].some((key) => key.startsWith('dynamodb:'));
        servicePrefixReads.set(policy, reads);
      }
      if (reads) return true;
    }
  }
  return false;
}

/** A one-line account of each statement consulted, for the audit trace of a denial. */
function explanationLines(decision: AuthorizationDecision): string[] {
  const line = (t: StatementTrace) => `${t.kind} ${t.policy} Statement[${t.statementIndex}]${t.sid ? ` (${t.sid})` : ''} ${t.effect}: ${t.matched ? 'matched' : 'no match'}: ${t.reason}`;
  return decision.sets.flatMap((set) => (set.trace.length > 0 ? set.trace.map(line) : [`${set.kind}: no statements`]));
}

/**
 * authorize: every IAM target the request names must be allowed by the
 * principal's policies (identity ∩ boundary) and the endpoint policy of the
 * path. A denial carries AWS's message; its trace names the deciding
 * statement and why each statement did or did not match.
 */
export function authorize(ctx: RequestContext, requestedRegion: string): void {
  const principal = ctx.principal!;
  const sets: PolicySets = {
    identity: principal.identityPolicies,
    permissionsBoundary: principal.permissionsBoundary,
    ...(ctx.path?.kind === 'endpoint' ? { vpcEndpoint: [ctx.path.endpointPolicy] } : {}),
  };
  const base = globalConditionContext({
    principal,
    path: ctx.path,
    secureTransport: ctx.attribution?.secureTransport ?? false,
    receivedAtMs: ctx.receivedAtMs,
    userAgent: ctx.userAgent,
    requestedRegion,
  });
  const wantsServiceKeys = readsServiceKeys(sets);
  for (const target of ctx.request!.targets) {
    if (target.exemptOnPublicPath && ctx.path?.kind === 'public') {
      ctx.trace.push({ stage: 'authorize', decision: 'continue', detail: `${target.action} is not authorized on the public endpoint (DynamoDB skips it there)` });
      continue;
    }
    const context: ConditionContext = wantsServiceKeys && target.conditionKeys ? new LayeredContext(base, contextFromRecord(target.conditionKeys())) : base;
    const request = { action: target.action, resource: target.resource, principal: principal.asRequestPrincipal, context };
    const decision = evaluateAuthorization(sets, request);
    if (decision.result !== 'Allowed') {
      // Denials are rare: evaluate again with the full explanation for the trace.
      const explained = evaluateAuthorization(sets, request, true);
      ctx.trace.push({
        stage: 'authorize',
        decision: 'deny',
        detail: `${explained.result} ${target.action} on ${target.resource} by the ${KIND_NAMES[explained.deniedBy ?? 'identity']}`,
        ...(explained.deciding ? { rule: explained.deciding } : {}),
        explanation: explanationLines(explained),
      });
      throw accessDenied(accessDeniedMessage(principal.arn, target.action, target.resource, explained));
    }
    ctx.trace.push({ stage: 'authorize', decision: 'continue', detail: `${target.action} on ${target.resource} allowed`, rule: decision.deciding });
  }
}

function accessDenied(message: string): AwsError {
  return coralError('AccessDeniedException', message, 'Message');
}
