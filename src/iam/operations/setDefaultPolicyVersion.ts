import { noSuchAttachablePolicy, noSuchPolicyVersion } from '../errors.js';
import { mutablePolicy, wholeSecondsMs } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  PolicyArn: string;
  VersionId: string;
}

/** Makes a version the one in force: every principal it is attached to is rebuilt with it at once. */
export const setDefaultPolicyVersion = iamOperation<Input>({
  name: 'SetDefaultPolicyVersion',
  readOnly: false,
  authorization: (input) => [{ action: 'iam:SetDefaultPolicyVersion', resource: input.PolicyArn }],
  async execute(input, ctx) {
    await ctx.directory.update((tables) => {
      const policy = mutablePolicy(tables, input.PolicyArn, noSuchAttachablePolicy);
      if (!policy.versions.some((v) => v.id === input.VersionId)) throw noSuchPolicyVersion(policy.arn, input.VersionId);
      policy.defaultVersion = input.VersionId;
      policy.updatedAtMs = wholeSecondsMs(ctx.nowMs);
    });
    return {};
  },
});
