import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import type { BatchOutcome, StorageEngine, WriteOp } from '../../src/storage/engine.js';
import { TableCatalog, type Table } from '../../src/dynamo/tables.js';
import { itemSizeBytes } from '../../src/dynamo/attributeValue.js';
import { putItemChange, writeItemChanges } from '../../src/dynamo/writes.js';
import { newStream, streamDescription } from '../../src/dynamo/streamSettings.js';
import { streamCounterKey } from '../../src/dynamo/keys.js';
import { LIMITS } from '../../src/dynamo/limits.js';
import { trimStreamRecords } from '../../src/dynamo/streamTrim.js';
import type { OperationContext } from '../../src/dynamo/operation.js';
import { STREAMS_OPERATIONS } from '../../src/streams/operations/index.js';
import { AwsError } from '../../src/errors.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/tab`;

/**
 * An engine that runs each batch's functions once on the side before the real run (as an engine
 * retrying a transaction would), and lets a test change the store in between: what commits must
 * be what the last run computed.
 */
class RetryingEngine implements StorageEngine {
  readonly name = 'retrying';
  interfere: (() => Promise<void>) | undefined;
  constructor(readonly inner: LmdbEngine) {}
  get(key: Buffer) {
    return this.inner.get(key);
  }
  getMany(keys: readonly Buffer[]) {
    return this.inner.getMany(keys);
  }
  range(options: Parameters<StorageEngine['range']>[0]) {
    return this.inner.range(options);
  }
  async writeBatch<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>> {
    const previous = ops.map((op) => this.inner.get(op.key));
    if (ops.every((op, i) => op.condition?.(previous[i]) === undefined)) {
      const values = ops.map((op, i) => (typeof op.value === 'function' ? op.value(previous[i]) : op.value));
      ops.forEach((op, i) => op.derive?.(previous[i], values[i] === undefined ? previous[i] : values[i]));
    }
    const interfere = this.interfere;
    this.interfere = undefined;
    await interfere?.();
    return this.inner.writeBatch(ops);
  }
  close() {
    return this.inner.close();
  }
}

async function run(name: string, input: Record<string, unknown>, ctx: OperationContext): Promise<Record<string, unknown>> {
  return STREAMS_OPERATIONS.get(name)!.execute(input, ctx);
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof AwsError && error.code === code);
}

describe('DynamoDB Streams: sequence numbers under a retried transaction, iterator expiry, trimming', () => {
  let directory: string;
  let engine: RetryingEngine;
  let catalog: TableCatalog;
  let table: Table;
  let streamArn: string;
  const put = (pk: string) => {
    const item = { pk: { S: pk } };
    return writeItemChanges(catalog, [putItemChange(table, { item, sizeBytes: itemSizeBytes(item) })]);
  };
  const ctx = (nowMs: number): OperationContext => ({ engine, catalog, region: REGION, accountId: ACCOUNT, nowMs });

  before(async () => {
    directory = tempDirectory();
    engine = new RetryingEngine(new LmdbEngine({ path: join(directory, 'db') }));
    catalog = await TableCatalog.load(engine, { resumePurges: false });
    const streams = [newStream('KEYS_ONLY', Date.now())];
    table = await catalog.create(
      {
        TableName: 'tab',
        TableArn: TABLE_ARN,
        CreationDateTime: 0,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        TableSizeBytes: 0,
        ItemCount: 0,
        DeletionProtectionEnabled: false,
        ...streamDescription(TABLE_ARN, streams),
      },
      { streams },
    );
    streamArn = table.record.description.LatestStreamArn!;
  });
  after(async () => {
    await catalog.close();
    await engine.close();
    removeDirectory(directory);
  });

  it('numbers records by the run that commits, when another commit came between two runs', async () => {
    await put('a');
    // Between the side run and the real one, another batch takes sequence numbers 2 and 3.
    engine.interfere = async () => {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(3n);
      await engine.inner.writeBatch([{ key: streamCounterKey(table.stream!.storageId), value: counter }]);
    };
    await put('b');
    const shard = ((await run('DescribeStream', { StreamArn: streamArn }, ctx(Date.now()))).StreamDescription as { Shards: { ShardId: string }[] }).Shards[0].ShardId;
    const { ShardIterator } = await run('GetShardIterator', { StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }, ctx(Date.now()));
    const { Records } = (await run('GetRecords', { ShardIterator }, ctx(Date.now()))) as { Records: { dynamodb: { Keys: { pk: { S: string } }; SequenceNumber: string } }[] };
    assert.deepEqual(
      Records.map((r) => [r.dynamodb.Keys.pk.S, BigInt(r.dynamodb.SequenceNumber) - 10n ** 20n]),
      [
        ['a', 1n],
        ['b', 4n],
      ],
    );
  });

  it('an iterator expires after 15 minutes; a trimmed position answers TrimmedDataAccessException', async () => {
    const nowMs = Date.now();
    const shard = ((await run('DescribeStream', { StreamArn: streamArn }, ctx(nowMs))).StreamDescription as { Shards: { ShardId: string }[] }).Shards[0].ShardId;
    const horizon = (await run('GetShardIterator', { StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }, ctx(nowMs))).ShardIterator as string;
    await rejectsWithCode(run('GetRecords', { ShardIterator: horizon }, ctx(nowMs + LIMITS.shardIteratorLifetimeMs + 1)), 'ExpiredIteratorException');
    await run('GetRecords', { ShardIterator: horizon }, ctx(nowMs + LIMITS.shardIteratorLifetimeMs));

    // A day later, the records written so far are trimmed; one written then is kept.
    await trimStreamRecords(engine, catalog, nowMs + LIMITS.streamRecordRetentionMs + 1000);
    await rejectsWithCode(run('GetRecords', { ShardIterator: horizon }, ctx(nowMs)), 'TrimmedDataAccessException');
    const trimmedSequence = `${10n ** 20n + 1n}`;
    await rejectsWithCode(run('GetShardIterator', { StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: trimmedSequence }, ctx(nowMs)), 'TrimmedDataAccessException');
    await put('c');
    const fresh = (await run('GetShardIterator', { StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }, ctx(nowMs))).ShardIterator as string;
    const { Records } = (await run('GetRecords', { ShardIterator: fresh }, ctx(nowMs))) as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] };
    assert.deepEqual(Records.map((r) => r.dynamodb.Keys.pk.S), ['c']);
  });
});
