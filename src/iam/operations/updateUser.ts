import { entityAlreadyExists } from '../errors.js';
import { checkNameFree, entityTarget, mutableUser } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  UserName: string;
  NewPath?: string;
  NewUserName?: string;
}

/** A new name or path for a user; its keys and its groups' memberships follow it. */
export const updateUser = iamOperation<Input>({
  name: 'UpdateUser',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:UpdateUser', 'user', input.UserName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const user = mutableUser(tables, input.UserName);
      const newName = input.NewUserName ?? user.name;
      if (nameKey(newName) !== nameKey(user.name)) checkNameFree(tables, 'user', newName, entityAlreadyExists);
      for (const key of tables.keysOf(user.name)) key.userName = newName;
      tables.users.delete(nameKey(user.name));
      user.name = newName;
      user.path = input.NewPath ?? user.path;
      tables.users.set(nameKey(newName), user);
    });
    return {};
  },
});
