/**
 * A corpus of invalid DynamoDB requests, generated from tables of inputs, for the differential
 * test against dynalite (test/dynamo/validationParity.test.ts). Each case is one operation and
 * one JSON body that DynamoDB refuses; the tables below name the parameter and the wrong value,
 * so a case's name says what is wrong with it.
 *
 * The requests name two tables that the test creates on both servers first: HASH_TABLE (key
 * `pk` S) and RANGE_TABLE (keys `pk` S and `sk` S, a global index `gsi` on `g` S and a local
 * index `lsi` on `pk`, `l` S). No case may succeed: one that does would change the tables.
 */

import { LIMITS } from '../../src/dynamo/limits.js';

export interface ParityCase {
  name: string;
  operation: string;
  body: Record<string, unknown>;
}

export const HASH_TABLE = 'parity_hash';
export const RANGE_TABLE = 'parity_range';
const HASH_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${HASH_TABLE}`;

const PT = { ReadCapacityUnits: 1, WriteCapacityUnits: 1 };
const HASH_KEY = { pk: { S: 'a' } };
const RANGE_KEY = { pk: { S: 'a' }, sk: { S: '1' } };

/** The CreateTable bodies of the two tables every case may name. */
export const TABLES: readonly Record<string, unknown>[] = [
  {
    TableName: HASH_TABLE,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: PT,
  },
  {
    TableName: RANGE_TABLE,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
      { AttributeName: 'l', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    ProvisionedThroughput: PT,
    GlobalSecondaryIndexes: [{
      IndexName: 'gsi', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: PT,
    }],
    LocalSecondaryIndexes: [{
      IndexName: 'lsi', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' },
    }],
  },
];

const CREATE_BASE = {
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  ProvisionedThroughput: PT,
};

/** A valid body of each operation that names a table, less its TableName. */
const TABLE_OPERATIONS: Record<string, Record<string, unknown>> = {
  CreateTable: CREATE_BASE,
  DeleteTable: {},
  DescribeTable: {},
  UpdateTable: { ProvisionedThroughput: PT },
  PutItem: { Item: HASH_KEY },
  GetItem: { Key: HASH_KEY },
  UpdateItem: { Key: HASH_KEY },
  DeleteItem: { Key: HASH_KEY },
  Query: { KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } },
  Scan: {},
  DescribeTimeToLive: {},
};

/** Wrong table names: absent, null, too short or long, outside the pattern, of the wrong JSON type. */
const TABLE_NAMES: readonly [string, unknown][] = [
  ['absent', undefined], ['null', null], ['empty', ''], ['2 chars', 'ab'], ['256 chars', 'a'.repeat(256)],
  ['space and !', 'bad name!'], ['2 chars outside pattern', 'a;'], ['integer', 5], ['decimal', 1.5],
  ['true', true], ['list', []], ['map', {}],
];

function tableNameCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const [operation, base] of Object.entries(TABLE_OPERATIONS)) {
    for (const [label, value] of TABLE_NAMES) {
      const body: Record<string, unknown> = { ...base };
      if (value !== undefined) body.TableName = value;
      cases.push({ name: `${operation} TableName ${label}`, operation, body });
    }
  }
  return cases;
}

/** JSON values of the wrong type for each kind of member. */
const WRONG_TYPES: Record<string, readonly [string, unknown][]> = {
  string: [['integer', 5], ['decimal', 1.5], ['false', false], ['list', []], ['map', {}]],
  integer: [['string', '5'], ['true', true], ['list', []], ['map', {}]],
  boolean: [['integer', 5], ['string maybe', 'maybe'], ['list', []], ['map', {}]],
  itemMap: [['string', 'x'], ['integer', 5], ['list', []], ['string value', { a: 'x' }], ['list value', { a: [] }], ['S integer', { a: { S: 5 } }], ['B not base64', { a: { B: '12345' } }]],
  stringList: [['string', 'x'], ['map', {}], ['integer element', [5]]],
  stringMap: [['string', 'x'], ['list', []], ['integer value', { '#a': 5 }]],
};

/** Members of each kind per operation, with the valid rest of the request. */
const TYPED_MEMBERS: readonly [string, Record<string, unknown>, string, string][] = [
  ['GetItem', { TableName: HASH_TABLE, Key: HASH_KEY }, 'ConsistentRead', 'boolean'],
  ['GetItem', { TableName: HASH_TABLE }, 'Key', 'itemMap'],
  ['GetItem', { TableName: HASH_TABLE, Key: HASH_KEY }, 'AttributesToGet', 'stringList'],
  ['GetItem', { TableName: HASH_TABLE, Key: HASH_KEY }, 'ProjectionExpression', 'string'],
  ['GetItem', { TableName: HASH_TABLE, Key: HASH_KEY, ProjectionExpression: '#a' }, 'ExpressionAttributeNames', 'stringMap'],
  ['PutItem', { TableName: HASH_TABLE }, 'Item', 'itemMap'],
  ['PutItem', { TableName: HASH_TABLE, Item: HASH_KEY }, 'ConditionExpression', 'string'],
  ['PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = :a' }, 'ExpressionAttributeValues', 'itemMap'],
  ['PutItem', { TableName: HASH_TABLE, Item: HASH_KEY }, 'ReturnValues', 'string'],
  ['DeleteItem', { TableName: HASH_TABLE }, 'Key', 'itemMap'],
  ['UpdateItem', { TableName: HASH_TABLE, Key: HASH_KEY }, 'UpdateExpression', 'string'],
  ['Query', { TableName: HASH_TABLE }, 'Limit', 'integer'],
  ['Query', { TableName: HASH_TABLE }, 'ScanIndexForward', 'boolean'],
  ['Query', { TableName: HASH_TABLE }, 'ExclusiveStartKey', 'itemMap'],
  ['Query', { TableName: HASH_TABLE }, 'IndexName', 'string'],
  ['Scan', { TableName: HASH_TABLE }, 'Limit', 'integer'],
  ['Scan', { TableName: HASH_TABLE }, 'Segment', 'integer'],
  ['Scan', { TableName: HASH_TABLE }, 'Select', 'string'],
  ['ListTables', {}, 'Limit', 'integer'],
  ['ListTables', {}, 'ExclusiveStartTableName', 'string'],
];

function typeCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const [operation, base, member, kind] of TYPED_MEMBERS) {
    for (const [label, value] of WRONG_TYPES[kind]) {
      cases.push({ name: `${operation} ${member} ${label}`, operation, body: { ...base, [member]: value } });
    }
  }
  return cases;
}

/** Enum members and the operations with a valid body to put them in. */
const READ_BODIES: Record<string, Record<string, unknown>> = {
  GetItem: { TableName: HASH_TABLE, Key: HASH_KEY },
  Query: { TableName: HASH_TABLE, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } },
  Scan: { TableName: HASH_TABLE },
  BatchGetItem: { RequestItems: { [HASH_TABLE]: { Keys: [HASH_KEY] } } },
};
/** Writes that would succeed if the enum were right: the bad enum must stop them. */
const WRITE_BODIES: Record<string, Record<string, unknown>> = {
  PutItem: { TableName: HASH_TABLE, Item: HASH_KEY },
  UpdateItem: { TableName: HASH_TABLE, Key: HASH_KEY },
  DeleteItem: { TableName: HASH_TABLE, Key: HASH_KEY },
  BatchWriteItem: { RequestItems: { [HASH_TABLE]: [{ DeleteRequest: { Key: HASH_KEY } }] } },
};
const BAD_ENUMS: readonly [string, unknown][] = [['bad', 'bad'], ['empty', ''], ['lower case', 'none']];

function enumCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const add = (bodies: Record<string, Record<string, unknown>>, member: string, only?: readonly string[]) => {
    for (const [operation, base] of Object.entries(bodies)) {
      if (only && !only.includes(operation)) continue;
      for (const [label, value] of BAD_ENUMS) cases.push({ name: `${operation} ${member} ${label}`, operation, body: { ...base, [member]: value } });
    }
  };
  add({ ...READ_BODIES, ...WRITE_BODIES }, 'ReturnConsumedCapacity');
  add(WRITE_BODIES, 'ReturnItemCollectionMetrics');
  add(WRITE_BODIES, 'ReturnValues', ['PutItem', 'UpdateItem', 'DeleteItem']);
  add(READ_BODIES, 'Select', ['Query', 'Scan']);
  // ReturnValues that the enum allows but the operation does not.
  for (const operation of ['PutItem', 'DeleteItem']) {
    for (const value of ['ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']) {
      cases.push({ name: `${operation} ReturnValues ${value}`, operation, body: { ...WRITE_BODIES[operation], ReturnValues: value } });
    }
  }
  return cases;
}

/** Numeric bounds: Limit, Segment, TotalSegments. */
function boundCases(): ParityCase[] {
  const scan = { TableName: HASH_TABLE };
  const rows: [string, Record<string, unknown>][] = [
    ['Query Limit 0', { ...READ_BODIES.Query, Limit: 0 }],
    ['Query Limit -1', { ...READ_BODIES.Query, Limit: -1 }],
    ['Scan Limit 0', { ...scan, Limit: 0 }],
    ['Scan Limit -5', { ...scan, Limit: -5 }],
    ['ListTables Limit 0', { Limit: 0 }],
    ['ListTables Limit 101', { Limit: 101 }],
    ['Scan Segment -1', { ...scan, Segment: -1, TotalSegments: 2 }],
    ['Scan TotalSegments 0', { ...scan, Segment: 0, TotalSegments: 0 }],
    ['Scan TotalSegments 1000001', { ...scan, Segment: 0, TotalSegments: 1000001 }],
    ['Scan Segment without TotalSegments', { ...scan, Segment: 1 }],
    ['Scan TotalSegments without Segment', { ...scan, TotalSegments: 2 }],
    ['Scan Segment not below TotalSegments', { ...scan, Segment: 2, TotalSegments: 2 }],
  ];
  return rows.map(([name, body]) => ({ name, operation: name.split(' ')[0], body }));
}

/** Empty attribute names and empty maps: in items, keys, expression names and values. */
function emptyNameCases(): ParityCase[] {
  const get = { TableName: HASH_TABLE, Key: HASH_KEY };
  const rows: [string, string, Record<string, unknown>][] = [
    ['PutItem Item empty attribute name', 'PutItem', { TableName: HASH_TABLE, Item: { ...HASH_KEY, '': { S: 'x' } } }],
    ['PutItem Item empty', 'PutItem', { TableName: HASH_TABLE, Item: {} }],
    ['PutItem Item nested empty name', 'PutItem', { TableName: HASH_TABLE, Item: { ...HASH_KEY, m: { M: { '': { S: 'x' } } } } }],
    ['GetItem Key empty attribute name', 'GetItem', { TableName: HASH_TABLE, Key: { '': { S: 'x' } } }],
    ['GetItem Key empty', 'GetItem', { TableName: HASH_TABLE, Key: {} }],
    ['DeleteItem Key empty attribute name', 'DeleteItem', { TableName: HASH_TABLE, Key: { '': { S: 'x' } } }],
    ['UpdateItem Key empty attribute name', 'UpdateItem', { TableName: HASH_TABLE, Key: { '': { S: 'x' } } }],
    ['GetItem ExpressionAttributeNames empty', 'GetItem', { ...get, ProjectionExpression: 'a', ExpressionAttributeNames: {} }],
    ['GetItem ExpressionAttributeNames empty value', 'GetItem', { ...get, ProjectionExpression: '#a', ExpressionAttributeNames: { '#a': '' } }],
    ['GetItem ExpressionAttributeNames key without #', 'GetItem', { ...get, ProjectionExpression: 'a', ExpressionAttributeNames: { a: 'b' } }],
    ['GetItem ExpressionAttributeNames unused', 'GetItem', { ...get, ProjectionExpression: 'a', ExpressionAttributeNames: { '#b': 'b' } }],
    ['PutItem ExpressionAttributeValues empty', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = b', ExpressionAttributeValues: {} }],
    ['PutItem ExpressionAttributeValues key without :', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = b', ExpressionAttributeValues: { a: { S: 'x' } } }],
    ['PutItem ExpressionAttributeValues unused', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = b', ExpressionAttributeValues: { ':b': { S: 'x' } } }],
    ['PutItem ExpressionAttributeValues empty value', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = :a', ExpressionAttributeValues: { ':a': {} } }],
    ['GetItem AttributesToGet empty', 'GetItem', { ...get, AttributesToGet: [] }],
    ['GetItem AttributesToGet duplicate', 'GetItem', { ...get, AttributesToGet: ['a', 'a'] }],
    ['GetItem ProjectionExpression empty', 'GetItem', { ...get, ProjectionExpression: '' }],
    ['BatchWriteItem Item empty attribute name', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{ PutRequest: { Item: { ...HASH_KEY, '': { S: 'x' } } } }] } }],
    ['BatchGetItem Key empty attribute name', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [{ '': { S: 'x' } }] } } }],
  ];
  return rows.map(([name, operation, body]) => ({ name, operation, body }));
}

/** Attribute values DynamoDB refuses, each put in an item, a key and an expression value. */
const BAD_VALUES: readonly [string, unknown][] = [
  ['no datatype', {}], ['two datatypes', { S: 'a', N: '1' }], ['NULL false', { NULL: false }],
  ['empty SS', { SS: [] }], ['empty NS', { NS: [] }], ['empty BS', { BS: [] }],
  ['N not a number', { N: 'x' }], ['N empty', { N: '' }], ['N 39 digits', { N: '1'.repeat(39) }], ['N overflow', { N: '1e126' }],
  ['SS duplicates', { SS: ['a', 'a'] }], ['NS duplicates', { NS: ['1', '1'] }],
];

function attributeValueCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  for (const [label, value] of BAD_VALUES) {
    cases.push({ name: `PutItem Item value ${label}`, operation: 'PutItem', body: { TableName: HASH_TABLE, Item: { ...HASH_KEY, a: value } } });
    cases.push({ name: `GetItem Key value ${label}`, operation: 'GetItem', body: { TableName: HASH_TABLE, Key: { pk: value } } });
    cases.push({ name: `Query ExclusiveStartKey value ${label}`, operation: 'Query', body: { ...READ_BODIES.Query, ExclusiveStartKey: { pk: value } } });
    cases.push({ name: `Scan ExclusiveStartKey value ${label}`, operation: 'Scan', body: { TableName: HASH_TABLE, ExclusiveStartKey: { pk: value } } });
  }
  return cases;
}

/** Keys that do not fit the table's key schema, and key values over DynamoDB's size limits. */
function keyCases(): ParityCase[] {
  const long = (n: number) => 'x'.repeat(n);
  const hashKeys: [string, Record<string, unknown>][] = [
    ['missing hash key', { other: { S: 'a' } }], ['wrong type', { pk: { N: '1' } }], ['extra attribute', { pk: { S: 'a' }, sk: { N: '1' } }],
    ['empty string', { pk: { S: '' } }], ['hash key over its limit', { pk: { S: long(LIMITS.maxPartitionKeyBytes + 1) } }],
  ];
  const rangeKeys: [string, Record<string, unknown>][] = [
    ['range key missing', { pk: { S: 'a' } }], ['range key wrong type', { pk: { S: 'a' }, sk: { N: '1' } }],
    ['range key empty', { pk: { S: 'a' }, sk: { S: '' } }], ['range key over its limit', { pk: { S: 'a' }, sk: { S: long(LIMITS.maxSortKeyBytes + 1) } }],
  ];
  const cases: ParityCase[] = [];
  for (const operation of ['GetItem', 'DeleteItem', 'UpdateItem']) {
    for (const [label, key] of hashKeys) cases.push({ name: `${operation} ${HASH_TABLE} Key ${label}`, operation, body: { TableName: HASH_TABLE, Key: key } });
    for (const [label, key] of rangeKeys) cases.push({ name: `${operation} ${RANGE_TABLE} Key ${label}`, operation, body: { TableName: RANGE_TABLE, Key: key } });
  }
  const items: [string, string, Record<string, unknown>][] = [
    ['missing hash key', HASH_TABLE, { a: { S: 'a' } }], ['hash key wrong type', HASH_TABLE, { pk: { N: '1' } }],
    ['hash key empty', HASH_TABLE, { pk: { S: '' } }], ['hash key over its limit', HASH_TABLE, { pk: { S: long(LIMITS.maxPartitionKeyBytes + 1) } }],
    ['range key over its limit', RANGE_TABLE, { pk: { S: 'a' }, sk: { S: long(LIMITS.maxSortKeyBytes + 1) } }],
    ['local index key over its limit', RANGE_TABLE, { ...RANGE_KEY, l: { S: long(LIMITS.maxSortKeyBytes + 1) } }],
    ['range key missing', RANGE_TABLE, { pk: { S: 'a' } }], ['index key wrong type', RANGE_TABLE, { ...RANGE_KEY, g: { N: '1' } }],
    ['over the item size limit', HASH_TABLE, { pk: { S: 'a' }, big: { S: long(LIMITS.maxItemBytes) } }],
  ];
  for (const [label, table, item] of items) cases.push({ name: `PutItem ${table} Item ${label}`, operation: 'PutItem', body: { TableName: table, Item: item } });
  return cases;
}

/** ExclusiveStartKey of the wrong shape for the table or index read. */
function startKeyCases(): ParityCase[] {
  const rows: [string, Record<string, unknown>][] = [
    ['empty', {}], ['sort key on a hash-only table', { ...HASH_KEY, sk: { N: '1' } }], ['other attribute', { x: { S: 'a' } }],
    ['hash key wrong type', { pk: { N: '1' } }], ['hash key empty string', { pk: { S: '' } }],
  ];
  const rangeRows: [string, Record<string, unknown>][] = [
    ['missing sort key', { pk: { S: 'a' } }], ['extra attribute', { ...RANGE_KEY, x: { S: 'a' } }], ['sort key wrong type', { pk: { S: 'a' }, sk: { N: '1' } }],
  ];
  const cases: ParityCase[] = [];
  for (const [label, key] of rows) {
    cases.push({ name: `Scan ${HASH_TABLE} ExclusiveStartKey ${label}`, operation: 'Scan', body: { TableName: HASH_TABLE, ExclusiveStartKey: key } });
    cases.push({ name: `Query ${HASH_TABLE} ExclusiveStartKey ${label}`, operation: 'Query', body: { ...READ_BODIES.Query, ExclusiveStartKey: key } });
  }
  const rangeQuery = { TableName: RANGE_TABLE, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } };
  for (const [label, key] of rangeRows) {
    cases.push({ name: `Scan ${RANGE_TABLE} ExclusiveStartKey ${label}`, operation: 'Scan', body: { TableName: RANGE_TABLE, ExclusiveStartKey: key } });
    cases.push({ name: `Query ${RANGE_TABLE} ExclusiveStartKey ${label}`, operation: 'Query', body: { ...rangeQuery, ExclusiveStartKey: key } });
  }
  const gsiQuery = { TableName: RANGE_TABLE, IndexName: 'gsi', KeyConditionExpression: 'g = :v', ExpressionAttributeValues: { ':v': { S: 'a' } } };
  cases.push({ name: 'Query gsi ExclusiveStartKey without the index key', operation: 'Query', body: { ...gsiQuery, ExclusiveStartKey: RANGE_KEY } });
  cases.push({ name: 'Scan gsi ExclusiveStartKey without the table key', operation: 'Scan', body: { TableName: RANGE_TABLE, IndexName: 'gsi', ExclusiveStartKey: { g: { S: 'a' } } } });
  return cases;
}

/** Legacy parameters mixed with expressions, and expression parameters without expressions. */
function legacyCases(): ParityCase[] {
  const put = { TableName: HASH_TABLE, Item: HASH_KEY };
  const key = { TableName: HASH_TABLE, Key: HASH_KEY };
  const expected = { a: { Exists: false } };
  const rows: [string, string, Record<string, unknown>][] = [
    ['PutItem Expected with ConditionExpression', 'PutItem', { ...put, Expected: expected, ConditionExpression: 'attribute_not_exists(a)' }],
    ['DeleteItem Expected with ConditionExpression', 'DeleteItem', { ...key, Expected: expected, ConditionExpression: 'attribute_not_exists(a)' }],
    ['UpdateItem AttributeUpdates with UpdateExpression', 'UpdateItem', { ...key, AttributeUpdates: { a: { Action: 'DELETE' } }, UpdateExpression: 'REMOVE a' }],
    ['UpdateItem Expected with UpdateExpression', 'UpdateItem', { ...key, Expected: expected, UpdateExpression: 'REMOVE a' }],
    ['GetItem AttributesToGet with ProjectionExpression', 'GetItem', { ...key, AttributesToGet: ['a'], ProjectionExpression: 'a' }],
    ['Query KeyConditions with KeyConditionExpression', 'Query', { ...READ_BODIES.Query, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } } }],
    ['Query QueryFilter with FilterExpression', 'Query', { ...READ_BODIES.Query, QueryFilter: { a: { ComparisonOperator: 'NULL' } }, FilterExpression: 'attribute_exists(a)' }],
    ['Scan ScanFilter with FilterExpression', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'NULL' } }, FilterExpression: 'attribute_exists(a)' }],
    ['Scan ConditionalOperator with ProjectionExpression', 'Scan', { TableName: HASH_TABLE, ConditionalOperator: 'AND', ProjectionExpression: 'a' }],
    ['PutItem ExpressionAttributeNames without expressions', 'PutItem', { ...put, ExpressionAttributeNames: { '#a': 'a' } }],
    ['PutItem ExpressionAttributeValues without expressions', 'PutItem', { ...put, ExpressionAttributeValues: { ':a': { S: 'a' } } }],
    ['UpdateItem ExpressionAttributeValues without expressions', 'UpdateItem', { ...key, ExpressionAttributeValues: { ':a': { S: 'a' } } }],
    ['Scan ExpressionAttributeValues without expressions', 'Scan', { TableName: HASH_TABLE, ExpressionAttributeValues: { ':a': { S: 'a' } } }],
    ['Query without key conditions', 'Query', { TableName: HASH_TABLE }],
    ['PutItem Expected Exists true without Value', 'PutItem', { ...put, Expected: { a: { Exists: true } } }],
    ['PutItem Expected Exists false with Value', 'PutItem', { ...put, Expected: { a: { Exists: false, Value: { S: 'a' } } } }],
    ['PutItem Expected ComparisonOperator with Exists', 'PutItem', { ...put, Expected: { a: { ComparisonOperator: 'NULL', Exists: false } } }],
    ['PutItem Expected AttributeValueList without ComparisonOperator', 'PutItem', { ...put, Expected: { a: { AttributeValueList: [{ S: 'a' }] } } }],
    ['PutItem Expected EQ without a value', 'PutItem', { ...put, Expected: { a: { ComparisonOperator: 'EQ' } } }],
    ['PutItem Expected BETWEEN with one value', 'PutItem', { ...put, Expected: { a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '1' }] } } }],
    ['Scan ScanFilter EQ with two values', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }, { S: 'b' }] } } }],
    ['Scan ScanFilter LT on a set', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'LT', AttributeValueList: [{ SS: ['a'] }] } } }],
    ['Scan ScanFilter BETWEEN reversed', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '2' }, { N: '1' }] } } }],
    ['UpdateItem AttributeUpdates PUT without Value', 'UpdateItem', { ...key, AttributeUpdates: { a: { Action: 'PUT' } } }],
    ['UpdateItem AttributeUpdates DELETE of a string', 'UpdateItem', { ...key, AttributeUpdates: { a: { Action: 'DELETE', Value: { S: 'a' } } } }],
    ['UpdateItem AttributeUpdates ADD of a string', 'UpdateItem', { ...key, AttributeUpdates: { a: { Action: 'ADD', Value: { S: 'a' } } } }],
    ['UpdateItem AttributeUpdates of the key', 'UpdateItem', { ...key, AttributeUpdates: { pk: { Action: 'PUT', Value: { S: 'b' } } } }],
    ['UpdateItem UpdateExpression of the key', 'UpdateItem', { ...key, UpdateExpression: 'SET pk = :b', ExpressionAttributeValues: { ':b': { S: 'b' } } }],
  ];
  return rows.map(([name, operation, body]) => ({ name, operation, body }));
}

/** BatchGetItem and BatchWriteItem request shapes. */
function batchCases(): ParityCase[] {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: { S: `k${i}` } }));
  const deletes = (n: number) => keys(n).map((k) => ({ DeleteRequest: { Key: k } }));
  const rows: [string, string, Record<string, unknown>][] = [
    ['BatchGetItem RequestItems absent', 'BatchGetItem', {}],
    ['BatchGetItem RequestItems empty', 'BatchGetItem', { RequestItems: {} }],
    ['BatchGetItem Keys empty', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [] } } }],
    ['BatchGetItem Keys absent', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: {} } }],
    ['BatchGetItem 101 keys', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: keys(101) } } }],
    ['BatchGetItem duplicate keys', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [HASH_KEY, HASH_KEY] } } }],
    ['BatchGetItem table name outside pattern', 'BatchGetItem', { RequestItems: { 'a;': { Keys: [HASH_KEY] } } }],
    ['BatchGetItem AttributesToGet with ProjectionExpression', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [HASH_KEY], AttributesToGet: ['a'], ProjectionExpression: 'a' } } }],
    ['BatchGetItem key of the wrong shape', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [{ pk: { N: '1' } }] } } }],
    ['BatchWriteItem RequestItems absent', 'BatchWriteItem', {}],
    ['BatchWriteItem RequestItems empty', 'BatchWriteItem', { RequestItems: {} }],
    ['BatchWriteItem request list empty', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [] } }],
    ['BatchWriteItem 26 requests', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: deletes(26) } }],
    ['BatchWriteItem empty WriteRequest', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{}] } }],
    ['BatchWriteItem PutRequest without Item', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{ PutRequest: {} }] } }],
    ['BatchWriteItem DeleteRequest without Key', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{ DeleteRequest: {} }] } }],
    ['BatchWriteItem table name outside pattern', 'BatchWriteItem', { RequestItems: { 'a;': deletes(1) } }],
    ['BatchWriteItem duplicate keys', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: deletes(1).concat(deletes(1)) } }],
    ['BatchWriteItem key of the wrong shape', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{ DeleteRequest: { Key: { pk: { N: '1' } } } }] } }],
    ['BatchWriteItem item over the size limit', 'BatchWriteItem', { RequestItems: { [HASH_TABLE]: [{ PutRequest: { Item: { ...HASH_KEY, big: { S: 'x'.repeat(LIMITS.maxItemBytes) } } } }] } }],
  ];
  return rows.map(([name, operation, body]) => ({ name, operation, body }));
}

/** CreateTable and UpdateTable definitions DynamoDB refuses. */
function tableDefinitionCases(): ParityCase[] {
  const name = { TableName: 'parity_new' };
  const attr = (n: string, t = 'S') => ({ AttributeName: n, AttributeType: t });
  const key = (n: string, t = 'HASH') => ({ AttributeName: n, KeyType: t });
  const rows: [string, string, Record<string, unknown>][] = [
    ['CreateTable AttributeDefinitions absent', 'CreateTable', { ...name, KeySchema: [key('pk')], ProvisionedThroughput: PT }],
    ['CreateTable KeySchema absent', 'CreateTable', { ...name, AttributeDefinitions: [attr('pk')], ProvisionedThroughput: PT }],
    ['CreateTable KeySchema empty', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [] }],
    ['CreateTable KeySchema of 3', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [key('pk'), key('a', 'RANGE'), key('b', 'RANGE')] }],
    ['CreateTable KeyType bad', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [key('pk', 'PRIMARY')] }],
    ['CreateTable AttributeType bad', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk', 'X')] }],
    ['CreateTable ProvisionedThroughput absent', 'CreateTable', { ...name, AttributeDefinitions: [attr('pk')], KeySchema: [key('pk')] }],
    ['CreateTable ReadCapacityUnits 0', 'CreateTable', { ...CREATE_BASE, ...name, ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 1 } }],
    ['CreateTable BillingMode bad', 'CreateTable', { ...CREATE_BASE, ...name, BillingMode: 'FREE' }],
    ['CreateTable PAY_PER_REQUEST with throughput', 'CreateTable', { ...CREATE_BASE, ...name, BillingMode: 'PAY_PER_REQUEST' }],
    ['CreateTable key attribute not defined', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [key('other')] }],
    ['CreateTable more keys than definitions', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [key('pk'), key('sk', 'RANGE')] }],
    ['CreateTable same hash and range', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('sk')], KeySchema: [key('pk'), key('pk', 'RANGE')] }],
    ['CreateTable first key not HASH', 'CreateTable', { ...CREATE_BASE, ...name, KeySchema: [key('pk', 'RANGE')] }],
    ['CreateTable second key not RANGE', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('sk')], KeySchema: [key('pk'), key('sk')] }],
    ['CreateTable unused attribute definition', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('x')] }],
    ['CreateTable LocalSecondaryIndexes empty', 'CreateTable', { ...CREATE_BASE, ...name, LocalSecondaryIndexes: [] }],
    ['CreateTable GlobalSecondaryIndexes empty', 'CreateTable', { ...CREATE_BASE, ...name, GlobalSecondaryIndexes: [] }],
    ['CreateTable local index on a hash-only table', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('l')], LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [key('pk'), key('l', 'RANGE')], Projection: { ProjectionType: 'ALL' } }] }],
    ['CreateTable index Projection without type', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('g')], GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [key('g')], Projection: {}, ProvisionedThroughput: PT }] }],
    ['CreateTable index NonKeyAttributes with ALL', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('g')], GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [key('g')], Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['a'] }, ProvisionedThroughput: PT }] }],
    ['CreateTable IndexName 2 chars', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('g')], GlobalSecondaryIndexes: [{ IndexName: 'ab', KeySchema: [key('g')], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: PT }] }],
    ['UpdateTable nothing to update', 'UpdateTable', { TableName: HASH_TABLE }],
    ['UpdateTable ReadCapacityUnits 0', 'UpdateTable', { TableName: HASH_TABLE, ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 1 } }],
    ['UpdateTable PROVISIONED without throughput', 'UpdateTable', { TableName: HASH_TABLE, BillingMode: 'PROVISIONED' }],
    ['UpdateTable empty index update', 'UpdateTable', { TableName: HASH_TABLE, GlobalSecondaryIndexUpdates: [{}] }],
    ['UpdateTable index update of a 2-char name', 'UpdateTable', { TableName: HASH_TABLE, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ab' } }] }],
  ];
  return rows.map(([caseName, operation, body]) => ({ name: caseName, operation, body }));
}

/** Tag operations and ListTables' start name. */
function otherCases(): ParityCase[] {
  const rows: [string, string, Record<string, unknown>][] = [
    ['TagResource ResourceArn absent', 'TagResource', { Tags: [{ Key: 'a', Value: 'b' }] }],
    ['TagResource Tags absent', 'TagResource', { ResourceArn: HASH_ARN }],
    ['TagResource Tags empty', 'TagResource', { ResourceArn: HASH_ARN, Tags: [] }],
    ['TagResource ResourceArn not a table', 'TagResource', { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:stream/x', Tags: [{ Key: 'a', Value: 'b' }] }],
    ['UntagResource ResourceArn absent', 'UntagResource', { TagKeys: ['a'] }],
    ['UntagResource TagKeys absent', 'UntagResource', { ResourceArn: HASH_ARN }],
    ['UntagResource TagKeys empty', 'UntagResource', { ResourceArn: HASH_ARN, TagKeys: [] }],
    ['ListTagsOfResource ResourceArn absent', 'ListTagsOfResource', {}],
    ['ListTagsOfResource ResourceArn not a table', 'ListTagsOfResource', { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:stream/x' }],
    ['ListTables ExclusiveStartTableName 2 chars', 'ListTables', { ExclusiveStartTableName: 'ab' }],
    ['ListTables ExclusiveStartTableName outside pattern', 'ListTables', { ExclusiveStartTableName: 'a b c' }],
  ];
  return rows.map(([name, operation, body]) => ({ name, operation, body }));
}

/** Key conditions, expressions, indexes and missing tables: the checks made against a table. */
function semanticCases(): ParityCase[] {
  const v = { ':v': { S: 'a' } };
  const range = (KeyConditionExpression: string, values: Record<string, unknown> = v) => ({ TableName: RANGE_TABLE, KeyConditionExpression, ExpressionAttributeValues: values });
  const legacy = (KeyConditions: Record<string, unknown>) => ({ TableName: RANGE_TABLE, KeyConditions });
  const eq = (value: unknown) => ({ ComparisonOperator: 'EQ', AttributeValueList: [value] });
  const key = { TableName: HASH_TABLE, Key: HASH_KEY };
  const missing = 'parity_missing';
  const rows: [string, string, Record<string, unknown>][] = [
    ['Query IndexName unknown', 'Query', { ...range('pk = :v'), IndexName: 'nope' }],
    ['Scan IndexName unknown', 'Scan', { TableName: RANGE_TABLE, IndexName: 'nope' }],
    ['Query ConsistentRead on a global index', 'Query', { TableName: RANGE_TABLE, IndexName: 'gsi', KeyConditionExpression: 'g = :v', ExpressionAttributeValues: v, ConsistentRead: true }],
    ['Query KeyConditions NE on the hash key', 'Query', legacy({ pk: { ComparisonOperator: 'NE', AttributeValueList: [{ S: 'a' }] } })],
    ['Query KeyConditions without the hash key', 'Query', legacy({ sk: eq({ S: 'a' }) })],
    ['Query KeyConditions of the wrong type', 'Query', legacy({ pk: eq({ N: '1' }) })],
    ['Query KeyConditions of three keys', 'Query', legacy({ pk: eq({ S: 'a' }), sk: eq({ S: 'a' }), l: eq({ S: 'a' }) })],
    ['Query KeyConditions GT on the hash key', 'Query', legacy({ pk: { ComparisonOperator: 'GT', AttributeValueList: [{ S: 'a' }] } })],
    ['Query KeyConditionExpression <>', 'Query', range('pk <> :v')],
    ['Query KeyConditionExpression OR', 'Query', range('pk = :v OR sk = :v')],
    ['Query KeyConditionExpression attribute_exists', 'Query', { TableName: RANGE_TABLE, KeyConditionExpression: 'attribute_exists(pk)' }],
    ['Query KeyConditionExpression size', 'Query', range('size(pk) = :v')],
    ['Query KeyConditionExpression nested attribute', 'Query', range('pk.a = :v')],
    ['Query KeyConditionExpression twice the same key', 'Query', range('pk = :v AND pk = :v')],
    ['Query KeyConditionExpression on a non-key attribute', 'Query', range('pk = :v AND x = :v')],
    ['Query KeyConditionExpression without the hash key', 'Query', range('sk = :v')],
    ['Query KeyConditionExpression undefined value', 'Query', { TableName: RANGE_TABLE, KeyConditionExpression: 'pk = :w', ExpressionAttributeValues: v }],
    ['Query KeyConditionExpression syntax error', 'Query', range('pk = = :v')],
    ['Query KeyConditionExpression empty', 'Query', range('')],
    ['GetItem ProjectionExpression reserved word', 'GetItem', { ...key, ProjectionExpression: 'name' }],
    ['GetItem ProjectionExpression overlapping paths', 'GetItem', { ...key, ProjectionExpression: 'a, a' }],
    ['GetItem ProjectionExpression undefined name', 'GetItem', { ...key, ProjectionExpression: '#a' }],
    ['GetItem ProjectionExpression syntax error', 'GetItem', { ...key, ProjectionExpression: 'a,' }],
    ['UpdateItem UpdateExpression syntax error', 'UpdateItem', { ...key, UpdateExpression: 'SET' }],
    ['UpdateItem UpdateExpression empty', 'UpdateItem', { ...key, UpdateExpression: '' }],
    ['UpdateItem UpdateExpression overlapping paths', 'UpdateItem', { ...key, UpdateExpression: 'SET a = :v REMOVE a', ExpressionAttributeValues: v }],
    ['UpdateItem UpdateExpression same section twice', 'UpdateItem', { ...key, UpdateExpression: 'SET a = :v SET b = :v', ExpressionAttributeValues: v }],
    ['UpdateItem UpdateExpression undefined value', 'UpdateItem', { ...key, UpdateExpression: 'SET a = :w', ExpressionAttributeValues: v }],
    ['UpdateItem UpdateExpression nested key path', 'UpdateItem', { ...key, UpdateExpression: 'SET pk.a = :v', ExpressionAttributeValues: v }],
    ['PutItem ConditionExpression syntax error', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'a = ' }],
    ['PutItem ConditionExpression unknown function', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'nope(a)' }],
    ['PutItem ConditionExpression reserved word', 'PutItem', { TableName: HASH_TABLE, Item: HASH_KEY, ConditionExpression: 'attribute_exists(name)' }],
    ['Scan FilterExpression not a condition', 'Scan', { TableName: HASH_TABLE, FilterExpression: 'a' }],
    ['Scan FilterExpression unused value', 'Scan', { TableName: HASH_TABLE, FilterExpression: 'attribute_exists(a)', ExpressionAttributeValues: v }],
    ['DescribeTable missing table', 'DescribeTable', { TableName: missing }],
    ['DeleteTable missing table', 'DeleteTable', { TableName: missing }],
    ['UpdateTable missing table', 'UpdateTable', { TableName: missing, ProvisionedThroughput: PT }],
    ['DescribeTimeToLive missing table', 'DescribeTimeToLive', { TableName: missing }],
    ['PutItem missing table', 'PutItem', { TableName: missing, Item: HASH_KEY }],
    ['GetItem missing table', 'GetItem', { TableName: missing, Key: HASH_KEY }],
    ['Query missing table', 'Query', { TableName: missing, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: v }],
    ['Scan missing table', 'Scan', { TableName: missing }],
    ['BatchGetItem missing table', 'BatchGetItem', { RequestItems: { [missing]: { Keys: [HASH_KEY] } } }],
    ['BatchWriteItem missing table', 'BatchWriteItem', { RequestItems: { [missing]: [{ DeleteRequest: { Key: HASH_KEY } }] } }],
    ['CreateTable existing table', 'CreateTable', { ...CREATE_BASE, TableName: HASH_TABLE }],
    ['PutItem missing table, item over the size limit', 'PutItem', { TableName: missing, Item: { ...HASH_KEY, big: { S: 'x'.repeat(LIMITS.maxItemBytes) } } }],
    ['PutItem missing table, bad attribute value', 'PutItem', { TableName: missing, Item: { ...HASH_KEY, a: { NS: [] } } }],
    ['PutItem missing table, ReturnValues ALL_NEW', 'PutItem', { TableName: missing, Item: HASH_KEY, ReturnValues: 'ALL_NEW' }],
    ['GetItem missing table, bad key value', 'GetItem', { TableName: missing, Key: { pk: {} } }],
    ['GetItem missing table, expression error', 'GetItem', { TableName: missing, Key: HASH_KEY, ProjectionExpression: 'a, a' }],
    ['Query missing table, bad start key value', 'Query', { TableName: missing, KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: v, ExclusiveStartKey: { pk: {} } }],
    ['Scan missing table, Segment without TotalSegments', 'Scan', { TableName: missing, Segment: 1 }],
    ['UpdateItem missing table, AttributeUpdates PUT without Value', 'UpdateItem', { TableName: missing, Key: HASH_KEY, AttributeUpdates: { a: { Action: 'PUT' } } }],
    ['BatchWriteItem missing table, empty WriteRequest', 'BatchWriteItem', { RequestItems: { [missing]: [{}] } }],
    ['BatchGetItem missing table, duplicate keys', 'BatchGetItem', { RequestItems: { [missing]: { Keys: [HASH_KEY, HASH_KEY] } } }],
    ['ListTagsOfResource missing table', 'ListTagsOfResource', { ResourceArn: `arn:aws:dynamodb:us-east-1:123456789012:table/${missing}` }],
  ];
  return rows.map(([name, operation, body]) => ({ name, operation, body }));
}

/** CreateTable's index rules, UpdateTable's bounds, AttributeUpdates, Query's legacy shapes and tags. */
function moreDefinitionCases(): ParityCase[] {
  const name = { TableName: 'parity_new' };
  const attr = (n: string) => ({ AttributeName: n, AttributeType: 'S' });
  const key = (n: string, t = 'HASH') => ({ AttributeName: n, KeyType: t });
  const ranged = { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('sk'), attr('l'), attr('x')], KeySchema: [key('pk'), key('sk', 'RANGE')] };
  const lsi = (indexName: string, keys: unknown[], projection: Record<string, unknown> = { ProjectionType: 'ALL' }) => ({ IndexName: indexName, KeySchema: keys, Projection: projection });
  const gsi = (indexName: string, keys: unknown[], projection: Record<string, unknown> = { ProjectionType: 'ALL' }) => ({ ...lsi(indexName, keys, projection), ProvisionedThroughput: PT });
  const keyed = { TableName: HASH_TABLE, Key: HASH_KEY };
  const arn = `arn:aws:dynamodb:us-east-1:123456789012:table/${HASH_TABLE}`;
  const rows: [string, string, Record<string, unknown>][] = [
    ['CreateTable local index on another hash key', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('x'), key('l', 'RANGE')])] }],
    ['CreateTable local index without a range key', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('pk')])] }],
    ['CreateTable local index key not defined', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('pk'), key('nope', 'RANGE')])] }],
    ['CreateTable local index same hash and range', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('pk'), key('pk', 'RANGE')])] }],
    ['CreateTable duplicate local index names', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('pk'), key('l', 'RANGE')]), lsi('lsi', [key('pk'), key('x', 'RANGE')])] }],
    ['CreateTable six local indexes', 'CreateTable', { ...ranged, LocalSecondaryIndexes: Array.from({ length: 6 }, (_, i) => lsi(`lsi${i}`, [key('pk'), key('l', 'RANGE')])) }],
    ['CreateTable local index NonKeyAttributes with KEYS_ONLY', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('lsi', [key('pk'), key('l', 'RANGE')], { ProjectionType: 'KEYS_ONLY', NonKeyAttributes: ['a'] })] }],
    ['CreateTable global index first key RANGE', 'CreateTable', { ...ranged, GlobalSecondaryIndexes: [gsi('gsi', [key('x', 'RANGE')])] }],
    // Two HASH keys are valid since multi-attribute GSI keys (up to four HASH and four RANGE): nine are not.
    ['CreateTable global index of nine keys', 'CreateTable', { ...ranged, GlobalSecondaryIndexes: [gsi('gsi', Array.from({ length: 9 }, () => key('x')))] }],
    ['CreateTable global index same hash and range', 'CreateTable', { ...ranged, GlobalSecondaryIndexes: [gsi('gsi', [key('x'), key('x', 'RANGE')])] }],
    ['CreateTable global index key not defined', 'CreateTable', { ...ranged, GlobalSecondaryIndexes: [gsi('gsi', [key('nope')])] }],
    ['CreateTable duplicate global index names', 'CreateTable', { ...ranged, GlobalSecondaryIndexes: [gsi('gsi', [key('x')]), gsi('gsi', [key('l')])] }],
    ['CreateTable global and local index of one name', 'CreateTable', { ...ranged, LocalSecondaryIndexes: [lsi('idx', [key('pk'), key('l', 'RANGE')])], GlobalSecondaryIndexes: [gsi('idx', [key('x')])] }],
    ['CreateTable global index throughput on demand', 'CreateTable', { ...ranged, ProvisionedThroughput: undefined, BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [gsi('gsi', [key('x')])] }],
    ['CreateTable ReadCapacityUnits out of bounds', 'CreateTable', { ...CREATE_BASE, ...name, ProvisionedThroughput: { ReadCapacityUnits: 1000000000001, WriteCapacityUnits: 1 } }],
    ['CreateTable duplicate attribute definitions', 'CreateTable', { ...CREATE_BASE, ...name, AttributeDefinitions: [attr('pk'), attr('pk')] }],
    ['UpdateTable WriteCapacityUnits out of bounds', 'UpdateTable', { TableName: HASH_TABLE, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1000000000001 } }],
    ['UpdateTable two updates of one index', 'UpdateTable', { TableName: RANGE_TABLE, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi' } }, { Update: { IndexName: 'gsi', ProvisionedThroughput: PT } }] }],
    ['UpdateTable index Update without throughput', 'UpdateTable', { TableName: RANGE_TABLE, GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi' } }] }],
    ['UpdateTable index Create without KeySchema', 'UpdateTable', { TableName: RANGE_TABLE, GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'gsi2', Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: PT } }] }],
    ['UpdateItem AttributeUpdates Action bad', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'SWAP', Value: { S: 'a' } } } }],
    ['UpdateItem AttributeUpdates value without datatype', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'PUT', Value: {} } } }],
    ['UpdateItem AttributeUpdates value of the wrong type', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'PUT', Value: { S: 5 } } } }],
    ['UpdateItem AttributeUpdates DELETE of a number', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'DELETE', Value: { N: '1' } } } }],
    ['UpdateItem AttributeUpdates ADD of a map', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'ADD', Value: { M: {} } } } }],
    ['UpdateItem ReturnValues bad with AttributeUpdates', 'UpdateItem', { ...keyed, AttributeUpdates: { a: { Action: 'DELETE' } }, ReturnValues: 'ALL' }],
    ['Query KeyConditions ComparisonOperator absent', 'Query', { TableName: RANGE_TABLE, KeyConditions: { pk: { AttributeValueList: [{ S: 'a' }] } } }],
    ['Query KeyConditions BETWEEN with one value', 'Query', { TableName: RANGE_TABLE, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] }, sk: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ S: 'a' }] } } }],
    ['Query KeyConditions BEGINS_WITH on a number', 'Query', { TableName: RANGE_TABLE, KeyConditions: { pk: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ N: '1' }] } } }],
    ['Query AttributesToGet duplicate', 'Query', { ...READ_BODIES.Query, KeyConditionExpression: undefined, ExpressionAttributeValues: undefined, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } }, AttributesToGet: ['a', 'a'] }],
    ['Query QueryFilter NULL with a value', 'Query', { TableName: HASH_TABLE, KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } }, QueryFilter: { a: { ComparisonOperator: 'NULL', AttributeValueList: [{ S: 'a' }] } } }],
    ['Scan ScanFilter IN without values', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'IN', AttributeValueList: [] } } }],
    ['Scan ScanFilter values of two types', 'Scan', { TableName: HASH_TABLE, ScanFilter: { a: { ComparisonOperator: 'IN', AttributeValueList: [{ S: 'a' }, { N: '1' }] } } }],
    ['Scan AttributesToGet duplicate', 'Scan', { TableName: HASH_TABLE, AttributesToGet: ['a', 'b', 'a'] }],
    ['BatchGetItem AttributesToGet duplicate', 'BatchGetItem', { RequestItems: { [HASH_TABLE]: { Keys: [HASH_KEY], AttributesToGet: ['a', 'a'] } } }],
    ['TagResource ResourceArn malformed', 'TagResource', { ResourceArn: 'nope', Tags: [{ Key: 'a', Value: 'b' }] }],
    // Not here: a tag without Key or Value, which crashes dynalite (its store refuses the undefined value).
    ['UntagResource ResourceArn of another region', 'UntagResource', { ResourceArn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${HASH_TABLE}`, TagKeys: ['a'] }],
    ['ListTagsOfResource ResourceArn short table name', 'ListTagsOfResource', { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/ab' }],
  ];
  return rows.map(([caseName, operation, body]) => ({ name: caseName, operation, body }));
}

/** Every case, names unique. */
export function validationCorpus(): ParityCase[] {
  const all = [
    ...tableNameCases(), ...typeCases(), ...enumCases(), ...boundCases(), ...emptyNameCases(), ...attributeValueCases(),
    ...keyCases(), ...startKeyCases(), ...legacyCases(), ...batchCases(), ...tableDefinitionCases(), ...otherCases(), ...semanticCases(), ...moreDefinitionCases(),
  ];
  const names = new Set<string>();
  for (const c of all) {
    if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
    names.add(c.name);
  }
  return all;
}
