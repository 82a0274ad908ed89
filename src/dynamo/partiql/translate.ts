/**
 * PartiQL statements as the DynamoDB requests they stand for: a SELECT with equality on the
 * partition key is a Query (its sort-key condition the key condition's second part), any other
 * a Scan; the rest of WHERE is the filter. INSERT is a PutItem that must not find the key;
 * UPDATE and DELETE name one item by equality on every key attribute, and the rest of WHERE is
 * their condition. The requests then run through the operations themselves, so every rule of
 * theirs (key types, sizes, expression semantics) holds for PartiQL too.
 */
import { validationError } from '../errors.js';
import type { Table } from '../tables.js';
import type { AttributeValue, KeyAttribute } from '../types.js';
import type { Condition, Operand, Path, Returning, Statement } from './parser.js';

/** Expression attribute names and values, numbered as the expression is written. */
class Placeholders {
  readonly names = Object.create(null) as Record<string, string>;
  readonly values = Object.create(null) as Record<string, AttributeValue>;
  private readonly nameOf = new Map<string, string>();
  private valueCount = 0;

  name(name: string): string {
    let placeholder = this.nameOf.get(name);
    if (placeholder === undefined) {
      placeholder = `#n${this.nameOf.size}`;
      this.nameOf.set(name, placeholder);
      this.names[placeholder] = name;
    }
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  path(path: Path): string {
    let out = '';
    for (const step of path.steps) out += step.kind === 'name' ? `${out === '' ? '' : '.'}${this.name(step.name)}` : `[${step.index}]`;
    return out;
  }

  operand(operand: Operand): string {
    switch (operand.kind) {
      case 'path':
        return this.path(operand);
      case 'value':
        return this.value(operand.value);
      case 'arithmetic':
        return `${this.operand(operand.left)} ${operand.op} ${this.operand(operand.right)}`;
      case 'call':
        return `${FUNCTIONS.get(operand.name) ?? unrecognized(operand.name)}(${operand.args.map((arg) => this.operand(arg)).join(', ')})`;
    }
  }

  condition(condition: Condition): string {
    switch (condition.kind) {
      case 'compare':
        return `${this.operand(condition.left)} ${condition.op} ${this.operand(condition.right)}`;
      case 'between':
        return `${this.operand(condition.subject)} BETWEEN ${this.operand(condition.low)} AND ${this.operand(condition.high)}`;
      case 'in':
        return `${this.operand(condition.subject)} IN (${condition.values.map((value) => this.operand(value)).join(', ')})`;
      case 'is': {
        const path = this.path(condition.subject);
        const test = condition.test === 'MISSING' ? `attribute_not_exists(${path})` : `attribute_type(${path}, ${this.value({ S: 'NULL' })})`;
        return condition.negated ? (condition.test === 'MISSING' ? `attribute_exists(${path})` : `NOT ${test}`) : test;
      }
      case 'function':
        return this.operand(condition.call);
      case 'and':
      case 'or':
        return `(${this.condition(condition.left)}) ${condition.kind.toUpperCase()} (${this.condition(condition.right)})`;
      case 'not':
        return `NOT (${this.condition(condition.operand)})`;
    }
  }

  /** The names and values, as a request carries them (left out when there are none). */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** PartiQL's functions, as DynamoDB's expression language names them. */
const FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['begins_with', 'begins_with'],
  ['contains', 'contains'],
  ['attribute_type', 'attribute_type'],
  ['size', 'size'],
  ['missing', 'attribute_not_exists'],
  ['exists', 'attribute_exists'],
  ['list_append', 'list_append'],
]);

function unrecognized(name: string): never {
  throw validationError(`Unrecognized function: ${name}`);
}

/** The conditions joined by AND at the top of WHERE. */
function conjuncts(condition: Condition | undefined): Condition[] {
  if (condition === undefined) return [];
  return condition.kind === 'and' ? [...conjuncts(condition.left), ...conjuncts(condition.right)] : [condition];
}

