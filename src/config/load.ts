import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { configSchema, type CoveConfig } from './schema.js';
import { compilePolicy, PolicyDocumentError, type CompiledPolicy } from '../policy/document.js';

export class ConfigError extends Error {}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('') || '(top level)';
}

/** Validated configuration plus the policies compiled from it, keyed `user/NAME#POLICY`. */
export interface LoadedConfig {
  config: CoveConfig;
  userPolicies: Map<string, CompiledPolicy[]>;
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
    const lines = parsed.error.issues.map((issue) => `${locate(issue.path)}: ${formatPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(lines.join('\n'));
  }
  const config = parsed.data;
  const userPolicies = new Map<string, CompiledPolicy[]>();
  const seenUsers = new Set<string>();
  config.iam.users.forEach((user, u) => {
    if (seenUsers.has(user.name)) throw new ConfigError(`${locate(['iam', 'users', u, 'name'])}: iam.users[${u}].name: user ${user.name} is declared twice`);
    seenUsers.add(user.name);
    userPolicies.set(
      user.name,
      user.policies.map((policy, p) => {
        try {
          return compilePolicy(`user/${user.name}#${policy.name}`, policy.document);
        } catch (error) {
          if (!(error instanceof PolicyDocumentError)) throw error;
          const path = ['iam', 'users', u, 'policies', p, 'document'];
          throw new ConfigError(`${locate(path)}: ${formatPath(path)}.${error.path}: ${error.message.slice(error.path.length + 2)}`);
        }
      }),
    );
  });
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
  return { config, userPolicies };
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(listen.slice(colon + 1)) };
}
