/**
 * Compilation of a request's expressions, in DynamoDB's order:
 *
 * 1. request rules (checkExpressionParameters): expression and legacy parameters may not be mixed;
 *    ExpressionAttributeNames / ExpressionAttributeValues need an expression that can use them;
 * 2. ExpressionAttributeNames (non-empty, keys `#` + [A-Za-z0-9_]+), ExpressionAttributeValues
 *    (non-empty, keys `:` + [A-Za-z0-9_]+, valid AttributeValues), names' values, map sizes;
 * 3. each expression present, in the order UpdateExpression, ConditionExpression,
 *    KeyConditionExpression, FilterExpression, ProjectionExpression: empty, 4 KB limit, syntax,
 *    semantics, and the 1 MB limit on the expression with its substitutions;
 * 4. unused ExpressionAttributeNames, then unused ExpressionAttributeValues;
 * 5. the KeyConditionExpression's shape;
 * 6. legacy parameters.
 */
import { validationError } from '../errors.js';
import { attributeValueSize, normalizeAttributeValue } from '../attributeValue.js';
import { checkItemSize, LIMITS } from '../limits.js';
import type { AttributeValue, Item } from '../types.js';
import type { Condition, KeyCondition, Operand, Path, UpdateActions } from './ast.js';
import { remainingKeysOrder, stringMapOrder } from './javaHash.js';
import { extractKeyCondition } from './keyCondition.js';
import {
  compileAttributesToGet,
  compileAttributeUpdates,
  compileExpected,
  compileFilter,
  compileKeyConditions,
  isValidationError,
} from './legacy.js';
import {
  compileConditionTree,
  compileProjectionTree,
  compileUpdateTree,
  ExpressionError,
  newSubstitutions,
  type Substitutions,
  type Validator,
} from './semantics.js';
import { ExpressionSyntaxError, parseCondition, parseProjection, parseUpdate } from './syntax.js';

/** Parsed once per request; every syntax and semantic error raises AwsError with DynamoDB's text. */
export interface ExpressionInput {
  ConditionExpression?: string;
  FilterExpression?: string;
  KeyConditionExpression?: string;
  ProjectionExpression?: string;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

export interface CompiledExpressions {
  /** ConditionExpression, or Expected + ConditionalOperator. */
  condition?: Condition;
  /** FilterExpression, or QueryFilter / ScanFilter + ConditionalOperator. */
  filter?: Condition;
  /** KeyConditionExpression or KeyConditions: shape only; see checkKeyCondition. */
  keyCondition?: KeyCondition;
  /** ProjectionExpression or AttributesToGet. */
  projection?: Path[];
  /** UpdateExpression or AttributeUpdates. */
  update?: UpdateActions;
}

type Label = 'UpdateExpression' | 'ConditionExpression' | 'KeyConditionExpression' | 'FilterExpression' | 'ProjectionExpression';

function utf8Length(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  return text.length;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function isPlaceholderKey(key: string, prefix: number): boolean {
  if (key.length < 2 || key.charCodeAt(0) !== prefix) return false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!ok) return false;
  }
  return true;
}

function checkMapKeys(map: Record<string, unknown>, label: 'ExpressionAttributeNames' | 'ExpressionAttributeValues'): string[] {
  const keys = Object.keys(map);
  if (keys.length === 0) throw validationError(`${label} must not be empty`);
  const prefix = label === 'ExpressionAttributeNames' ? 35 : 58;
  for (const key of stringMapOrder(keys)) {
    const invalid = `${label} contains invalid key: `;
    if (key.length === 0) throw validationError(`${invalid}The expression attribute map contains an empty key;`);
    if (key.length > LIMITS.maxPlaceholderLength) {
      // Only the names' message carries the size (as DynamoDB Local's code has it).
      throw validationError(
        label === 'ExpressionAttributeNames'
          ? `${invalid}The expression attribute map contains a key that is too long; size of key: ${key.length}`
          : `${invalid}The expression attribute map contains a key that is too long;`,
      );
    }
    if (!isPlaceholderKey(key, prefix)) throw validationError(`${invalid}Syntax error; key: "${key}"`);
  }
  return keys;
}

