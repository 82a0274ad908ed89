/**
 * Model-driven mutation test (issue 12). For every operation of the official DynamoDB model, a
 * valid-looking input is generated from its input shape (tables this test creates, their keys and
 * indexes, expressions with their substitutions), then mutated — nulls, wrong JSON types, empty and
 * huge values, moderate nesting, prototype names, duplicate keys, out-of-range numbers, unicode —
 * and sent signed over HTTP. Every answer must be a 200 or a 4xx in AWS's shape; never a 5xx, never
 * a dead server, and the state the test did not touch must read back unchanged afterwards.
 *
 * Reproduce a run with COVE_MUTATION_SEED=<seed printed by the run>.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATIONS } from '../../src/dynamo/operations/index.js';
import { loadModel, type ModelShape, type ServiceModel } from '../../src/dynamo/validation/model.js';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';
import { SeededRandom } from '../support/random.js';
import { reportFigures, scaled } from '../support/reliability.js';

const KEY = 'AKIAMUTATION00000001';
const SECRET = 'mutation-secret';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const TARGET_PREFIX = 'DynamoDB_20120810.';

const REQUESTS = scaled(4000, 200_000);
/** Requests in flight at once: enough to overlap signing with the server's work on two cores. */
const CONCURRENCY = 4;
const SEED = process.env.COVE_MUTATION_SEED ? Number(process.env.COVE_MUTATION_SEED) : Date.now() % 2 ** 31;

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'] as const;

// ---------------------------------------------------------------------------------------------
// JSON with what JSON.stringify cannot write: repeated keys and raw number texts.
// ---------------------------------------------------------------------------------------------

/** Emitted verbatim (numbers out of any double's range, `-0`, 20-digit integers). */
class Raw {
  constructor(readonly text: string) {}
}
/** An object whose keys may repeat. */
class Duplicated {
  constructor(readonly entries: [string, Json][]) {}
}
type Json = null | boolean | number | string | Raw | Duplicated | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

/** A null-prototype object: generated keys are data, `__proto__` included. */
function object(entries: Iterable<[string, Json]> = []): JsonObject {
  const result = Object.create(null) as JsonObject;
  for (const [key, value] of entries) result[key] = value;
  return result;
}

/** A deep copy: constants picked from the lists below are never shared between requests. */
function copy(value: Json): Json {
  if (Array.isArray(value)) return value.map(copy);
  if (isObject(value)) return object(Object.keys(value).map((k) => [k, copy(value[k])]));
  return value;
}

function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Raw) && !(value instanceof Duplicated);
}

function serialize(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Duplicated) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${serialize(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness: one generator per request (test/support/random.ts), so a request is
// reproduced from (seed, index).
// ---------------------------------------------------------------------------------------------

/** Unicode strings from fast-check (lone surrogates, astral planes, controls), drawn once per seed. */
const UNICODE_POOL: string[] = [
  ...fc.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { seed: SEED, numRuns: 64 }),
  ...fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), { seed: SEED + 1, numRuns: 32 }),
  '\ud800', '\udfff', 'a\ud83dz', '😀', '\u0000', '\u202e', '\u200b', 'é', 'e\u0301', '\uffff', '\ufeff',
];

const NUMBER_TEXTS = ['1e999', '-1e999', '1e-999', '9007199254740993', '18446744073709551616', '-0', '2147483648', '-2147483649', '1E400', '0.0000001', '123456789012345678901234567890'];
const NUMBER_STRINGS = ['1e126', '9.9999999999999999999999999999999999999E+125', '1E-131', '1E-130', 'NaN', 'Infinity', '-Infinity', '-', '1.', '.5', '0x10', ' 1', '1_0', '1'.repeat(39), '0'.repeat(100), '-0', '+1', '1e', '١٢', ''];

// ---------------------------------------------------------------------------------------------
// The tables requests are aimed at. `sentinel` is never offered to the generator: it is read
// back at the end to show no state outside the requests' reach changed.
// ---------------------------------------------------------------------------------------------

interface Fixture {
  name: string;
  keys: { name: string; type: 'S' | 'N' | 'B' }[];
  /** Every attribute a key of the table or of an index uses. */
  attributes: { name: string; type: 'S' | 'N' | 'B' }[];
  indexes: string[];
}

const FIXTURES: Fixture[] = [
  { name: 'mt_hash', keys: [{ name: 'pk', type: 'S' }], attributes: [{ name: 'pk', type: 'S' }], indexes: [] },
  {
    name: 'mt_range',
    keys: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'N' }],
    attributes: [{ name: 'pk', type: 'S' }, { name: 'sk', type: 'N' }, { name: 'lk', type: 'S' }, { name: 'g', type: 'S' }, { name: 'g2', type: 'B' }],
    indexes: ['byLocal', 'byGlobal', 'byBinary'],
  },
  {
    name: '__proto__',
    keys: [{ name: 'constructor', type: 'S' }, { name: 'prototype', type: 'S' }],
    attributes: [{ name: 'constructor', type: 'S' }, { name: 'prototype', type: 'S' }, { name: 'toString', type: 'N' }, { name: 'hasOwnProperty', type: 'S' }],
    indexes: ['__proto__', 'toString'],
  },
];

