/**
 * IAM's limits, as AWS's IAM quotas page gives them (reference_iam-quotas). Policy sizes count
 * the document's characters without white space, as IAM counts them.
 */
export const MAX_ACCESS_KEYS_PER_USER = 2;
export const MAX_POLICY_VERSIONS = 5;
/** Inline policies: the total of a user's (or role's, group's) inline documents. */
export const MAX_USER_INLINE_POLICY_CHARS = 2048;
export const MAX_ROLE_INLINE_POLICY_CHARS = 10_240;
export const MAX_GROUP_INLINE_POLICY_CHARS = 5120;
/** A customer managed policy's document (each version). */
export const MAX_MANAGED_POLICY_CHARS = 6144;
/** A role's trust policy (IAM's quota ACLSizePerRole, 2048 by default; AWS raises it to 4096 on request). */
export const MAX_TRUST_POLICY_CHARS = 2048;
/** Managed policies attached to one user, group or role (10 by default). */
export const MAX_ATTACHED_POLICIES = 10;
/** Groups a user is in. */
export const MAX_GROUPS_PER_USER = 10;
export const MAX_TAGS_PER_ENTITY = 50;
/** List* answers without MaxItems: 100 items (the model's documented default). */
export const DEFAULT_MAX_ITEMS = 100;
/** Role sessions: 1 hour unless the role says up to 12 (CreateRole's MaxSessionDuration). */
export const DEFAULT_MAX_SESSION_DURATION_S = 3600;

/** A document's size as IAM counts it against the quotas above: white space does not count. */
export function policySizeChars(document: string): number {
  return document.replace(/\s/g, '').length;
}
