import { deleteConflict, noSuchAttachablePolicy, noSuchPolicyVersion } from '../errors.js';
import { mutablePolicy } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  PolicyArn: string;
  VersionId: string;
}

/** Any version but the default (DeletePolicy removes that one with the policy). */
export const deletePolicyVersion = iamOperation<Input>({
  name: 'DeletePolicyVersion',
  readOnly: false,
  authorization: (input) => [{ action: 'iam:DeletePolicyVersion', resource: input.PolicyArn }],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const policy = mutablePolicy(tables, input.PolicyArn, noSuchAttachablePolicy);
      const at = policy.versions.findIndex((v) => v.id === input.VersionId);
      if (at === -1) throw noSuchPolicyVersion(policy.arn, input.VersionId);
      if (policy.defaultVersion === input.VersionId) throw deleteConflict('Cannot delete the default version of a policy.');
      policy.versions.splice(at, 1);
    });
    return {};
  },
});
