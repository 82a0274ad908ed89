import { noSuchAttachablePolicy } from '../errors.js';
import { listAnswer, page, versionShape, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input extends PageInput {
  PolicyArn: string;
}

/** Versions, newest first, without their documents. */
export const listPolicyVersions = iamOperation<Input>({
  name: 'ListPolicyVersions',
  readOnly: true,
  authorization: (input) => [{ action: 'iam:ListPolicyVersions', resource: input.PolicyArn }],
  execute(input, ctx) {
    const policy = ctx.directory.tables.policies.get(input.PolicyArn);
    if (policy === undefined) throw noSuchAttachablePolicy(input.PolicyArn);
    // Newest first: the sort key orders by descending version number.
    const sortKey = (id: string) => String(1e9 - Number(/^v(\d+)/.exec(id)?.[1] ?? 0)).padStart(10, '0');
    return listAnswer('Versions', page(policy.versions, (v) => sortKey(v.id), input), (v) => versionShape(policy, v, false));
  },
});
