import { iamError } from '../errors.js';
import { entityTarget, existingGroup, mutableUser } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  GroupName: string;
  UserName: string;
}

export const removeUserFromGroup = iamOperation<Input>({
  name: 'RemoveUserFromGroup',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:RemoveUserFromGroup', 'group', input.GroupName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const group = existingGroup(tables, input.GroupName);
      const user = mutableUser(tables, input.UserName);
      const at = user.groups.findIndex((name) => nameKey(name) === nameKey(group.name));
      // Unverified text: IAM's answer for a user who is not in the group.
      if (at === -1) throw iamError('NoSuchEntity', `The user with name ${user.name} cannot be found in group ${group.name}.`, 404);
      user.groups.splice(at, 1);
    });
    return {};
  },
});