const SENTINEL_ITEM = { id: { S: 'sentinel' }, value: { N: '42' }, nested: { M: { __proto__x: { L: [{ S: 'kept' }] } } } };

function createTableBodies(): { target: string; body: unknown }[] {
  const definitions = (f: Fixture) => f.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type }));
  const keySchema = (hash: string, range?: string) => [{ AttributeName: hash, KeyType: 'HASH' }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' }] : [])];
  const [hash, range, proto] = FIXTURES;
  return [
    { target: 'CreateTable', body: { TableName: hash.name, AttributeDefinitions: definitions(hash), KeySchema: keySchema('pk'), BillingMode: 'PAY_PER_REQUEST', DeletionProtectionEnabled: true } },
    {
      target: 'CreateTable',
      body: {
        TableName: range.name, AttributeDefinitions: definitions(range), KeySchema: keySchema('pk', 'sk'), BillingMode: 'PAY_PER_REQUEST', DeletionProtectionEnabled: true,
        LocalSecondaryIndexes: [{ IndexName: 'byLocal', KeySchema: keySchema('pk', 'lk'), Projection: { ProjectionType: 'ALL' } }],
        GlobalSecondaryIndexes: [
          { IndexName: 'byGlobal', KeySchema: keySchema('g', 'sk'), Projection: { ProjectionType: 'KEYS_ONLY' } },
          { IndexName: 'byBinary', KeySchema: keySchema('g2'), Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'b'] } },
        ],
      },
    },
    {
      target: 'CreateTable',
      body: {
        TableName: proto.name, AttributeDefinitions: definitions(proto), KeySchema: keySchema('constructor', 'prototype'), BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }, DeletionProtectionEnabled: true,
        LocalSecondaryIndexes: [{ IndexName: '__proto__', KeySchema: keySchema('constructor', 'toString'), Projection: { ProjectionType: 'ALL' } }],
        GlobalSecondaryIndexes: [{ IndexName: 'toString', KeySchema: keySchema('hasOwnProperty'), Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
      },
    },
    { target: 'CreateTable', body: { TableName: 'sentinel', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: keySchema('id'), BillingMode: 'PAY_PER_REQUEST', DeletionProtectionEnabled: true } },
    { target: 'PutItem', body: { TableName: 'sentinel', Item: SENTINEL_ITEM } },
  ];
}

const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;

// ---------------------------------------------------------------------------------------------
// Generation from the model
// ---------------------------------------------------------------------------------------------

interface Generation {
  rng: SeededRandom;
  model: ServiceModel;
  operation: string;
  /** The table the innermost TableName chose: keys, items and index names follow it. */
  table: Fixture | undefined;
  /** Placeholders the generated expressions use, for ExpressionAttributeNames/Values to define. */
  names: Set<string>;
  values: Set<string>;
  depth: number;
  /** Expressions, or the legacy parameters they replace: a request mixing both is refused early. */
  legacy: boolean;
}

const LEGACY_MEMBERS = new Set(['AttributesToGet', 'KeyConditions', 'QueryFilter', 'ScanFilter', 'Expected', 'ConditionalOperator', 'AttributeUpdates']);
const EXPRESSION_MEMBERS = new Set(['ProjectionExpression', 'KeyConditionExpression', 'FilterExpression', 'ConditionExpression', 'UpdateExpression', 'ExpressionAttributeNames', 'ExpressionAttributeValues']);

/** Generated last in a structure: they define what the members generated before them use. */
const SUBSTITUTION_MEMBERS = new Set(['ExpressionAttributeNames', 'ExpressionAttributeValues']);
const MAX_GENERATED_DEPTH = 12;

function generate(shapeName: string, memberName: string, g: Generation): Json {
  const shape = g.model.shapes[shapeName];
  const special = generateSpecial(shapeName, memberName, shape, g);
  if (special !== undefined) return special;
  switch (shape.type) {
    case 'structure':
      return generateStructure(shape, g);
    case 'list': {
      const count = g.depth > MAX_GENERATED_DEPTH ? 0 : g.rng.int(Math.max(shape.min ?? 0, 1), Math.max(Math.min(shape.max ?? 3, 3), 1));
      return within(g, () => Array.from({ length: count }, () => generate(shape.member!.shape, memberName, g)));
    }
    case 'map': {
      const count = g.depth > MAX_GENERATED_DEPTH ? 0 : g.rng.int(Math.max(shape.min ?? 0, 1), 3);
      return within(g, () => object(Array.from({ length: count }, () => [String(generate(shape.key!.shape, `${memberName}Key`, g)), generate(shape.value!.shape, memberName, g)])));
    }
    case 'string':
      if (shape.enum) return g.rng.pick(shape.enum);
      return word(g.rng, shape.min ?? 1, Math.min(shape.max ?? 16, 16));
    case 'integer':
    case 'long':
      return g.rng.int(shape.min ?? 1, Math.min(shape.max ?? 100, 100));
    case 'double':
      return g.rng.next() * 100;
    case 'boolean':
      return g.rng.chance(0.5);
    case 'timestamp':
      return Math.floor(Date.now() / 1000) - g.rng.below(86_400);
    case 'blob':
      return Buffer.from(word(g.rng, 1, 8)).toString('base64');
    default:
      throw new Error(`shape ${shapeName} of type ${shape.type}`);
  }
}

