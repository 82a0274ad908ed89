import { entityTarget, mutableKeyOf, userNameOrCaller } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  UserName?: string;
  AccessKeyId: string;
}

export const deleteAccessKey = iamOperation<Input>({
  name: 'DeleteAccessKey',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:DeleteAccessKey', 'user', userNameOrCaller(input.UserName, ctx.caller))],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const key = mutableKeyOf(tables, userNameOrCaller(input.UserName, ctx.caller), input.AccessKeyId);
      tables.accessKeys.delete(key.id);
    });
    return {};
  },
});
