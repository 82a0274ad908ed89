import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { ConditionContext, ContextValue } from './conditionContext.js';
import { PolicyDocumentError } from './errors.js';
import { cidrContains, ipv4ToNumber, parseCidr4 } from '../network/cidr.js';
import { perResolution, resolveText, parseTemplate, type Segment, type Template } from './variables.js';
import { compileSegments, type Matcher } from './wildcard.js';

/**
 * Condition operators, compiled once per policy. AWS's rules: blocks AND, keys
 * AND, values OR; a negated operator holds when no value matches. A missing key
 * fails a positive operator and satisfies a negated one or `...IfExists`. A plain
 * operator never matches a multi-valued key; `ForAnyValue` needs one matching
 * member (missing/empty: false), `ForAllValues` needs every member to match
 * (missing/empty: true). `Null` tests presence only.
 */
type Family = 'String' | 'StringIgnoreCase' | 'StringLike' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn';
type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface BaseOperator {
  family: Family;
  comparison: Comparison;
  negated: boolean;
}

const BASE_OPERATORS: Record<string, BaseOperator> = {
  StringEquals: { family: 'String', comparison: 'eq', negated: false },
  StringNotEquals: { family: 'String', comparison: 'eq', negated: true },
  StringEqualsIgnoreCase: { family: 'StringIgnoreCase', comparison: 'eq', negated: false },
  StringNotEqualsIgnoreCase: { family: 'StringIgnoreCase', comparison: 'eq', negated: true },
  StringLike: { family: 'StringLike', comparison: 'eq', negated: false },
  StringNotLike: { family: 'StringLike', comparison: 'eq', negated: true },
  NumericEquals: { family: 'Numeric', comparison: 'eq', negated: false },
  NumericNotEquals: { family: 'Numeric', comparison: 'eq', negated: true },
  NumericLessThan: { family: 'Numeric', comparison: 'lt', negated: false },
  NumericLessThanEquals: { family: 'Numeric', comparison: 'lte', negated: false },
  NumericGreaterThan: { family: 'Numeric', comparison: 'gt', negated: false },
  NumericGreaterThanEquals: { family: 'Numeric', comparison: 'gte', negated: false },
  DateEquals: { family: 'Date', comparison: 'eq', negated: false },
  DateNotEquals: { family: 'Date', comparison: 'eq', negated: true },
  DateLessThan: { family: 'Date', comparison: 'lt', negated: false },
  DateLessThanEquals: { family: 'Date', comparison: 'lte', negated: false },
  DateGreaterThan: { family: 'Date', comparison: 'gt', negated: false },
  DateGreaterThanEquals: { family: 'Date', comparison: 'gte', negated: false },
  Bool: { family: 'Bool', comparison: 'eq', negated: false },
  BinaryEquals: { family: 'Binary', comparison: 'eq', negated: false },
  IpAddress: { family: 'Ip', comparison: 'eq', negated: false },
  NotIpAddress: { family: 'Ip', comparison: 'eq', negated: true },
  ArnEquals: { family: 'Arn', comparison: 'eq', negated: false },
  ArnLike: { family: 'Arn', comparison: 'eq', negated: false },
  ArnNotEquals: { family: 'Arn', comparison: 'eq', negated: true },
  ArnNotLike: { family: 'Arn', comparison: 'eq', negated: true },
};

export const CONDITION_OPERATORS: readonly string[] = [...Object.keys(BASE_OPERATORS), 'Null'];

type SetOperator = 'ForAllValues' | 'ForAnyValue' | undefined;

/** Tests one context value (a string) against one policy value; undefined policy value = unresolvable. */
type ValueTest = (contextValue: string) => boolean;

interface PolicyValue {
  template: Template;
  /** Prepared once when the value has no variables. */
  test: ValueTest | undefined;
}

export interface CompiledCondition {
  /** As written, e.g. `ForAllValues:StringEqualsIfExists`. */
  operator: string;
  /** As written, e.g. `dynamodb:LeadingKeys`. */
  key: string;
  lowerKey: string;
  values: readonly PolicyValue[];
  base: BaseOperator | 'Null';
  setOperator: SetOperator;
  ifExists: boolean;
}

export interface ConditionExplanation {
  operator: string;
  key: string;
  policyValues: string[];
  contextValue: ContextValue | null;
  matched: boolean;
  reason: string;
}

