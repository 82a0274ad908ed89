import { deleteConflict, policyNotFound } from '../errors.js';
import { mutablePolicy, policyUsage } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  PolicyArn: string;
}

/** A customer managed policy that nothing attaches and that has only its default version left. */
export const deletePolicy = iamOperation<Input>({
  name: 'DeletePolicy',
  readOnly: false,
  authorization: (input) => [{ action: 'iam:DeletePolicy', resource: input.PolicyArn }],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const policy = mutablePolicy(tables, input.PolicyArn, policyNotFound);
      const usage = policyUsage(tables, policy.arn);
      // A boundary in use counts as an attachment (unverified: IAM's text for that case).
      if (usage.attachments > 0 || usage.boundaries > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
      if (policy.versions.length > 1) throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      tables.policies.delete(policy.arn);
    });
    return {};
  },
});