/** `attribute = value` on a top-level attribute: the key's value, if this conjunct is one. */
function equalityOn(condition: Condition, attribute: string): AttributeValue | undefined {
  if (condition.kind !== 'compare' || condition.op !== '=') return undefined;
  const sides = [condition.left, condition.right];
  for (const [i, side] of sides.entries()) {
    const other = sides[1 - i];
    if (side.kind === 'path' && side.steps.length === 1 && side.steps[0].kind === 'name' && side.steps[0].name === attribute && other.kind === 'value') return other.value;
  }
  return undefined;
}

/** Whether a conjunct conditions this top-level attribute alone (a key condition's sort part). */
function isSortCondition(condition: Condition, attribute: string): boolean {
  const isAttribute = (operand: Operand) => operand.kind === 'path' && operand.steps.length === 1 && operand.steps[0].kind === 'name' && operand.steps[0].name === attribute;
  switch (condition.kind) {
    case 'compare':
      return condition.op !== '<>' && ((isAttribute(condition.left) && condition.right.kind === 'value') || (isAttribute(condition.right) && condition.left.kind === 'value'));
    case 'between':
      return isAttribute(condition.subject) && condition.low.kind === 'value' && condition.high.kind === 'value';
    case 'function':
      return condition.call.name === 'begins_with' && condition.call.args.length === 2 && isAttribute(condition.call.args[0]) && condition.call.args[1].kind === 'value';
    default:
      return false;
  }
}

function joinConditions(placeholders: Placeholders, conditions: readonly Condition[]): string | undefined {
  return conditions.length === 0 ? undefined : conditions.map((c) => (conditions.length === 1 ? placeholders.condition(c) : `(${placeholders.condition(c)})`)).join(' AND ');
}

export type ReadRequest = { operation: 'Query' | 'Scan'; input: Record<string, unknown> };

/** A SELECT as a Query (equality on every partition key attribute) or a Scan. */
export function selectRequest(statement: Extract<Statement, { kind: 'select' }>, table: Table, partitionKeys: readonly KeyAttribute[], sortKeys: readonly KeyAttribute[]): ReadRequest {
  const placeholders = new Placeholders();
  const rest = conjuncts(statement.where);
  const base = { TableName: table.name, ...(statement.source.index !== undefined ? { IndexName: statement.source.index } : {}) };
  const projection = statement.projection === '*' ? undefined : statement.projection.map((path) => placeholders.path(path)).join(', ');
  const keyParts: string[] = [];
  const keyed = partitionKeys.every((key) => rest.some((c) => equalityOn(c, key.name) !== undefined));
  if (keyed && statement.where?.kind !== 'or') {
    for (const key of partitionKeys) {
      const at = rest.findIndex((c) => equalityOn(c, key.name) !== undefined);
      keyParts.push(placeholders.condition(rest[at]));
      rest.splice(at, 1);
    }
    // The first sort attribute's one condition joins the key condition; the rest filter.
    const sort = sortKeys[0];
    const sortAt = sort === undefined ? -1 : rest.findIndex((c) => isSortCondition(c, sort.name));
    if (sortAt >= 0 && rest.filter((c) => isSortCondition(c, sort!.name)).length === 1) {
      keyParts.push(placeholders.condition(rest[sortAt]));
      rest.splice(sortAt, 1);
    }
  }
  const filter = joinConditions(placeholders, rest);
  const expressions = { ...(projection ? { ProjectionExpression: projection } : {}), ...(filter ? { FilterExpression: filter } : {}) };
  if (keyParts.length > 0) return { operation: 'Query', input: { ...base, KeyConditionExpression: keyParts.join(' AND '), ...expressions, ...placeholders.attributes() } };
  return { operation: 'Scan', input: { ...base, ...expressions, ...placeholders.attributes() } };
}

/** The item an UPDATE or DELETE names: equality on every key attribute; the rest of WHERE is its condition. */
function singleItem(where: Condition | undefined, table: Table): { key: Record<string, AttributeValue>; rest: Condition[] } {
  const rest = conjuncts(where);
  if (where?.kind === 'or') throw validationError('Where clause does not contain a mandatory equality on all key attributes');
  const key = Object.create(null) as Record<string, AttributeValue>;
  for (const attribute of [table.hashKey, ...(table.rangeKey ? [table.rangeKey] : [])]) {
    const matches = rest.filter((c) => equalityOn(c, attribute.name) !== undefined);
    if (matches.length === 0) throw validationError('Where clause does not contain a mandatory equality on all key attributes');
    if (matches.length > 1) throw validationError(`Multiple conditions on same key ${attribute.name}. Only single item Update/Insert/Delete are supported`);
    key[attribute.name] = equalityOn(matches[0], attribute.name)!;
    rest.splice(rest.indexOf(matches[0]), 1);
  }
  return { key, rest };
}

