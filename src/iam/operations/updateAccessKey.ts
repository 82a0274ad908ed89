import { entityTarget, mutableKeyOf, userNameOrCaller } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  UserName?: string;
  AccessKeyId: string;
  Status: 'Active' | 'Inactive' | 'Expired';
}

/** Active or Inactive: an Inactive key authenticates nothing, in every worker, from the next request on. */
export const updateAccessKey = iamOperation<Input>({
  name: 'UpdateAccessKey',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:UpdateAccessKey', 'user', userNameOrCaller(input.UserName, ctx.caller))],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const key = mutableKeyOf(tables, userNameOrCaller(input.UserName, ctx.caller), input.AccessKeyId);
      // Unverified: IAM's answer for Status Expired (which only its own processes set); cove keeps it Inactive.
      key.status = input.Status === 'Active' ? 'Active' : 'Inactive';
    });
    return {};
  },
});
