import { declaredInConfig, noSuchAccessKey } from '../errors.js';
import { entityTarget, existingUser, userNameOrCaller } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

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
      const user = existingUser(tables, userNameOrCaller(input.UserName, ctx.caller));
      const key = tables.accessKeys.get(input.AccessKeyId);
      if (key === undefined || nameKey(key.userName) !== nameKey(user.name)) throw noSuchAccessKey(input.AccessKeyId);
      if (key.origin !== 'api') throw declaredInConfig(`the access key ${key.id}`);
      tables.accessKeys.delete(key.id);
    });
    return {};
  },
});
