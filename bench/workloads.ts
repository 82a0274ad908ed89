/**
 * The benchmark's data set and workloads: tables, items, request bodies, the checks applied to
 * replies, and the fixed replies the ceiling server answers with (shaped like the real ones).
 */

export const ITEMS_TABLE = 'bench_items';
export const QUERY_TABLE = 'bench_query';
/** The items table's key and item shape, plus two global secondary indexes (one ALL, one KEYS_ONLY). */
export const GSI_TABLE = 'bench_gsi';
/** Distinct values of the GSIs' partition keys. */
const GSI_GROUPS = 64;
/** Items per partition of the query table, each about 100 bytes (DynamoDB item size). */
export const QUERY_ITEMS_PER_PARTITION = 100;

/** A ~1 KB item: id (2 + 11 bytes), n (1 + 1), pad (3 + 1005) ≈ 1 KB by DynamoDB's size rule. */
const PAD_1K = 'x'.repeat(1005);
/** A ~100 byte item: pk (2 + 9), sk (2 + ≤3), pad (3 + 81). */
const PAD_100 = 'q'.repeat(81);

export function itemId(i: number): string {
  return 'item-' + String(i).padStart(6, '0');
}
export function partitionKey(p: number): string {
  return 'part-' + String(p).padStart(4, '0');
}

export function item(id: string): Record<string, unknown> {
  return { id: { S: id }, n: { N: '0' }, pad: { S: PAD_1K } };
}
export function queryItem(p: number, s: number): Record<string, unknown> {
  return { pk: { S: partitionKey(p) }, sk: { N: String(s) }, pad: { S: PAD_100 } };
}

