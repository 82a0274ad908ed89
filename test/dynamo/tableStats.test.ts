import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../../src/dynamo/attributeValue.js';
import { sizeEstimateRangeGB } from '../../src/dynamo/itemCollections.js';
import { STATS_RECOUNT_INTERVAL_ENV } from '../../src/dynamo/tableStats.js';
import type { Item as StoredItemValue } from '../../src/dynamo/types.js';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });
const sizeOf = (item: Item) => itemSizeBytes(item as StoredItemValue);
const pick = (item: Item, names: string[]): Item => Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));

/** stats: pk + sk; byDate: an LSI on date (KEYS_ONLY); byLevel: a GSI on level (ALL). */
const STATS_TABLE = {
  TableName: 'stats',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
    { AttributeName: 'date', AttributeType: 'S' as const },
    { AttributeName: 'level', AttributeType: 'N' as const },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  LocalSecondaryIndexes: [{ IndexName: 'byDate', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }, { AttributeName: 'date', KeyType: 'RANGE' as const }], Projection: { ProjectionType: 'KEYS_ONLY' as const } }],
  GlobalSecondaryIndexes: [{ IndexName: 'byLevel', KeySchema: [{ AttributeName: 'level', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } }],
  BillingMode: 'PAY_PER_REQUEST' as const,
};

const A: Item = { pk: S('p1'), sk: S('a'), date: S('2026-01-01'), level: N(3), note: S('x'.repeat(100)) };
const B: Item = { pk: S('p1'), sk: S('b'), date: S('2026-01-02') };
const C: Item = { pk: S('p2'), sk: S('c') };

