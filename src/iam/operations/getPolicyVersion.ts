import { noSuchPolicyVersion } from '../errors.js';
import { versionShape } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  PolicyArn: string;
  VersionId: string;
}

/** A version's document, URL-encoded as IAM answers it. */
export const getPolicyVersion = iamOperation<Input>({
  name: 'GetPolicyVersion',
  readOnly: true,
  authorization: (input) => [{ action: 'iam:GetPolicyVersion', resource: input.PolicyArn }],
  execute(input, ctx) {
    const policy = ctx.directory.tables.policies.get(input.PolicyArn);
    const version = policy?.versions.find((v) => v.id === input.VersionId);
    if (policy === undefined || version === undefined) throw noSuchPolicyVersion(input.PolicyArn, input.VersionId);
    return { PolicyVersion: versionShape(policy, version) };
  },
});
