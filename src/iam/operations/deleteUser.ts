import { deleteConflict } from '../errors.js';
import { entityTarget, mutableUser } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  UserName: string;
}

/** A user with nothing left: IAM refuses while it has keys, policies or groups. Its sessions end with it. */
export const deleteUser = iamOperation<Input>({
  name: 'DeleteUser',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:DeleteUser', 'user', input.UserName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const user = mutableUser(tables, input.UserName);
      if (tables.keysOf(user.name).length > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
      if (user.inline.length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (user.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      // Unverified text: IAM's answer for a user still in a group.
      if (user.groups.length > 0) throw deleteConflict('Cannot delete entity, must remove users from group first.');
      tables.users.delete(nameKey(user.name));
    });
    return {};
  },
});