function within<T>(g: Generation, produce: () => T): T {
  g.depth += 1;
  try {
    return produce();
  } finally {
    g.depth -= 1;
  }
}

function generateStructure(shape: ModelShape, g: Generation): JsonObject {
  const required = new Set(shape.required ?? []);
  const members = Object.entries(shape.members ?? {});
  // TableName first (what follows depends on the table), the substitution maps last.
  const ordered = [
    ...members.filter(([name]) => name === 'TableName'),
    ...members.filter(([name]) => name !== 'TableName' && !SUBSTITUTION_MEMBERS.has(name)),
    ...members.filter(([name]) => SUBSTITUTION_MEMBERS.has(name)),
  ];
  const outerTable = g.table;
  const outerNames = g.names;
  const outerValues = g.values;
  // A structure with substitution maps defines exactly what its own expressions use.
  const scoped = members.some(([name]) => SUBSTITUTION_MEMBERS.has(name));
  if (scoped) {
    g.names = new Set();
    g.values = new Set();
  }
  const result = object();
  // A structure of optional structures is a choice (TransactWriteItem, WriteRequest): one of them.
  const choice = required.size === 0 && members.length > 1 && members.every(([, ref]) => g.model.shapes[ref.shape].type === 'structure');
  const chosen = choice ? g.rng.pick(members)[0] : undefined;
  for (const [name, ref] of ordered) {
    if ((g.legacy ? EXPRESSION_MEMBERS : LEGACY_MEMBERS).has(name)) continue;
    const wanted = SUBSTITUTION_MEMBERS.has(name)
      ? (name === 'ExpressionAttributeNames' ? g.names : g.values).size > 0
      : required.has(name) || (g.operation === 'Query' && (name === 'KeyConditionExpression' || name === 'KeyConditions'));
    if (choice ? name !== chosen : !wanted && (SUBSTITUTION_MEMBERS.has(name) || !g.rng.chance(0.35))) continue;
    result[name] = within(g, () => generate(ref.shape, name, g));
  }
  g.table = outerTable;
  g.names = outerNames;
  g.values = outerValues;
  // Scan's parallel segments come as a pair, the segment below the total.
  if (result.Segment !== undefined || result.TotalSegments !== undefined) {
    result.TotalSegments = g.rng.int(1, 4);
    result.Segment = g.rng.below(result.TotalSegments);
  }
  if (typeof result.ReturnValues === 'string' && (g.operation === 'PutItem' || g.operation === 'DeleteItem')) result.ReturnValues = g.rng.pick(['NONE', 'ALL_OLD']);
  return result;
}

function word(rng: SeededRandom, minLength: number, maxLength: number): string {
  const length = rng.int(Math.max(minLength, 1), Math.max(maxLength, minLength, 1));
  let text = '';
  for (let i = 0; i < length; i += 1) text += 'abcdefghijklmnopqrstuvwxyz0123456789_.-'[rng.below(i === 0 ? 26 : 39)];
  return text;
}

function pickTable(g: Generation): Fixture {
  g.table = g.rng.pick(FIXTURES);
  return g.table;
}

function tableNameValue(g: Generation, allowArn: boolean): string {
  if (g.rng.chance(0.08)) {
    g.table = undefined;
    return g.rng.pick([...PROTOTYPE_NAMES.filter((n) => n !== '__proto__'), `mt_${word(g.rng, 3, 10)}`]);
  }
  const table = pickTable(g);
  return allowArn && g.rng.chance(0.15) ? tableArn(table.name) : table.name;
}

function attributeName(g: Generation): string {
  const table = g.table;
  if (table && g.rng.chance(0.6)) return g.rng.pick(table.attributes).name;
  return g.rng.chance(0.3) ? g.rng.pick(PROTOTYPE_NAMES) : g.rng.pick(['a', 'b', 'c', 'nested', 'list', 'counter']);
}

