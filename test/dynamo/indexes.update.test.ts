import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  type AttributeValue,
  type DynamoDBClient,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { openTestStore, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: owner
      accessKeys: [{ id: AKIAGSIUPDATE0000001, secret: owner-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
`;
/** Slows each backfill down (a pause between its batches) so that writes and requests overlap it. */
const SLOW_BACKFILL = { COVE_BACKFILL_PAUSE_MS: '40' };

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const TAGS = ['red', 'green', 'blue', 'amber'];

const BY_TAG = {
  Create: { IndexName: 'byTag', KeySchema: [{ AttributeName: 'tag', KeyType: 'HASH' as const }, { AttributeName: 'rank', KeyType: 'RANGE' as const }], Projection: { ProjectionType: 'ALL' as const } },
};
const TAG_DEFINITIONS = [
  { AttributeName: 'tag', AttributeType: 'S' as const },
  { AttributeName: 'rank', AttributeType: 'N' as const },
];

async function createEvents(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Item i: in the index (tag S and rank N), without a tag, or with a tag of the wrong type (left out, as DynamoDB's backfill does). */
function initialItem(i: number): Item {
  const key = { pk: S(`p${i % 97}`), sk: N(i) };
  if (i % 5 === 0) return { ...key, payload: S(`no tag ${i}`) };
  if (i % 7 === 0) return { ...key, tag: N(i), rank: N(i) };
  return { ...key, tag: S(TAGS[i % TAGS.length]), rank: N(i % 50), payload: S(`item ${i}`) };
}

const keyString = (item: Item) => `${item.pk.S}/${item.sk.N}`;

async function load(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(batches.slice(i, i + 8).map((batch) => client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch.map((Item) => ({ PutRequest: { Item } })) } }))));
  }
}

async function indexStatus(client: DynamoDBClient, table: string, index: string): Promise<{ IndexStatus?: string; Backfilling?: boolean } | undefined> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return Table!.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === index);
}

async function waitActive(client: DynamoDBClient, table: string, index: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await indexStatus(client, table, index);
    if (status?.IndexStatus === 'ACTIVE') {
      assert.equal(status.Backfilling, undefined);
      return;
    }
    if (Date.now() > deadline) assert.fail(`index ${index} not ACTIVE after ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function scanIndex(client: DynamoDBClient, table: string, index: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, IndexName: index, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function queryTag(client: DynamoDBClient, table: string, tag: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({ TableName: table, IndexName: 'byTag', KeyConditionExpression: 'tag = :t', ExpressionAttributeValues: { ':t': S(tag) }, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What the index must hold: every item with a string tag and a number rank, none other. */
function expectedEntries(model: ReadonlyMap<string, Item>): Map<string, Item> {
  return new Map([...model].filter(([, item]) => item.tag?.S !== undefined && item.rank?.N !== undefined));
}

function assertSameItems(actual: Item[], expected: ReadonlyMap<string, Item>, what: string): void {
  const byKey = new Map(actual.map((item) => [keyString(item), item]));
  assert.equal(byKey.size, actual.length, `${what}: an item appears twice`);
  const missing = [...expected.keys()].filter((key) => !byKey.has(key));
  const extra = [...byKey.keys()].filter((key) => !expected.has(key));
  assert.deepEqual({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { missing: [], extra: [] }, `${what}: ${missing.length} missing, ${extra.length} extra`);
  for (const [key, item] of byKey) assert.deepEqual(item, expected.get(key), `${what}: item ${key}`);
}

/**
 * A writer owns the keys i ≡ id (mod writers), so its model of them is exact: it puts, updates
 * (moving items in and out of the index) and deletes them until told to stop.
 */
async function writer(client: DynamoDBClient, table: string, id: number, writers: number, keyCount: number, model: Map<string, Item>, stop: () => boolean): Promise<number> {
  let ops = 0;
  for (let n = 0; !stop(); n++) {
    const i = id + writers * ((n * 7919) % Math.ceil(keyCount / writers));
    const key = { pk: S(`p${i % 97}`), sk: N(i) };
    const name = keyString(key);
    const choice = (n + id) % 4;
    if (choice === 0) {
      const item = { ...key, tag: S(TAGS[(n + 1) % TAGS.length]), rank: N(n % 40), payload: S(`put ${id}/${n}`) };
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
      model.set(name, item);
    } else if (choice === 1) {
      const { Attributes } = await client.send(
        new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET tag = :t, payload = :p REMOVE #r', ExpressionAttributeNames: { '#r': 'rank' }, ExpressionAttributeValues: { ':t': S('moved'), ':p': S(`upd ${id}/${n}`) }, ReturnValues: 'ALL_NEW' }),
      );
      model.set(name, Attributes!);
    } else if (choice === 2) {
      const { Attributes } = await client.send(
        new UpdateItemCommand({ TableName: table, Key: key, UpdateExpression: 'SET tag = :t, #r = :r', ExpressionAttributeNames: { '#r': 'rank' }, ExpressionAttributeValues: { ':t': S('green'), ':r': N(n % 13) }, ReturnValues: 'ALL_NEW' }),
      );
      model.set(name, Attributes!);
    } else {
      await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
      model.delete(name);
    }
    ops++;
  }
  return ops;
}

describe('UpdateTable GlobalSecondaryIndexUpdates', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;

  before(async () => {
    cove = await startCove({ config: CONFIG, env: SLOW_BACKFILL });
    client = cove.client('AKIAGSIUPDATE0000001', 'owner-secret');
  });

  after(async () => {
    await cove?.stop();
    if (cove) removeDirectory(cove.dataDirectory);
  });

  it('creates a GSI on a loaded table while writes go on: CREATING and unreadable while it backfills, then ACTIVE and equal to the table', async () => {
    const table = 'events';
    await createEvents(client, table);
    const KEYS = 3000;
    const initial = Array.from({ length: KEYS }, (_, i) => initialItem(i));
    await load(client, table, initial);
    const model = new Map(initial.map((item) => [keyString(item), item]));

    let stopped = false;
    const WRITERS = 4;
    const writers = Array.from({ length: WRITERS }, (_, id) => writer(cove.client('AKIAGSIUPDATE0000001', 'owner-secret'), table, id, WRITERS, KEYS, model, () => stopped));
    await new Promise((resolve) => setTimeout(resolve, 100));

    const answer = await client.send(new UpdateTableCommand({ TableName: table, AttributeDefinitions: TAG_DEFINITIONS, GlobalSecondaryIndexUpdates: [BY_TAG] }));
    assert.equal(answer.TableDescription!.TableStatus, 'UPDATING');
    assert.equal(answer.TableDescription!.GlobalSecondaryIndexes![0].IndexStatus, 'CREATING');

    const during = await indexStatus(client, table, 'byTag');
    assert.deepEqual({ status: during?.IndexStatus, backfilling: during?.Backfilling }, { status: 'CREATING', backfilling: true });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    assert.deepEqual(Table!.AttributeDefinitions!.map((d) => d.AttributeName).sort(), ['pk', 'rank', 'sk', 'tag']);
    const refused = await rejection(client.send(new QueryCommand({ TableName: table, IndexName: 'byTag', KeyConditionExpression: 'tag = :t', ExpressionAttributeValues: { ':t': S('red') } })));
    assert.equal(refused.name, 'ValidationException');
    assert.equal(refused.message, 'Cannot read from backfilling global secondary index: byTag');
    // One index at a time: a second one waits for the first's backfill.
    const second = await rejection(
      client.send(new UpdateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'payload', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byPayload', KeySchema: [{ AttributeName: 'payload', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }] })),
    );
    assert.equal(second.name, 'LimitExceededException');
    assert.equal(second.message, 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table');

    await waitActive(client, table, 'byTag');
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopped = true;
    const ops = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
    assert.ok(ops > 50, `only ${ops} writes overlapped the backfill`);

    const expected = expectedEntries(model);
    assertSameItems(await scanIndex(client, table, 'byTag'), expected, 'Scan of byTag');
    for (const tag of [...TAGS, 'moved']) {
      assertSameItems(await queryTag(client, table, tag), new Map([...expected].filter(([, item]) => item.tag.S === tag)), `Query of byTag for ${tag}`);
    }
    // The new index's key types now bind writes, as a GSI created with the table does.
    const mismatch = await rejection(client.send(new PutItemCommand({ TableName: table, Item: { pk: S('x'), sk: N(1), tag: N(3) } })));
    assert.match(mismatch.message, /Type mismatch for Index Key tag Expected: S Actual: N IndexName: byTag/);
  });

  it('creates a GSI with a multi-attribute key (two HASH, one RANGE) and backfills it', async () => {
    const table = 'pairs';
    await createEvents(client, table);
    const items = Array.from({ length: 60 }, (_, i) => ({ pk: S(`p${i}`), sk: N(i), a: S(`a${i % 3}`), b: S(`b${i % 2}`), rank: N(i) }));
    await load(client, table, items);
    await client.send(
      new UpdateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }, { AttributeName: 'b', AttributeType: 'S' }, { AttributeName: 'rank', AttributeType: 'N' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byPair', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }, { AttributeName: 'b', KeyType: 'HASH' }, { AttributeName: 'rank', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
      }),
    );
    await waitActive(client, table, 'byPair');
    const found = await client.send(new QueryCommand({ TableName: table, IndexName: 'byPair', KeyConditionExpression: 'a = :a AND b = :b AND #r >= :r', ExpressionAttributeNames: { '#r': 'rank' }, ExpressionAttributeValues: { ':a': S('a1'), ':b': S('b0'), ':r': N(10) } }));
    const expected = items.filter((item) => item.a.S === 'a1' && item.b.S === 'b0' && Number(item.rank.N) >= 10).map((item) => Number(item.rank.N));
    assert.deepEqual(found.Items?.map((item) => Number(item.rank.N)), expected);
  });

  it('an item the backfill left out (an index key over the size limit) can still be written and deleted; a new such value is refused', async () => {
    const table = 'titles';
    await createEvents(client, table);
    // Long enough that its entry key would pass LMDB's 1978-byte limit, and over DynamoDB's 1024-byte sort key limit.
    const long = 'x'.repeat(1950);
    await load(client, table, [{ pk: S('p1'), sk: N(1), status: S('open'), title: S(long) }, { pk: S('p2'), sk: N(2), status: S('open'), title: S('short') }]);
    await client.send(
      new UpdateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'status', AttributeType: 'S' }, { AttributeName: 'title', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byTitle', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'title', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } } }],
      }),
    );
    await waitActive(client, table, 'byTitle');
    const indexed = await client.send(new QueryCommand({ TableName: table, IndexName: 'byTitle', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': S('open') } }));
    assert.deepEqual(indexed.Items?.map((i) => i.pk.S), ['p2']);
    await client.send(new UpdateItemCommand({ TableName: table, Key: { pk: S('p1'), sk: N(1) }, UpdateExpression: 'SET title = :t', ExpressionAttributeValues: { ':t': S('fixed') } }));
    await client.send(new DeleteItemCommand({ TableName: table, Key: { pk: S('p1'), sk: N(1) } }));
    const refused = await rejection(client.send(new PutItemCommand({ TableName: table, Item: { pk: S('p3'), sk: N(3), status: S('open'), title: S(long) } })));
    assert.equal(refused.name, 'ValidationException');
    const after = await client.send(new QueryCommand({ TableName: table, IndexName: 'byTitle', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': S('open') } }));
    assert.deepEqual(after.Items?.map((i) => i.pk.S), ['p2']);
  });

  it('deletes a GSI: gone from DescribeTable at once (DELETING in the answer), its entries purged, a new index of the same name starts empty', async () => {
    const table = 'tagged';
    await createEvents(client, table);
    await load(client, table, Array.from({ length: 300 }, (_, i) => initialItem(i)));
    await client.send(new UpdateTableCommand({ TableName: table, AttributeDefinitions: TAG_DEFINITIONS, GlobalSecondaryIndexUpdates: [BY_TAG] }));
    await waitActive(client, table, 'byTag');
    assert.ok((await scanIndex(client, table, 'byTag')).length > 100);

    const answer = await client.send(new UpdateTableCommand({ TableName: table, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byTag' } }] }));
    assert.deepEqual(answer.TableDescription!.GlobalSecondaryIndexes!.map((gsi) => [gsi.IndexName, gsi.IndexStatus]), [['byTag', 'DELETING']]);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(Table!.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(Table!.AttributeDefinitions!.map((d) => d.AttributeName).sort(), ['pk', 'sk']);
    const gone = await rejection(client.send(new ScanCommand({ TableName: table, IndexName: 'byTag' })));
    assert.equal(gone.message, 'The table does not have the specified index: byTag');
    // Without the index, its key attribute takes any type again.
    await client.send(new PutItemCommand({ TableName: table, Item: { pk: S('x'), sk: N(1), tag: N(3) } }));

    // Same name, a key no item has: nothing of the old index shows.
    await client.send(
      new UpdateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'absent', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byTag', KeySchema: [{ AttributeName: 'absent', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
      }),
    );
    await waitActive(client, table, 'byTag');
    assert.deepEqual(await scanIndex(client, table, 'byTag'), []);
  });

  it("answers DynamoDB's texts for invalid index updates", async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'checked',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
          { AttributeName: 'l', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
        GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }),
    );
    const create = (name: string, attribute: string, extra: object = {}) => ({ Create: { IndexName: name, KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const }, ...extra } });
    const units = { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } };
    const cases: [Omit<UpdateTableCommandInput, 'TableName'>, string, string][] = [
      [{ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'nope' } }] }, 'ResourceNotFoundException', 'Requested resource not found: Index nope for table checked'],
      [{ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'lsi' } }] }, 'ValidationException', 'Cannot delete an index that is not a GlobalSecondaryIndex: lsi'],
      [{ AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [create('gsi', 'g', units)] }, 'ValidationException', 'Attempting to create an index which already exists'],
      [{ AttributeDefinitions: [{ AttributeName: 'l', AttributeType: 'N' }], GlobalSecondaryIndexUpdates: [create('lsi', 'l', units)] }, 'ValidationException', 'Attempting to create an index which already exists'],
      [{ GlobalSecondaryIndexUpdates: [create('gsi2', 'x', units)] }, 'ValidationException', 'One or more parameter values were invalid: AttributeDefinitions is not specified for index: gsi2'],
      [
        { AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'N' }], GlobalSecondaryIndexUpdates: [create('gsi2', 'g', units)] },
        'ValidationException',
        'One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{g:S:HASH}] New schema: Schema:[SchemaElement: key{g:N:HASH}]',
      ],
      [{ AttributeDefinitions: [{ AttributeName: 'x', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [create('gsi2', 'x')] }, 'ValidationException', 'One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsi2'],
      [
        { AttributeDefinitions: [{ AttributeName: 'x', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [create('gsi2', 'x', units), create('gsi3', 'x', units)] },
        'LimitExceededException',
        'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table',
      ],
      [
        { AttributeDefinitions: [{ AttributeName: 'x', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [create('gsi2', 'x', units), { Delete: { IndexName: 'gsi' } }] },
        'LimitExceededException',
        'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table',
      ],
      [{ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi' } }, { Delete: { IndexName: 'gsi' } }] }, 'ValidationException', 'One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: gsi'],
      [{ GlobalSecondaryIndexUpdates: [] }, 'ValidationException', 'One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty'],
      [{ GlobalSecondaryIndexUpdates: [{}] }, 'ValidationException', 'One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null'],
      [{ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi' } }], DeletionProtectionEnabled: true }, 'ValidationException', 'One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request'],
      [{ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'gsi' } }], ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }, 'ValidationException', 'One or more parameter values were invalid: You cannot create or delete index while updating table IOPS'],
    ];
    for (const [input, name, message] of cases) {
      const error = await rejection(client.send(new UpdateTableCommand({ TableName: 'checked', ...input })));
      assert.deepEqual([error.name, error.message], [name, message], JSON.stringify(input));
    }
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'checked' }));
    assert.deepEqual(Table!.GlobalSecondaryIndexes!.map((gsi) => gsi.IndexName), ['gsi']);

    // An on-demand table takes no throughput for a new index, and at most 20 of them.
    const definitions = Array.from({ length: 21 }, (_, i) => ({ AttributeName: `a${i}`, AttributeType: 'S' as const }));
    await client.send(
      new CreateTableCommand({
        TableName: 'crowded',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...definitions.slice(0, 19)],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: definitions.slice(0, 19).map((d, i) => ({ IndexName: `idx${i}`, KeySchema: [{ AttributeName: d.AttributeName, KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const withUnits = await rejection(client.send(new UpdateTableCommand({ TableName: 'crowded', AttributeDefinitions: [definitions[19]], GlobalSecondaryIndexUpdates: [create('idx19', 'a19', units)] })));
    assert.equal(withUnits.message, 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: idx19 when BillingMode is PAY_PER_REQUEST');
    await client.send(new UpdateTableCommand({ TableName: 'crowded', AttributeDefinitions: [definitions[19]], GlobalSecondaryIndexUpdates: [create('idx19', 'a19')] }));
    await waitActive(client, 'crowded', 'idx19');
    const tooMany = await rejection(client.send(new UpdateTableCommand({ TableName: 'crowded', AttributeDefinitions: [definitions[20]], GlobalSecondaryIndexUpdates: [create('idx20', 'a20')] })));
    assert.deepEqual([tooMany.name, tooMany.message], ['LimitExceededException', 'GlobalSecondaryIndex count exceeds the per-table limit of 20']);
  });
});

describe('UpdateTable GlobalSecondaryIndexUpdates Update (an index\'s throughput)', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;

  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAGSIUPDATE0000001', 'owner-secret');
  });

  after(async () => {
    await cove?.stop();
    if (cove) removeDirectory(cove.dataDirectory);
  });

  const gsi = (name: string, attribute: string, units?: { ReadCapacityUnits: number; WriteCapacityUnits: number }) => ({
    IndexName: name,
    KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' as const }],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
    ...(units ? { ProvisionedThroughput: units } : {}),
  });
  const definitions = ['pk', 'a', 'b'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
  const describeIndex = async (table: string, name: string) => (await client.send(new DescribeTableCommand({ TableName: table }))).Table!.GlobalSecondaryIndexes!.find((g) => g.IndexName === name)!;

  it('changes the throughput of several indexes in one request, stamping increases and counting decreases', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'metered',
        AttributeDefinitions: definitions,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [gsi('byA', 'a', { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }), gsi('byB', 'b', { ReadCapacityUnits: 5, WriteCapacityUnits: 5 })],
        ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      }),
    );
    const started = Date.now() / 1000 - 1;
    const { TableDescription } = await client.send(
      new UpdateTableCommand({
        TableName: 'metered',
        GlobalSecondaryIndexUpdates: [
          { Update: { IndexName: 'byA', ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 } } },
          { Update: { IndexName: 'byB', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 5 } } },
        ],
      }),
    );
    assert.equal(TableDescription!.TableStatus, 'UPDATING');
    const byA = await describeIndex('metered', 'byA');
    const byB = await describeIndex('metered', 'byB');
    assert.deepEqual([byA.ProvisionedThroughput!.ReadCapacityUnits, byA.ProvisionedThroughput!.WriteCapacityUnits, byA.ProvisionedThroughput!.NumberOfDecreasesToday], [10, 5, 0]);
    assert.ok(byA.ProvisionedThroughput!.LastIncreaseDateTime!.getTime() / 1000 >= started);
    assert.equal(byA.ProvisionedThroughput!.LastDecreaseDateTime, undefined);
    assert.deepEqual([byB.ProvisionedThroughput!.ReadCapacityUnits, byB.ProvisionedThroughput!.NumberOfDecreasesToday], [2, 1]);
    assert.ok(byB.ProvisionedThroughput!.LastDecreaseDateTime!.getTime() / 1000 >= started);
    assert.equal(byB.ProvisionedThroughput!.LastIncreaseDateTime, undefined);
    await client.send(new UpdateTableCommand({ TableName: 'metered', GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'byB', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 5 } } }] }));
    assert.equal((await describeIndex('metered', 'byB')).ProvisionedThroughput!.NumberOfDecreasesToday, 2);
    // The table's own throughput is untouched.
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'metered' }));
    assert.deepEqual([Table!.ProvisionedThroughput!.ReadCapacityUnits, Table!.ProvisionedThroughput!.WriteCapacityUnits], [1, 1]);
  });

  it("answers DynamoDB's texts for an invalid Update", async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'onDemand',
        AttributeDefinitions: definitions.slice(0, 2),
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [gsi('byA', 'a')],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const units = (r: number, w: number) => ({ ReadCapacityUnits: r, WriteCapacityUnits: w });
    const cases: [string, UpdateTableCommandInput['GlobalSecondaryIndexUpdates'], string, string][] = [
      ['metered', [{ Update: { IndexName: 'nope', ProvisionedThroughput: units(3, 3) } }], 'ResourceNotFoundException', 'Requested resource not found: Index nope for table metered'],
      ['onDemand', [{ Update: { IndexName: 'byA', ProvisionedThroughput: units(3, 3) } }], 'ValidationException', 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: byA when BillingMode is PAY_PER_REQUEST'],
      [
        'metered',
        [{ Update: { IndexName: 'byA', ProvisionedThroughput: units(10, 5) } }],
        'ValidationException',
        'The provisioned throughput for the index byA will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the index: 10. Requested ReadCapacityUnits: 10. ' +
          'Current WriteCapacityUnits provisioned for the index: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
      ],
      [
        'metered',
        [{ Update: { IndexName: 'byA', ProvisionedThroughput: units(3, 3) } }, { Update: { IndexName: 'byA', ProvisionedThroughput: units(4, 4) } }],
        'ValidationException',
        'One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: byA',
      ],
    ];
    for (const [table, updates, name, message] of cases) {
      const error = await rejection(client.send(new UpdateTableCommand({ TableName: table, GlobalSecondaryIndexUpdates: updates })));
      assert.deepEqual([error.name, error.message], [name, message], JSON.stringify(updates));
    }
    // A refused request changes nothing, even an Update listed before the refused one.
    await rejection(
      client.send(
        new UpdateTableCommand({
          TableName: 'metered',
          GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'byB', ProvisionedThroughput: units(7, 7) } }, { Update: { IndexName: 'nope', ProvisionedThroughput: units(3, 3) } }],
        }),
      ),
    );
    assert.equal((await describeIndex('metered', 'byB')).ProvisionedThroughput!.ReadCapacityUnits, 1);
  });
});

