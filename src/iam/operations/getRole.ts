import { entityTarget, existingRole, roleShape } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  RoleName: string;
}

export const getRole = iamOperation<Input>({
  name: 'GetRole',
  readOnly: true,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:GetRole', 'role', input.RoleName)],
  execute: (input, ctx) => ({ Role: roleShape(ctx.accountId, existingRole(ctx.directory.tables, input.RoleName)) }),
});
