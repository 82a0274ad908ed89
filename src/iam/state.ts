/**
 * IAM's entities as records, and the one view of them every operation reads: the principals
 * cove.yaml declares, the AWS managed policies cove bundles, and those created through the API
 * (the store), merged by `IamTables.build`. IAM names are unique whatever their case, so every
 * map is keyed by the lower-cased name (policies by ARN, keys by ID); user-controlled names are
 * never plain object keys.
 */

export interface Tag {
  Key: string;
  Value: string;
}

export interface InlinePolicy {
  name: string;
  /** The JSON text, as given (IAM returns what it was sent, URL-encoded). */
  document: string;
}

/** Where an entity comes from: the API (stored, changeable), cove.yaml, or AWS (bundled managed policies). */
export type Origin = 'api' | 'config' | 'aws';

interface EntityRecord {
  name: string;
  path: string;
  /** IAM's unique ID (`AIDA…`, `AGPA…`, `AROA…`, `ANPA…`). */
  id: string;
  createdAtMs: number;
  origin: Origin;
}

export interface UserRecord extends EntityRecord {
  tags: Tag[];
  inline: InlinePolicy[];
  /** Attached managed policies, by ARN, in attachment order. */
  attached: string[];
  /** The groups the user is in, by name. */
  groups: string[];
  /** The permissions boundary's ARN. */
  boundary?: string;
}

export interface GroupRecord extends EntityRecord {
  inline: InlinePolicy[];
  attached: string[];
}

export interface RoleRecord extends EntityRecord {
  /** The trust policy's JSON text. */
  trust: string;
  description?: string;
  maxSessionDurationS: number;
  tags: Tag[];
  inline: InlinePolicy[];
  attached: string[];
  boundary?: string;
}

export interface PolicyVersionRecord {
  id: string;
  document: string;
  createdAtMs: number;
}

export interface PolicyRecord extends EntityRecord {
  arn: string;
  description?: string;
  defaultVersion: string;
  versions: PolicyVersionRecord[];
  /** The number of the next version (`v<n>`): IAM never reuses a deleted version's ID. */
  nextVersion: number;
  updatedAtMs: number;
  tags: Tag[];
}

export interface AccessKeyRecord {
  id: string;
  /** The secret: kept in the engine (the data directory), never logged, never audited. */
  secret: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createdAtMs: number;
  origin: Origin;
}

/** Everything of one origin, as stored (JSON) or as converted from cove.yaml. */
export interface IamRecords {
  users: UserRecord[];
  groups: GroupRecord[];
  roles: RoleRecord[];
  policies: PolicyRecord[];
  accessKeys: AccessKeyRecord[];
}

export const NO_RECORDS: IamRecords = { users: [], groups: [], roles: [], policies: [], accessKeys: [] };

/** The stored records' JSON, read back; an absent value is an empty store. */
export function parseRecords(bytes: Buffer | undefined): IamRecords {
  if (bytes === undefined) return structuredClone(NO_RECORDS);
  const parsed = JSON.parse(bytes.toString('utf8')) as Partial<IamRecords>;
  return { users: parsed.users ?? [], groups: parsed.groups ?? [], roles: parsed.roles ?? [], policies: parsed.policies ?? [], accessKeys: parsed.accessKeys ?? [] };
}

export function serializeRecords(records: IamRecords): Buffer {
  return Buffer.from(JSON.stringify(records), 'utf8');
}

/** IAM compares names without regard to case. */
export const nameKey = (name: string): string => name.toLowerCase();

/**
 * The merged view. Declared (config, AWS) entities win over stored ones of the same name; a
 * stored entity so hidden is kept aside (`shadowed`), written back unchanged, and reported in
 * `warnings`. A stored user's keys are hidden with the user, and a stored key whose ID the file
 * also uses is hidden.
 */
