import { didYouMean } from './suggest.js';
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { configSchema, type CoveConfig } from './schema.js';
import { compilePolicy, PolicyDocumentError, type CompiledPolicy, type PolicyKind } from '../policy/document.js';
import { buildNetwork, NetworkConfigError, type BuiltNetwork } from '../network/config.js';
import type { Attachment, NetworkModel, SourceMapping } from '../network/model.js';
import { AWS_MANAGED_ARN_PREFIX, awsManagedDocument, awsManagedPolicies } from '../iam/managed.js';

export class ConfigError extends Error {}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('') || '(top level)';
}

/** The policies that apply to one IAM user, compiled once at load. */
export interface UserPolicies {
  /** Inline, attached managed, then each group's inline and managed policies. */
  identityPolicies: CompiledPolicy[];
  permissionsBoundary?: CompiledPolicy[];
}

/** A role of `iam.roles`, compiled: what AssumeRole checks and what its sessions may do. */
export interface RoleDefinition extends UserPolicies {
  name: string;
  arn: string;
  /** IAM's `AROA…` ID; without it, one derived from the account and the name. */
  uniqueId?: string;
  /** The trust policy: who may assume the role. */
  trust: CompiledPolicy;
  maxSessionDurationS: number;
  tags: Readonly<Record<string, string>>;
}

/** Validated configuration plus the policies compiled from it. */
export interface LoadedConfig {
  /** The file's text as loaded (a reload compares against it). */
  text: string;
  config: CoveConfig;
  users: Map<string, UserPolicies>;
  roles: Map<string, RoleDefinition>;
  /** Customer managed policies by ARN: their documents, as a session policy ARN names them. */
  managedPolicies: Map<string, unknown>;
  /** The VPC model of `network:` (empty without it); `config.network.unreachable` says how an unreachable request ends. */
  network: NetworkModel;
  /** The listeners of `attachments:`, each with where its clients are in the model. */
  attachments: Attachment[];
  /** Listener name → the source map that places its clients by their real address. */
  sourceMaps: Map<string, SourceMapping[]>;
}

/**
 * Parses and validates cove.yaml. Every fault is reported as
 * `FILE:LINE:COL: path.to.field: what was expected`.
 */
export function loadConfig(file: string | undefined, text?: string): LoadedConfig {
  const source = text ?? (file ? readFileSync(file, 'utf8') : '');
  const name = file ?? '(built-in default)';
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const at = first.linePos?.[0];
    throw new ConfigError(`${name}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${first.message}`);
  }
  const locate = (path: readonly PropertyKey[]): string => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return `${name}:${line}:${col}`;
      }
    }
    return name;
  };
  const parsed = configSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const hint = (issue: (typeof parsed.error.issues)[number]) => (issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? didYouMean(configSchema, issue.path, issue.keys[0]) : '');
    const lines = parsed.error.issues.map((issue) => `${locate(issue.path)}: ${formatPath(issue.path)}: ${issue.message}${hint(issue)}`);
    throw new ConfigError(lines.join('\n'));
  }
  const config = parsed.data;
  const { users, roles, managedPolicies } = compileIam(config, (path) => `${locate(path)}: ${formatPath(path)}`);
  const seenKeys = new Map<string, string>();
  config.iam.users.forEach((user, u) =>
    user.accessKeys.forEach((key, k) => {
      const owner = seenKeys.get(key.id);
      if (owner !== undefined) {
        const path = ['iam', 'users', u, 'accessKeys', k, 'id'];
        throw new ConfigError(`${locate(path)}: ${formatPath(path)}: access key ${key.id} is already used by user ${owner}`);
      }
      seenKeys.set(key.id, user.name);
    }),
  );
  const seenListeners = new Set<string>();
  config.listeners.forEach((listener, i) => {
    if (seenListeners.has(listener.name)) throw new ConfigError(`${locate(['listeners', i, 'name'])}: listeners[${i}].name: listener ${listener.name} is declared twice`);
    seenListeners.add(listener.name);
  });
  let built: BuiltNetwork;
  try {
    built = buildNetwork(config);
  } catch (error) {
    if (!(error instanceof NetworkConfigError)) throw error;
    throw new ConfigError(error.issues.map((issue) => `${locate(issue.path)}: ${formatPath(issue.path)}${issue.within ? `.${issue.within}` : ''}: ${issue.message}`).join('\n'));
  }
  return { text: source, config, users, roles, managedPolicies, network: built.network, attachments: built.attachments, sourceMaps: built.sourceMaps };
}

type Where = (path: readonly PropertyKey[]) => string;

function compileAt(where: Where, path: (string | number)[], ref: string, document: unknown, kind: PolicyKind): CompiledPolicy {
  try {
    return compilePolicy(ref, document, kind);
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    throw new ConfigError(`${where(path)}.${error.path}: ${error.detail}`);
  }
}

function unique<T extends { name: string }>(list: readonly T[], where: Where, path: string[], what: string): void {
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    if (seen.has(entry.name)) throw new ConfigError(`${where([...path, i, 'name'])}: ${what} ${entry.name} is declared twice`);
    seen.add(entry.name);
  });
}

/**
 * Compiles every policy in `iam` and resolves what applies to each user:
 * inline, attached managed, group policies, and the permissions boundary.
 */
