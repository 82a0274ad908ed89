/**
 * What IAM's operations share: ARNs, lookups with IAM's errors, the rule that only the API's own
 * entities change, policy documents checked as IAM checks them, answers' shapes, and paging.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/identities.js';
import type { ContextValue } from '../policy/conditionContext.js';
import type { AuthorizationTarget } from '../service.js';
import type { IamInterpretContext } from './operation.js';
import { compilePolicy, PolicyDocumentError, type PolicyKind } from '../policy/document.js';
import { awsManagedPolicy, declaredInConfig, iamError, invalidInput, limitExceeded, malformedPolicy, noSuchAccessKey, noSuchEntity, type EntityKind } from './errors.js';
import { DEFAULT_MAX_ITEMS, policySizeChars } from './limits.js';
import { nameKey, type AccessKeyRecord, type GroupRecord, type IamTables, type InlinePolicy, type PolicyRecord, type PolicyVersionRecord, type RoleRecord, type Tag, type UserRecord } from './state.js';

// ---- ARNs and IDs

export const entityArn = (accountId: string, kind: EntityKind | 'policy', path: string, name: string): string => `arn:aws:iam::${accountId}:${kind}${path}${name}`;

/** The ARN an operation on `name` is authorized on: the entity's own (with its path), or `/` for one that does not exist. */
export function targetArn(tables: IamTables, accountId: string, kind: EntityKind, name: string): string {
  const entity = kind === 'user' ? tables.user(name) : kind === 'group' ? tables.group(name) : tables.role(name);
  return entityArn(accountId, kind, entity?.path ?? '/', entity?.name ?? name);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh unique ID in IAM's format: a 4-letter prefix (`AIDA`, `AGPA`, `AROA`, `ANPA`) and 17 of [A-Z2-7]. */
export function newId(prefix: string): string {
  let out = prefix;
  for (const byte of randomBytes(17)) out += ID_ALPHABET[byte & 31];
  return out;
}

/** IAM's dates are whole seconds. */
export const wholeSecondsMs = (nowMs: number): number => Math.floor(nowMs / 1000) * 1000;

// ---- lookups

type Entity = UserRecord | GroupRecord | RoleRecord;

function lookup(tables: IamTables, kind: EntityKind, name: string): Entity {
  const entity = kind === 'user' ? tables.user(name) : kind === 'group' ? tables.group(name) : tables.role(name);
  if (entity === undefined) throw noSuchEntity(kind, name);
  return entity;
}

export const existingUser = (tables: IamTables, name: string) => lookup(tables, 'user', name) as UserRecord;
export const existingGroup = (tables: IamTables, name: string) => lookup(tables, 'group', name) as GroupRecord;
export const existingRole = (tables: IamTables, name: string) => lookup(tables, 'role', name) as RoleRecord;

/**
 * Roles AWS owns: service-linked roles (/aws-service-role/) and IAM Identity Center's
 * (/aws-reserved/). Only cove.yaml can declare roles there (CreateRole refuses the paths).
 */
export const PROTECTED_ROLE_PATHS: readonly string[] = ['/aws-service-role/', '/aws-reserved/'];

/** An entity the API may change: it exists, and it is the API's (not declared, not AWS's). */
function mutable(tables: IamTables, kind: EntityKind, name: string): Entity {
  const entity = lookup(tables, kind, name);
  if (kind === 'role' && PROTECTED_ROLE_PATHS.some((path) => entity.path.startsWith(path))) {
    throw iamError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${entity.name}' - this role is only modifiable by AWS`);
  }
  if (entity.origin !== 'api') throw declaredInConfig(`the ${kind} ${entity.name}`);
  return entity;
}

export const mutableUser = (tables: IamTables, name: string) => mutable(tables, 'user', name) as UserRecord;
export const mutableGroup = (tables: IamTables, name: string) => mutable(tables, 'group', name) as GroupRecord;
export const mutableRole = (tables: IamTables, name: string) => mutable(tables, 'role', name) as RoleRecord;

/** A key of the user the API may change: it is the user's, and the API's. */
export function mutableKeyOf(tables: IamTables, userName: string, accessKeyId: string): AccessKeyRecord {
  const user = lookup(tables, 'user', userName);
  const key = tables.accessKeys.get(accessKeyId);
  if (key === undefined || nameKey(key.userName) !== nameKey(user.name)) throw noSuchAccessKey(accessKeyId);
  if (key.origin !== 'api') throw declaredInConfig(`the access key ${key.id}`);
  return key;
}

/** A customer managed policy the API may change. */
export function mutablePolicy(tables: IamTables, arn: string, notFound: (arn: string) => Error): PolicyRecord {
  const policy = tables.policies.get(arn);
  if (policy === undefined) throw notFound(arn);
  if (policy.origin === 'aws') throw awsManagedPolicy(arn);
  if (policy.origin !== 'api') throw declaredInConfig(`the policy ${arn}`);
  return policy;
}

/** A name the API may take: neither a declared nor a stored entity has it, whatever the case. */
export function checkNameFree(tables: IamTables, kind: EntityKind, name: string, exists: (kind: EntityKind, name: string) => Error): void {
  const taken = kind === 'user' ? tables.user(name) : kind === 'group' ? tables.group(name) : tables.role(name);
  if (taken !== undefined) throw exists(kind, name);
  // A name the file hides a stored entity under is taken too: that entity returns once the file drops it.
  const hidden = kind === 'user' ? tables.shadowed.users : kind === 'group' ? tables.shadowed.groups : tables.shadowed.roles;
  if (hidden.some((entity) => nameKey(entity.name) === nameKey(name))) throw exists(kind, name);
}

// ---- policy documents

/**
 * A document as IAM accepts it: JSON, and a valid policy of its kind (cove's grammar, the one
 * evaluation uses). IAM's texts for the faults it names; others as "Syntax errors in policy."
 */
export function checkDocument(text: string, kind: PolicyKind): void {
  try {
    JSON.parse(text);
  } catch {
    throw malformedPolicy('This policy contains invalid Json');
  }
  try {
    compilePolicy('document', text, kind);
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    if (/Principal$/.test(error.path) && kind !== 'trust') throw malformedPolicy('Policy document should not specify a principal.');
    if (kind === 'trust' && /requires Principal/.test(error.detail)) throw malformedPolicy('Missing required field Principal');
    throw malformedPolicy('Syntax errors in policy.');
  }
}

/** An entity's inline policies, with one put or replaced, within the entity's quota (IAM counts them together). */
export function putInline(list: InlinePolicy[], policy: InlinePolicy, maxChars: number, owner: string): void {
  const others = list.filter((p) => p.name !== policy.name);
  const total = [...others, policy].reduce((sum, p) => sum + policySizeChars(p.document), 0);
  if (total > maxChars) throw limitExceeded(`Maximum policy size of ${maxChars} bytes exceeded for ${owner}`);
  const at = list.findIndex((p) => p.name === policy.name);
  if (at === -1) list.push(policy);
  else list[at] = policy;
}

/** IAM answers documents URL-encoded (RFC 3986); clients decode them. */
export const encodeDocument = (text: string): string => encodeURIComponent(text);

// ---- tags

/** Tags merged as TagUser/TagRole merge them: a key given again takes the new value (keys compare case-sensitively). */
export function mergeTags(existing: Tag[], added: readonly Tag[], max: number): Tag[] {
  const merged = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) merged.set(tag.Key, tag.Value);
  if (merged.size > max) throw limitExceeded(`The number of tags has reached the maximum limit.`);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

/** Tags given twice in one request are refused (IAM: InvalidInput). */
export function checkTagsUnique(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    // Unverified text: IAM's answer for a tag key given twice in one request.
    if (seen.has(tag.Key.toLowerCase())) throw invalidInput(`Duplicate tag keys found. Please note that Tag keys are case insensitive.`);
    seen.add(tag.Key.toLowerCase());
  }
}

