import { deleteConflict } from '../errors.js';
import { entityTarget, mutableGroup } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  GroupName: string;
}

export const deleteGroup = iamOperation<Input>({
  name: 'DeleteGroup',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:DeleteGroup', 'group', input.GroupName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const group = mutableGroup(tables, input.GroupName);
      const hasMembers = [...tables.users.values()].some((user) => user.groups.some((name) => nameKey(name) === nameKey(group.name)));
      if (hasMembers) throw deleteConflict('Cannot delete entity, must remove users from group first.');
      if (group.inline.length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      if (group.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      tables.groups.delete(nameKey(group.name));
    });
    return {};
  },
});
