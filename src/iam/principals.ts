/**
 * The principals the merged IAM view stands for: what the credential store authenticates (an
 * Active key of an existing user) and what AssumeRole assumes. Policies are compiled here, once
 * per change of the view, and kept while their text is unchanged.
 */
import { userPrincipalFor, type Credential, type Principal } from '../auth/identities.js';
import type { RoleDefinition, UserPolicies } from '../config/load.js';
import { compilePolicy, type CompiledPolicy, type PolicyKind } from '../policy/document.js';
import { nameKey, type IamTables, type InlinePolicy, type Tag, type UserRecord } from './state.js';

/** What a reference that no longer resolves stands for: nothing is allowed, so a lost Deny cannot widen access. */
const DENY_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };

export interface BuiltPrincipals {
  credentials: Credential[];
  users: Principal[];
  roles: Map<string, RoleDefinition>;
  /** References that no longer resolve (each made its principal deny everything). */
  warnings: string[];
}

/** Compiled policies by (kind, ref, text): a rebuild recompiles only what changed. */
export class PolicyCompiler {
  private cache = new Map<string, CompiledPolicy>();
  private next = new Map<string, CompiledPolicy>();

  compile(ref: string, text: string, kind: PolicyKind): CompiledPolicy {
    const key = `${kind}\0${ref}\0${text}`;
    let compiled = this.cache.get(key) ?? this.next.get(key);
    if (compiled === undefined) {
      try {
        compiled = compilePolicy(ref, text, kind);
      } catch {
        // Every stored or declared document was compiled when it was accepted; this is a guard.
        compiled = compilePolicy(`${ref} (does not compile: denies everything)`, DENY_ALL, kind === 'trust' ? 'identity' : kind);
      }
    }
    this.next.set(key, compiled);
    return compiled;
  }

  /** Forgets what the last build did not use. */
  endBuild(): void {
    this.cache = this.next;
    this.next = new Map();
  }
}

export function buildPrincipals(tables: IamTables, accountId: string, compiler: PolicyCompiler): BuiltPrincipals {
  const resolver = new PolicyResolver(tables, compiler);
  const users: Principal[] = [];
  const byUser = new Map<string, Principal>();
  for (const user of tables.users.values()) {
    const principal = userPrincipalFor(accountId, { name: user.name, path: user.path, tags: tagRecord(user.tags), id: user.id }, resolver.userPolicies(user));
    users.push(principal);
    byUser.set(nameKey(user.name), principal);
  }
  const credentials: Credential[] = [];
  for (const key of tables.accessKeys.values()) {
    const principal = byUser.get(nameKey(key.userName));
    // An Inactive key is not in the store at all: it is refused exactly as an unknown key.
    if (principal !== undefined && key.status === 'Active') credentials.push({ accessKeyId: key.id, secretAccessKey: key.secret, principal });
  }
  const roles = new Map<string, RoleDefinition>();
  for (const role of tables.roles.values()) {
    roles.set(role.name, {
      ...resolver.ownPolicies(`role/${role.name}`, role),
      name: role.name,
      arn: `arn:aws:iam::${accountId}:role${role.path}${role.name}`,
      uniqueId: role.id,
      trust: compiler.compile(`role/${role.name}#trust`, role.trust, 'trust'),
      maxSessionDurationS: role.maxSessionDurationS,
      tags: tagRecord(role.tags),
    });
  }
  compiler.endBuild();
  return { credentials, users, roles, warnings: resolver.warnings };
}

/** The compiled policies of users and roles, from the view; what no longer resolves denies everything. */
class PolicyResolver {
  readonly warnings: string[] = [];

  constructor(
    private readonly tables: IamTables,
    private readonly compiler: PolicyCompiler,
  ) {}

  /** A user's own policies, then each of its groups' (inline, then attached). */
  userPolicies(user: UserRecord): UserPolicies {
    const policies = this.ownPolicies(`user/${user.name}`, user);
    for (const groupName of user.groups) {
      const group = this.tables.shadowedGroups.has(nameKey(groupName)) ? undefined : this.tables.group(groupName);
      if (group === undefined) {
        this.warnings.push(`user/${user.name}: group ${groupName} no longer exists; the user is denied everything until removed from it`);
        policies.identityPolicies.push(this.denyAll(`group/${groupName}`));
        continue;
      }
      policies.identityPolicies.push(...this.inline(`group/${group.name}`, group.inline), ...group.attached.map((arn) => this.managed(arn, `group/${group.name}`)));
    }
    return policies;
  }

  /** Inline and attached policies, and the boundary, of a user or role. */
  ownPolicies(owner: string, entity: { inline: InlinePolicy[]; attached: string[]; boundary?: string }): UserPolicies {
    return {
      identityPolicies: [...this.inline(owner, entity.inline), ...entity.attached.map((arn) => this.managed(arn, owner))],
      ...(entity.boundary !== undefined ? { permissionsBoundary: [this.managed(entity.boundary, owner, 'permissionsBoundary')] } : {}),
    };
  }

  private inline(owner: string, list: readonly InlinePolicy[]): CompiledPolicy[] {
    return list.map((p) => this.compiler.compile(`${owner}#${p.name}`, p.document, 'identity'));
  }

  /** A managed policy's default version; named in traces as cove.yaml names it (`policy/PATH/NAME`), or by ARN (AWS's). */
  private managed(arn: string, owner: string, kind: PolicyKind = 'identity'): CompiledPolicy {
    const policy = this.tables.shadowedPolicies.has(arn) ? undefined : this.tables.policies.get(arn);
    if (policy === undefined) {
      this.warnings.push(`${owner}: managed policy ${arn} no longer exists; ${owner} is denied everything until it is detached`);
      return this.denyAll(arn, kind);
    }
    const version = policy.versions.find((v) => v.id === policy.defaultVersion)!;
    const ref = policy.origin === 'aws' ? policy.arn : `policy${policy.path}${policy.name}`;
    return this.compiler.compile(ref, version.document, kind);
  }

  private denyAll(ref: string, kind: PolicyKind = 'identity'): CompiledPolicy {
    return this.compiler.compile(`${ref} (unresolved: denies everything)`, JSON.stringify(DENY_ALL), kind);
  }
}

/** Tags as the principal carries them: a null-prototype record, so that a key such as `__proto__` is an ordinary key. */
function tagRecord(tags: readonly Tag[]): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const tag of tags) out[tag.Key] = tag.Value;
  return out;
}
