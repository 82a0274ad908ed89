import { entityArn } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  AccessKeyId: string;
}

/**
 * Who owns a key. cove does not track use (a write per request would cost every request), so the
 * answer is IAM's for a key never used: Region and ServiceName `N/A`.
 */
export const getAccessKeyLastUsed = iamOperation<Input>({
  name: 'GetAccessKeyLastUsed',
  readOnly: true,
  authorization: (input, ctx) => {
    const key = ctx.directory.tables.accessKeys.get(input.AccessKeyId);
    const owner = key === undefined ? undefined : ctx.directory.tables.user(key.userName);
    return [{ action: 'iam:GetAccessKeyLastUsed', resource: owner ? entityArn(ctx.accountId, 'user', owner.path, owner.name) : '*' }];
  },
  execute(input, ctx) {
    const key = ctx.directory.tables.accessKeys.get(input.AccessKeyId);
    // IAM answers an unknown key with no user rather than an error (unverified).
    return { UserName: key?.userName, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } };
  },
});