export type WriteRequest = { operation: 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheck'; input: Record<string, unknown>; returning: Returning | undefined };

/** INSERT, UPDATE, DELETE (and a transaction's EXISTS) as the item write they stand for. */
export function writeRequest(statement: Exclude<Statement, { kind: 'select' }>, table: Table): WriteRequest {
  const placeholders = new Placeholders();
  switch (statement.kind) {
    case 'insert': {
      // The key must not be there yet: DuplicateItemException otherwise (executeStatement.ts).
      const condition = `attribute_not_exists(${placeholders.name(table.hashKey.name)})`;
      return { operation: 'PutItem', input: { TableName: table.name, Item: (statement.item.value as { M: Record<string, AttributeValue> }).M, ConditionExpression: condition, ...placeholders.attributes() }, returning: undefined };
    }
    case 'update': {
      const { key, rest } = singleItem(statement.where, table);
      const sets = statement.actions.flatMap((a) => (a.kind === 'set' ? [`${placeholders.path(a.path)} = ${placeholders.operand(a.value)}`] : []));
      const removes = statement.actions.flatMap((a) => (a.kind === 'remove' ? [placeholders.path(a.path)] : []));
      const update = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
      // UPDATE changes an item that is there; it never creates one.
      const condition = [`attribute_exists(${placeholders.name(table.hashKey.name)})`, ...(rest.length > 0 ? [joinConditions(placeholders, rest)!] : [])].join(' AND ');
      return { operation: 'UpdateItem', input: { TableName: table.name, Key: key, UpdateExpression: update, ConditionExpression: condition, ...returnValues(statement.returning), ...placeholders.attributes() }, returning: statement.returning };
    }
    case 'delete': {
      const { key, rest } = singleItem(statement.where, table);
      const condition = joinConditions(placeholders, rest);
      return { operation: 'DeleteItem', input: { TableName: table.name, Key: key, ...(condition ? { ConditionExpression: condition } : {}), ...returnValues(statement.returning), ...placeholders.attributes() }, returning: statement.returning };
    }
    case 'exists': {
      if (statement.select.source.index !== undefined) throw validationError('Operations on indices are not supported in transactions');
      let item: ReturnType<typeof singleItem>;
      try {
        item = singleItem(statement.select.where, table);
      } catch {
        throw validationError('EXISTS() must contain a single item read with additional condition');
      }
      const condition = [`attribute_exists(${placeholders.name(table.hashKey.name)})`, ...(item.rest.length > 0 ? [joinConditions(placeholders, item.rest)!] : [])].join(' AND ');
      return { operation: 'ConditionCheck', input: { TableName: table.name, Key: item.key, ConditionExpression: condition, ...placeholders.attributes() }, returning: undefined };
    }
  }
}

function returnValues(returning: Returning | undefined): { ReturnValues?: Returning } {
  return returning === undefined ? {} : { ReturnValues: returning };
}

/** A SELECT that names one item by its whole key (BatchExecuteStatement's and ExecuteTransaction's reads): a GetItem. */
export function getRequest(statement: Extract<Statement, { kind: 'select' }>, table: Table, message: string): Record<string, unknown> {
  if (statement.source.index !== undefined) throw validationError(message);
  let item: ReturnType<typeof singleItem>;
  try {
    item = singleItem(statement.where, table);
  } catch {
    throw validationError(message);
  }
  if (item.rest.length > 0) throw validationError(message);
  const placeholders = new Placeholders();
  const projection = statement.projection === '*' ? undefined : statement.projection.map((path) => placeholders.path(path)).join(', ');
  return { TableName: table.name, Key: item.key, ...(projection ? { ProjectionExpression: projection } : {}), ...placeholders.attributes() };
}
