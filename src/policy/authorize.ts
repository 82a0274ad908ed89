import { coralError } from '../errors.js';
import type { RequestContext } from '../context.js';
import { evaluatePolicies } from './evaluate.js';

/**
 * authorize: every IAM target the request names must be allowed by the
 * principal's identity policies. Denials carry AWS's message and the deciding
 * statement in the trace.
 */
export function authorize(ctx: RequestContext): void {
  const principal = ctx.principal!;
  for (const target of ctx.request!.targets) {
    const decision = evaluatePolicies(principal.identityPolicies, target);
    const prefix = `User: ${principal.arn} is not authorized to perform: ${target.action} on resource: ${target.resource}`;
    if (decision.effect === 'ExplicitDeny') {
      ctx.trace.push({ stage: 'authorize', decision: 'deny', detail: `explicit deny of ${target.action} on ${target.resource}`, rule: decision.deciding });
      throw coralError('AccessDeniedException', `${prefix} with an explicit deny in an identity-based policy`, 'Message');
    }
    if (decision.effect === 'ImplicitDeny') {
      ctx.trace.push({ stage: 'authorize', decision: 'deny', detail: `no identity-based policy allows ${target.action} on ${target.resource}` });
      throw coralError('AccessDeniedException', `${prefix} because no identity-based policy allows the ${target.action} action`, 'Message');
    }
    ctx.trace.push({ stage: 'authorize', decision: 'continue', detail: `${target.action} on ${target.resource} allowed`, rule: decision.deciding });
  }
}
