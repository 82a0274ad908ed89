import { entityAlreadyExists, invalidInput, limitExceeded, noSuchAttachablePolicy } from '../errors.js';
import { checkDocument, checkNameFree, PROTECTED_ROLE_PATHS, checkTagsUnique, entityArn, newId, requestTagKeys, roleShape, wholeSecondsMs } from '../entities.js';
import { DEFAULT_MAX_SESSION_DURATION_S, MAX_TRUST_POLICY_CHARS, policySizeChars } from '../limits.js';
import { iamOperation } from '../operation.js';
import { nameKey, type RoleRecord, type Tag } from '../state.js';

interface Input {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

/** A trust policy as IAM accepts it: a valid trust policy, within the role's ACL size quota. */
export function checkTrustDocument(document: string): void {
  checkDocument(document, 'trust');
  if (policySizeChars(document) > MAX_TRUST_POLICY_CHARS) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${MAX_TRUST_POLICY_CHARS}`);
}

/**
 * A role STS can assume at once (every worker rebuilds its roles on the change). Roles under
 * /aws-service-role/ and /aws-reserved/ are AWS's own: CreateRole refuses those paths.
 */
export const createRole = iamOperation<Input>({
  name: 'CreateRole',
  readOnly: false,
  authorization: (input, ctx) => [
    {
      action: 'iam:CreateRole',
      resource: entityArn(ctx.accountId, 'role', input.Path ?? '/', input.RoleName),
      conditionKeys: () => ({ ...requestTagKeys(input.Tags), 'iam:PermissionsBoundary': input.PermissionsBoundary }),
    },
  ],
  async execute(input, ctx) {
    checkTrustDocument(input.AssumeRolePolicyDocument);
    checkTagsUnique(input.Tags ?? []);
    const path = input.Path ?? '/';
    // Unverified text: IAM's answer for CreateRole under the service-linked path.
    if (PROTECTED_ROLE_PATHS.some((reserved) => path.startsWith(reserved))) throw invalidInput(`The path ${path} is reserved for roles AWS creates (service-linked and Identity Center roles); cove's API creates none.`);
    const role = await ctx.directory.update((tables) => {
      checkNameFree(tables, 'role', input.RoleName, entityAlreadyExists);
      if (input.PermissionsBoundary !== undefined && !tables.policies.has(input.PermissionsBoundary)) throw noSuchAttachablePolicy(input.PermissionsBoundary);
      const created: RoleRecord = {
        name: input.RoleName,
        path,
        id: newId('AROA'),
        createdAtMs: wholeSecondsMs(ctx.nowMs),
        origin: 'api',
        trust: input.AssumeRolePolicyDocument,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        maxSessionDurationS: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION_S,
        tags: input.Tags ?? [],
        inline: [],
        attached: [],
        ...(input.PermissionsBoundary !== undefined ? { boundary: input.PermissionsBoundary } : {}),
      };
      tables.roles.set(nameKey(created.name), created);
      return created;
    });
    return { Role: roleShape(ctx.accountId, role) };
  },
});