function attributeValue(g: Generation, depth = 0): JsonObject {
  const rng = g.rng;
  const kind = rng.pick(depth > 3 ? ['S', 'N', 'B', 'BOOL', 'NULL'] : ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'M', 'L']);
  switch (kind) {
    case 'S': return object([['S', rng.chance(0.1) ? rng.pick(UNICODE_POOL) : word(rng, 1, 10)]]);
    case 'N': return object([['N', String(rng.chance(0.5) ? rng.below(1000) : (rng.next() - 0.5) * 1e6)]]);
    case 'B': return object([['B', Buffer.from(word(rng, 1, 10)).toString('base64')]]);
    case 'BOOL': return object([['BOOL', rng.chance(0.5)]]);
    case 'NULL': return object([['NULL', true]]);
    case 'SS': return object([['SS', [...new Set(Array.from({ length: rng.int(1, 3) }, () => word(rng, 1, 5)))]]]);
    case 'NS': return object([['NS', [...new Set(Array.from({ length: rng.int(1, 3) }, () => String(rng.below(100))))]]]);
    case 'BS': return object([['BS', [...new Set(Array.from({ length: rng.int(1, 3) }, () => Buffer.from(word(rng, 1, 5)).toString('base64')))]]]);
    case 'M': return object([['M', object(Array.from({ length: rng.int(0, 3) }, () => [attributeName(g), attributeValue(g, depth + 1)]))]]);
    default: return object([['L', Array.from({ length: rng.int(0, 3) }, () => attributeValue(g, depth + 1))]]);
  }
}

function keyValue(type: 'S' | 'N' | 'B', rng: SeededRandom): JsonObject {
  if (type === 'S') return object([['S', rng.chance(0.2) ? rng.pick(PROTOTYPE_NAMES) : `k${rng.below(20)}`]]);
  if (type === 'N') return object([['N', String(rng.below(20))]]);
  return object([['B', Buffer.from(`k${rng.below(20)}`).toString('base64')]]);
}

function keyOf(g: Generation): JsonObject {
  const table = g.table ?? pickTable(g);
  return object(table.keys.map((k) => [k.name, keyValue(k.type, g.rng)]));
}

function itemOf(g: Generation): JsonObject {
  const item = keyOf(g);
  for (const a of g.table!.attributes) if (!Object.hasOwn(item, a.name) && g.rng.chance(0.4)) item[a.name] = keyValue(a.type, g.rng);
  for (let i = g.rng.below(4); i > 0; i -= 1) {
    const name = attributeName(g);
    if (!g.table!.attributes.some((a) => a.name === name)) item[name] = attributeValue(g);
  }
  return item;
}

// Expressions: small grammars over the table's attributes, through placeholders or not.

/** Attribute names that may appear in an expression as they are (not reserved words). */
const UNRESERVED_NAMES = new Set(['a', 'b', 'c', 'nested', 'pk', 'sk', 'lk', 'g', 'g2', 'prototype']);

function pathExpression(g: Generation): string {
  const rng = g.rng;
  let path = operand(g);
  for (let i = rng.below(3); i > 0; i -= 1) path += rng.chance(0.5) ? `[${rng.below(3)}]` : `.${operand(g)}`;
  return path;
}

function operand(g: Generation): string {
  const name = attributeName(g);
  if (UNRESERVED_NAMES.has(name) && g.rng.chance(0.3)) return name;
  const placeholder = g.rng.chance(0.15) ? g.rng.pick(['#__proto__', '#constructor', '#toString']) : `#n${g.rng.below(4)}`;
  g.names.add(placeholder);
  return placeholder;
}

function valueRef(g: Generation): string {
  const placeholder = g.rng.chance(0.15) ? g.rng.pick([':__proto__', ':constructor', ':hasOwnProperty']) : `:v${g.rng.below(4)}`;
  g.values.add(placeholder);
  return placeholder;
}

function condition(g: Generation, depth = 0): string {
  const rng = g.rng;
  const choice = rng.below(depth > 2 ? 6 : 9);
  switch (choice) {
    case 0: return `${pathExpression(g)} ${rng.pick(['=', '<>', '<', '<=', '>', '>='])} ${valueRef(g)}`;
    case 1: return `attribute_exists(${pathExpression(g)})`;
    case 2: return `attribute_not_exists(${pathExpression(g)})`;
    case 3: return `begins_with(${pathExpression(g)}, ${valueRef(g)})`;
    case 4: return `${pathExpression(g)} BETWEEN ${valueRef(g)} AND ${valueRef(g)}`;
    case 5: return `size(${pathExpression(g)}) > ${valueRef(g)}`;
    case 6: return `(${condition(g, depth + 1)}) ${rng.pick(['AND', 'OR'])} ${condition(g, depth + 1)}`;
    case 7: return `NOT ${condition(g, depth + 1)}`;
    default: return `${pathExpression(g)} IN (${valueRef(g)}, ${valueRef(g)})`;
  }
}

function updateExpression(g: Generation): string {
  const rng = g.rng;
  const clauses: string[] = [];
  if (rng.chance(0.7)) clauses.push(`SET ${Array.from({ length: rng.int(1, 2) }, () => `${pathExpression(g)} = ${rng.pick([valueRef(g), `if_not_exists(${pathExpression(g)}, ${valueRef(g)})`, `list_append(${pathExpression(g)}, ${valueRef(g)})`, `${pathExpression(g)} + ${valueRef(g)}`])}`).join(', ')}`);
  if (rng.chance(0.3)) clauses.push(`REMOVE ${pathExpression(g)}`);
  if (rng.chance(0.3)) clauses.push(`ADD ${operand(g)} ${valueRef(g)}`);
  if (rng.chance(0.2)) clauses.push(`DELETE ${operand(g)} ${valueRef(g)}`);
  return clauses.length > 0 ? clauses.join(' ') : `SET ${operand(g)} = ${valueRef(g)}`;
}