/** Parses `Condition: { Operator: { Key: value | [values] } }`. */
export function compileConditions(raw: unknown, path: string, substitutes: boolean): CompiledCondition[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PolicyDocumentError(path, 'expected an object of operator → { key: values }');
  }
  const conditions: CompiledCondition[] = [];
  for (const [operator, block] of Object.entries(raw)) {
    const { base, setOperator, ifExists } = parseOperator(operator, `${path}.${operator}`);
    if (typeof block !== 'object' || block === null || Array.isArray(block) || Object.keys(block).length === 0) {
      throw new PolicyDocumentError(`${path}.${operator}`, 'expected an object of condition key → value or list of values');
    }
    for (const [key, rawValues] of Object.entries(block as Record<string, unknown>)) {
      const valuePath = `${path}.${operator}.${key}`;
      if (!/^[A-Za-z0-9_.-]+:[^\s]+$/.test(key)) throw new PolicyDocumentError(valuePath, 'expected a condition key of the form service:name');
      const list = Array.isArray(rawValues) ? rawValues : [rawValues];
      if (list.length === 0) throw new PolicyDocumentError(valuePath, 'expected at least one value');
      const values = list.map((value, i) => {
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new PolicyDocumentError(Array.isArray(rawValues) ? `${valuePath}[${i}]` : valuePath, 'expected a string, number or boolean');
        }
        const template = parseTemplate(String(value), substitutes);
        return { template, test: template.needsResolution ? undefined : prepareTest(base, [{ text: template.source, wildcard: true }]) };
      });
      if (base === 'Null' && !values.every((v) => /^(true|false)$/i.test(v.template.source))) {
        throw new PolicyDocumentError(valuePath, 'Null takes "true" or "false"');
      }
      conditions.push({ operator, key, lowerKey: key.toLowerCase(), values, base, setOperator, ifExists });
    }
  }
  return conditions;
}

function parseOperator(operator: string, path: string): Pick<CompiledCondition, 'base' | 'setOperator' | 'ifExists'> {
  let name = operator;
  let setOperator: SetOperator;
  for (const prefix of ['ForAllValues', 'ForAnyValue'] as const) {
    if (name.startsWith(`${prefix}:`)) {
      setOperator = prefix;
      name = name.slice(prefix.length + 1);
    }
  }
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  if (name === 'Null' && !ifExists) return { base: 'Null', setOperator, ifExists };
  const base = BASE_OPERATORS[name];
  if (!base) throw new PolicyDocumentError(path, `is not a condition operator (expected one of ${CONDITION_OPERATORS.join(', ')}, optionally with IfExists and a ForAllValues:/ForAnyValue: prefix)`);
  return { base, setOperator, ifExists };
}

export function evaluateCondition(condition: CompiledCondition, context: ConditionContext): boolean {
  const value = context.get(condition.lowerKey);
  const base = condition.base;
  if (base === 'Null') {
    const absent = value === undefined;
    return condition.values.some((v) => (v.template.source.toLowerCase() === 'true') === absent);
  }
  if (condition.setOperator === undefined) {
    if (value === undefined) return condition.ifExists || base.negated;
    if (typeof value !== 'string') return false;
    return satisfies(condition, base, value, context);
  }
  const members = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  if (condition.setOperator === 'ForAllValues') return members.every((member) => satisfies(condition, base, member, context));
  if (members.length === 0) return condition.ifExists && value === undefined;
  return members.some((member) => satisfies(condition, base, member, context));
}

/** One context value against the condition's values: any matches, or for a negated operator none does. */
function satisfies(condition: CompiledCondition, base: BaseOperator, contextValue: string, context: ConditionContext): boolean {
  let anyMatch = false;
  for (const value of condition.values) {
    const test = value.test ?? resolvedTest(base, value.template, context);
    if (test !== undefined && test(contextValue)) {
      anyMatch = true;
      break;
    }
  }
  return anyMatch !== base.negated;
}

