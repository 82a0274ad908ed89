import { compileConditions, type CompiledCondition } from './conditions.js';
import { PolicyDocumentError } from './errors.js';
import { compilePrincipal, type CompiledPrincipal } from './principals.js';
import { parseTemplate, type Template } from './variables.js';
import { compileWildcard, type Matcher } from './wildcard.js';

export { PolicyDocumentError } from './errors.js';

/**
 * A policy document parsed and compiled once, when it is stored. Evaluation
 * (evaluate.ts) then only runs the compiled matchers and conditions.
 */
export type Effect = 'Allow' | 'Deny';

/** What a policy is attached to decides which elements it may (or must) carry. */
export type PolicyKind = 'identity' | 'permissionsBoundary' | 'session' | 'vpcEndpoint' | 'trust';

export interface CompiledResource {
  pattern: string;
  template: Template;
  /** Prepared once when the pattern has no policy variables. */
  matcher: Matcher | undefined;
}

export interface CompiledStatement {
  /** Position in the document's Statement list, for traces. */
  index: number;
  sid: string | undefined;
  effect: Effect;
  actions: { negated: boolean; patterns: string[]; matchers: Matcher[] };
  /** Absent only in trust policies, which name no resource. */
  resources: { negated: boolean; list: CompiledResource[] } | undefined;
  principal: CompiledPrincipal | undefined;
  conditions: CompiledCondition[];
}

export interface CompiledPolicy {
  /** How the trace and audit name this policy, e.g. `user/alice#rw`. */
  ref: string;
  kind: PolicyKind;
  version: string;
  statements: CompiledStatement[];
  /** Every condition key and policy variable the policy reads (lowercased): lets callers skip costly keys nobody reads. */
  referencedKeys: ReadonlySet<string>;
  /** The document as given, for simulation and display. */
  source: unknown;
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);
const ACTION_SHAPE = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;
const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const PRINCIPAL_REQUIRED: ReadonlySet<PolicyKind> = new Set(['vpcEndpoint', 'trust']);

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
 * Parses a policy of the given kind. `document` may be the JSON text or the
 * already parsed object (YAML config gives objects). Structural faults throw
 * PolicyDocumentError with the path of the fault.
 */
export function compilePolicy(ref: string, document: unknown, kind: PolicyKind = 'identity'): CompiledPolicy {
  let parsed = document;
  if (typeof document === 'string') {
    try {
      parsed = JSON.parse(document);
    } catch {
      throw new PolicyDocumentError('(document)', 'is not valid JSON');
    }
  }
  if (!isRecord(parsed)) throw new PolicyDocumentError('(document)', 'expected a JSON object');
  for (const key of Object.keys(parsed)) {
    if (!POLICY_KEYS.has(key)) throw new PolicyDocumentError(key, 'is not a policy element (expected Version, Id, Statement)');
  }
  if (parsed.Id !== undefined && typeof parsed.Id !== 'string') throw new PolicyDocumentError('Id', 'expected a string');
  const version = parsed.Version ?? '2008-10-17';
  if (typeof version !== 'string' || !VERSIONS.has(version)) {
    throw new PolicyDocumentError('Version', 'expected "2012-10-17" or "2008-10-17"');
  }
  const rawStatements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  if (parsed.Statement === undefined || rawStatements.length === 0) {
    throw new PolicyDocumentError('Statement', 'expected a statement object or a non-empty list of them');
  }
  const substitutes = version === '2012-10-17';
  const statements = rawStatements.map((raw, index) => compileStatement(raw, index, substitutes, kind, Array.isArray(parsed.Statement) ? `Statement[${index}]` : 'Statement'));
  const sids = statements.map((s) => s.sid).filter((sid) => sid !== undefined);
  const duplicate = sids.find((sid, i) => sids.indexOf(sid) !== i);
  if (duplicate !== undefined) throw new PolicyDocumentError('Statement', `Sid "${duplicate}" is used twice; Sids must be unique in a policy`);
  return { ref, kind, version, statements, referencedKeys: referencedKeysOf(statements), source: parsed };
}