function keyConditionExpression(g: Generation): string {
  const table = g.table ?? pickTable(g);
  const [hash, range] = table.keys;
  const name = (attribute: string) => {
    const placeholder = `#k${attribute === hash.name ? 0 : 1}`;
    g.names.add(placeholder);
    return placeholder;
  };
  const equality = `${name(hash.name)} = ${valueRef(g)}`;
  if (!range || g.rng.chance(0.3)) return equality;
  return `${equality} AND ${g.rng.pick([`${name(range.name)} > ${valueRef(g)}`, `begins_with(${name(range.name)}, ${valueRef(g)})`, `${name(range.name)} BETWEEN ${valueRef(g)} AND ${valueRef(g)}`])}`;
}

function expressionAttributeNames(g: Generation): JsonObject {
  const table = g.table;
  return object([...g.names].map((placeholder) => {
    const keyIndex = /^#k(\d)$/.exec(placeholder);
    if (keyIndex && table) return [placeholder, table.keys[Number(keyIndex[1])]?.name ?? 'pk'];
    return [placeholder, attributeName(g)];
  }));
}

function expressionAttributeValues(g: Generation): JsonObject {
  return object([...g.values].map((placeholder) => [placeholder, g.rng.chance(0.5) && g.table ? keyValue(g.rng.pick(g.table.attributes).type, g.rng) : attributeValue(g)]));
}

/** Members whose meaning the model's types do not carry; `undefined`: generate from the shape. */
function generateSpecial(shapeName: string, memberName: string, shape: ModelShape, g: Generation): Json | undefined {
  switch (memberName) {
    case 'TableName':
      if (g.operation === 'CreateTable') return g.rng.chance(0.7) ? `mt_new_${word(g.rng, 3, 8)}` : pickTable(g).name;
      return tableNameValue(g, shapeName === 'TableArn');
    case 'ResourceArn':
      return g.rng.chance(0.9) ? tableArn(pickTable(g).name) : `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${word(g.rng, 3, 10)}`;
    case 'IndexName':
      return g.table && g.table.indexes.length > 0 && g.rng.chance(0.8) ? g.rng.pick(g.table.indexes) : word(g.rng, 3, 10);
    case 'KeyConditionExpression': return keyConditionExpression(g);
    case 'ConditionExpression':
    case 'FilterExpression': return condition(g);
    case 'UpdateExpression': return updateExpression(g);
    case 'ProjectionExpression': {
      // Paths under distinct names: overlapping paths are refused before anything runs.
      const names = new Set(Array.from({ length: g.rng.int(1, 3) }, () => operand(g)));
      return [...names].map((name) => (g.rng.chance(0.3) ? `${name}.${operand(g)}` : name)).join(', ');
    }
    case 'ExpressionAttributeNames': return expressionAttributeNames(g);
    case 'ExpressionAttributeValues': return expressionAttributeValues(g);
    case 'DeletionProtectionEnabled':
      // The fixtures stay: a valid request never lifts their protection.
      return true;
    case 'RequestItemsKey':
      return tableNameValue(g, true);
  }
  switch (shapeName) {
    case 'AttributeValue': return attributeValue(g);
    case 'Key': return keyOf(g);
    case 'PutItemInputAttributeMap': return itemOf(g);
    case 'AttributeName':
    case 'KeySchemaAttributeName':
    case 'NonKeyAttributeName': return attributeName(g);
    case 'ScalarAttributeType': return g.rng.pick(['S', 'N', 'B']);
    case 'TagKeyString': return g.rng.chance(0.5) ? g.rng.pick(PROTOTYPE_NAMES) : word(g.rng, 1, 12);
  }
  if (shape.type === 'map' && (shapeName === 'BatchGetRequestMap' || shapeName === 'BatchWriteItemRequestMap')) {
    const entries: [string, Json][] = [];
    for (let i = g.rng.int(1, 2); i > 0; i -= 1) {
      const name = tableNameValue(g, true);
      entries.push([name, within(g, () => generate(shape.value!.shape, memberName, g))]);
    }
    return object(entries);
  }
  return undefined;
}

