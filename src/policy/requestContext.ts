import type { Principal } from '../auth/identities.js';
import type { NetworkPath } from '../context.js';
import type { ContextValue } from './conditionContext.js';

/** What the global keys are made of: the parts of a request the earlier stages established. */
export interface RequestFacts {
  principal: Principal | undefined;
  path: NetworkPath | undefined;
  secureTransport: boolean;
  receivedAtMs: number;
  userAgent: string;
  requestedRegion: string;
}

/**
 * The global condition keys of one request, built in this one place from what
 * the earlier stages established. A key is present only when AWS would set it:
 * `aws:SourceIp` only on a public path (never a private address),
 * `aws:SourceVpc`/`aws:SourceVpce`/`aws:VpcSourceIp` only through an endpoint,
 * `aws:username` only for IAM users, `aws:TokenIssueTime` and
 * `aws:MultiFactorAuthPresent` only for temporary credentials (none yet).
 */
export function globalConditionContext(facts: RequestFacts): Map<string, ContextValue> {
  const context = new Map<string, ContextValue>(facts.principal?.contextEntries);
  const path = facts.path;
  if (path?.kind === 'public') context.set('aws:sourceip', path.sourceIp);
  if (path?.kind === 'endpoint') {
    context.set('aws:sourcevpce', path.endpointId);
    if (path.vpcId !== undefined) context.set('aws:sourcevpc', path.vpcId);
    context.set('aws:vpcsourceip', path.sourceIp);
  }
  context.set('aws:securetransport', facts.secureTransport ? 'true' : 'false');
  const { iso, epoch } = timeKeys(facts.receivedAtMs);
  context.set('aws:currenttime', iso);
  context.set('aws:epochtime', epoch);
  context.set('aws:requestedregion', facts.requestedRegion);
  context.set('aws:useragent', facts.userAgent);
  context.set('aws:principalisawsservice', 'false');
  context.set('aws:viaawsservice', 'false');
  return context;
}

// Many requests share a second: format it once.
let cachedSecond = -1;
let cachedKeys = { iso: '', epoch: '' };

function timeKeys(nowMs: number): { iso: string; epoch: string } {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedKeys = { iso: new Date(second * 1000).toISOString().replace('.000Z', 'Z'), epoch: String(second) };
  }
  return cachedKeys;
}
