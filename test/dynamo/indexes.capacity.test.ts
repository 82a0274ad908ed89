import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });

const KEY_ID = 'AKIAINDEXCAPACITY001';
const SECRET = 'capacity-secret';

/** The capacity as [total, table, GSI units by name, LSI units by name] (undefined: the answer has no such map). */
function shape(capacity: ConsumedCapacity | undefined): unknown[] {
  return [capacity?.CapacityUnits, capacity?.Table?.CapacityUnits, units(capacity?.GlobalSecondaryIndexes), units(capacity?.LocalSecondaryIndexes)];
}

function units(map: Record<string, { CapacityUnits?: number }> | undefined): Record<string, number | undefined> | undefined {
  return map && Object.fromEntries(Object.entries(map).map(([name, c]) => [name, c.CapacityUnits]));
}

/**
 * scores: pk + sk; byG: a GSI on g projecting ALL; byL: an LSI on l projecting x (INCLUDE).
 * Every item here is under 1 KB unless it carries a blob.
 */
describe('ReturnConsumedCapacity with secondary indexes', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: fullAccessConfig('owner', KEY_ID, SECRET) });
    client = cove.client(KEY_ID, SECRET);
    await client.send(
      new CreateTableCommand({
        TableName: 'scores',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
          { AttributeName: 'l', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        LocalSecondaryIndexes: [
          { IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['x'] } },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const put = async (item: Item, mode: 'INDEXES' | 'TOTAL' = 'INDEXES') => (await client.send(new PutItemCommand({ TableName: 'scores', Item: item, ReturnConsumedCapacity: mode }))).ConsumedCapacity;
  const update = async (sk: string, expression: string, values?: Item) =>
    (await client.send(new UpdateItemCommand({ TableName: 'scores', Key: { pk: S('a'), sk: S(sk) }, UpdateExpression: expression, ExpressionAttributeValues: values, ReturnConsumedCapacity: 'INDEXES' }))).ConsumedCapacity;

  it('a put consumes on the table and on each index it enters; an item outside every index only on the table', async () => {
    assert.deepEqual(shape(await put({ pk: S('a'), sk: S('1'), g: S('g1'), l: S('l1'), x: S('x') })), [3, 1, { byG: 1 }, { byL: 1 }]);
    assert.deepEqual(shape(await put({ pk: S('a'), sk: S('2'), other: S('o') })), [1, 1, undefined, undefined]);
    assert.deepEqual(shape(await put({ pk: S('a'), sk: S('3'), g: S('g1') })), [2, 1, { byG: 1 }, undefined]);
  });

  it('TOTAL answers only the sum', async () => {
    const capacity = await put({ pk: S('a'), sk: S('4'), g: S('g4'), l: S('l4') }, 'TOTAL');
    assert.deepEqual(capacity, { TableName: 'scores', CapacityUnits: 3 });
  });

  it('an update that moves an index key costs a delete and a put on that index; one that changes nothing an index holds costs it nothing', async () => {
    // g moves: byG deletes and puts; byL does not project g.
    assert.deepEqual(shape(await update('1', 'SET g = :g', { ':g': S('g2') })), [3, 1, { byG: 2 }, undefined]);
    // x is projected by both.
    assert.deepEqual(shape(await update('1', 'SET x = :x', { ':x': S('y') })), [3, 1, { byG: 1 }, { byL: 1 }]);
    // note is projected only by byG (ALL).
    assert.deepEqual(shape(await update('1', 'SET note = :o', { ':o': S('z') })), [2, 1, { byG: 1 }, undefined]);
    // Dropping l takes the item out of byL: a delete there.
    assert.deepEqual(shape(await update('1', 'REMOVE l')), [3, 1, { byG: 1 }, { byL: 1 }]);
    // An item in no index before or after.
    assert.deepEqual(shape(await update('2', 'SET note = :o', { ':o': S('p') })), [1, 1, undefined, undefined]);
  });

  it("an index entry's units follow the projected item's size: a large item costs its size on an ALL index, its keys' on the others", async () => {
    const blob = S('b'.repeat(2500));
    assert.deepEqual(shape(await put({ pk: S('a'), sk: S('big'), g: S('g9'), l: S('l9'), blob })), [7, 3, { byG: 3 }, { byL: 1 }]);
    const deleted = await client.send(new DeleteItemCommand({ TableName: 'scores', Key: { pk: S('a'), sk: S('big') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(shape(deleted.ConsumedCapacity), [7, 3, { byG: 3 }, { byL: 1 }]);
  });

  it('BatchWriteItem sums per table and per index; TransactWriteItems doubles the index writes too', async () => {
    const batch = await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          scores: [{ PutRequest: { Item: { pk: S('b'), sk: S('1'), g: S('g1'), l: S('l1') } } }, { PutRequest: { Item: { pk: S('b'), sk: S('2'), g: S('g1') } } }, { DeleteRequest: { Key: { pk: S('a'), sk: S('4') } } }],
        },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    assert.equal(batch.ConsumedCapacity?.length, 1);
    assert.equal(batch.ConsumedCapacity?.[0].TableName, 'scores');
    assert.deepEqual(shape(batch.ConsumedCapacity?.[0]), [8, 3, { byG: 3 }, { byL: 2 }]);

    const transaction = await client.send(
      new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'scores', Item: { pk: S('c'), sk: S('1'), g: S('g1'), l: S('l1') } } }], ReturnConsumedCapacity: 'INDEXES' }),
    );
    assert.deepEqual(shape(transaction.ConsumedCapacity?.[0]), [6, 2, { byG: 2 }, { byL: 2 }]);
    assert.deepEqual([transaction.ConsumedCapacity?.[0].WriteCapacityUnits, transaction.ConsumedCapacity?.[0].Table?.WriteCapacityUnits], [6, 2], 'a transaction names its units write units, at the top and for the table');
    const put = await client.send(new PutItemCommand({ TableName: 'scores', Item: { pk: S('c'), sk: S('2') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual([put.ConsumedCapacity?.WriteCapacityUnits, put.ConsumedCapacity?.Table?.WriteCapacityUnits], [undefined, undefined], 'a single-item write does not');
  });

  it('a Query or Scan on an index consumes on the index; a local index fetching from the table consumes on the table too', async () => {
    const onGsi = await client.send(new QueryCommand({ TableName: 'scores', IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': S('g1') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.ok((onGsi.Count ?? 0) > 0);
    assert.deepEqual(shape(onGsi.ConsumedCapacity), [0.5, 0, { byG: 0.5 }, undefined]);

    const scan = await client.send(new ScanCommand({ TableName: 'scores', IndexName: 'byG', ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(shape(scan.ConsumedCapacity), [0.5, 0, { byG: 0.5 }, undefined]);

    const lsi = (extra: Partial<ConstructorParameters<typeof QueryCommand>[0]>) =>
      client.send(new QueryCommand({ TableName: 'scores', IndexName: 'byL', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('b') }, ReturnConsumedCapacity: 'INDEXES', ...extra }));
    assert.deepEqual(shape((await lsi({ ConsistentRead: true })).ConsumedCapacity), [1, 0, undefined, { byL: 1 }]);
    assert.deepEqual(shape((await lsi({ ConsistentRead: true, Select: 'ALL_ATTRIBUTES' })).ConsumedCapacity), [2, 1, undefined, { byL: 1 }]);

    const total = await client.send(new QueryCommand({ TableName: 'scores', IndexName: 'byG', KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': S('g1') }, ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(total.ConsumedCapacity, { TableName: 'scores', CapacityUnits: 0.5 });

    const onTable = await client.send(new QueryCommand({ TableName: 'scores', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': S('a') }, ReturnConsumedCapacity: 'INDEXES' }));
    assert.deepEqual(shape(onTable.ConsumedCapacity), [0.5, 0.5, undefined, undefined]);
  });

  it('an index named __proto__ is reported under its name', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'protos',
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: '__proto__', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // Read on the wire: the SDK's deserializer would drop a `__proto__` member of the map.
    const body = JSON.stringify({ TableName: 'protos', Item: { id: S('1'), g: S('g') }, ReturnConsumedCapacity: 'INDEXES' });
    const answer = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.PutItem', body, accessKeyId: KEY_ID, secretAccessKey: SECRET });
    assert.equal(answer.status, 200, answer.body);
    const capacity = (JSON.parse(answer.body) as { ConsumedCapacity: { CapacityUnits: number; GlobalSecondaryIndexes: Record<string, unknown> } }).ConsumedCapacity;
    assert.equal(capacity.CapacityUnits, 2);
    assert.deepEqual(Object.keys(capacity.GlobalSecondaryIndexes), ['__proto__']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(capacity.GlobalSecondaryIndexes, '__proto__')?.value, { CapacityUnits: 1 });
  });
});