/** A valid CreateTable most of the time: the generic generator rarely makes its keys agree. */
function createTableInput(g: Generation): JsonObject {
  const rng = g.rng;
  const hash = rng.chance(0.2) ? rng.pick(PROTOTYPE_NAMES) : 'pk';
  const definitions = [[hash, rng.pick(['S', 'N', 'B'])], ['sk', rng.pick(['S', 'N'])], ['g', 'S']];
  const input = object([
    ['TableName', `mt_new_${word(rng, 3, 8)}`],
    ['AttributeDefinitions', definitions.map(([name, type]) => object([['AttributeName', name], ['AttributeType', type]]))],
    ['KeySchema', [object([['AttributeName', hash], ['KeyType', 'HASH']]), object([['AttributeName', 'sk'], ['KeyType', 'RANGE']])]],
    ['BillingMode', 'PAY_PER_REQUEST'],
    ['LocalSecondaryIndexes', [object([['IndexName', rng.pick(['lsi', ...PROTOTYPE_NAMES])], ['KeySchema', [object([['AttributeName', hash], ['KeyType', 'HASH']]), object([['AttributeName', 'g'], ['KeyType', 'RANGE']])]], ['Projection', object([['ProjectionType', 'KEYS_ONLY']])]])]],
    ['GlobalSecondaryIndexes', [object([['IndexName', rng.pick(['gsi', ...PROTOTYPE_NAMES])], ['KeySchema', [object([['AttributeName', 'g'], ['KeyType', 'HASH']])]], ['Projection', object([['ProjectionType', 'INCLUDE'], ['NonKeyAttributes', ['x', rng.pick(PROTOTYPE_NAMES)]]])]])]],
  ]);
  if (rng.chance(0.3)) input.Tags = [object([['Key', rng.pick(PROTOTYPE_NAMES)], ['Value', 'v']])];
  return input;
}

function generateInput(operation: string, g: Generation): JsonObject {
  if (operation === 'CreateTable' && g.rng.chance(0.7)) return createTableInput(g);
  const input = g.model.operations[operation].input;
  return input ? (generate(input.shape, '', g) as JsonObject) : object();
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

interface Slot {
  get(): Json;
  set(value: Json): void;
  /** The object holding the slot and its key, when the slot is an object member. */
  owner?: { object: JsonObject; key: string };
}

function slots(root: { value: Json }): Slot[] {
  const found: Slot[] = [{ get: () => root.value, set: (v) => { root.value = v; } }];
  const walk = (value: Json) => {
    if (Array.isArray(value)) {
      value.forEach((element, i) => {
        found.push({ get: () => value[i], set: (v) => { value[i] = v; } });
        walk(element);
      });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        found.push({ get: () => value[key], set: (v) => { value[key] = v; }, owner: { object: value, key } });
        walk(value[key]);
      }
    }
  };
  walk(root.value);
  return found;
}

const WRONG_TYPES: Json[] = [0, -1, 1.5, true, false, 'text', '', [], object(), ['a', 1], object([['a', 1]]), new Raw('1e999')];

function nest(depth: number, inner: Json, rng: SeededRandom): Json {
  const style = rng.below(4);
  let value = inner;
  for (let i = 0; i < depth; i += 1) {
    if (style === 0) value = [value];
    else if (style === 1) value = object([['a', value]]);
    else if (style === 2) value = object([['M', object([['a', value]])]]);
    else value = object([['L', [value]]]);
  }
  return value;
}

function hugeValue(rng: SeededRandom, current: Json): Json {
  const count = rng.pick([101, 1000, 10_001]);
  const repeatable = typeof current === 'object' && current !== null && serialize(current).length < 1000;
  switch (rng.below(4)) {
    case 0: return 'x'.repeat(rng.pick([256, 1025, 4097, 65_537, 409_601, 1_100_000]));
    case 1: return Array.from({ length: count }, (_, i) => (repeatable ? copy(current) : `v${i}`));
    case 2: return object(Array.from({ length: count }, (_, i) => [`k${i}`, object([['S', 'v']])]));
    default: return rng.pick(UNICODE_POOL).repeat(rng.pick([100, 5000]));
  }
}

const MALFORMED_ATTRIBUTE_VALUES: Json[] = [
  object([['S', 1]]), object([['N', 1]]), object([['N', 'abc']]), object([['B', 'not base64!']]), object([['SS', []]]), object([['SS', ['a', 'a']]]),
  object([['NS', ['1', '1.0']]]), object([['M', null]]), object([['S', 'a'], ['N', '1']]), object(), object([['NULL', false]]), object([['BOOL', 'true']]),
  object([['L', null]]), object([['BS', ['', '']]]), object([['S', '']]), object([['M', object([['__proto__', object([['S', 'x']])]])]]), object([['Z', 'x']]),
];

