/**
 * What cove.yaml declares (and the bundled AWS managed policies, and the generated admin user),
 * as IAM records of origin `config`/`aws`: the API shows them and never changes them.
 */
import { roleUniqueId, userUniqueId } from '../auth/identities.js';
import type { LoadedConfig } from '../config/load.js';
import { awsManagedPolicies } from './managed.js';
import type { AccessKeyRecord, IamRecords, InlinePolicy, PolicyRecord, Tag } from './state.js';
import { createHash } from 'node:crypto';

/** The generated admin user of a cove started without a config file. */
export const ADMIN_USER = 'admin';
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

const documentText = (document: unknown): string => (typeof document === 'string' ? document : JSON.stringify(document));
const inline = (policies: readonly { name: string; document: unknown }[]): InlinePolicy[] => policies.map((p) => ({ name: p.name, document: documentText(p.document) }));
const tagList = (tags: Readonly<Record<string, string>>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** A stable ID in IAM's format for a declared entity, derived from the account and its name. */
function declaredId(prefix: string, accountId: string, kind: string, name: string): string {
  return prefix + createHash('sha256').update(`${accountId}/${kind}/${name}`).digest('hex').slice(0, 17).toUpperCase();
}

/**
 * cove.yaml's principals and policies as records. `loadedAtMs` stands for their CreateDate (the
 * file has none). References to managed policies become ARNs (cove.yaml may name its own by name).
 */
export function declaredRecords(loaded: LoadedConfig, loadedAtMs: number, adminKey?: { accessKeyId: string; secretAccessKey: string }): IamRecords {
  const { accountId, iam } = loaded.config;
  const policyArn = (path: string, name: string) => `arn:aws:iam::${accountId}:policy${path}${name}`;
  const byName = new Map(iam.policies.map((p) => [p.name, policyArn(p.path, p.name)]));
  const arnOf = (reference: string) => (reference.startsWith('arn:') ? reference : byName.get(reference)!);
  const policies: PolicyRecord[] = iam.policies.map((p) => ({
    name: p.name,
    path: p.path,
    id: declaredId('ANPA', accountId, 'policy', p.name),
    createdAtMs: loadedAtMs,
    origin: 'config',
    arn: policyArn(p.path, p.name),
    defaultVersion: 'v1',
    versions: [{ id: 'v1', document: documentText(p.document), createdAtMs: loadedAtMs }],
    nextVersion: 2,
    updatedAtMs: loadedAtMs,
    tags: [],
  }));
  const records: IamRecords = {
    policies: [...awsManagedPolicies(), ...policies],
    groups: iam.groups.map((g) => ({ name: g.name, path: g.path, id: declaredId('AGPA', accountId, 'group', g.name), createdAtMs: loadedAtMs, origin: 'config', inline: inline(g.policies), attached: g.managedPolicies.map(arnOf) })),
    users: iam.users.map((u) => ({
      name: u.name,
      path: u.path,
      id: userUniqueId(accountId, u.name),
      createdAtMs: loadedAtMs,
      origin: 'config',
      tags: tagList(u.tags),
      inline: inline(u.policies),
      attached: u.managedPolicies.map(arnOf),
      groups: [...u.groups],
      ...(u.permissionsBoundary !== undefined ? { boundary: arnOf(u.permissionsBoundary) } : {}),
    })),
    roles: iam.roles.map((r) => ({
      name: r.name,
      path: r.path,
      id: roleUniqueId(accountId, r.name),
      createdAtMs: loadedAtMs,
      origin: 'config',
      trust: documentText(r.assumeRolePolicy),
      maxSessionDurationS: r.maxSessionDuration,
      tags: tagList(r.tags),
      inline: inline(r.policies),
      attached: r.managedPolicies.map(arnOf),
      ...(r.permissionsBoundary !== undefined ? { boundary: arnOf(r.permissionsBoundary) } : {}),
    })),
    accessKeys: iam.users.flatMap((u) => u.accessKeys.map((k): AccessKeyRecord => ({ id: k.id, secret: k.secret, userName: u.name, status: 'Active', createdAtMs: loadedAtMs, origin: 'config' }))),
  };
  if (adminKey) addAdmin(records, accountId, loadedAtMs, adminKey);
  return records;
}

/** The generated admin user: every action allowed, by an inline policy (`user/admin#AdministratorAccess`). */
function addAdmin(records: IamRecords, accountId: string, loadedAtMs: number, adminKey: { accessKeyId: string; secretAccessKey: string }): void {
  records.users.push({ name: ADMIN_USER, path: '/', id: userUniqueId(accountId, ADMIN_USER), createdAtMs: loadedAtMs, origin: 'config', tags: [], inline: [{ name: 'AdministratorAccess', document: JSON.stringify(ADMIN_POLICY) }], attached: [], groups: [] });
  records.accessKeys.push({ id: adminKey.accessKeyId, secret: adminKey.secretAccessKey, userName: ADMIN_USER, status: 'Active', createdAtMs: loadedAtMs, origin: 'config' });
}