export class IamTables {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly policies = new Map<string, PolicyRecord>();
  readonly accessKeys = new Map<string, AccessKeyRecord>();
  /** Stored records hidden by declared ones. */
  readonly shadowed: IamRecords = structuredClone(NO_RECORDS);
  /** Group names and policy ARNs whose stored entity is hidden: references made to it no longer mean it. */
  readonly shadowedGroups = new Set<string>();
  readonly shadowedPolicies = new Set<string>();
  readonly warnings: string[] = [];

  static build(declared: IamRecords, stored: IamRecords): IamTables {
    const tables = new IamTables();
    for (const user of declared.users) tables.users.set(nameKey(user.name), user);
    for (const group of declared.groups) tables.groups.set(nameKey(group.name), group);
    for (const role of declared.roles) tables.roles.set(nameKey(role.name), role);
    for (const policy of declared.policies) tables.policies.set(policy.arn, policy);
    for (const key of declared.accessKeys) tables.accessKeys.set(key.id, key);
    tables.addStored(stored);
    return tables;
  }

  private addStored(stored: IamRecords): void {
    const hiddenUsers = new Set<string>();
    for (const user of stored.users) {
      if (this.users.has(nameKey(user.name))) {
        hiddenUsers.add(nameKey(user.name));
        this.hide('users', user, `user ${user.name}`);
      } else this.users.set(nameKey(user.name), user);
    }
    for (const group of stored.groups) {
      if (this.groups.has(nameKey(group.name))) {
        this.shadowedGroups.add(nameKey(group.name));
        this.hide('groups', group, `group ${group.name}`);
      } else this.groups.set(nameKey(group.name), group);
    }
    for (const role of stored.roles) {
      if (this.roles.has(nameKey(role.name))) this.hide('roles', role, `role ${role.name}`);
      else this.roles.set(nameKey(role.name), role);
    }
    for (const policy of stored.policies) {
      if (this.policies.has(policy.arn) || this.policyNamed(policy.name)) {
        this.shadowedPolicies.add(policy.arn);
        this.hide('policies', policy, `policy ${policy.arn}`);
      } else this.policies.set(policy.arn, policy);
    }
    for (const key of stored.accessKeys) {
      if (hiddenUsers.has(nameKey(key.userName))) this.shadowed.accessKeys.push(key);
      else if (this.accessKeys.has(key.id)) this.hide('accessKeys', key, `access key ${key.id} of user ${key.userName}`);
      else this.accessKeys.set(key.id, key);
    }
  }

  private hide<K extends keyof IamRecords>(kind: K, record: IamRecords[K][number], what: string): void {
    (this.shadowed[kind] as IamRecords[K][number][]).push(record);
    this.warnings.push(`${what}, created through the IAM API, is hidden: cove.yaml now declares the same name, and the file wins (delete it from the file to see the stored one again)`);
  }

  /** A customer managed policy of this name (IAM: one per account, whatever the path or case). */
  policyNamed(name: string): PolicyRecord | undefined {
    for (const policy of this.policies.values()) if (policy.origin !== 'aws' && nameKey(policy.name) === nameKey(name)) return policy;
    return undefined;
  }

  user(name: string): UserRecord | undefined {
    return this.users.get(nameKey(name));
  }

  group(name: string): GroupRecord | undefined {
    return this.groups.get(nameKey(name));
  }

  role(name: string): RoleRecord | undefined {
    return this.roles.get(nameKey(name));
  }

  keysOf(userName: string): AccessKeyRecord[] {
    return [...this.accessKeys.values()].filter((key) => nameKey(key.userName) === nameKey(userName));
  }

  /** What the store keeps: the API's records, visible or hidden. */
  stored(): IamRecords {
    const api = <T extends { origin: Origin }>(map: Map<string, T>, hidden: T[]) => [...[...map.values()].filter((r) => r.origin === 'api'), ...hidden];
    return {
      users: api(this.users, this.shadowed.users),
      groups: api(this.groups, this.shadowed.groups),
      roles: api(this.roles, this.shadowed.roles),
      policies: api(this.policies, this.shadowed.policies),
      accessKeys: api(this.accessKeys, this.shadowed.accessKeys),
    };
  }
}
