import { policyNotFound } from '../errors.js';
import { policyShape } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  PolicyArn: string;
}

export const getPolicy = iamOperation<Input>({
  name: 'GetPolicy',
  readOnly: true,
  authorization: (input) => [{ action: 'iam:GetPolicy', resource: input.PolicyArn }],
  execute(input, ctx) {
    const policy = ctx.directory.tables.policies.get(input.PolicyArn);
    if (policy === undefined) throw policyNotFound(input.PolicyArn);
    return { Policy: policyShape(ctx.directory.tables, policy) };
  },
});
