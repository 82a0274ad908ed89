import { createHash, randomBytes } from 'node:crypto';
import type { LoadedConfig, RoleDefinition, UserPolicies } from '../config/load.js';
import type { ContextValue } from '../policy/conditionContext.js';
import { compilePolicy, type CompiledPolicy } from '../policy/document.js';
import type { RequestPrincipal } from '../policy/principals.js';
import type { SessionClaims, SessionTokens } from './sessionTokens.js';

/** A principal acting through STS temporary credentials: the session, and whose it is. */
export interface SessionContext {
  /** The role (AssumeRole) or user (GetSessionToken) the session belongs to. */
  issuer: { type: 'Role' | 'IAMUser'; arn: string; principalId: string; userName: string; accountId: string };
  createdAtMs: number;
  expiresAtMs: number;
}

/** Who a verified request acts as; what authorize and record read. */
export interface Principal {
  /** CloudTrail's userIdentity.type. */
  type: 'IAMUser' | 'AssumedRole';
  arn: string;
  accountId: string;
  /** The user's name; for a role session, the role's. */
  userName: string;
  /** AWS's unique ID: `AIDA…` for a user, `AROA…:SESSION` for a role session; the value of `aws:userid`. */
  principalId: string;
  tags: Readonly<Record<string, string>>;
  /** Inline, attached managed, and group policies, compiled once at load. */
  identityPolicies: readonly CompiledPolicy[];
  permissionsBoundary?: readonly CompiledPolicy[];
  /** The session policies an AssumeRole was given: the session can do no more than they allow. */
  sessionPolicies?: readonly CompiledPolicy[];
  /** Set when the request came with STS temporary credentials. */
  session?: SessionContext;
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

/** A role's unique ID (`AROA…`), stable in the same way. */
export function roleUniqueId(accountId: string, roleName: string): string {
  return 'AROA' + base32(createHash('sha256').update(`${accountId}/role/${roleName}`).digest(), 17);
}

/** The temporary key ID of an STS session: `ASIA` + 16 of [A-Z2-7]. */
export function generateSessionKeyId(): string {
  return 'ASIA' + base32(randomBytes(16), 16);
}

/** A fresh 40-character secret access key. */
export function generateSecretAccessKey(): string {
  const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let secretAccessKey = '';
  for (const byte of randomBytes(40)) secretAccessKey += secretAlphabet[byte & 63];
  return secretAccessKey;
}

/** A fresh long-term key pair in AWS's format: `AKIA` + 16 of [A-Z2-7], a 40-character secret. */
export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'AKIA' + base32(randomBytes(16), 16), secretAccessKey: generateSecretAccessKey() };
}

/** An IAM user's principal, with the policies that apply to it. */
export function userPrincipalFor(accountId: string, user: { name: string; path: string; tags: Record<string, string>; id?: string }, policies: UserPolicies): Principal {
  return userPrincipal({
    arn: `arn:aws:iam::${accountId}:user${user.path}${user.name}`,
    accountId,
    userName: user.name,
    // Users created through the IAM API keep the random ID IAM gave them; declared ones derive theirs.
    principalId: user.id ?? userUniqueId(accountId, user.name),
    tags: user.tags,
    identityPolicies: policies.identityPolicies,
    ...(policies.permissionsBoundary ? { permissionsBoundary: policies.permissionsBoundary } : {}),
  });
}

/** Every configured user's principal, by user name: what the server authenticates as and `cove explain` asks about. */
export function configuredPrincipals(loaded: LoadedConfig): Map<string, Principal> {
  return new Map(loaded.config.iam.users.map((user) => [user.name, userPrincipalFor(loaded.config.accountId, user, loaded.users.get(user.name)!)]));
}

/** A session policy as the session's principal carries it: compiled from what AssumeRole was given. */
export type SessionPolicyCompiler = (claims: Extract<SessionClaims['identity'], { kind: 'role' }>) => CompiledPolicy[];