function mutate(rng: SeededRandom, root: { value: Json }): string {
  const all = slots(root);
  const slot = rng.pick(all);
  const current = slot.get();
  const kind = rng.below(14);
  switch (kind) {
    case 0:
      slot.set(null);
      return 'null';
    case 1:
      slot.set(copy(rng.pick(WRONG_TYPES)));
      return 'wrong type';
    case 2:
      slot.set(copy(rng.pick(['', [], object()])));
      return 'empty';
    case 3:
      slot.set(hugeValue(rng, current));
      return 'huge';
    case 4:
      slot.set(nest(rng.pick([5, 33, 40, 100, 300]), current, rng));
      return 'nesting';
    case 5:
      if (slot.owner && rng.chance(0.6)) {
        const { object: owner, key } = slot.owner;
        const value = owner[key];
        delete owner[key];
        owner[rng.pick(PROTOTYPE_NAMES)] = value;
        return 'prototype key';
      }
      slot.set(rng.pick(PROTOTYPE_NAMES));
      return 'prototype value';
    case 6:
      if (slot.owner) {
        const { object: owner, key } = slot.owner;
        const entries: [string, Json][] = Object.keys(owner).map((k) => [k, owner[k]]);
        entries.push([key, copy(rng.pick(WRONG_TYPES.concat([current])))]);
        // Replace the owner in its own slot: find it among the slots.
        const ownerSlot = all.find((s) => s.get() === owner);
        ownerSlot?.set(new Duplicated(entries));
        return 'duplicate key';
      }
      slot.set(new Duplicated([['TableName', 'mt_hash'], ['TableName', '__proto__']]));
      return 'duplicate key';
    case 7:
      slot.set(rng.chance(0.5) ? new Raw(rng.pick(NUMBER_TEXTS)) : rng.pick(NUMBER_STRINGS));
      return 'number';
    case 8:
      slot.set(rng.pick(UNICODE_POOL));
      return 'unicode';
    case 9:
      slot.set(copy(rng.pick(MALFORMED_ATTRIBUTE_VALUES)));
      return 'attribute value';
    case 10:
      if (slot.owner) {
        delete slot.owner.object[slot.owner.key];
        return 'removed';
      }
      return 'none';
    case 11:
      if (isObject(current)) {
        current[rng.pick([...PROTOTYPE_NAMES, 'Unknown', ''])] = copy(rng.pick(WRONG_TYPES.concat([object([['S', 'x']])])));
        return 'added member';
      }
      slot.set(object([['__proto__', current]]));
      return 'wrapped';
    case 12:
      if (typeof current === 'string') {
        slot.set(rng.chance(0.5) ? current + rng.pick(UNICODE_POOL) : `${current}${rng.pick([' ', '(', ')', '#', ':', '[', '.', ',', '"', '\\'])}`);
        return 'string edit';
      }
      slot.set(rng.pick(NUMBER_STRINGS));
      return 'number string';
    default:
      slot.set(new Raw(rng.pick(['1e999', '-0', '1E-999', '0.1', '99999999999999999999'])));
      return 'raw number';
  }
}

/** Whole bodies no input shape describes. */
const MALFORMED_BODIES = ['', 'null', '[]', '"x"', '1', '{', '{"TableName":', '{"TableName":"mt_hash"', '\ufeff{}', ' \n{}\t', '{}{}', '{"a":1,}', "{'a':1}", '{"TableName":"\\ud800"}', '{"__proto__":{"TableName":"mt_hash"}}'];

// ---------------------------------------------------------------------------------------------
// Requests and answers
// ---------------------------------------------------------------------------------------------

interface Probe {
  index: number;
  target: string;
  body: string | Buffer;
  mutations: string[];
}

/** Operations that do not exist, and targets of other services or other spellings. */
const ODD_TARGETS = [
  `${TARGET_PREFIX}NoSuchOperation`, `${TARGET_PREFIX}`, `${TARGET_PREFIX}__proto__`, `${TARGET_PREFIX}constructor`, `${TARGET_PREFIX}toString`,
  `${TARGET_PREFIX}getItem`, `${TARGET_PREFIX}GetItem.`, 'DynamoDB_20111205.GetItem', 'dynamodb_20120810.GetItem', 'DynamoDBStreams_20120810.ListStreams',
  'DynamoDBStreams_20120810.__proto__', 'AmazonSQS.SendMessage', 'AWSCognitoIdentityService.GetId', 'GetItem', '__proto__', '',
];

function probe(index: number, model: ServiceModel, operations: readonly string[], served: readonly string[]): Probe {
  const rng = new SeededRandom(SEED + index * 7919);
  const roll = rng.next();
  if (roll < 0.02) return { index, target: rng.pick(ODD_TARGETS), body: '{}', mutations: ['odd target'] };
  // Most requests go to the operations cove serves; every other one of the model still comes up.
  const operation = rng.chance(0.8) ? rng.pick(served) : rng.pick(operations);
  const target = `${TARGET_PREFIX}${operation}`;
  if (roll < 0.05) {
    const body = rng.chance(0.2) ? Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) : rng.pick(MALFORMED_BODIES);
    return { index, target, body, mutations: ['malformed body'] };
  }
  const g: Generation = { rng, model, operation, table: undefined, names: new Set(), values: new Set(), depth: 0, legacy: rng.chance(0.2) };
  const root: { value: Json } = { value: generateInput(operation, g) };
  const mutations: string[] = [];
  // About a fifth go as generated; of the rest, most with one mutation, so that it gets past
  // the checks a second one would fail first.
  if (roll > 0.2) for (let n = rng.chance(0.6) ? 1 : rng.int(2, 3); n > 0; n -= 1) mutations.push(mutate(rng, root));
  return { index, target, body: serialize(root.value), mutations };
}

/** Exception names a DynamoDB answer may carry: the model's and coral's. */
function knownExceptions(model: ServiceModel): Set<string> {
  const names = Object.entries(model.shapes).filter(([, shape]) => shape.exception).map(([name]) => name);
  return new Set([
    ...names,
    'ValidationException', 'SerializationException', 'UnknownOperationException', 'AccessDeniedException', 'MissingAuthenticationTokenException',
    'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException', 'RequestEntityTooLarge',
  ]);
}