/** Validated placeholders of a request. */
interface Placeholders {
  readonly subs: Substitutions;
  readonly nameKeys: readonly string[];
  readonly valueKeys: readonly string[];
  readonly nameSizes: ReadonlyMap<string, number>;
  readonly valueSizes: ReadonlyMap<string, number>;
}

function placeholders(input: ExpressionInput): Placeholders {
  const rawNames = input.ExpressionAttributeNames;
  const rawValues = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  const nameKeys = present(rawNames) ? checkMapKeys(rawNames!, 'ExpressionAttributeNames') : [];
  const valueKeys = present(rawValues) ? checkMapKeys(rawValues!, 'ExpressionAttributeValues') : [];
  let values: Record<string, AttributeValue> | undefined;
  const valueSizes = new Map<string, number>();
  if (present(rawValues)) {
    values = {};
    for (const key of stringMapOrder(valueKeys)) {
      let value: AttributeValue;
      try {
        value = normalizeAttributeValue(rawValues![key]);
      } catch (error) {
        if (isValidationError(error)) {
          throw validationError(`ExpressionAttributeValues contains invalid value: ${error.message} for key ${key}`);
        }
        throw error;
      }
      Object.defineProperty(values, key, { value, enumerable: true, writable: true, configurable: true });
      valueSizes.set(key, attributeValueSize(value));
    }
  }
  const nameSizes = new Map<string, number>();
  if (present(rawNames)) {
    for (const key of stringMapOrder(nameKeys)) {
      const name = rawNames![key];
      const bytes = typeof name === 'string' ? utf8Length(name) : 0;
      if (bytes > LIMITS.maxAttributeNameBytes) {
        throw validationError(
          `ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key ${key}`,
        );
      }
      if (bytes === 0) throw validationError(`ExpressionAttributeNames contains invalid value: Empty attribute name for key ${key}`);
      nameSizes.set(key, bytes);
    }
  }
  let namesSize = 0;
  for (const [key, size] of nameSizes) {
    namesSize += utf8Length(key) + size;
    if (namesSize > LIMITS.maxSubstitutionMapBytes) throw validationError('ExpressionAttributeNames exceeds max size');
  }
  let valuesSize = 0;
  for (const [key, size] of valueSizes) {
    valuesSize += utf8Length(key) + size;
    if (valuesSize > LIMITS.maxSubstitutionMapBytes) throw validationError('ExpressionAttributeValues exceeds max size');
  }
  if (namesSize + valuesSize > LIMITS.maxSubstitutionMapBytes) {
    throw validationError('Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size');
  }
  return { subs: newSubstitutions(rawNames ?? undefined, values), nameKeys, valueKeys, nameSizes, valueSizes };
}

const MSG_SIZE = 'Expression size has exceeded the maximum allowed size;';

/** Parses and validates one expression, prefixing errors with "Invalid <label>: ". */
function compileOne<R extends { validator: Validator }>(
  label: Label,
  source: string,
  ph: Placeholders,
  compile: (source: string) => R,
): R {
  const invalid = `Invalid ${label}: `;
  if (source.length === 0) throw validationError(`${invalid}The expression can not be empty;`);
  if (source.length > LIMITS.maxExpressionLength) {
    // Condition-type expressions report the size; update and projection expressions do not.
    const withSize = label !== 'UpdateExpression' && label !== 'ProjectionExpression';
    throw validationError(`${invalid}${MSG_SIZE}${withSize ? ` expression size: ${source.length}` : ''}`);
  }
  const namesBefore = new Map(ph.subs.usedNames);
  const valuesBefore = new Map(ph.subs.usedValues);
  let result: R;
  try {
    result = compile(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError || error instanceof ExpressionError) throw validationError(invalid + error.message);
    throw error;
  }
  // The expression with its substitutions, each counted as often as it is used.
  let size = source.length;
  for (const [key, count] of ph.subs.usedNames) size += (count - (namesBefore.get(key) ?? 0)) * (ph.nameSizes.get(key) ?? 0);
  for (const [key, count] of ph.subs.usedValues) size += (count - (valuesBefore.get(key) ?? 0)) * (ph.valueSizes.get(key) ?? 0);
  if (size > LIMITS.maxExpressionWithSubstitutionsBytes) throw validationError(invalid + MSG_SIZE);
  return result;
}

