import { createHash, randomBytes } from 'node:crypto';
import type { LoadedConfig, UserPolicies } from '../config/load.js';
import type { ContextValue } from '../policy/conditionContext.js';
import type { CompiledPolicy } from '../policy/document.js';
import type { RequestPrincipal } from '../policy/principals.js';

/** Who a verified request acts as; what authorize and record read. */
export interface Principal {
  type: 'IAMUser';
  arn: string;
  accountId: string;
  userName: string;
  /** AWS's unique ID (`AIDA…`), the value of `aws:userid`. */
  principalId: string;
  tags: Readonly<Record<string, string>>;
  /** Inline, attached managed, and group policies, compiled once at load. */
  identityPolicies: readonly CompiledPolicy[];
  permissionsBoundary?: readonly CompiledPolicy[];
  /** The principal's own condition keys (aws:username, aws:PrincipalTag/...), fixed per principal. */
  contextEntries: readonly (readonly [string, ContextValue])[];
  asRequestPrincipal: RequestPrincipal;
}

/** A user principal with its derived condition keys, as AWS sets them for IAM users. */
export function userPrincipal(fields: Omit<Principal, 'type' | 'contextEntries' | 'asRequestPrincipal'>): Principal {
  const contextEntries: [string, ContextValue][] = [
    ['aws:principalarn', fields.arn],
    ['aws:principalaccount', fields.accountId],
    ['aws:principaltype', 'User'],
    ['aws:userid', fields.principalId],
    ['aws:username', fields.userName],
    ...Object.entries(fields.tags).map(([key, value]): [string, ContextValue] => [`aws:principaltag/${key.toLowerCase()}`, value]),
  ];
  return { type: 'IAMUser', ...fields, contextEntries, asRequestPrincipal: { arn: fields.arn, accountId: fields.accountId } };
}

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32_ALPHABET[bytes[i] & 31];
  return out;
}

/** A stable unique ID for a user, derived from account and name so it survives restarts. */
export function userUniqueId(accountId: string, userName: string): string {
  return 'AIDA' + base32(createHash('sha256').update(`${accountId}/user/${userName}`).digest(), 17);
}

/** A fresh long-term key pair in AWS's format: `AKIA` + 16 of [A-Z2-7], a 40-character secret. */
export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const secretBytes = randomBytes(40);
  let secretAccessKey = '';
  for (const byte of secretBytes) secretAccessKey += secretAlphabet[byte & 63];
  return { accessKeyId: 'AKIA' + base32(randomBytes(16), 16), secretAccessKey };
}

/** An IAM user's principal, with the policies that apply to it. */
export function userPrincipalFor(accountId: string, user: { name: string; path: string; tags: Record<string, string> }, policies: UserPolicies): Principal {
  return userPrincipal({
    arn: `arn:aws:iam::${accountId}:user${user.path}${user.name}`,
    accountId,
    userName: user.name,
    principalId: userUniqueId(accountId, user.name),
    tags: user.tags,
    identityPolicies: policies.identityPolicies,
    ...(policies.permissionsBoundary ? { permissionsBoundary: policies.permissionsBoundary } : {}),
  });
}

/** Every configured user's principal, by user name: what the server authenticates as and `cove explain` asks about. */
export function configuredPrincipals(loaded: LoadedConfig): Map<string, Principal> {
  return new Map(loaded.config.iam.users.map((user) => [user.name, userPrincipalFor(loaded.config.accountId, user, loaded.users.get(user.name)!)]));
}

/** Access key ID → credential. Built from configuration; looked up once per request. */
export class CredentialStore {
  private readonly byKeyId = new Map<string, Credential>();

  add(credential: Credential): void {
    if (this.byKeyId.has(credential.accessKeyId)) {
      throw new Error(`access key ${credential.accessKeyId} is configured twice`);
    }
    this.byKeyId.set(credential.accessKeyId, credential);
  }

  /** Swaps in a whole new set (a configuration reload); nothing changes if the set is invalid. */
  replaceAll(credentials: readonly Credential[]): void {
    const next = new CredentialStore();
    for (const credential of credentials) next.add(credential);
    this.byKeyId.clear();
    for (const [id, credential] of next.byKeyId) this.byKeyId.set(id, credential);
  }

  lookup(accessKeyId: string): Credential | undefined {
    return this.byKeyId.get(accessKeyId);
  }

  get size(): number {
    return this.byKeyId.size;
  }
}