describe('a backfill interrupted by kill -9', () => {
  it('resumes at the next start and completes', async () => {
    const dataDirectory = tempDirectory();
    try {
      // One process (the restart reopens the store it was killed with); slow batches, so the kill lands mid-walk.
      let cove = await startCove({ config: CONFIG, dataDirectory, workers: 1, env: { COVE_BACKFILL_PAUSE_MS: '50' } });
      let client = cove.client('AKIAGSIUPDATE0000001', 'owner-secret');
      await createEvents(client, 'events');
      const items = Array.from({ length: 2000 }, (_, i) => initialItem(i));
      await load(client, 'events', items);
      await client.send(new UpdateTableCommand({ TableName: 'events', AttributeDefinitions: TAG_DEFINITIONS, GlobalSecondaryIndexUpdates: [BY_TAG] }));
      await cove.kill9();

      cove = await startCove({ config: CONFIG, dataDirectory, workers: 1, env: { COVE_BACKFILL_PAUSE_MS: '50' } });
      client = cove.client('AKIAGSIUPDATE0000001', 'owner-secret');
      try {
        // Eight batches of 50 ms at least: the kill came first, so the record still says CREATING.
        assert.equal((await indexStatus(client, 'events', 'byTag'))?.IndexStatus, 'CREATING');
        await waitActive(client, 'events', 'byTag');
        assertSameItems(await scanIndex(client, 'events', 'byTag'), expectedEntries(new Map(items.map((item) => [keyString(item), item]))), 'Scan of byTag after the restart');
      } finally {
        await cove.stop();
      }
      // A graceful stop waits for the purges: an index deleted then leaves no entry in the store.
      cove = await startCove({ config: CONFIG, dataDirectory, workers: 1 });
      client = cove.client('AKIAGSIUPDATE0000001', 'owner-secret');
      await client.send(new UpdateTableCommand({ TableName: 'events', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byTag' } }] }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cove.stop();
      const engine = await openTestStore(dataDirectory);
      try {
        const entries = [];
        for await (const entry of engine.range({ start: Buffer.of(0x04), end: Buffer.of(0x05), limit: 1 })) entries.push(entry);
        assert.equal(entries.length, 0, 'index entries left after the purge');
      } finally {
        await engine.close();
      }
    } finally {
      removeDirectory(dataDirectory);
    }
  });
});
