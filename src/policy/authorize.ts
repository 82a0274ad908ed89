import { coralError, type AwsError } from '../errors.js';
import type { Finding, ReachingPath, Stage } from '../context.js';
import type { Principal } from '../auth/identities.js';
import type { AuthorizationTarget } from '../service.js';
import { LayeredContext, contextFromRecord, type ConditionContext, type ContextValue } from './conditionContext.js';
import { KIND_NAMES, type CompiledPolicy, type PolicyKind } from './document.js';
import { deniedOnlyByEndpointPolicy, evaluateAuthorization, evaluatePolicies, type AuthorizationDecision, type AuthorizationRequest, type AuthorizationResult, type PolicySets, type SetEvaluation, type StatementTrace } from './evaluate.js';
import { namesPrincipal } from './principals.js';
import { globalConditionContext, type RequestFacts } from './requestContext.js';

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
function readsOf(sets: PolicySets, targets: readonly AuthorizationTarget[]): Reads {
  const reads: Reads = { context: false, serviceKeys: false };
  // Only AssumeRole's targets carry a trust policy: no allocation for every other request.
  const trustPolicies = targets.some((target) => target.trustPolicy) ? targets.flatMap((target) => (target.trustPolicy ? [target.trustPolicy] : [])) : undefined;
  for (const policies of [sets.identity, sets.permissionsBoundary, sets.session, sets.vpcEndpoint, trustPolicies]) {
    for (const policy of policies ?? []) {
      let own = policyReads.get(policy);
      if (own === undefined) {
        // A service's own keys have its prefix (`dynamodb:`, `sts:`); only the global ones are `aws:`.
        own = { context: policy.referencedKeys.size > 0, serviceKeys: [...policy.referencedKeys].some((key) => !key.startsWith('aws:')) };
        policyReads.set(policy, own);
      }
      reads.context ||= own.context;
      reads.serviceKeys ||= own.serviceKeys;
    }
  }
  return reads;
}

const NO_CONTEXT: ConditionContext = new Map();

/** A line per statement consulted, and why it did or did not match: the trace of a denial. */
function explanationLines(decision: AuthorizationDecision): string[] {
  const line = (t: StatementTrace) => `${t.kind} ${t.policy} Statement[${t.statementIndex}]${t.sid ? ` (${t.sid})` : ''} ${t.effect}: ${t.matched ? 'matched' : 'no match'}: ${t.reason}`;
  return decision.sets.flatMap((set) => (set.trace.length > 0 ? set.trace.map(line) : [`${set.kind}: no statements`]));
}

/** What an authorization decision is made of: who asks, over which path, and the request's facts. */
export interface AuthorizationInputs extends RequestFacts {
  principal: Principal;
  path: ReachingPath;
  /** Actions the service answers on its public endpoint without an IAM check, as its operations name them. */
  actionsExemptOnPublicPath: ReadonlySet<string>;
  /** Condition keys set by hand (`cove explain --context`), over what the request would carry. */
  contextOverrides?: ReadonlyMap<string, ContextValue>;
}

/** The policy sets that apply to a principal's request over a path: identity, boundary, session and endpoint policies. */
export function policySetsFor(principal: Principal, path: AuthorizationInputs['path']): PolicySets {
  return {
    identity: principal.identityPolicies,
    permissionsBoundary: principal.permissionsBoundary,
    ...(principal.sessionPolicies && principal.sessionPolicies.length > 0 ? { session: principal.sessionPolicies } : {}),
    ...(path.kind === 'endpoint' ? { vpcEndpoint: [path.endpointPolicy] } : {}),
  };
}

/** The decision on one target. */
export type TargetDecision =
  | { target: AuthorizationTarget; result: 'NotAuthorized' }
  | {
      target: AuthorizationTarget;
      result: AuthorizationResult;
      request: AuthorizationRequest;
      decision: AuthorizationDecision;
      /** For a denial: AWS's AccessDenied text. */
      message?: string;
      /** For a denial: the VPC endpoint policy alone denied it. */
      endpointPolicyOnly: boolean;
    };

/**
 * The one authorization decision, for the server's authorize stage and for `cove explain`: every
 * target must be allowed by the principal's policies (identity ∩ boundary) and by the
 * endpoint policy of the path; the first denial ends it. A denial (or every target, with
 * `explain`) is evaluated with the full explanation. The request context is built only when some
 * policy reads it (always with `explain`).
 */