/**
 * Compiles a request's expressions (no legacy parameters, no request rules). Throws AwsError
 * (ValidationException) with DynamoDB's messages.
 */
export function compileExpressions(input: ExpressionInput): CompiledExpressions {
  const ph = placeholders(input);
  const subs = ph.subs;
  const out: CompiledExpressions = {};
  let keyConditionTree: Condition | undefined;

  if (present(input.UpdateExpression)) {
    const compiled = compileOne('UpdateExpression', input.UpdateExpression!, ph, (s) => compileUpdateTree(parseUpdate(s), subs));
    let size = 0;
    for (const name of compiled.sizeNames) size += utf8Length(name);
    for (const key of compiled.sizeValues) size += ph.valueSizes.get(key) ?? 0;
    checkItemSize(size, 'update');
    out.update = compiled.update;
  }
  if (present(input.ConditionExpression)) {
    out.condition = compileOne('ConditionExpression', input.ConditionExpression!, ph, (s) =>
      compileConditionTree(parseCondition(s), subs),
    ).condition;
  }
  if (present(input.KeyConditionExpression)) {
    keyConditionTree = compileOne('KeyConditionExpression', input.KeyConditionExpression!, ph, (s) =>
      compileConditionTree(parseCondition(s), subs),
    ).condition;
  }
  if (present(input.FilterExpression)) {
    out.filter = compileOne('FilterExpression', input.FilterExpression!, ph, (s) => compileConditionTree(parseCondition(s), subs)).condition;
  }
  if (present(input.ProjectionExpression)) {
    out.projection = compileOne('ProjectionExpression', input.ProjectionExpression!, ph, (s) =>
      compileProjectionTree(parseProjection(s), subs),
    ).paths;
  }

  if (ph.nameKeys.length > 0) {
    const unused = remainingKeysOrder(ph.nameKeys, new Set(subs.usedNames.keys()));
    if (unused.length > 0) {
      throw validationError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unused.join(', ')}}`);
    }
  }
  if (ph.valueKeys.length > 0) {
    const unused = remainingKeysOrder(ph.valueKeys, new Set(subs.usedValues.keys()));
    if (unused.length > 0) {
      throw validationError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unused.join(', ')}}`);
    }
  }
  if (keyConditionTree !== undefined) out.keyCondition = extractKeyCondition(keyConditionTree);
  return out;
}

// -------------------------------------------------------------------------------------------------
// Request rules
// -------------------------------------------------------------------------------------------------

export type RequestKind = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'GetItem' | 'Query' | 'Scan' | 'BatchGetItem';

interface Rules {
  /** Expression parameters the operation accepts. */
  readonly expressions: readonly Label[];
  /** Legacy parameters the operation accepts. */
  readonly legacy: readonly string[];
  /** Why ExpressionAttributeValues are refused without an expression (undefined: not accepted). */
  readonly valuesWithout?: string;
}

const RULES: Readonly<Record<RequestKind, Rules>> = {
  PutItem: { expressions: ['ConditionExpression'], legacy: ['Expected', 'ConditionalOperator'], valuesWithout: 'ConditionExpression is null' },
  DeleteItem: { expressions: ['ConditionExpression'], legacy: ['Expected', 'ConditionalOperator'], valuesWithout: 'ConditionExpression is null' },
  UpdateItem: {
    expressions: ['UpdateExpression', 'ConditionExpression'],
    legacy: ['AttributeUpdates', 'Expected', 'ConditionalOperator'],
    valuesWithout: 'UpdateExpression and ConditionExpression are null',
  },
  GetItem: { expressions: ['ProjectionExpression'], legacy: ['AttributesToGet'] },
  BatchGetItem: { expressions: ['ProjectionExpression'], legacy: ['AttributesToGet'] },
  Query: {
    expressions: ['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression'],
    legacy: ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'],
    valuesWithout: 'FilterExpression and KeyConditionExpression are null',
  },
  Scan: {
    expressions: ['FilterExpression', 'ProjectionExpression'],
    legacy: ['AttributesToGet', 'ScanFilter', 'ConditionalOperator'],
    valuesWithout: 'FilterExpression is null',
  },
};