// ---- answers

const boundaryShape = (arn: string | undefined) => (arn === undefined ? undefined : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn });
const tagsShape = (tags: Tag[]) => (tags.length > 0 ? tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })) : undefined);

export function userShape(accountId: string, user: UserRecord, withTags = true): Record<string, unknown> {
  return {
    Path: user.path,
    UserName: user.name,
    UserId: user.id,
    Arn: entityArn(accountId, 'user', user.path, user.name),
    CreateDate: new Date(user.createdAtMs),
    PermissionsBoundary: boundaryShape(user.boundary),
    Tags: withTags ? tagsShape(user.tags) : undefined,
  };
}

export function groupShape(accountId: string, group: GroupRecord): Record<string, unknown> {
  return { Path: group.path, GroupName: group.name, GroupId: group.id, Arn: entityArn(accountId, 'group', group.path, group.name), CreateDate: new Date(group.createdAtMs) };
}

export function roleShape(accountId: string, role: RoleRecord, withTags = true): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.id,
    Arn: entityArn(accountId, 'role', role.path, role.name),
    CreateDate: new Date(role.createdAtMs),
    AssumeRolePolicyDocument: encodeDocument(role.trust),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDurationS,
    PermissionsBoundary: boundaryShape(role.boundary),
    Tags: withTags ? tagsShape(role.tags) : undefined,
  };
}

