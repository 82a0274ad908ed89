import { limitExceeded } from '../errors.js';
import { entityTarget, existingGroup, mutableUser } from '../entities.js';
import { MAX_GROUPS_PER_USER } from '../limits.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  GroupName: string;
  UserName: string;
}

/**
 * Membership is kept on the user, so an API user may join a group cove.yaml declares (the group is
 * not changed); a declared user's groups are the file's.
 */
export const addUserToGroup = iamOperation<Input>({
  name: 'AddUserToGroup',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:AddUserToGroup', 'group', input.GroupName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const group = existingGroup(tables, input.GroupName);
      const user = mutableUser(tables, input.UserName);
      if (user.groups.some((name) => nameKey(name) === nameKey(group.name))) return;
      if (user.groups.length >= MAX_GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
      user.groups.push(group.name);
    });
    return {};
  },
});