/** Legacy and expression parameters in the order DynamoDB lists them when they are mixed. */
const LEGACY_ORDER = ['AttributeUpdates', 'AttributesToGet', 'Expected', 'QueryFilter', 'ScanFilter', 'ConditionalOperator'];
const EXPRESSION_ORDER: readonly Label[] = [
  'UpdateExpression',
  'ProjectionExpression',
  'ConditionExpression',
  'FilterExpression',
  'KeyConditionExpression',
];

/**
 * The request-level expression rules DynamoDB checks before looking at keys and items: no mixing
 * of expression and legacy parameters; ExpressionAttributeNames / ExpressionAttributeValues only
 * with an expression that can use them. `input` is the request body (for BatchGetItem: one
 * table's KeysAndAttributes).
 */
export function checkExpressionParameters(input: Record<string, unknown>, kind: RequestKind): void {
  const rules = RULES[kind];
  const legacy = LEGACY_ORDER.filter((p) => rules.legacy.includes(p) && present(input[p]));
  const expressions = EXPRESSION_ORDER.filter((p) => rules.expressions.includes(p) && present(input[p]));
  // KeyConditions only clash with KeyConditionExpression (they combine with a FilterExpression).
  if (rules.legacy.includes('KeyConditions') && present(input.KeyConditions) && present(input.KeyConditionExpression)) {
    legacy.push('KeyConditions');
  }
  if (legacy.length > 0 && expressions.length > 0) {
    throw validationError(
      'Can not use both expression and non-expression parameters in the same request: ' +
        `Non-expression parameters: {${legacy.join(', ')}} Expression parameters: {${expressions.join(', ')}}`,
    );
  }
  if (present(input.ExpressionAttributeNames) && expressions.length === 0) {
    throw validationError('ExpressionAttributeNames can only be specified when using expressions');
  }
  if (rules.valuesWithout !== undefined && present(input.ExpressionAttributeValues)) {
    const usable = expressions.some((e) => e !== 'ProjectionExpression');
    if (!usable) throw validationError(`ExpressionAttributeValues can only be specified when using expressions: ${rules.valuesWithout}`);
  }
}

/** Unconfirmed text (DynamoDB Local's) for a Query without any key condition. */
export const MSG_MISSING_KEY_CONDITION = 'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.';

/**
 * Compiles everything expression-related in a request of the given operation: the request rules,
 * the expressions the operation accepts, and its legacy parameters (into the same structures).
 * Parameters the operation does not accept are ignored, as DynamoDB ignores unknown members.
 */
