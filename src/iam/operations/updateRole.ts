import { entityTarget, mutableRole } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  RoleName: string;
  Description?: string;
  MaxSessionDuration?: number;
}

export const updateRole = iamOperation<Input>({
  name: 'UpdateRole',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:UpdateRole', 'role', input.RoleName)],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const role = mutableRole(tables, input.RoleName);
      if (input.Description !== undefined) role.description = input.Description;
      if (input.MaxSessionDuration !== undefined) role.maxSessionDurationS = input.MaxSessionDuration;
    });
    return {};
  },
});