export function createTableBodies(): Array<Record<string, unknown>> {
  return [
    {
      TableName: ITEMS_TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    },
    {
      TableName: QUERY_TABLE,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
    {
      TableName: GSI_TABLE,
      AttributeDefinitions: [
        { AttributeName: 'id', AttributeType: 'S' },
        { AttributeName: 'group', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
        { AttributeName: 'n', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'byGroup', KeySchema: [{ AttributeName: 'group', KeyType: 'HASH' }, { AttributeName: 'n', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    },
  ];
}

/** A ~1 KB item of the GSI table, in both of its indexes. */
function gsiItem(id: string, i: number): Record<string, unknown> {
  return { ...item(id), group: { S: `g${i % GSI_GROUPS}` }, owner: { S: `o${(i * 7) % GSI_GROUPS}` }, n: { N: String(i) } };
}

/** What the load generator needs to know about the data already loaded. */
export interface DataShape {
  items: number;
  partitions: number;
}

export interface RequestSpec {
  target: string;
  body: Buffer;
}

export interface Workload {
  name: string;
  title: string;
  target: string;
  connections: number;
  /** Every request must be different (new keys): the pool is sized to the run, see load.ts. */
  unique: boolean;
  /** Request number i of a run tagged `tag`. */
  request(i: number, tag: string, shape: DataShape, random: () => number): Buffer;
  /** Whether a 200 reply's body is what this workload expects. */
  check(reply: unknown): boolean;
  /** False when dynalite does not serve the operation (it has no TransactWriteItems): cove and the ceiling only. */
  dynalite?: boolean;
  /** Over HTTPS (keep-alive): cove's `tls: auto` listener against the ceiling's TLS server, same certificate and policy. dynalite has no TLS. */
  tls?: boolean;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const getItem = (connections: number, name: string, title: string): Workload => ({
  name,
  title,
  target: 'GetItem',
  connections,
  unique: false,
  request: (_i, _tag, shape, random) => json({ TableName: ITEMS_TABLE, Key: { id: { S: itemId(Math.floor(random() * shape.items)) } } }),
  check: (reply) => isRecord(reply) && isRecord(reply.Item) && isRecord(reply.Item.pad),
});

export const WORKLOADS: Workload[] = [
  getItem(50, 'getitem', 'GetItem (1 KB item)'),
  { ...getItem(50, 'getitem_https', 'GetItem over HTTPS (1 KB item)'), tls: true, dynalite: false },
  {
    name: 'putitem',
    title: 'PutItem (new key, 1 KB)',
    target: 'PutItem',
    connections: 50,
    unique: true,
    request: (i, tag) => json({ TableName: ITEMS_TABLE, Item: item(`put-${tag}-${i}`) }),
    check: (reply) => isRecord(reply),
  },
  {
    name: 'updateitem',
    title: 'UpdateItem + condition',
    target: 'UpdateItem',
    connections: 50,
    unique: false,
    request: (_i, _tag, shape, random) =>
      json({
        TableName: ITEMS_TABLE,
        Key: { id: { S: itemId(Math.floor(random() * shape.items)) } },
        UpdateExpression: 'SET #n = #n + :one',
        ConditionExpression: 'attribute_exists(#id) AND #n >= :zero',
        ExpressionAttributeNames: { '#n': 'n', '#id': 'id' },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':zero': { N: '0' } },
      }),
    check: (reply) => isRecord(reply),
  },
  {
    name: 'query',
    title: 'Query (100 items × 100 B)',
    target: 'Query',
    connections: 50,
    unique: false,
    request: (_i, _tag, shape, random) =>
      json({
        TableName: QUERY_TABLE,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': { S: partitionKey(Math.floor(random() * shape.partitions)) } },
      }),
    check: (reply) => isRecord(reply) && Array.isArray(reply.Items) && reply.Items.length === QUERY_ITEMS_PER_PARTITION,
  },
  {
    name: 'batchwrite',
    title: 'BatchWriteItem (25 × 1 KB new)',
    target: 'BatchWriteItem',
    connections: 50,
    unique: true,
    request: (i, tag) =>
      json({
        RequestItems: {
          [ITEMS_TABLE]: Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: item(`bw-${tag}-${i}-${j}`) } })),
        },
      }),
    check: (reply) => isRecord(reply) && isRecord(reply.UnprocessedItems) && Object.keys(reply.UnprocessedItems).length === 0,
  },
  getItem(1, 'sequential_getitem', 'GetItem, sequential'),
  {
    name: 'putitem_gsi',
    title: 'PutItem (new key, 1 KB, 2 GSIs)',
    target: 'PutItem',
    connections: 50,
    unique: true,
    request: (i, tag) => json({ TableName: GSI_TABLE, Item: gsiItem(`put-${tag}-${i}`, i) }),
    check: (reply) => isRecord(reply),
  },
  {
    name: 'transact4',
    title: 'TransactWriteItems (4 actions)',
    target: 'TransactWriteItems',
    connections: 50,
    unique: true,
    dynalite: false,
    request: (i, tag, shape, random) => {
      // Two existing items, never the same one (one transaction may not touch an item twice).
      const existing = Math.floor(random() * shape.items);
      const checked = (existing + 1) % shape.items;
      return json({
        TransactItems: [
          { Put: { TableName: ITEMS_TABLE, Item: item(`tx-${tag}-${i}-a`) } },
          { Put: { TableName: ITEMS_TABLE, Item: item(`tx-${tag}-${i}-b`) } },
          {
            Update: {
              TableName: ITEMS_TABLE,
              Key: { id: { S: itemId(existing) } },
              UpdateExpression: 'SET #n = #n + :one',
              ExpressionAttributeNames: { '#n': 'n' },
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
          { ConditionCheck: { TableName: ITEMS_TABLE, Key: { id: { S: itemId(checked) } }, ConditionExpression: 'attribute_exists(id)' } },
        ],
      });
    },
    check: (reply) => isRecord(reply),
  },
];

/** The ceiling's fixed replies, one per operation, shaped like DynamoDB's (sizes included). */
export function ceilingReplies(): Record<string, Buffer> {
  return {
    GetItem: json({ Item: item(itemId(42)) }),
    PutItem: json({}),
    UpdateItem: json({}),
    Query: json({
      Count: QUERY_ITEMS_PER_PARTITION,
      Items: Array.from({ length: QUERY_ITEMS_PER_PARTITION }, (_, s) => queryItem(7, s)),
      ScannedCount: QUERY_ITEMS_PER_PARTITION,
    }),
    BatchWriteItem: json({ UnprocessedItems: {} }),
    TransactWriteItems: json({}),
    CreateTable: json({ TableDescription: { TableStatus: 'ACTIVE' } }),
    DescribeTable: json({ Table: { TableStatus: 'ACTIVE' } }),
  };
}

/** A small seeded PRNG (mulberry32), so every system gets the same key sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
