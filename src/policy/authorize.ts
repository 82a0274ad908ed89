import { coralError, type AwsError } from '../errors.js';
import type { RequestContext } from '../context.js';
import { LayeredContext, contextFromRecord, type ConditionContext } from './conditionContext.js';
import { KIND_NAMES, type CompiledPolicy, type PolicyKind } from './document.js';
import { deniedOnlyByEndpointPolicy, evaluateAuthorization, type AuthorizationDecision, type PolicySets, type StatementTrace } from './evaluate.js';
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

interface Reads {
  /** Any condition key or policy variable at all: the request context is worth building. */
  context: boolean;
  /** A `dynamodb:` key: the operation's own keys are worth computing. */
  serviceKeys: boolean;
}

const policyReads = new WeakMap<CompiledPolicy, Reads>();

/** What the policies read from the request context; most policies read nothing, and then nothing is built. */
function readsOf(sets: PolicySets): Reads {
  const reads: Reads = { context: false, serviceKeys: false };
  for (const policies of [sets.identity, sets.permissionsBoundary, sets.session, sets.vpcEndpoint]) {
    for (const policy of policies ?? []) {
      let own = policyReads.get(policy);
      if (own === undefined) {
        own = { context: policy.referencedKeys.size > 0, serviceKeys: [...policy.referencedKeys].some((key) => key.startsWith('dynamodb:')) };
        policyReads.set(policy, own);
      }
      reads.context ||= own.context;
      reads.serviceKeys ||= own.serviceKeys;
    }
  }
  return reads;
}

const NO_CONTEXT: ConditionContext = new Map();

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
  const reads = readsOf(sets);
  const base = reads.context
    ? globalConditionContext({
        principal,
        path: ctx.path,
        secureTransport: ctx.attribution?.secureTransport ?? false,
        receivedAtMs: ctx.receivedAtMs,
        userAgent: ctx.userAgent,
        requestedRegion,
      })
    : NO_CONTEXT;
  for (const target of ctx.request!.targets) {
    if (target.exemptOnPublicPath && ctx.path?.kind === 'public') {
      ctx.trace.push({ stage: 'authorize', decision: 'continue', detail: `${target.action} is not authorized on the public endpoint (DynamoDB skips it there)` });
      continue;
    }
    const context: ConditionContext = reads.serviceKeys && target.conditionKeys ? new LayeredContext(base, contextFromRecord(target.conditionKeys())) : base;
    const request = { action: target.action, resource: target.resource, principal: principal.asRequestPrincipal, context };
    const decision = evaluateAuthorization(sets, request);
    if (decision.result !== 'Allowed') {
      // Denials are rare: evaluate again with the full explanation for the trace.
      const explained = evaluateAuthorization(sets, request, true);
      const endpointOnly = deniedOnlyByEndpointPolicy(explained);
      if (endpointOnly) ctx.deniedByEndpointPolicyOnly = true;
      ctx.trace.push({
        stage: 'authorize',
        decision: 'deny',
        detail: `${explained.result} ${target.action} on ${target.resource} by the ${KIND_NAMES[explained.deniedBy ?? 'identity']}`,
        ...(explained.deciding ? { rule: explained.deciding } : {}),
        ...(endpointOnly ? { code: 'VPCE_POLICY_DENY' } : {}),
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
