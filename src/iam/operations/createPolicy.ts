import { iamError, limitExceeded } from '../errors.js';
import { checkDocument, checkTagsUnique, entityArn, newId, policyShape, requestTagKeys, wholeSecondsMs } from '../entities.js';
import { MAX_MANAGED_POLICY_CHARS, policySizeChars } from '../limits.js';
import { iamOperation } from '../operation.js';
import type { PolicyRecord, Tag } from '../state.js';

interface Input {
  PolicyName: string;
  Path?: string;
  PolicyDocument: string;
  Description?: string;
  Tags?: Tag[];
}

/** Checks a managed policy version's document: valid, and within IAM's size for managed policies. */
export function checkManagedDocument(document: string): void {
  checkDocument(document, 'identity');
  if (policySizeChars(document) > MAX_MANAGED_POLICY_CHARS) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MAX_MANAGED_POLICY_CHARS}`);
}

/** A customer managed policy, version v1 its default. Names are unique in the account whatever the path or case. */
export const createPolicy = iamOperation<Input>({
  name: 'CreatePolicy',
  readOnly: false,
  authorization: (input, ctx) => [{ action: 'iam:CreatePolicy', resource: entityArn(ctx.accountId, 'policy', input.Path ?? '/', input.PolicyName), conditionKeys: () => requestTagKeys(input.Tags) }],
  async execute(input, ctx) {
    checkManagedDocument(input.PolicyDocument);
    checkTagsUnique(input.Tags ?? []);
    const nowMs = wholeSecondsMs(ctx.nowMs);
    const policy = await ctx.directory.update((tables) => {
      const path = input.Path ?? '/';
      const arn = entityArn(ctx.accountId, 'policy', path, input.PolicyName);
      const hidden = tables.shadowed.policies.some((p) => p.name.toLowerCase() === input.PolicyName.toLowerCase());
      if (tables.policyNamed(input.PolicyName) !== undefined || hidden) throw iamError('EntityAlreadyExists', `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`, 409);
      const created: PolicyRecord = {
        name: input.PolicyName,
        path,
        id: newId('ANPA'),
        createdAtMs: nowMs,
        origin: 'api',
        arn,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        defaultVersion: 'v1',
        versions: [{ id: 'v1', document: input.PolicyDocument, createdAtMs: nowMs }],
        nextVersion: 2,
        updatedAtMs: nowMs,
        tags: input.Tags ?? [],
      };
      tables.policies.set(arn, created);
      return created;
    });
    return { Policy: policyShape(ctx.directory.tables, policy) };
  },
});
