import { compileWildcard, type Matcher } from './wildcard.js';

/**
 * A policy document parsed and compiled once, when it is stored. Evaluation
 * (evaluate.ts) then only runs the compiled matchers.
 */
export type Effect = 'Allow' | 'Deny';

export interface CompiledStatement {
  /** Position in the document's Statement list, for traces. */
  index: number;
  sid: string | undefined;
  effect: Effect;
  actions: { negated: boolean; patterns: string[]; matchers: Matcher[] };
  resources: { negated: boolean; patterns: string[]; matchers: Matcher[] } | undefined;
  /** Conditions are not yet evaluated (see README): a statement carrying one fails closed. */
  hasCondition: boolean;
  /** Resource patterns with policy variables are not yet resolved: such a statement fails closed. */
  hasUnresolvedVariables: boolean;
}

export interface CompiledPolicy {
  /** How the trace and audit name this policy, e.g. `user/alice#rw`. */
  ref: string;
  version: string;
  statements: CompiledStatement[];
}

export class PolicyDocumentError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);
const ACTION_SHAPE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, path: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new PolicyDocumentError(path, 'expected a string or a non-empty list of strings');
  }
  return list as string[];
}

/**
 * Parses an identity policy. `document` may be the JSON text or the already
 * parsed object (YAML config gives objects). Structural faults throw
 * PolicyDocumentError with the path of the fault.
 */
export function compilePolicy(ref: string, document: unknown): CompiledPolicy {
  let parsed = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch {
      throw new PolicyDocumentError('(document)', 'is not valid JSON');
    }
  }
  if (!isRecord(parsed)) throw new PolicyDocumentError('(document)', 'expected a JSON object');
  const version = parsed.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.has(version)) {
    throw new PolicyDocumentError('Version', 'expected "2012-10-17" or "2008-10-17"');
  }
  const rawStatements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  if (parsed.Statement === undefined || rawStatements.length === 0) {
    throw new PolicyDocumentError('Statement', 'expected a statement object or a non-empty list of them');
  }
  const statements = rawStatements.map((raw, index) => compileStatement(raw, index, version, `Statement[${index}]`));
  return { ref, version, statements };
}

function compileStatement(raw: unknown, index: number, version: string, path: string): CompiledStatement {
  if (!isRecord(raw)) throw new PolicyDocumentError(path, 'expected an object');
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyDocumentError(`${path}.${key}`, 'is not a statement element');
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new PolicyDocumentError(`${path}.Effect`, 'expected "Allow" or "Deny"');
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyDocumentError(`${path}.Sid`, 'expected a string');
  if (raw.Principal !== undefined || raw.NotPrincipal !== undefined) {
    throw new PolicyDocumentError(`${path}.Principal`, 'an identity-based policy cannot name a principal');
  }
  const actions = exactlyOne(raw, 'Action', 'NotAction', path, true)!;
  for (const pattern of actions.patterns) {
    if (!ACTION_SHAPE.test(pattern)) {
      throw new PolicyDocumentError(`${path}.${actions.negated ? 'NotAction' : 'Action'}`, `"${pattern}" is not of the form service:action`);
    }
  }
  const resources = exactlyOne(raw, 'Resource', 'NotResource', path, true);
  if (raw.Condition !== undefined && !isRecord(raw.Condition)) {
    throw new PolicyDocumentError(`${path}.Condition`, 'expected an object of operator → { key: values }');
  }
  const hasUnresolvedVariables = version === '2012-10-17' && (resources?.patterns.some((p) => p.includes('${')) ?? false);
  return {
    index,
    sid: raw.Sid as string | undefined,
    effect: raw.Effect,
    actions: { ...actions, matchers: actions.patterns.map((p) => compileWildcard(p, true)) },
    resources: resources && { ...resources, matchers: resources.patterns.map((p) => compileWildcard(p, false)) },
    hasCondition: raw.Condition !== undefined && Object.keys(raw.Condition as object).length > 0,
    hasUnresolvedVariables,
  };
}

function exactlyOne(raw: Record<string, unknown>, plain: string, negated: string, path: string, required: boolean) {
  const hasPlain = raw[plain] !== undefined;
  const hasNegated = raw[negated] !== undefined;
  if (hasPlain && hasNegated) throw new PolicyDocumentError(path, `has both ${plain} and ${negated}`);
  if (!hasPlain && !hasNegated) {
    if (required) throw new PolicyDocumentError(path, `requires ${plain} or ${negated}`);
    return undefined;
  }
  const key = hasPlain ? plain : negated;
  return { negated: hasNegated, patterns: stringList(raw[key], `${path}.${key}`) };
}
