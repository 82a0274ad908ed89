/**
 * Key conditions: extraction of the per-key terms from a KeyConditionExpression, DynamoDB's
 * argument rules for ComparisonOperators (shared with the legacy parameters), and the check of a
 * key condition against a table's or index's key schema.
 */
import { validationError } from '../errors.js';
import type { AttributeValue, KeyAttribute } from '../types.js';
import { attributeValueSize } from '../attributeValue.js';
import type { Condition, KeyCondition, KeyConditionTerm, KeyOperator, Operand, ResolvedKeyCondition } from './ast.js';
import { compareScalars, typeOf, type TypeCode } from './values.js';

const INVALID = 'One or more parameter values were invalid: ';

export type ComparisonOperator = KeyConditionTerm['op'];

const ORDERED: readonly TypeCode[] = ['S', 'N', 'B'];
/** Unconfirmed set: DynamoDB Local's "all scalar types" (CONTAINS takes no sets, lists or maps). */
const SCALARS: readonly TypeCode[] = ['S', 'N', 'B', 'BOOL', 'NULL'];

function argumentCountOk(op: ComparisonOperator, n: number): boolean {
  switch (op) {
    case 'NULL':
    case 'NOT_NULL':
      return n === 0;
    case 'IN':
      return n >= 1;
    case 'BETWEEN':
      return n === 2;
    default:
      return n === 1;
  }
}

function typeSupported(op: ComparisonOperator, type: TypeCode): boolean {
  switch (op) {
    case 'EQ':
    case 'NE':
    case 'NULL':
    case 'NOT_NULL':
      return true;
    case 'CONTAINS':
    case 'NOT_CONTAINS':
      return SCALARS.includes(type);
    case 'BEGINS_WITH':
      return type === 'S' || type === 'B';
    default:
      return ORDERED.includes(type);
  }
}

