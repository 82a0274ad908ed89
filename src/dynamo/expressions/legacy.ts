/**
 * DynamoDB's legacy (pre-expression) parameters, validated with DynamoDB's messages and compiled
 * into the same structures as expressions:
 *
 * - Expected + ConditionalOperator        -> Condition
 * - QueryFilter / ScanFilter + ConditionalOperator -> Condition
 * - KeyConditions                         -> KeyCondition
 * - AttributesToGet                       -> projection paths
 * - AttributeUpdates                      -> UpdateActions (legacy semantics)
 *
 * Map entries are checked in DynamoDB's (Java HashMap) order, so the error reported for a request
 * with several bad entries is the one DynamoDB reports.
 */
import { AwsError } from '../../errors.js';
import { validationError } from '../errors.js';
import { attributeValueSize, checkAttributeName, normalizeAttributeValue } from '../attributeValue.js';
import { checkItemSize } from '../limits.js';
import type { AttributeValue } from '../types.js';
import type { Condition, KeyCondition, KeyConditionTerm, LeafAction, Operand, Path, SetAction, UpdateActions, ValueAction } from './ast.js';
import { stringMapOrder } from './javaHash.js';
import { type ComparisonOperator, MAX_KEY_CONDITION_TERMS, MSG_CONDITIONS_LENGTH, validateComparisonArguments } from './keyCondition.js';
import { legacyUpdateTree } from './semantics.js';
import { typeOf } from './values.js';

const INVALID = 'One or more parameter values were invalid: ';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function entries(map: Json): [string, unknown][] {
  return stringMapOrder(Object.keys(map)).map((key) => [key, map[key]]);
}