/** How many users, groups and roles attach a policy, and how many use it as their boundary. */
export function policyUsage(tables: IamTables, arn: string): { attachments: number; boundaries: number } {
  let attachments = 0;
  let boundaries = 0;
  for (const entity of [...tables.users.values(), ...tables.groups.values(), ...tables.roles.values()]) {
    if (entity.attached.includes(arn)) attachments++;
    if ('boundary' in entity && entity.boundary === arn) boundaries++;
  }
  return { attachments, boundaries };
}

export function policyShape(tables: IamTables, policy: PolicyRecord, withTags = true): Record<string, unknown> {
  const usage = policyUsage(tables, policy.arn);
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersion,
    AttachmentCount: usage.attachments,
    PermissionsBoundaryUsageCount: usage.boundaries,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: new Date(policy.createdAtMs),
    UpdateDate: new Date(policy.updatedAtMs),
    Tags: withTags ? tagsShape(policy.tags) : undefined,
  };
}

export function versionShape(policy: PolicyRecord, version: PolicyVersionRecord, withDocument = true): Record<string, unknown> {
  return {
    Document: withDocument ? encodeDocument(version.document) : undefined,
    VersionId: version.id,
    IsDefaultVersion: version.id === policy.defaultVersion,
    CreateDate: new Date(version.createdAtMs),
  };
}

export function keyMetadataShape(key: AccessKeyRecord): Record<string, unknown> {
  return { UserName: key.userName, AccessKeyId: key.id, Status: key.status, CreateDate: new Date(key.createdAtMs) };
}

// ---- paging

export interface PageInput {
  Marker?: string;
  MaxItems?: number;
}

/**
 * One page of a List answer, items in the order of `sortKey`: `Marker` (opaque to clients) names
 * where the next page starts; `IsTruncated` says whether there is one.
 */
export function page<T>(all: readonly T[], sortKey: (item: T) => string, input: PageInput): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const sorted = [...all].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  let start = 0;
  if (input.Marker !== undefined) {
    let after: string;
    try {
      after = Buffer.from(input.Marker, 'base64url').toString('utf8');
    } catch {
      after = '';
    }
    start = sorted.findIndex((item) => sortKey(item) > after);
    if (start === -1) start = sorted.length;
  }
  const maxItems = input.MaxItems ?? DEFAULT_MAX_ITEMS;
  const items = sorted.slice(start, start + maxItems);
  const truncated = start + maxItems < sorted.length;
  return { items, IsTruncated: truncated, ...(truncated ? { Marker: Buffer.from(sortKey(items[items.length - 1]), 'utf8').toString('base64url') } : {}) };
}

/** A list answer: its member, then IsTruncated and Marker, in IAM's order. */
export function listAnswer<T>(member: string, paged: { items: T[]; IsTruncated: boolean; Marker?: string }, shape: (item: T) => unknown): Record<string, unknown> {
  return { [member]: paged.items.map(shape), IsTruncated: paged.IsTruncated, Marker: paged.Marker };
}

/** A path prefix filter, as List operations take it. */
export const underPath = (path: string, prefix: string | undefined): boolean => prefix === undefined || path.startsWith(prefix);

// ---- authorization

/** An authorization target on a user, group or role by name (its ARN with its path when it exists). */
export function entityTarget(ctx: IamInterpretContext, action: string, kind: EntityKind, name: string, conditionKeys?: () => Record<string, ContextValue | undefined>): AuthorizationTarget {
  return { action, resource: targetArn(ctx.directory.tables, ctx.accountId, kind, name), ...(conditionKeys ? { conditionKeys } : {}) };
}

/** The user an operation names, or the caller itself when it names none (as IAM does for IAM users). */
export function userNameOrCaller(userName: string | undefined, caller: Principal): string {
  if (userName !== undefined) return userName;
  // A role session names no user of its own. Unverified text.
  if (caller.type !== 'IAMUser') throw iamError('ValidationError', 'Must specify userName when calling with non-User credentials');
  return caller.userName;
}

/** Condition keys of a request that carries tags (aws:RequestTag/…, aws:TagKeys). */
export function requestTagKeys(tags: readonly Tag[] | undefined): Record<string, ContextValue | undefined> {
  const keys = Object.create(null) as Record<string, ContextValue | undefined>;
  if (tags === undefined || tags.length === 0) return keys;
  keys['aws:TagKeys'] = tags.map((tag) => tag.Key);
  for (const tag of tags) keys[`aws:RequestTag/${tag.Key}`] = tag.Value;
  return keys;
}
