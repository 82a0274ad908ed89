/**
 * The item collection limit of a table with local secondary indexes: a write that would grow a
 * collection (one partition key's items and their local index entries) past the limit is refused
 * with ItemCollectionSizeLimitExceededException, in a transaction as a cancellation reason; other
 * collections and shrinking writes go on; ReturnItemCollectionMetrics reads the kept size. The
 * server runs with COVE_ITEM_COLLECTION_LIMIT_BYTES (the 10 GB of DynamoDB cannot be written here).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const LIMIT_BYTES = 10_000;
const S = (S: string) => ({ S });

describe('the item collection limit (tables with local indexes)', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  // An item of about 1 KB: pk, sk, l (the local index's sort key) and a 1000-byte payload. With the
  // local index projecting ALL, it counts twice: about 2 KB of the collection per item.
  const item = (pk: string, sk: string, bytes = 1000) => ({ pk: S(pk), sk: S(sk), l: S(`l-${sk}`), payload: S('x'.repeat(bytes)) });
  const put = (pk: string, sk: string, bytes?: number) => db.send(new PutItemCommand({ TableName: 'orders', Item: item(pk, sk, bytes), ReturnItemCollectionMetrics: 'SIZE' }));

  before(async () => {
    cove = await startCove({ config: fullAccessConfig('app', 'AKIAAPP000000000001', 'app-secret'), env: { COVE_ITEM_COLLECTION_LIMIT_BYTES: String(LIMIT_BYTES) } });
    db = cove.client('AKIAAPP000000000001', 'app-secret');
    await db.send(
      new CreateTableCommand({
        TableName: 'orders',
        AttributeDefinitions: ['pk', 'sk', 'l'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        LocalSecondaryIndexes: [{ IndexName: 'byL', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('refuses the write that would grow a collection past the limit, and takes writes to other collections and writes that shrink it', async () => {
    for (let i = 0; i < 4; i++) await put('full', `s${i}`);
    const refused = await rejection(put('full', 's4'));
    assert.deepEqual([refused.name, refused.message], ['ItemCollectionSizeLimitExceededException', 'Collection size exceeded.']);
    await put('other', 's4');
    const replaced = await put('full', 's0', 10);
    assert.deepEqual(replaced.ItemCollectionMetrics?.ItemCollectionKey, { pk: S('full') });
    assert.deepEqual(replaced.ItemCollectionMetrics?.SizeEstimateRangeGB, [0, 1]);
    await put('full', 's4');
    await assert.rejects(put('full', 's5'), { name: 'ItemCollectionSizeLimitExceededException' });
    await db.send(new DeleteItemCommand({ TableName: 'orders', Key: { pk: S('full'), sk: S('s1') } }));
    await put('full', 's5');
    const grown = await rejection(db.send(new UpdateItemCommand({ TableName: 'orders', Key: { pk: S('full'), sk: S('s0') }, UpdateExpression: 'SET payload = :p', ExpressionAttributeValues: { ':p': S('y'.repeat(3000)) } })));
    assert.equal(grown.name, 'ItemCollectionSizeLimitExceededException');
    await db.send(new UpdateItemCommand({ TableName: 'orders', Key: { pk: S('full'), sk: S('s2') }, UpdateExpression: 'SET payload = :p', ExpressionAttributeValues: { ':p': S('small') } }));
  });

  it('cancels a transaction on the action that grows the collection past the limit, and a batch as a whole', async () => {
    for (let i = 0; i < 4; i++) await put('tx', `s${i}`);
    const cancelled = await rejection(
      db.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'orders', Item: item('elsewhere', 'a') } }, { Put: { TableName: 'orders', Item: item('tx', 's9') } }],
        }),
      ),
    );
    assert.ok(cancelled instanceof TransactionCanceledException);
    assert.deepEqual(
      cancelled.CancellationReasons?.map((reason) => reason.Code),
      ['None', 'ItemCollectionSizeLimitExceeded'],
    );
    // In one collection: the action that takes it past the limit is the one refused, not an earlier one that fit.
    for (let i = 0; i < 4; i++) await put('tx2', `s${i}`);
    const second = await rejection(
      db.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: item('tx2', 'small', 50) } }, { Put: { TableName: 'orders', Item: item('tx2', 'big') } }] })),
    );
    assert.deepEqual((second as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code), ['None', 'ItemCollectionSizeLimitExceeded']);
    const batch = await rejection(db.send(new BatchWriteItemCommand({ RequestItems: { orders: [{ PutRequest: { Item: item('batch', 'a') } }, { PutRequest: { Item: item('tx', 's8') } }] } })));
    assert.equal(batch.name, 'ItemCollectionSizeLimitExceededException');
    await assert.rejects(db.send(new DeleteItemCommand({ TableName: 'orders', Key: { pk: S('elsewhere'), sk: S('a') }, ConditionExpression: 'attribute_exists(pk)' })), { name: 'ConditionalCheckFailedException' }, 'nothing of the cancelled transaction was written');
  });
});