/**
 * A role session's session policies, compiled from what AssumeRole was given. A policy ARN that
 * no longer names a managed policy fails the session rather than dropping the policy: fewer
 * session policies would let the session do more.
 */
export function sessionPolicies(identity: Extract<SessionClaims['identity'], { kind: 'role' }>, managedPolicyDocument: (arn: string) => unknown): CompiledPolicy[] {
  const policies: CompiledPolicy[] = [];
  if (identity.sessionPolicy !== undefined) policies.push(compilePolicy('session policy', JSON.parse(identity.sessionPolicy), 'session'));
  for (const arn of identity.sessionPolicyArns ?? []) {
    const document = managedPolicyDocument(arn);
    if (document === undefined) throw new Error(`session policy ${arn} no longer exists`);
    policies.push(compilePolicy(`session policy ${arn}`, document, 'session'));
  }
  return policies;
}

/** The principal of a role session (AssumeRole's temporary credentials). */
export function roleSessionPrincipal(accountId: string, role: RoleDefinition, claims: SessionClaims, sessionPolicies: readonly CompiledPolicy[]): Principal {
  const identity = claims.identity;
  if (identity.kind !== 'role') throw new Error('roleSessionPrincipal: not a role session');
  const roleId = role.uniqueId ?? roleUniqueId(accountId, role.name);
  const arn = `arn:aws:sts::${accountId}:assumed-role/${role.name}/${identity.sessionName}`;
  // Session tags win over the role's tags of the same key (IAM compares tag keys case-insensitively).
  const tags = new Map<string, [string, string]>();
  for (const [key, value] of [...Object.entries(role.tags), ...Object.entries(identity.tags ?? {})]) tags.set(key.toLowerCase(), [key, value]);
  const contextEntries: [string, ContextValue][] = [
    ['aws:principalarn', role.arn],
    ['aws:principalaccount', accountId],
    ['aws:principaltype', 'AssumedRole'],
    ['aws:userid', `${roleId}:${identity.sessionName}`],
    ['aws:tokenissuetime', new Date(claims.issuedAtMs).toISOString()],
    ...[...tags].map(([lower, [, value]]): [string, ContextValue] => [`aws:principaltag/${lower}`, value]),
    ...(identity.sourceIdentity !== undefined ? [['aws:sourceidentity', identity.sourceIdentity] as [string, ContextValue]] : []),
  ];
  return {
    type: 'AssumedRole',
    arn,
    accountId,
    userName: role.name,
    principalId: `${roleId}:${identity.sessionName}`,
    tags: Object.fromEntries(tags.values()),
    identityPolicies: role.identityPolicies,
    ...(role.permissionsBoundary ? { permissionsBoundary: role.permissionsBoundary } : {}),
    sessionPolicies,
    session: { issuer: { type: 'Role', arn: role.arn, principalId: roleId, userName: role.name, accountId }, createdAtMs: claims.issuedAtMs, expiresAtMs: claims.expiresAtMs },
    contextEntries,
    asRequestPrincipal: { arn, accountId, roleArn: role.arn },
  };
}

/** The principal of a user's session (GetSessionToken): the user, with the session's issue time. */
export function userSessionPrincipal(user: Principal, claims: SessionClaims): Principal {
  return {
    ...user,
    session: { issuer: { type: 'IAMUser', arn: user.arn, principalId: user.principalId, userName: user.userName, accountId: user.accountId }, createdAtMs: claims.issuedAtMs, expiresAtMs: claims.expiresAtMs },
    contextEntries: [...user.contextEntries, ['aws:tokenissuetime', new Date(claims.issuedAtMs).toISOString()]],
  };
}

/** What a session token opened to: its credential, or why it gives none. */
export type SessionLookup = { kind: 'valid'; credential: Credential } | { kind: 'expired' } | { kind: 'invalid' };

/** Opened session tokens kept, so that a client's every request does not decrypt its token again. */
const MAX_OPEN_SESSIONS = 4096;