function compileStatement(raw: unknown, index: number, substitutes: boolean, kind: PolicyKind, path: string): CompiledStatement {
  if (!isRecord(raw)) throw new PolicyDocumentError(path, 'expected an object');
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyDocumentError(`${path}.${key}`, 'is not a statement element');
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    throw new PolicyDocumentError(`${path}.Effect`, 'expected "Allow" or "Deny"');
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') throw new PolicyDocumentError(`${path}.Sid`, 'expected a string');
  // IAM's own policies take only alphanumeric Sids; endpoint and trust policies are laxer.
  if (typeof raw.Sid === 'string' && !PRINCIPAL_REQUIRED.has(kind) && !/^[A-Za-z0-9]*$/.test(raw.Sid)) {
    throw new PolicyDocumentError(`${path}.Sid`, 'Statement IDs (SID) must be alpha-numeric');
  }
  const principal = compileStatementPrincipal(raw, kind, path);
  const actions = exactlyOne(raw, 'Action', 'NotAction', path, true)!;
  for (const pattern of actions.patterns) {
    if (!ACTION_SHAPE.test(pattern)) {
      throw new PolicyDocumentError(`${path}.${actions.negated ? 'NotAction' : 'Action'}`, `"${pattern}" is not of the form service:action`);
    }
  }
  const resources = exactlyOne(raw, 'Resource', 'NotResource', path, kind !== 'trust');
  for (const pattern of resources?.patterns ?? []) {
    if (pattern !== '*' && !pattern.startsWith('arn:')) {
      throw new PolicyDocumentError(`${path}.${resources!.negated ? 'NotResource' : 'Resource'}`, `"${pattern}" must be "*" or an ARN (arn:partition:service:region:account:resource)`);
    }
  }
  const conditions = raw.Condition === undefined ? [] : compileConditions(raw.Condition, `${path}.Condition`, substitutes);
  return {
    index,
    sid: raw.Sid as string | undefined,
    effect: raw.Effect,
    actions: { ...actions, matchers: actions.patterns.map((p) => compileWildcard(p, true)) },
    resources: resources && {
      negated: resources.negated,
      list: resources.patterns.map((pattern) => {
        const template = parseTemplate(pattern, substitutes);
        return { pattern, template, matcher: template.needsResolution ? undefined : compileWildcard(pattern, false) };
      }),
    },
    principal,
    conditions,
  };
}

function compileStatementPrincipal(raw: Record<string, unknown>, kind: PolicyKind, path: string): CompiledPrincipal | undefined {
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (!PRINCIPAL_REQUIRED.has(kind)) {
    if (hasPrincipal) throw new PolicyDocumentError(`${path}.${raw.Principal !== undefined ? 'Principal' : 'NotPrincipal'}`, `${kind === 'identity' ? 'an' : 'a'} ${KIND_NAMES[kind]} cannot name a principal`);
    return undefined;
  }
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) throw new PolicyDocumentError(path, 'has both Principal and NotPrincipal');
  if (!hasPrincipal) throw new PolicyDocumentError(path, `requires Principal in a ${KIND_NAMES[kind]}`);
  if (raw.NotPrincipal !== undefined) {
    if (raw.Effect !== 'Deny') throw new PolicyDocumentError(`${path}.NotPrincipal`, 'NotPrincipal may be used only with "Effect": "Deny"');
    return compilePrincipal(raw.NotPrincipal, true, `${path}.NotPrincipal`, kind === 'vpcEndpoint');
  }
  return compilePrincipal(raw.Principal, false, `${path}.Principal`, kind === 'vpcEndpoint');
}

export const KIND_NAMES: Record<PolicyKind, string> = {
  identity: 'identity-based policy',
  permissionsBoundary: 'permissions boundary',
  session: 'session policy',
  vpcEndpoint: 'VPC endpoint policy',
  trust: 'role trust policy',
};

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

function referencedKeysOf(statements: readonly CompiledStatement[]): Set<string> {
  const keys = new Set<string>();
  const addVariables = (template: Template) => {
    for (const part of template.parts) if (part.kind === 'variable') keys.add(part.lowerKey);
  };
  for (const statement of statements) {
    for (const resource of statement.resources?.list ?? []) addVariables(resource.template);
    for (const condition of statement.conditions) {
      keys.add(condition.lowerKey);
      for (const value of condition.values) addVariables(value.template);
    }
  }
  return keys;
}