describe('table statistics and item collection metrics', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    // Every DescribeTable starts a recount (tests only: the default interval is minutes).
    cove = await startCove({ config: fullAccessConfig('owner', 'AKIASTATSOWNER000001', 'owner-secret'), env: { [STATS_RECOUNT_INTERVAL_ENV]: '0' } });
    client = cove.client('AKIASTATSOWNER000001', 'owner-secret');
    await client.send(new CreateTableCommand(STATS_TABLE));
    await client.send(new CreateTableCommand({ ...STATS_TABLE, TableName: 'plain', LocalSecondaryIndexes: undefined, AttributeDefinitions: STATS_TABLE.AttributeDefinitions.filter((a) => a.AttributeName !== 'date') }));
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  /** DescribeTable until `done` holds: each call starts a recount and answers the last counts. */
  const describeUntil = async (done: (table: TableDescription) => boolean): Promise<TableDescription> => {
    let table: TableDescription | undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      table = (await client.send(new DescribeTableCommand({ TableName: 'stats' }))).Table!;
      if (done(table)) return table;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`counts never settled: ${JSON.stringify(table)}`);
  };
  const counts = (table: TableDescription) => ({
    items: [table.ItemCount, table.TableSizeBytes],
    byDate: [table.LocalSecondaryIndexes?.[0].ItemCount, table.LocalSecondaryIndexes?.[0].IndexSizeBytes],
    byLevel: [table.GlobalSecondaryIndexes?.[0].ItemCount, table.GlobalSecondaryIndexes?.[0].IndexSizeBytes],
  });

  it('starts at 0, and after a recount counts items and sizes of the table and of each index (sparse ones too)', async () => {
    const { Table: fresh } = await client.send(new DescribeTableCommand({ TableName: 'stats' }));
    assert.deepEqual(counts(fresh!), { items: [0, 0], byDate: [0, 0], byLevel: [0, 0] });
    for (const item of [A, B, C]) await client.send(new PutItemCommand({ TableName: 'stats', Item: item }));
    const table = await describeUntil((t) => t.ItemCount === 3);
    const keysOnly = (item: Item) => sizeOf(pick(item, ['pk', 'sk', 'date']));
    assert.deepEqual(counts(table), {
      items: [3, sizeOf(A) + sizeOf(B) + sizeOf(C)],
      byDate: [2, keysOnly(A) + keysOnly(B)],
      byLevel: [1, sizeOf(A)],
    });
  });

  it('reflects deletes after the next recount', async () => {
    await client.send(new DeleteItemCommand({ TableName: 'stats', Key: { pk: S('p1'), sk: S('b') } }));
    await client.send(new DeleteItemCommand({ TableName: 'stats', Key: { pk: S('p2'), sk: S('c') } }));
    const table = await describeUntil((t) => t.ItemCount === 1);
    assert.deepEqual(counts(table), { items: [1, sizeOf(A)], byDate: [1, sizeOf(pick(A, ['pk', 'sk', 'date']))], byLevel: [1, sizeOf(A)] });
  });

  it('estimates a collection in whole gigabytes', () => {
    assert.deepEqual(sizeEstimateRangeGB(0), [0, 1]);
    assert.deepEqual(sizeEstimateRangeGB(1.5 * 1024 ** 3), [1, 2]);
  });

  const SMALL = { ItemCollectionKey: { pk: S('p1') }, SizeEstimateRangeGB: [0, 1] };

  it('PutItem, UpdateItem and DeleteItem answer ItemCollectionMetrics for a table with a local index, when asked', async () => {
    const put = await client.send(new PutItemCommand({ TableName: 'stats', Item: B, ReturnItemCollectionMetrics: 'SIZE' }));
    assert.deepEqual(put.ItemCollectionMetrics, SMALL);
    const update = await client.send(new UpdateItemCommand({ TableName: 'stats', Key: { pk: S('p1'), sk: S('b') }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': N(1) }, ReturnItemCollectionMetrics: 'SIZE' }));
    assert.deepEqual(update.ItemCollectionMetrics, SMALL);
    const removed = await client.send(new DeleteItemCommand({ TableName: 'stats', Key: { pk: S('p1'), sk: S('b') }, ReturnItemCollectionMetrics: 'SIZE' }));
    assert.deepEqual(removed.ItemCollectionMetrics, SMALL);
    const notAsked = await client.send(new PutItemCommand({ TableName: 'stats', Item: B, ReturnItemCollectionMetrics: 'NONE' }));
    assert.equal(notAsked.ItemCollectionMetrics, undefined);
  });

  it('answers none for a table without a local index', async () => {
    const put = await client.send(new PutItemCommand({ TableName: 'plain', Item: A, ReturnItemCollectionMetrics: 'SIZE' }));
    assert.equal(put.ItemCollectionMetrics, undefined);
    const batch = await client.send(new BatchWriteItemCommand({ RequestItems: { plain: [{ PutRequest: { Item: B } }] }, ReturnItemCollectionMetrics: 'SIZE' }));
    assert.equal(batch.ItemCollectionMetrics, undefined);
  });

  it('BatchWriteItem and TransactWriteItems answer one entry per collection written, per table', async () => {
    const batch = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { stats: [{ PutRequest: { Item: C } }, { PutRequest: { Item: { ...C, sk: S('d') } } }, { DeleteRequest: { Key: { pk: S('p1'), sk: S('b') } } }], plain: [{ PutRequest: { Item: C } }] },
        ReturnItemCollectionMetrics: 'SIZE',
      }),
    );
    assert.deepEqual(batch.ItemCollectionMetrics, { stats: [{ ItemCollectionKey: { pk: S('p2') }, SizeEstimateRangeGB: [0, 1] }, SMALL] });
    const transaction = await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'stats', Item: B } }, { ConditionCheck: { TableName: 'stats', Key: { pk: S('p2'), sk: S('c') }, ConditionExpression: 'attribute_exists(pk)' } }],
        ReturnItemCollectionMetrics: 'SIZE',
      }),
    );
    assert.deepEqual(transaction.ItemCollectionMetrics, { stats: [SMALL] });
  });
});
