import { entityArn, listAnswer, page, policyShape, policyUsage, underPath, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input extends PageInput {
  Scope?: 'All' | 'AWS' | 'Local';
  OnlyAttached?: boolean;
  PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
}

/**
 * Managed policies: `AWS` the bundled AWS managed ones (cove bundles a few, not AWS's thousand),
 * `Local` the account's (declared and created), `All` both. OnlyAttached keeps those in use.
 */
export const listPolicies = iamOperation<Input>({
  name: 'ListPolicies',
  readOnly: true,
  authorization: (_input, ctx) => [{ action: 'iam:ListPolicies', resource: entityArn(ctx.accountId, 'policy', '/', '') }],
  execute(input, ctx) {
    const tables = ctx.directory.tables;
    const scope = input.Scope ?? 'All';
    const policies = [...tables.policies.values()].filter((policy) => {
      if (scope === 'AWS' && policy.origin !== 'aws') return false;
      if (scope === 'Local' && policy.origin === 'aws') return false;
      if (!underPath(policy.path, input.PathPrefix)) return false;
      const usage = policyUsage(tables, policy.arn);
      if (input.OnlyAttached === true && usage.attachments + usage.boundaries === 0) return false;
      if (input.PolicyUsageFilter === 'PermissionsPolicy' && usage.attachments === 0) return false;
      if (input.PolicyUsageFilter === 'PermissionsBoundary' && usage.boundaries === 0) return false;
      return true;
    });
    // ListPolicies answers no tags (IAM's documented behaviour).
    return listAnswer('Policies', page(policies, (policy) => `${policy.name.toLowerCase()}\0${policy.arn}`, input), (policy) => policyShape(tables, policy, false));
  },
});