/** DynamoDB's rules for a ComparisonOperator's AttributeValueList (legacy parameters, key terms). */
export function validateComparisonArguments(op: ComparisonOperator, values: readonly AttributeValue[]): void {
  if (!argumentCountOk(op, values.length)) {
    throw validationError(`${INVALID}Invalid number of argument(s) for the ${op} ComparisonOperator`);
  }
  let first: TypeCode | undefined;
  for (const value of values) {
    const type = typeOf(value);
    first ??= type;
    if (!typeSupported(op, type)) {
      throw validationError(`${INVALID}ComparisonOperator ${op} is not valid for ${type} AttributeValue type`);
    }
    if (type !== first) throw validationError(`${INVALID}AttributeValues inside AttributeValueList must be of same type`);
  }
  if (op === 'BETWEEN' && (compareScalars(values[0], values[1]) ?? 0) > 0) {
    throw validationError('The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
  }
}

// -------------------------------------------------------------------------------------------------
// Extraction from a KeyConditionExpression
// -------------------------------------------------------------------------------------------------

const OPERATOR_NAMES: Readonly<Record<string, string>> = {
  or: 'OR',
  not: 'NOT',
  in: 'IN',
  attribute_exists: 'attribute_exists',
  attribute_not_exists: 'attribute_not_exists',
  attribute_type: 'attribute_type',
  contains: 'contains',
};

const COMPARE_OPS: Readonly<Record<string, KeyOperator>> = { '=': 'EQ', '<': 'LT', '<=': 'LE', '>': 'GT', '>=': 'GE' };
const INVERSE: Readonly<Record<string, KeyOperator>> = { LT: 'GT', GT: 'LT', LE: 'GE', GE: 'LE' };

function invalidCondition(detail: string): never {
  throw validationError(`Invalid condition in KeyConditionExpression: ${detail}`);
}

function term(c: Condition, terms: KeyConditionTerm[]): void {
  let op: KeyOperator;
  let operands: readonly Operand[];
  let opName: string;
  switch (c.kind) {
    case 'compare':
      if (c.op === '<>') throw validationError('Invalid operator used in KeyConditionExpression: <>');
      op = COMPARE_OPS[c.op];
      opName = c.op;
      operands = [c.left, c.right];
      break;
    case 'between':
      op = 'BETWEEN';
      opName = 'BETWEEN';
      operands = [c.operand, c.low, c.high];
      break;
    case 'begins_with':
      op = 'BEGINS_WITH';
      opName = 'begins_with';
      operands = [c.operand, c.prefix];
      break;
    default:
      throw validationError(`Invalid operator used in KeyConditionExpression: ${OPERATOR_NAMES[c.kind] ?? c.kind}`);
  }
  let name: string | undefined;
  const values: AttributeValue[] = [];
  for (const operand of operands) {
    if (operand.kind === 'path') {
      if (name !== undefined) invalidCondition('Multiple attribute names used in one condition');
      if (operand.path.length > 1) throw validationError('KeyConditionExpressions cannot have conditions on nested attributes');
      name = operand.path[0] as string;
    } else if (operand.kind === 'value') {
      if (name === undefined) {
        if (op === 'BETWEEN' || op === 'BEGINS_WITH') {
          invalidCondition(`${opName} operator must have the key attribute as its first operand`);
        }
        op = INVERSE[op] ?? op;
      }
      values.push(operand.value);
    } else {
      throw validationError('KeyConditionExpressions cannot contain nested operations');
    }
  }
  if (name === undefined) invalidCondition('No key attribute specified');
  if (terms.some((t) => t.name === name)) throw validationError('KeyConditionExpressions must only contain one condition per key');
  validateComparisonArguments(op, values);
  terms.push({ name, op, values });
}

function extract(c: Condition, terms: KeyConditionTerm[]): void {
  if (c.kind === 'and') {
    extract(c.left, terms);
    extract(c.right, terms);
  } else {
    term(c, terms);
  }
}

export const MSG_CONDITIONS_LENGTH = 'Conditions can be of length 1 or 2 only';

/** The key terms of a compiled KeyConditionExpression, with DynamoDB's messages. */
export function extractKeyCondition(condition: Condition): KeyCondition {
  const terms: KeyConditionTerm[] = [];
  extract(condition, terms);
  if (terms.length === 0 || terms.length > 2) throw validationError(MSG_CONDITIONS_LENGTH);
  return { terms };
}

// -------------------------------------------------------------------------------------------------
// Matching against a key schema
// -------------------------------------------------------------------------------------------------

const INDEXABLE: ReadonlySet<string> = new Set(['EQ', 'LE', 'LT', 'GE', 'GT', 'BEGINS_WITH', 'BETWEEN']);

function emptyKeyValue(key: KeyAttribute, values: readonly AttributeValue[]): void {
  for (const value of values) {
    if (('S' in value && value.S === '') || ('B' in value && value.B === '')) {
      throw validationError(
        'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ' +
          `${'S' in value ? 'string' : 'binary'} value. Key: ${key.name}`,
      );
    }
  }
}

/**
 * Matches a key condition against the key schema of the table or index queried, raising
 * DynamoDB's messages ("Query condition missed key schema element: id", "Query key condition not
 * supported", ...), and returns it as partition key value plus optional sort key condition.
 */
export function checkKeyCondition(kc: KeyCondition, hashKey: KeyAttribute, rangeKey?: KeyAttribute): ResolvedKeyCondition {
  const terms = kc.terms;
  if (terms.length > (rangeKey ? 2 : 1)) throw validationError('Query key condition not supported');
  const hash = terms.find((t) => t.name === hashKey.name);
  if (hash === undefined) throw validationError(`Query condition missed key schema element: ${hashKey.name}`);
  if (!INDEXABLE.has(hash.op)) throw validationError('Attempted conditional constraint is not an indexable operation');
  if (typeOf(hash.values[0]) !== hashKey.type) {
    throw validationError(`${INVALID}Condition parameter type does not match schema type`);
  }
  if (hash.op !== 'EQ') throw validationError('Query key condition not supported');
  emptyKeyValue(hashKey, hash.values);
  const resolved: { partitionKey: ResolvedKeyCondition['partitionKey']; sortKey?: ResolvedKeyCondition['sortKey'] } = {
    partitionKey: { name: hashKey.name, value: hash.values[0] },
  };
  if (rangeKey === undefined) return resolved;
  const range = terms.find((t) => t.name === rangeKey.name);
  if (range === undefined) {
    if (terms.length > 1) throw validationError(`Query condition missed key schema element: ${rangeKey.name}`);
    return resolved;
  }
  if (!INDEXABLE.has(range.op)) throw validationError('Attempted conditional constraint is not an indexable operation');
  for (const value of range.values) {
    if (attributeValueSize(value) > 1024) {
      throw validationError(`${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
    }
    if (typeOf(value) !== rangeKey.type) throw validationError(`${INVALID}Condition parameter type does not match schema type`);
  }
  emptyKeyValue(rangeKey, range.values);
  resolved.sortKey = { name: rangeKey.name, op: range.op as KeyOperator, values: range.values };
  return resolved;
}
