import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriteItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { fullAccessConfig, removeDirectory, startCove } from '../support/cove.js';
import { createStreamedTable, KEY, shardIdOf, streamsClient } from './support.js';

const WRITERS = 10;
const WRITES_PER_WRITER = 30;
/** Items each writer changes in turn; item `shared` is changed by every writer. */
const ITEMS_PER_WRITER = 3;

/**
 * Writer w changes its own items and the shared one, each write setting `v` to the next of that
 * item's versions (an ADD, so concurrent writers to `shared` never lose a change): the stream
 * must show every version of every item exactly once, in order.
 */
async function writer(db: DynamoDBClient, table: string, w: number): Promise<void> {
  for (let i = 0; i < WRITES_PER_WRITER; i++) {
    const own = { pk: { S: `w${w}-${i % ITEMS_PER_WRITER}` }, sk: { N: '1' } };
    const add = { UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': { N: '1' } } };
    if (i % 5 === 0) {
      await db.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: { TableName: table, Key: own, ...add } }, { Update: { TableName: table, Key: { pk: { S: 'shared' }, sk: { N: '1' } }, ...add } }] }));
    } else if (i % 7 === 0) {
      await db.send(new UpdateItemCommand({ TableName: table, Key: own, ...add }));
      await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: [{ PutRequest: { Item: { pk: { S: `w${w}-batch-${i}` }, sk: { N: '1' }, v: { N: '1' } } } }] } }));
    } else {
      await db.send(new UpdateItemCommand({ TableName: table, Key: own, ...add }));
    }
  }
}

/** Reads the shard from TRIM_HORIZON until `done()` says every write is in, checking each version follows the last. */
async function consume(streams: DynamoDBStreamsClient, arn: string, writersDone: () => boolean): Promise<Map<string, number>> {
  const ShardId = await shardIdOf(streams, arn);
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const versions = new Map<string, number>();
  let previousSequence = 0n;
  for (;;) {
    const finished = writersDone();
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 50 }));
    for (const record of page.Records ?? []) {
      const sequence = BigInt(record.dynamodb!.SequenceNumber!);
      assert.ok(sequence > previousSequence, 'sequence numbers rise');
      previousSequence = sequence;
      const pk = record.dynamodb!.Keys!.pk.S!;
      const version = Number(record.dynamodb!.NewImage!.v.N);
      assert.equal(version, (versions.get(pk) ?? 0) + 1, `${pk}: version ${version} after ${versions.get(pk) ?? 0}`);
      versions.set(pk, version);
    }
    iterator = page.NextShardIterator;
    // Read to the end after the last writer finished: then every change is in.
    if (finished && (page.Records ?? []).length === 0) return versions;
    if ((page.Records ?? []).length === 0) await new Promise((r) => setTimeout(r, 10));
  }
}

function expectedVersions(): Map<string, number> {
  const expected = new Map<string, number>();
  for (let w = 0; w < WRITERS; w++) {
    for (let i = 0; i < WRITES_PER_WRITER; i++) {
      const own = `w${w}-${i % ITEMS_PER_WRITER}`;
      expected.set(own, (expected.get(own) ?? 0) + 1);
      if (i % 5 === 0) expected.set('shared', (expected.get('shared') ?? 0) + 1);
      else if (i % 7 === 0) expected.set(`w${w}-batch-${i}`, 1);
    }
  }
  return expected;
}

for (const workers of [1, 2]) {
  describe(`DynamoDB Streams under ${WRITERS} concurrent writers (${workers} serving process${workers > 1 ? 'es' : ''})`, () => {
    it('a consumer reading to the end sees every change of every item exactly once, in order', async () => {
      const cove = await startCove({ config: fullAccessConfig('streams', KEY.accessKeyId, KEY.secretAccessKey), workers });
      const streams = streamsClient(cove);
      try {
        const setup = cove.client(KEY.accessKeyId, KEY.secretAccessKey);
        const arn = (await createStreamedTable(setup, 'busy', 'NEW_IMAGE'))!;
        await setup.send(new PutItemCommand({ TableName: 'busy', Item: { pk: { S: 'unrelated' }, sk: { N: '1' }, v: { N: '1' } } }));
        // One client per writer: with workers, their connections spread over the processes.
        let running = WRITERS;
        const writers = Array.from({ length: WRITERS }, (_, w) => writer(cove.client(KEY.accessKeyId, KEY.secretAccessKey), 'busy', w).finally(() => running--));
        const seen = await consume(streams, arn, () => running === 0);
        await Promise.all(writers);
        const expected = expectedVersions();
        expected.set('unrelated', 1);
        assert.deepEqual([...seen.entries()].sort(), [...expected.entries()].sort());
      } finally {
        streams.destroy();
        await cove.stop();
        removeDirectory(cove.dataDirectory);
      }
    });
  });
}