export function compileRequestExpressions(input: Record<string, unknown>, kind: RequestKind): CompiledExpressions {
  checkExpressionParameters(input, kind);
  const rules = RULES[kind];
  const accepted: ExpressionInput = {};
  let any = false;
  for (const label of rules.expressions) {
    if (present(input[label])) {
      (accepted as Record<string, unknown>)[label] = input[label];
      any = true;
    }
  }
  let out: CompiledExpressions = {};
  if (any) {
    accepted.ExpressionAttributeNames = input.ExpressionAttributeNames as Record<string, string> | undefined;
    if (rules.valuesWithout !== undefined) {
      accepted.ExpressionAttributeValues = input.ExpressionAttributeValues as Record<string, AttributeValue> | undefined;
    }
    out = compileExpressions(accepted);
  }
  switch (kind) {
    case 'PutItem':
    case 'DeleteItem':
    case 'UpdateItem':
      if (!present(input.ConditionExpression)) {
        const condition = compileExpected(input.Expected, input.ConditionalOperator);
        if (condition !== undefined) out.condition = condition;
      }
      if (kind === 'UpdateItem' && present(input.AttributeUpdates)) out.update = compileAttributeUpdates(input.AttributeUpdates);
      break;
    case 'GetItem':
    case 'BatchGetItem':
      if (present(input.AttributesToGet)) out.projection = compileAttributesToGet(input.AttributesToGet);
      break;
    case 'Query':
      if (present(input.KeyConditions) && !present(input.KeyConditionExpression)) {
        out.keyCondition = compileKeyConditions(input.KeyConditions);
      }
      if (out.keyCondition === undefined && !present(input.KeyConditionExpression)) throw validationError(MSG_MISSING_KEY_CONDITION);
      if (present(input.QueryFilter) || present(input.ConditionalOperator)) {
        const filter = compileFilter(input.QueryFilter, input.ConditionalOperator);
        if (filter !== undefined) out.filter = filter;
      }
      if (present(input.AttributesToGet)) out.projection = compileAttributesToGet(input.AttributesToGet);
      break;
    case 'Scan':
      if (present(input.ScanFilter) || present(input.ConditionalOperator)) {
        const filter = compileFilter(input.ScanFilter, input.ConditionalOperator);
        if (filter !== undefined) out.filter = filter;
      }
      if (present(input.AttributesToGet)) out.projection = compileAttributesToGet(input.AttributesToGet);
      break;
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// Attributes referenced
// -------------------------------------------------------------------------------------------------

function operandHeads(operand: Operand, out: Set<string>): void {
  switch (operand.kind) {
    case 'path':
      out.add(operand.path[0] as string);
      return;
    case 'value':
      return;
    case 'size':
      operandHeads(operand.operand, out);
      return;
    case 'if_not_exists':
      out.add(operand.path[0] as string);
      operandHeads(operand.fallback, out);
      return;
    default:
      operandHeads(operand.left, out);
      operandHeads(operand.right, out);
  }
}

function conditionHeads(c: Condition, out: Set<string>): void {
  switch (c.kind) {
    case 'compare':
      operandHeads(c.left, out);
      operandHeads(c.right, out);
      return;
    case 'between':
      operandHeads(c.operand, out);
      operandHeads(c.low, out);
      operandHeads(c.high, out);
      return;
    case 'in':
      operandHeads(c.operand, out);
      for (const o of c.list) operandHeads(o, out);
      return;
    case 'and':
    case 'or':
      conditionHeads(c.left, out);
      conditionHeads(c.right, out);
      return;
    case 'not':
      conditionHeads(c.operand, out);
      return;
    case 'attribute_exists':
    case 'attribute_not_exists':
      out.add(c.path[0] as string);
      return;
    case 'attribute_type':
      operandHeads(c.operand, out);
      operandHeads(c.type, out);
      return;
    case 'begins_with':
      operandHeads(c.operand, out);
      operandHeads(c.prefix, out);
      return;
    case 'contains':
      operandHeads(c.operand, out);
      operandHeads(c.value, out);
      return;
  }
}

/** Top-level attribute names a request's expressions use (for IAM's dynamodb:Attributes). */
export function pathsReferenced(compiled: CompiledExpressions): string[] {
  const out = new Set<string>();
  if (compiled.keyCondition) for (const t of compiled.keyCondition.terms) out.add(t.name);
  if (compiled.condition) conditionHeads(compiled.condition, out);
  if (compiled.filter) conditionHeads(compiled.filter, out);
  if (compiled.projection) for (const p of compiled.projection) out.add(p[0] as string);
  if (compiled.update) {
    const u = compiled.update;
    for (const a of u.set) {
      out.add(a.path[0] as string);
      operandHeads(a.value, out);
    }
    for (const p of u.remove) out.add(p[0] as string);
    for (const a of u.add) out.add(a.path[0] as string);
    for (const a of u.delete) out.add(a.path[0] as string);
  }
  return [...out];
}

/** Top-level attributes an expression reaches into with `.` or `[]`. */
function nestedHeads(compiled: CompiledExpressions, which: readonly ('condition' | 'filter' | 'projection' | 'update')[]): Set<string> {
  const out = new Set<string>();
  const visitPath = (p: Path): void => {
    if (p.length > 1) out.add(p[0] as string);
  };
  const visitOperand = (o: Operand): void => {
    if (o.kind === 'path') visitPath(o.path);
    else if (o.kind === 'size') visitOperand(o.operand);
    else if (o.kind === 'if_not_exists') {
      visitPath(o.path);
      visitOperand(o.fallback);
    } else if (o.kind !== 'value') {
      visitOperand(o.left);
      visitOperand(o.right);
    }
  };
  const visitCondition = (c: Condition): void => {
    switch (c.kind) {
      case 'compare':
        visitOperand(c.left);
        visitOperand(c.right);
        return;
      case 'between':
        [c.operand, c.low, c.high].forEach(visitOperand);
        return;
      case 'in':
        [c.operand, ...c.list].forEach(visitOperand);
        return;
      case 'and':
      case 'or':
        visitCondition(c.left);
        visitCondition(c.right);
        return;
      case 'not':
        visitCondition(c.operand);
        return;
      case 'attribute_exists':
      case 'attribute_not_exists':
        visitPath(c.path);
        return;
      case 'attribute_type':
        [c.operand, c.type].forEach(visitOperand);
        return;
      case 'begins_with':
        [c.operand, c.prefix].forEach(visitOperand);
        return;
      case 'contains':
        [c.operand, c.value].forEach(visitOperand);
        return;
    }
  };
  for (const part of which) {
    if (part === 'condition' && compiled.condition) visitCondition(compiled.condition);
    if (part === 'filter' && compiled.filter) visitCondition(compiled.filter);
    if (part === 'projection' && compiled.projection) compiled.projection.forEach(visitPath);
    if (part === 'update' && compiled.update) {
      const u = compiled.update;
      for (const a of u.set) {
        visitPath(a.path);
        visitOperand(a.value);
      }
      u.remove.forEach(visitPath);
      for (const a of u.add) visitPath(a.path);
      for (const a of u.delete) visitPath(a.path);
    }
  }
  return out;
}

/**
 * DynamoDB's check that expressions do not reach into key attributes with `.` or `[]`:
 * "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed:
 * Key: a" (table keys) or "...: IndexKey: d" (secondary index keys). `which` names the compiled
 * expressions the operation checks (DynamoDB checks each one separately, in this order).
 */
export function checkNestedKeyAccess(
  compiled: CompiledExpressions,
  tableKeys: readonly string[],
  indexKeys: readonly string[] = [],
  which: readonly ('condition' | 'filter' | 'projection' | 'update')[] = ['condition', 'update', 'filter', 'projection'],
): void {
  for (const part of which) {
    const heads = nestedHeads(compiled, [part]);
    if (heads.size === 0) continue;
    for (const key of tableKeys) {
      if (heads.has(key)) {
        throw validationError(`Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: ${key}`);
      }
    }
    for (const key of indexKeys) {
      if (heads.has(key)) {
        throw validationError(
          `Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: ${key}`,
        );
      }
    }
  }
}

/** "Cannot update attribute a. This attribute is part of the key" for updates touching a key. */
export function checkUpdateKeyAttributes(update: UpdateActions, keyNames: readonly string[]): void {
  const touched = new Set<string>();
  for (const child of update.tree.children) touched.add(child.element as string);
  for (const key of keyNames) {
    if (touched.has(key)) {
      throw validationError(`One or more parameter values were invalid: Cannot update attribute ${key}. This attribute is part of the key`);
    }
  }
}

/**
 * Query: a filter may not name the key attributes of the table or index queried
 * ("Filter Expression can only contain non-primary key attributes: Primary key attribute: a";
 * for QueryFilter, "QueryFilter can only contain ...").
 */
export function checkFilterKeyAttributes(filter: Condition, keyNames: readonly string[], legacy: boolean): void {
  const heads = new Set<string>();
  conditionHeads(filter, heads);
  for (const key of keyNames) {
    if (heads.has(key)) {
      const what = legacy ? 'QueryFilter' : 'Filter Expression';
      throw validationError(`${what} can only contain non-primary key attributes: Primary key attribute: ${key}`);
    }
  }
}

export type { Item };