/**
 * Access key ID → credential, and session token → the session's credential. Built from
 * configuration (and a reload swaps it whole); looked up once per request.
 */
export class CredentialStore {
  private readonly byKeyId = new Map<string, Credential>();
  private readonly usersByName = new Map<string, Principal>();
  private roles: ReadonlyMap<string, RoleDefinition> = new Map();
  private readonly openSessions = new Map<string, Credential | undefined>();

  constructor(
    /** Seals and opens STS session tokens; without it, no session token is valid. */
    readonly tokens?: SessionTokens,
    private readonly compileSessionPolicies: SessionPolicyCompiler = () => [],
  ) {}

  add(credential: Credential): void {
    if (this.byKeyId.has(credential.accessKeyId)) {
      throw new Error(`access key ${credential.accessKeyId} is configured twice`);
    }
    this.byKeyId.set(credential.accessKeyId, credential);
    this.usersByName.set(credential.principal.userName, credential.principal);
  }

  /**
   * Swaps in a whole new set (a configuration reload, a change through the IAM API); nothing
   * changes if the set is invalid. `users` adds users without an active key (their sessions stay valid).
   */
  replaceAll(credentials: readonly Credential[], roles: ReadonlyMap<string, RoleDefinition> = this.roles, users: readonly Principal[] = []): void {
    const next = new CredentialStore();
    for (const credential of credentials) next.add(credential);
    this.byKeyId.clear();
    this.usersByName.clear();
    for (const credential of next.byKeyId.values()) this.add(credential);
    for (const user of users) this.usersByName.set(user.userName, user);
    this.roles = roles;
    // Sessions are rebuilt against the new users, roles and policies.
    this.openSessions.clear();
  }

  lookup(accessKeyId: string): Credential | undefined {
    return this.byKeyId.get(accessKeyId);
  }

  /** A configured user's principal, by name. */
  user(userName: string): Principal | undefined {
    return this.usersByName.get(userName);
  }

  /** A configured role, by name. */
  role(roleName: string): RoleDefinition | undefined {
    return this.roles.get(roleName);
  }

  /**
   * The credential a session token stands for, when `accessKeyId` is its key: invalid for a token
   * this cove did not seal, another key's token, or a session whose user or role is gone.
   */
  session(accessKeyId: string, token: string, nowMs: number): SessionLookup {
    let credential = this.openSessions.get(token);
    if (credential === undefined && !this.openSessions.has(token)) {
      credential = this.openSession(token);
      if (this.openSessions.size >= MAX_OPEN_SESSIONS) this.openSessions.clear();
      this.openSessions.set(token, credential);
    }
    if (credential === undefined || credential.accessKeyId !== accessKeyId) return { kind: 'invalid' };
    if (nowMs >= credential.principal.session!.expiresAtMs) return { kind: 'expired' };
    return { kind: 'valid', credential };
  }

  private openSession(token: string): Credential | undefined {
    const claims = this.tokens?.open(token);
    if (claims === undefined) return undefined;
    const identity = claims.identity;
    let principal: Principal;
    if (identity.kind === 'user') {
      const user = this.usersByName.get(identity.userName);
      // Another user of the same name (deleted and created again) is not the session's.
      if (user === undefined || (identity.userId !== undefined && identity.userId !== user.principalId)) return undefined;
      principal = userSessionPrincipal(user, claims);
    } else {
      const role = this.roles.get(identity.roleName);
      if (role === undefined || (identity.roleId !== undefined && identity.roleId !== (role.uniqueId ?? roleUniqueId(role.arn.split(':')[4], role.name)))) return undefined;
      let policies: CompiledPolicy[];
      try {
        policies = this.compileSessionPolicies(identity);
      } catch {
        return undefined;
      }
      principal = roleSessionPrincipal(role.arn.split(':')[4], role, claims, policies);
    }
    return { accessKeyId: claims.accessKeyId, secretAccessKey: claims.secretAccessKey, principal };
  }

  get size(): number {
    return this.byKeyId.size;
  }
}
