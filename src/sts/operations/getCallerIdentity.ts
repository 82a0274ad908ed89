import type { StsOperation } from '../operation.js';

/** Who the caller is. No permission is needed, and no policy can deny it (AWS's rule). */
export const getCallerIdentity: StsOperation<Record<string, never>> = {
  name: 'GetCallerIdentity',
  read: () => ({}),
  authorization: () => [],
  requestParameters: () => null,
  execute: (_input, ctx) => ({ UserId: ctx.caller.principalId, Account: ctx.caller.accountId, Arn: ctx.caller.arn }),
};