function resolvedTest(base: BaseOperator, template: Template, context: ConditionContext): ValueTest | undefined {
  // A template belongs to one condition value, so to one operator: the memo is per (template, values).
  return perResolution(template, context, (segments) => prepareTest(base, segments));
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const EPOCH_SECONDS = /^-?\d+$/;

function compare(comparison: Comparison, a: number, b: number): boolean {
  switch (comparison) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

/** ISO 8601 or epoch seconds, as AWS's Date operators accept both. */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  const ms = EPOCH_SECONDS.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The positive test of one policy value (negation is applied by the caller). */
function prepareTest(base: BaseOperator | 'Null', segments: readonly Segment[]): ValueTest | undefined {
  if (base === 'Null') return undefined;
  const text = segments.map((s) => s.text).join('');
  switch (base.family) {
    case 'String':
      return (value) => value === text;
    case 'StringIgnoreCase': {
      const lower = text.toLowerCase();
      return (value) => value.toLowerCase() === lower;
    }
    case 'StringLike':
      return compileSegments(segments, false);
    case 'Numeric': {
      const policyNumber = parseNumber(text);
      if (policyNumber === undefined) return () => false;
      return (value) => {
        const n = parseNumber(value);
        return n !== undefined && compare(base.comparison, n, policyNumber);
      };
    }
    case 'Date': {
      const policyDate = parseDate(text);
      if (policyDate === undefined) return () => false;
      return (value) => {
        const d = parseDate(value);
        return d !== undefined && compare(base.comparison, d, policyDate);
      };
    }
    case 'Bool': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') return () => false;
      return (value) => value.toLowerCase() === lower;
    }
    case 'Binary':
      return (value) => value === text;
    case 'Ip':
      return ipTest(text);
    case 'Arn':
      return arnTest(segments);
  }
}

function ipTest(cidr: string): ValueTest {
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const prefix = slash < 0 ? (family === 'ipv4' ? 32 : 128) : Number(cidr.slice(slash + 1));
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) return () => false;
  if (family === 'ipv4') {
    // IPv4, the common case (aws:SourceIp on every request): integer arithmetic, where
    // BlockList.check builds a SocketAddress per call.
    const cidr4 = parseCidr4(`${address}/${prefix}`);
    if (!cidr4) return () => false;
    return (value) => {
      const n = ipv4Number(value);
      return n !== undefined && cidrContains(cidr4, n);
    };
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return (value) => (isIPv4(value) ? list.check(value, 'ipv4') : isIPv6(value) ? list.check(value, 'ipv6') : false);
}

// Requests of one client carry the same source address: parse it once.
let lastAddress = '';
let lastNumber: number | undefined;

function ipv4Number(address: string): number | undefined {
  if (address !== lastAddress) {
    lastNumber = ipv4ToNumber(address);
    lastAddress = address;
  }
  return lastNumber;
}

/** ARN operators compare the six colon-separated parts one by one, each with `*` and `?`. */
function arnTest(segments: readonly Segment[]): ValueTest {
  const text = segments.map((s) => s.text).join('');
  if (text === '*') return () => true;
  const policyParts = splitArnSegments(segments);
  if (!policyParts) return () => false;
  const matchers: Matcher[] = policyParts.map((part) => compileSegments(part, false));
  return (value) => {
    const parts = splitArn(value);
    return parts !== undefined && matchers.every((matcher, i) => matcher(parts[i]));
  };
}

export function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let rest = arn;
  for (let i = 0; i < 5; i++) {
    const colon = rest.indexOf(':');
    if (colon < 0) return undefined;
    parts.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  parts.push(rest);
  return parts[0] === 'arn' ? parts : undefined;
}

/** splitArn for a template's segments: colons inside variable values do not split. */
function splitArnSegments(segments: readonly Segment[]): Segment[][] | undefined {
  const parts: Segment[][] = [[]];
  for (const segment of segments) {
    if (!segment.wildcard || parts.length === 6) {
      parts[parts.length - 1].push(segment);
      continue;
    }
    const pieces = segment.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (parts.length === 6) parts[5].push({ text: ':', wildcard: false });
        else parts.push([]);
      }
      if (piece.length > 0) parts[parts.length - 1].push({ text: piece, wildcard: true });
    });
  }
  if (parts.length !== 6) return undefined;
  const first = parts[0].map((s) => s.text).join('');
  return first === 'arn' ? parts : undefined;
}

/** Why a condition held or not, with the values it compared: for explain and audit traces. */
export function explainCondition(condition: CompiledCondition, context: ConditionContext): ConditionExplanation {
  const matched = evaluateCondition(condition, context);
  const value = context.get(condition.lowerKey);
  const policyValues = condition.values.map((v) => resolveText(v.template, context) ?? `${v.template.source} (unresolved)`);
  let reason: string;
  if (value === undefined) {
    reason = `${condition.key} is not in the request context`;
  } else if (condition.base !== 'Null' && condition.setOperator === undefined && typeof value !== 'string') {
    reason = `${condition.key} is multi-valued; only ForAllValues:/ForAnyValue: can test it`;
  } else {
    reason = `${condition.key} is ${JSON.stringify(value)}`;
  }
  return { operator: condition.operator, key: condition.key, policyValues, contextValue: value ?? null, matched, reason: `${reason}; ${condition.operator} ${JSON.stringify(policyValues)} → ${matched}` };
}
