import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  ExecuteStatementCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejectsWith } from '../support/errors.js';
import { createStreamedTable, KEY, readAll, streamsClient, type ViewType } from './support.js';

const VIEW_TYPES: ViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

/** A record reduced to what the test states: event, key, and images as plain values. */
function summary(record: _Record): string {
  const d = record.dynamodb!;
  const show = (item: Record<string, unknown> | undefined) => (item ? JSON.stringify(item) : '-');
  return `${record.eventName} ${d.Keys!.pk.S}/${d.Keys!.sk.N} new=${show(d.NewImage)} old=${show(d.OldImage)}`;
}

const item = (pk: string, sk: number, v: string) => ({ pk: { S: pk }, sk: { N: String(sk) }, v: { S: v } });
const key = (pk: string, sk: number) => ({ pk: { S: pk }, sk: { N: String(sk) } });

/** Every kind of write, including ones that change nothing; returns the changes it made, in order, as [event, key, new, old]. */
async function writeEverything(db: DynamoDBClient, table: string): Promise<[string, string, string | undefined, string | undefined][]> {
  await db.send(new PutItemCommand({ TableName: table, Item: item('a', 1, 'one') }));
  await db.send(new PutItemCommand({ TableName: table, Item: item('a', 1, 'one') })); // the same bytes: nothing
  await db.send(new UpdateItemCommand({ TableName: table, Key: key('a', 1), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'two' } } }));
  await db.send(new UpdateItemCommand({ TableName: table, Key: key('a', 1), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'two' } } })); // unchanged: nothing
  await rejectsWith(db.send(new PutItemCommand({ TableName: table, Item: item('a', 1, 'x'), ConditionExpression: 'attribute_not_exists(pk)' })), 'ConditionalCheckFailedException');
  await db.send(new DeleteItemCommand({ TableName: table, Key: key('a', 1) }));
  await db.send(new DeleteItemCommand({ TableName: table, Key: key('a', 1) })); // missing: nothing
  await db.send(
    new BatchWriteItemCommand({
      RequestItems: { [table]: [{ PutRequest: { Item: item('b', 1, 'b1') } }, { PutRequest: { Item: item('b', 2, 'b2') } }, { DeleteRequest: { Key: key('zz', 9) } }] },
    }),
  );
  await db.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: item('c', 1, 'c1') } },
        { Update: { TableName: table, Key: key('b', 1), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'b1x' } } } },
        { ConditionCheck: { TableName: table, Key: key('b', 2), ConditionExpression: 'attribute_exists(pk)' } },
      ],
    }),
  );
  await db.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${table}" VALUE {'pk': 'd', 'sk': 1, 'v': 'd1'}` }));
  await db.send(new ExecuteStatementCommand({ Statement: `UPDATE "${table}" SET v = 'd2' WHERE pk = 'd' AND sk = 1` }));
  await db.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "${table}" WHERE pk = 'd' AND sk = 1` }));
  const v = (pk: string, sk: number, text: string) => JSON.stringify(item(pk, sk, text));
  return [
    ['INSERT', 'a/1', v('a', 1, 'one'), undefined],
    ['MODIFY', 'a/1', v('a', 1, 'two'), v('a', 1, 'one')],
    ['REMOVE', 'a/1', undefined, v('a', 1, 'two')],
    ['INSERT', 'b/1', v('b', 1, 'b1'), undefined],
    ['INSERT', 'b/2', v('b', 2, 'b2'), undefined],
    ['INSERT', 'c/1', v('c', 1, 'c1'), undefined],
    ['MODIFY', 'b/1', v('b', 1, 'b1x'), v('b', 1, 'b1')],
    ['INSERT', 'd/1', v('d', 1, 'd1'), undefined],
    ['MODIFY', 'd/1', v('d', 1, 'd2'), v('d', 1, 'd1')],
    ['REMOVE', 'd/1', undefined, v('d', 1, 'd2')],
  ];
}

describe('DynamoDB Streams: what each write records', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    cove = await startCove({ config: fullAccessConfig('streams', KEY.accessKeyId, KEY.secretAccessKey) });
    db = cove.client(KEY.accessKeyId, KEY.secretAccessKey);
    streams = streamsClient(cove);
  });
  after(async () => {
    streams.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  for (const viewType of VIEW_TYPES) {
    it(`${viewType}: one record per change that changed something, from every kind of write, with that view's images`, async () => {
      const table = `t-${viewType.toLowerCase()}`;
      const arn = await createStreamedTable(db, table, viewType);
      assert.match(arn!, new RegExp(`^arn:aws:dynamodb:us-east-1:123456789012:table/${table}/stream/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`));
      const described = (await db.send(new DescribeTableCommand({ TableName: table }))).Table!;
      assert.deepEqual(described.StreamSpecification, { StreamEnabled: true, StreamViewType: viewType });
      assert.equal(arn, `${described.TableArn}/stream/${described.LatestStreamLabel}`);
      const expected = await writeEverything(db, table);
      const { records } = await readAll(streams, arn!, 3);
      const withNew = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
      const withOld = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
      assert.deepEqual(
        records.map(summary),
        expected.map(([event, k, n, o]) => `${event} ${k} new=${(withNew && n) || '-'} old=${(withOld && o) || '-'}`),
      );
      let previous = 0n;
      for (const record of records) {
        assert.equal(record.eventVersion, '1.1');
        assert.equal(record.eventSource, 'aws:dynamodb');
        assert.equal(record.awsRegion, 'us-east-1');
        assert.match(record.eventID!, /^[0-9a-f]{32}$/);
        const d = record.dynamodb!;
        assert.equal(d.StreamViewType, viewType);
        assert.match(d.SequenceNumber!, /^\d{21,}$/);
        assert.ok(BigInt(d.SequenceNumber!) > previous, 'sequence numbers rise');
        previous = BigInt(d.SequenceNumber!);
        assert.ok(d.SizeBytes! > 0);
        assert.ok(Math.abs(d.ApproximateCreationDateTime!.getTime() - Date.now()) < 60_000);
        assert.equal(record.userIdentity, undefined);
      }
    });
  }

  it('a table without a stream records nothing and shows no stream', async () => {
    assert.equal(await createStreamedTable(db, 'plain', undefined), undefined);
    await db.send(new PutItemCommand({ TableName: 'plain', Item: item('a', 1, 'one') }));
    const described = (await db.send(new DescribeTableCommand({ TableName: 'plain' }))).Table!;
    assert.equal(described.StreamSpecification, undefined);
    assert.equal(described.LatestStreamLabel, undefined);
  });

  it('a time to live deletion is a REMOVE record whose user is the DynamoDB service', async () => {
    const arn = await createStreamedTable(db, 'expiring', 'NEW_AND_OLD_IMAGES');
    await db.send(new UpdateTimeToLiveCommand({ TableName: 'expiring', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
    const expired = { ...item('gone', 1, 'old'), expiresAt: { N: String(Math.floor(Date.now() / 1000) - 10) } };
    await db.send(new PutItemCommand({ TableName: 'expiring', Item: expired }));
    let records: _Record[] = [];
    for (let attempt = 0; attempt < 100 && records.length < 2; attempt++) {
      records = (await readAll(streams, arn!)).records;
      if (records.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(records.map((r) => r.eventName), ['INSERT', 'REMOVE']);
    assert.equal(records[0].userIdentity, undefined);
    assert.deepEqual(records[1].userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
    assert.deepEqual(records[1].dynamodb!.OldImage, expired);
  });
});