function normalizeList(list: unknown): AttributeValue[] {
  if (!Array.isArray(list)) return [];
  return list.map((v) => normalizeAttributeValue(v));
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The condition a legacy ComparisonOperator expresses on one attribute. */
function comparison(name: string, op: ComparisonOperator, values: readonly AttributeValue[]): Condition {
  const path: Operand = { kind: 'path', path: [name] };
  const v = (i: number): Operand => ({ kind: 'value', value: values[i] });
  switch (op) {
    case 'EQ':
      return { kind: 'compare', op: '=', left: path, right: v(0) };
    case 'NE':
      return { kind: 'compare', op: '<>', left: path, right: v(0) };
    case 'LT':
      return { kind: 'compare', op: '<', left: path, right: v(0) };
    case 'LE':
      return { kind: 'compare', op: '<=', left: path, right: v(0) };
    case 'GT':
      return { kind: 'compare', op: '>', left: path, right: v(0) };
    case 'GE':
      return { kind: 'compare', op: '>=', left: path, right: v(0) };
    case 'BETWEEN':
      return { kind: 'between', operand: path, low: v(0), high: v(1) };
    case 'IN':
      return { kind: 'in', operand: path, list: values.map((_, i) => v(i)) };
    case 'NULL':
      return { kind: 'attribute_not_exists', path: [name] };
    case 'NOT_NULL':
      return { kind: 'attribute_exists', path: [name] };
    case 'CONTAINS':
      return { kind: 'contains', operand: path, value: v(0) };
    case 'NOT_CONTAINS':
      // An absent attribute does not satisfy NOT_CONTAINS.
      return {
        kind: 'and',
        left: { kind: 'attribute_exists', path: [name] },
        right: { kind: 'not', operand: { kind: 'contains', operand: path, value: v(0) } },
      };
    case 'BEGINS_WITH':
      return { kind: 'begins_with', operand: path, prefix: v(0) };
  }
}

function combine(conditions: readonly Condition[], operator: unknown): Condition | undefined {
  if (conditions.length === 0) return undefined;
  const kind = operator === 'OR' ? 'or' : 'and';
  let result = conditions[conditions.length - 1];
  for (let i = conditions.length - 2; i >= 0; i--) result = { kind, left: conditions[i], right: result };
  return result;
}

/** Unconfirmed texts (DynamoDB Local's): ConditionalOperator with fewer than two conditions. */
export const MSG_CONDITIONAL_OPERATOR_ALONE = 'ConditionalOperator cannot be used without Filter or Expected';
export const MSG_CONDITIONAL_OPERATOR_ONE = 'ConditionalOperator can only be used when Filter or Expected has two or more elements';

function checkConditionalOperator(operator: unknown, count: number): void {
  if (!present(operator)) return;
  if (count === 0) throw validationError(MSG_CONDITIONAL_OPERATOR_ALONE);
  if (count === 1) throw validationError(MSG_CONDITIONAL_OPERATOR_ONE);
}

/** Expected (+ ConditionalOperator) of PutItem, UpdateItem and DeleteItem. */
export function compileExpected(expected: unknown, operator: unknown): Condition | undefined {
  const conditions: Condition[] = [];
  if (isObject(expected)) {
    for (const [name, raw] of entries(expected)) {
      const e: Json = isObject(raw) ? raw : {};
      const suffix = `for Attribute: ${name}`;
      const op = e.ComparisonOperator as ComparisonOperator | undefined;
      const exists = e.Exists as boolean | undefined;
      const hasValue = present(e.Value);
      const hasList = present(e.AttributeValueList);
      if (present(exists) && present(op)) throw validationError(`${INVALID}Exists and ComparisonOperator cannot be used together ${suffix}`);
      if (hasValue && hasList) throw validationError(`${INVALID}Value and AttributeValueList cannot be used together ${suffix}`);
      if (!present(op) && hasList) throw validationError(`${INVALID}AttributeValueList can only be used with a ComparisonOperator ${suffix}`);
      if (exists === false && hasValue) throw validationError(`${INVALID}Value cannot be used when Exists is false ${suffix}`);
      if (!hasValue && !hasList) {
        if (present(op)) {
          if (op !== 'NULL' && op !== 'NOT_NULL') {
            throw validationError(`${INVALID}Value or AttributeValueList must be used with ComparisonOperator: ${op} ${suffix}`);
          }
        } else if (!present(exists)) {
          throw validationError(`${INVALID}Value must be provided when Exists is null ${suffix}`);
        } else if (exists) {
          throw validationError(`${INVALID}Value must be provided when Exists is true ${suffix}`);
        }
      }
      const value = hasValue ? normalizeAttributeValue(e.Value) : undefined;
      const list = hasList ? normalizeList(e.AttributeValueList) : undefined;
      if (present(op)) {
        const values = value !== undefined ? [value] : list ?? [];
        validateComparisonArguments(op!, values);
        conditions.push(comparison(name, op!, values));
      } else if (exists === false) {
        conditions.push({ kind: 'attribute_not_exists', path: [name] });
      } else {
        conditions.push(comparison(name, 'EQ', [value!]));
      }
    }
  }
  checkConditionalOperator(operator, conditions.length);
  return combine(conditions, operator);
}

function compileConditions(filter: Json): { name: string; op: ComparisonOperator; values: AttributeValue[] }[] {
  const out: { name: string; op: ComparisonOperator; values: AttributeValue[] }[] = [];
  for (const [name, raw] of entries(filter)) {
    const c: Json = isObject(raw) ? raw : {};
    const op = c.ComparisonOperator as ComparisonOperator;
    const values = normalizeList(c.AttributeValueList);
    validateComparisonArguments(op, values);
    out.push({ name, op, values });
  }
  return out;
}

/** QueryFilter or ScanFilter (+ ConditionalOperator). */
export function compileFilter(filter: unknown, operator: unknown): Condition | undefined {
  const conditions = isObject(filter) ? compileConditions(filter).map((c) => comparison(c.name, c.op, c.values)) : [];
  checkConditionalOperator(operator, conditions.length);
  return combine(conditions, operator);
}

/** Query's KeyConditions. */
export function compileKeyConditions(keyConditions: unknown): KeyCondition {
  const terms: KeyConditionTerm[] = isObject(keyConditions) ? compileConditions(keyConditions) : [];
  // DynamoDB accepts KeyConditions on a GSI with a multi-attribute key (ScyllaDB's Alternator issue 31393 records it).
  if (terms.length === 0 || terms.length > MAX_KEY_CONDITION_TERMS) throw validationError(MSG_CONDITIONS_LENGTH);
  return { terms };
}

/** AttributesToGet: top-level attribute names, without duplicates. */
export function compileAttributesToGet(names: unknown): Path[] {
  const list = Array.isArray(names) ? (names as string[]) : [];
  // Every name's own fault before any duplicate (DynamoDB Local's order).
  for (const name of list) checkAttributeName(name);
  const seen = new Set<string>();
  for (const name of list) {
    if (seen.has(name)) throw validationError(`${INVALID}Duplicate value in attribute name: ${name}`);
    seen.add(name);
  }
  return list.map((name) => [name]);
}

const ADD_TYPES = new Set(['N', 'SS', 'NS', 'BS', 'L']);
const DELETE_TYPES = new Set(['SS', 'NS', 'BS']);

/** AttributeUpdates of UpdateItem. */
export function compileAttributeUpdates(updates: unknown): UpdateActions {
  const set: SetAction[] = [];
  const remove: Path[] = [];
  const add: ValueAction[] = [];
  const del: ValueAction[] = [];
  const leaves: { name: string; action: LeafAction }[] = [];
  let size = 0;
  if (isObject(updates)) {
    for (const [name, raw] of entries(updates)) {
      const u: Json = isObject(raw) ? raw : {};
      const action = present(u.Action) ? (u.Action as string) : 'PUT';
      const value = present(u.Value) ? normalizeAttributeValue(u.Value) : undefined;
      if (value === undefined && action !== 'DELETE') {
        throw validationError(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      }
      if (value !== undefined) {
        const type = typeOf(value);
        if (action === 'DELETE' && !DELETE_TYPES.has(type)) {
          throw validationError(`${INVALID}DELETE action with value is not supported for the type ${type}`);
        }
        if (action === 'ADD' && !ADD_TYPES.has(type)) throw validationError(`${INVALID}ADD action is not supported for the type ${type}`);
      }
      if (action !== 'DELETE') {
        size += utf8Length(name) + attributeValueSize(value!);
        checkItemSize(size, 'update');
      }
      const path: Path = [name];
      if (action === 'PUT') {
        set.push({ path, value: { kind: 'value', value: value! } });
        leaves.push({ name, action: { kind: 'set', value: { kind: 'value', value: value! } } });
      } else if (action === 'ADD') {
        add.push({ path, value: value! });
        leaves.push({ name, action: { kind: 'add', value: value! } });
      } else if (value === undefined) {
        remove.push(path);
        leaves.push({ name, action: { kind: 'remove' } });
      } else {
        del.push({ path, value });
        leaves.push({ name, action: { kind: 'delete', value } });
      }
    }
  }
  return { set, remove, add, delete: del, legacy: true, tree: legacyUpdateTree(leaves) };
}

export function isValidationError(error: unknown): error is AwsError {
  return error instanceof AwsError && error.code === 'ValidationException';
}
