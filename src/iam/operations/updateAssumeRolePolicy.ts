import { entityTarget, mutableRole } from '../entities.js';
import { iamOperation } from '../operation.js';
import { checkTrustDocument } from './createRole.js';

interface Input {
  RoleName: string;
  PolicyDocument: string;
}

/** A new trust policy: the next AssumeRole, in every worker, is decided by it. */
export const updateAssumeRolePolicy = iamOperation<Input>({
  name: 'UpdateAssumeRolePolicy',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:UpdateAssumeRolePolicy', 'role', input.RoleName)],
  async execute(input, ctx) {
    checkTrustDocument(input.PolicyDocument);
    await ctx.directory.update((tables) => {
      mutableRole(tables, input.RoleName).trust = input.PolicyDocument;
    });
    return {};
  },
});
