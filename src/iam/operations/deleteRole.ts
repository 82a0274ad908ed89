import { deleteConflict } from '../errors.js';
import { entityTarget, mutableRole } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input {
  RoleName: string;
}

/** A role without policies. Its sessions end with it (they are rebuilt against roles that exist). */
export const deleteRole = iamOperation<Input>({
  name: 'DeleteRole',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:DeleteRole', 'role', input.RoleName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const role = mutableRole(tables, input.RoleName);
      if (role.attached.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
      if (role.inline.length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
      tables.roles.delete(nameKey(role.name));
    });
    return {};
  },
});