function compileIam(config: CoveConfig, where: Where): { users: Map<string, UserPolicies>; roles: Map<string, RoleDefinition>; managedPolicies: Map<string, unknown> } {
  const { iam, accountId } = config;
  unique(iam.policies, where, ['iam', 'policies'], 'policy');
  unique(iam.groups, where, ['iam', 'groups'], 'group');
  unique(iam.users, where, ['iam', 'users'], 'user');
  unique(iam.roles, where, ['iam', 'roles'], 'role');
  const managed = new Map<string, { index: number; arn: string; document: unknown; compiled: CompiledPolicy }>();
  iam.policies.forEach((policy, i) => {
    const arn = `arn:aws:iam::${accountId}:policy${policy.path}${policy.name}`;
    managed.set(policy.name, { index: i, arn, document: policy.document, compiled: compileAt(where, ['iam', 'policies', i, 'document'], `policy${policy.path}${policy.name}`, policy.document, 'identity') });
  });
  const byArn = new Map([...managed.values()].map((m) => [m.arn, m]));
  /** A bundled AWS managed policy, by ARN (index -1: it is not in the file). */
  const awsManaged = (arn: string) => {
    const document = awsManagedDocument(arn);
    return document === undefined ? undefined : { index: -1, arn, document, compiled: compilePolicy(arn, document, 'identity') };
  };
  const resolveManaged = (reference: string, path: (string | number)[]) => {
    const found = reference.startsWith('arn:') ? byArn.get(reference) ?? awsManaged(reference) : managed.get(reference);
    if (found) return found;
    const hint = reference.startsWith(AWS_MANAGED_ARN_PREFIX)
      ? `; cove bundles these AWS managed policies: ${awsManagedPolicies().map((p) => p.name).join(', ')}; declare any other's document under iam.policies`
      : '; declare it under iam.policies';
    throw new ConfigError(`${where(path)}: no managed policy ${reference}${hint}`);
  };
  const groups = new Map<string, CompiledPolicy[]>();
  iam.groups.forEach((group, g) => {
    groups.set(group.name, [
      ...group.policies.map((policy, p) => compileAt(where, ['iam', 'groups', g, 'policies', p, 'document'], `group/${group.name}#${policy.name}`, policy.document, 'identity')),
      ...group.managedPolicies.map((reference, m) => resolveManaged(reference, ['iam', 'groups', g, 'managedPolicies', m]).compiled),
    ]);
  });
  /** Inline and attached managed policies, and the boundary, of a user or role (`entity` is its path in the file). */
  const ownPolicies = (entity: 'users' | 'roles', index: number, kind: string, name: string, own: { policies: { name: string; document: unknown }[]; managedPolicies: string[]; permissionsBoundary?: string }): UserPolicies => {
    const identityPolicies = [
      ...own.policies.map((policy, p) => compileAt(where, ['iam', entity, index, 'policies', p, 'document'], `${kind}/${name}#${policy.name}`, policy.document, 'identity')),
      ...own.managedPolicies.map((reference, m) => resolveManaged(reference, ['iam', entity, index, 'managedPolicies', m]).compiled),
    ];
    if (own.permissionsBoundary === undefined) return { identityPolicies };
    const boundary = resolveManaged(own.permissionsBoundary, ['iam', entity, index, 'permissionsBoundary']);
    const boundaryPath = boundary.index === -1 ? ['iam', entity, index, 'permissionsBoundary'] : ['iam', 'policies', boundary.index, 'document'];
    return { identityPolicies, permissionsBoundary: [compileAt(where, boundaryPath, boundary.compiled.ref, boundary.document, 'permissionsBoundary')] };
  };
  const users = new Map<string, UserPolicies>();
  iam.users.forEach((user, u) => {
    const policies = ownPolicies('users', u, 'user', user.name, user);
    user.groups.forEach((name, g) => {
      const groupPolicies = groups.get(name);
      if (!groupPolicies) throw new ConfigError(`${where(['iam', 'users', u, 'groups', g])}: no group ${name}; declare it under iam.groups`);
      policies.identityPolicies.push(...groupPolicies);
    });
    users.set(user.name, policies);
  });
  const roles = new Map<string, RoleDefinition>();
  iam.roles.forEach((role, r) => {
    roles.set(role.name, {
      ...ownPolicies('roles', r, 'role', role.name, role),
      name: role.name,
      arn: `arn:aws:iam::${accountId}:role${role.path}${role.name}`,
      trust: compileAt(where, ['iam', 'roles', r, 'assumeRolePolicy'], `role/${role.name}#trust`, role.assumeRolePolicy, 'trust'),
      maxSessionDurationS: role.maxSessionDuration,
      tags: role.tags,
    });
  });
  return { users, roles, managedPolicies: new Map([...byArn].map(([arn, policy]) => [arn, policy.document])) };
}

/** Every distinct policy the configuration compiled (a managed policy attached twice is listed once). */
export function compiledPolicies(loaded: LoadedConfig): CompiledPolicy[] {
  const all = new Set<CompiledPolicy>();
  for (const entity of [...loaded.users.values(), ...loaded.roles.values()]) {
    for (const policy of [...entity.identityPolicies, ...(entity.permissionsBoundary ?? [])]) all.add(policy);
  }
  for (const role of loaded.roles.values()) all.add(role.trust);
  return [...all];
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}
