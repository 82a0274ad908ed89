import { stsError } from '../errors.js';
import { issueSession } from '../credentials.js';
import type { StsOperation } from '../operation.js';

interface GetSessionTokenInput {
  durationS: number;
  serialNumber: string | undefined;
  tokenCode: string | undefined;
}

/** 15 minutes to 36 hours; 12 hours when not asked (AWS's limits for IAM users). */
const MIN_DURATION_S = 900;
const MAX_DURATION_S = 129_600;
const DEFAULT_DURATION_S = 43_200;

/** A user's own temporary credentials. No permission is needed: policies cannot control it (AWS's rule). */
export const getSessionToken: StsOperation<GetSessionTokenInput> = {
  name: 'GetSessionToken',
  read: (input) => ({
    durationS: input.integer('DurationSeconds', { min: MIN_DURATION_S, max: MAX_DURATION_S }) ?? DEFAULT_DURATION_S,
    serialNumber: input.string('SerialNumber', { min: 9, max: 256, pattern: /^[\w+=/:,.@-]*$/, patternText: '[\\w+=/:,.@-]*' }),
    tokenCode: input.string('TokenCode', { min: 6, max: 6, pattern: /^\d*$/, patternText: '[\\d]*' }),
  }),
  authorization: () => [],
  requestParameters: (input) => ({ durationSeconds: input.durationS }),
  execute(input, ctx) {
    if (ctx.caller.session) throw stsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    // Unverified text: cove has no MFA devices, so no code can be checked.
    if (input.serialNumber !== undefined || input.tokenCode !== undefined) throw stsError('AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code. cove has no MFA devices.', 403);
    return { Credentials: issueSession(ctx, { kind: 'user', userName: ctx.caller.userName, userId: ctx.caller.principalId }, input.durationS) };
  },
};