export function decideAuthorization(inputs: AuthorizationInputs, targets: readonly AuthorizationTarget[], explain = false): TargetDecision[] {
  const sets = policySetsFor(inputs.principal, inputs.path);
  const reads = explain ? { context: true, serviceKeys: true } : readsOf(sets, targets);
  const base = reads.context ? contextOf(inputs) : NO_CONTEXT;
  const decisions: TargetDecision[] = [];
  for (const target of targets) {
    if (inputs.path.kind === 'public' && inputs.actionsExemptOnPublicPath.has(target.action)) {
      decisions.push({ target, result: 'NotAuthorized' });
      continue;
    }
    const context: ConditionContext = reads.serviceKeys && target.conditionKeys ? new LayeredContext(base, contextFromRecord(target.conditionKeys())) : base;
    const request = { action: target.action, resource: target.resource, principal: inputs.principal.asRequestPrincipal, context };
    let decision = target.trustPolicy ? decideWithTrust(sets, target.trustPolicy, request, explain) : evaluateAuthorization(sets, request, explain);
    if (decision.result === 'Allowed') {
      decisions.push({ target, result: 'Allowed', request, decision, endpointPolicyOnly: false });
      continue;
    }
    // Denials are rare: evaluate again with the full explanation.
    if (!explain) decision = target.trustPolicy ? decideWithTrust(sets, target.trustPolicy, request, true) : evaluateAuthorization(sets, request, true);
    const message = decision.deniedBy === 'trust' ? `User: ${inputs.principal.arn} is not authorized to perform: ${target.action} on resource: ${target.resource}` : accessDeniedMessage(inputs.principal.arn, target.action, target.resource, decision);
    decisions.push({ target, result: decision.result, request, decision, message, endpointPolicyOnly: inputs.path.kind === 'endpoint' && deniedOnlyByEndpointPolicy(decision) });
    break;
  }
  return decisions;
}

/**
 * A role's assumption, as AWS decides it in one account: the trust policy must allow the caller,
 * and no policy may deny; the identity policies (with boundary and session policies) must allow
 * too, unless the trust policy's allowing statement names the caller itself by ARN.
 */
function decideWithTrust(sets: PolicySets, trust: CompiledPolicy, request: AuthorizationRequest, explain: boolean): AuthorizationDecision {
  const trusted = evaluatePolicies('trust', [trust], request, explain);
  const identity = evaluateAuthorization(sets, request, explain);
  const all = [trusted, ...identity.sets];
  if (trusted.decision === 'ExplicitDeny' || (trusted.decision === 'ImplicitDeny' && identity.result !== 'ExplicitlyDenied')) {
    return { result: trusted.decision === 'ExplicitDeny' ? 'ExplicitlyDenied' : 'ImplicitlyDenied', deniedBy: 'trust', blockedBy: ['trust', ...identity.blockedBy], ...(trusted.deciding ? { deciding: trusted.deciding } : {}), sets: all };
  }
  if (identity.result === 'ImplicitlyDenied' && namedByAllowingStatement(trust, trusted, request)) {
    return { result: 'Allowed', blockedBy: [], deciding: trusted.deciding, sets: all };
  }
  return { ...identity, sets: all };
}

function namedByAllowingStatement(trust: CompiledPolicy, evaluation: SetEvaluation, request: AuthorizationRequest): boolean {
  const principal = evaluation.deciding && trust.statements[evaluation.deciding.statementIndex]?.principal;
  return principal !== undefined && namesPrincipal(principal, request.principal);
}

function contextOf(inputs: AuthorizationInputs): Map<string, ContextValue> {
  const context = globalConditionContext(inputs);
  for (const [key, value] of inputs.contextOverrides ?? []) context.set(key.toLowerCase(), value);
  return context;
}

/**
 * authorize: the request's targets, decided by `decideAuthorization`. A denial carries AWS's
 * message; its trace line names the deciding statement and why each statement did or did not match.
 */
export const authorizeStage: Stage<{ region: string }> = {
  name: 'authorize',
  run(ctx, env) {
    const path = ctx.path;
    if (path === undefined || path.kind === 'unreachable') throw new Error('authorize: no network path reaches the service');
    const inputs: AuthorizationInputs = {
      principal: ctx.principal!,
      path,
      secureTransport: ctx.attribution?.secureTransport ?? false,
      receivedAtMs: ctx.receivedAtMs,
      userAgent: ctx.userAgent,
      requestedRegion: env.region,
      actionsExemptOnPublicPath: ctx.service.actionsExemptOnPublicPath,
    };
    const findings: Finding[] = [];
    for (const decided of decideAuthorization(inputs, ctx.request!.targets)) {
      const { action, resource } = decided.target;
      if (decided.result === 'NotAuthorized') {
        findings.push({ decision: 'continue', detail: `${action} is not authorized on the public endpoint (${ctx.service.displayName} skips it there)` });
      } else if (decided.result === 'Allowed') {
        findings.push({ decision: 'continue', detail: `${action} on ${resource} allowed`, rule: decided.decision.deciding });
      } else {
        const { decision, endpointPolicyOnly } = decided;
        findings.push({
          decision: 'deny',
          detail: `${decision.result} ${action} on ${resource} by the ${KIND_NAMES[decision.deniedBy ?? 'identity']}`,
          ...(decision.deciding ? { rule: decision.deciding } : {}),
          ...(endpointPolicyOnly ? { code: VPCE_POLICY_DENY } : {}),
          explanation: explanationLines(decision),
        });
        return { findings, end: { error: accessDenied(decided.message!) } };
      }
    }
    return { findings };
  },
};

/** The trace code of a request that only the VPC endpoint policy denied (CloudTrail: a network activity event). */
export const VPCE_POLICY_DENY = 'VPCE_POLICY_DENY';

function accessDenied(message: string): AwsError {
  return coralError('AccessDeniedException', message, 'Message');
}