const ERROR_TYPE = /^(com\.amazonaws\.dynamodb\.v20120810|com\.amazon\.coral\.service|com\.amazon\.coral\.validate)#([A-Za-z]+)$/;
/** AWS answers these without a message (an unknown target, a body that is not JSON). */
const MESSAGE_OPTIONAL = new Set(['UnknownOperationException', 'SerializationException']);

/** Why an answer is not AWS-shaped, or undefined when it is. */
function answerFault(status: number, body: string, known: ReadonlySet<string>, answersNothing: boolean): string | undefined {
  // An operation the model gives no output (TagResource, UntagResource) answers with an empty body.
  if (status === 200 && answersNothing) return body === '' ? undefined : 'a body where the model has no output';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (status === 200) return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? undefined : 'a 200 body that is not an object';
  if (status < 400 || status >= 500) return `status ${status}`;
  const { __type: type, message, Message } = parsed as { __type?: unknown; message?: unknown; Message?: unknown };
  const match = typeof type === 'string' ? ERROR_TYPE.exec(type) : null;
  if (!match || !known.has(match[2])) return `__type ${String(type)}`;
  const text = message ?? Message;
  if (text === undefined && MESSAGE_OPTIONAL.has(match[2])) return undefined;
  return typeof text === 'string' && text.length > 0 ? undefined : `no message for ${match[2]}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(`mutation test over the DynamoDB model (seed ${SEED})`, () => {
  let cove: CoveProcess;
  const call = (target: string, body: string | Buffer) => signedCall({ endpoint: cove.endpoint, target, body, accessKeyId: KEY, secretAccessKey: SECRET });

  before(async () => {
    cove = await startCove({ config: fullAccessConfig('mutator', KEY, SECRET) });
    for (const { target, body } of createTableBodies()) {
      const reply = await call(`${TARGET_PREFIX}${target}`, JSON.stringify(body));
      assert.equal(reply.status, 200, reply.body);
    }
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it(`answers ${REQUESTS} mutated requests with a 200 or an AWS-shaped 4xx, and keeps its state`, async () => {
    console.log(`# mutation seed ${SEED} (COVE_MUTATION_SEED=${SEED} reproduces it)`);
    const model = loadModel();
    const known = knownExceptions(model);
    const operations = Object.keys(model.operations);
    const served = operations.filter((name) => OPERATIONS.has(name));
    const faults: string[] = [];
    let fiveXX = 0;
    let failedConnections = 0;
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const request = probe(next, model, operations, served);
        next += 1;
        let status: number;
        let body: string;
        try {
          ({ status, body } = await call(request.target, request.body));
        } catch (error) {
          failedConnections += 1;
          faults.push(`#${request.index} ${request.target} [${request.mutations.join(', ')}]: no answer (${String(error)}) ${String(request.body).slice(0, 300)}`);
          if (!alive(cove.pid)) return;
          continue;
        }
        if (status >= 500) fiveXX += 1;
        if (process.env.COVE_MUTATION_DEBUG) console.log(`# ${request.target} ${request.mutations.length} ${status} ${body.slice(0, 160)} <<< ${String(request.body).slice(0, 400)}`);
        const operation = request.target.slice(request.target.indexOf('.') + 1);
        const fault = answerFault(status, body, known, Object.hasOwn(model.operations, operation) && model.operations[operation].output === undefined);
        if (fault) faults.push(`#${request.index} ${request.target} [${request.mutations.join(', ')}]: ${fault}: ${body.slice(0, 300)}\n  request: ${String(request.body).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const crashes = alive(cove.pid) ? 0 : 1;
    reportFigures('mutation', { requests: REQUESTS, fiveXX, crashes, failedConnections });
    if (faults.length > 0) console.log(`# server output:\n${cove.output().slice(-5000)}`);
    assert.deepEqual(faults.slice(0, 20), [], `seed ${SEED}: ${faults.length} faults`);
    assert.equal(crashes, 0);

    // The state outside the requests' reach is as it was, and the server still answers.
    const got = await call(`${TARGET_PREFIX}GetItem`, JSON.stringify({ TableName: 'sentinel', Key: { id: { S: 'sentinel' } }, ConsistentRead: true }));
    assert.equal(got.status, 200, got.body);
    assert.deepEqual(JSON.parse(got.body), { Item: SENTINEL_ITEM });
    // The requests created tables of their own: every page, so the fixtures are found among them.
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await call(`${TARGET_PREFIX}ListTables`, JSON.stringify(start === undefined ? {} : { ExclusiveStartTableName: start }));
      assert.equal(page.status, 200, page.body);
      const answer = JSON.parse(page.body) as { TableNames: string[]; LastEvaluatedTableName?: string };
      names.push(...answer.TableNames);
      start = answer.LastEvaluatedTableName;
    } while (start !== undefined);
    for (const name of ['sentinel', ...FIXTURES.map((f) => f.name)]) assert.ok(names.includes(name), `${name} listed`);
  });
});
