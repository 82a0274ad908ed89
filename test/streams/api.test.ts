import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTableCommand, PutItemCommand, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBStreamsClient as StreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejectsWith } from '../support/errors.js';
import { auditRecordFor } from '../support/audit.js';
import { createStreamedTable, KEY, readAll, shardIdOf, streamsClient } from './support.js';

const READER = { accessKeyId: 'AKIASTREAMREADER0001', secretAccessKey: 'reader-secret' };

/** The full-access user, and a reader allowed only the Streams reads of table `allowed`'s streams. */
const CONFIG = `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: streams
      accessKeys: [{ id: ${KEY.accessKeyId}, secret: ${KEY.secretAccessKey} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
    - name: reader
      accessKeys: [{ id: ${READER.accessKeyId}, secret: ${READER.secretAccessKey} }]
      policies:
        - name: read-allowed-streams
          document:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"], Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/allowed/stream/*" }
`;

const put = (db: DynamoDBClient, table: string, pk: string) => db.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { N: '1' } } }));

describe('DynamoDB Streams: the API', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    db = cove.client(KEY.accessKeyId, KEY.secretAccessKey);
    streams = streamsClient(cove);
  });
  after(async () => {
    streams.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('iterators: TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER', async () => {
    const arn = (await createStreamedTable(db, 'iterators', 'KEYS_ONLY'))!;
    const ShardId = await shardIdOf(streams, arn);
    assert.match(ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
    const latestBefore = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'LATEST' }))).ShardIterator;
    for (const pk of ['a', 'b', 'c']) await put(db, 'iterators', pk);
    const all = (await readAll(streams, arn)).records;
    assert.deepEqual(all.map((r) => r.dynamodb!.Keys!.pk.S), ['a', 'b', 'c']);
    const fromLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latestBefore }));
    assert.deepEqual(fromLatest.Records!.map((r) => r.dynamodb!.Keys!.pk.S), ['a', 'b', 'c'], 'LATEST reads what follows it');
    const second = all[1].dynamodb!.SequenceNumber!;
    const read = async (ShardIteratorType: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER') => {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType, SequenceNumber: second }));
      return (await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }))).Records!.map((r) => r.dynamodb!.Keys!.pk.S);
    };
    assert.deepEqual(await read('AT_SEQUENCE_NUMBER'), ['b']);
    assert.deepEqual(await read('AFTER_SEQUENCE_NUMBER'), ['c']);
    const latest = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'LATEST' }))).ShardIterator;
    const empty = await streams.send(new GetRecordsCommand({ ShardIterator: latest }));
    assert.deepEqual(empty.Records, []);
    assert.ok(empty.NextShardIterator, 'an enabled stream\'s shard stays open');
    const described = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
    assert.equal(described.StreamStatus, 'ENABLED');
    assert.equal(described.StreamViewType, 'KEYS_ONLY');
    assert.equal(described.TableName, 'iterators');
    assert.deepEqual(described.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    assert.equal(described.Shards![0].SequenceNumberRange!.StartingSequenceNumber, all[0].dynamodb!.SequenceNumber);
    assert.equal(described.Shards![0].SequenceNumberRange!.EndingSequenceNumber, undefined);
    assert.ok(described.CreationRequestDateTime instanceof Date);
  });

  it('answers bad requests and unknown streams with errors', async () => {
    const arn = (await createStreamedTable(db, 'errors', 'NEW_IMAGE'))!;
    const ShardId = await shardIdOf(streams, arn);
    await rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })), 'ValidationException');
    const real = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator!;
    const forged = Buffer.from(Buffer.from(real, 'base64url').toString('utf8').replace(/\|\d+\|/, '|999|'), 'utf8').toString('base64url');
    await rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator: forged })), 'ValidationException');
    await rejectsWith(streams.send(new GetRecordsCommand({ ShardIterator: real, Limit: 1001 })), 'ValidationException');
    await rejectsWith(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER' })), 'ValidationException');
    await rejectsWith(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '999999999999999999999' })), 'ValidationException');
    await rejectsWith(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: 'shardId-00000000000000000000-00000000', ShardIteratorType: 'LATEST' })), 'ResourceNotFoundException');
    await rejectsWith(streams.send(new DescribeStreamCommand({ StreamArn: 'sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf' })), 'ValidationException');
    await rejectsWith(streams.send(new DescribeStreamCommand({ StreamArn: arn.replace('table/errors/', 'table/nosuch/') })), 'ResourceNotFoundException');
    await rejectsWith(streams.send(new ListStreamsCommand({ Limit: 0 })), 'ValidationException');
    await rejectsWith(db.send(new UpdateTableCommand({ TableName: 'errors', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } })), 'ValidationException');
    await rejectsWith(db.send(new UpdateTableCommand({ TableName: 'errors', StreamSpecification: { StreamEnabled: true } })), 'ValidationException');
  });

  it('disabling ends the stream (its shard closes once read); enabling again starts a new one with a new ARN', async () => {
    const first = (await createStreamedTable(db, 'cycle', 'NEW_IMAGE'))!;
    await put(db, 'cycle', 'before');
    const disabled = await db.send(new UpdateTableCommand({ TableName: 'cycle', StreamSpecification: { StreamEnabled: false } }));
    assert.equal(disabled.TableDescription!.LatestStreamArn, first);
    await put(db, 'cycle', 'between');
    const described = (await db.send(new DescribeTableCommand({ TableName: 'cycle' }))).Table!;
    assert.equal(described.StreamSpecification, undefined);
    assert.equal(described.LatestStreamArn, first);
    const ended = await readAll(streams, first);
    assert.deepEqual(ended.records.map((r) => r.dynamodb!.Keys!.pk.S), ['before']);
    assert.equal(ended.closed, true, 'no NextShardIterator once a disabled stream is read to its end');
    const firstDescription = (await streams.send(new DescribeStreamCommand({ StreamArn: first }))).StreamDescription!;
    assert.equal(firstDescription.StreamStatus, 'DISABLED');
    assert.equal(firstDescription.Shards![0].SequenceNumberRange!.EndingSequenceNumber, ended.records[0].dynamodb!.SequenceNumber);
    await rejectsWith(db.send(new UpdateTableCommand({ TableName: 'cycle', StreamSpecification: { StreamEnabled: false } })), 'ValidationException');

    await db.send(new UpdateTableCommand({ TableName: 'cycle', StreamSpecification: { StreamEnabled: true, StreamViewType: 'OLD_IMAGE' } }));
    const second = (await db.send(new DescribeTableCommand({ TableName: 'cycle' }))).Table!;
    assert.notEqual(second.LatestStreamArn, first);
    assert.deepEqual(second.StreamSpecification, { StreamEnabled: true, StreamViewType: 'OLD_IMAGE' });
    await put(db, 'cycle', 'after');
    assert.deepEqual((await readAll(streams, second.LatestStreamArn!)).records.map((r) => r.dynamodb!.Keys!.pk.S), ['after']);
    const listed = await streams.send(new ListStreamsCommand({ TableName: 'cycle' }));
    assert.deepEqual(listed.Streams!.map((s) => s.StreamArn), [first, second.LatestStreamArn]);
    assert.deepEqual(listed.Streams!.map((s) => s.StreamLabel), [first.split('/stream/')[1], second.LatestStreamLabel]);
  });

  it('authorizes each call on the stream ARN, and ListStreams on *', async () => {
    const allowed = (await createStreamedTable(db, 'allowed', 'KEYS_ONLY'))!;
    const denied = (await createStreamedTable(db, 'denied', 'KEYS_ONLY'))!;
    await put(db, 'allowed', 'x');
    const reader = new StreamsClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials: READER, maxAttempts: 1 });
    try {
      assert.deepEqual((await readAll(reader, allowed)).records.map((r) => r.dynamodb!.Keys!.pk.S), ['x']);
      const ShardIdAllowed = await shardIdOf(reader, allowed);
      const got = await reader.send(new GetShardIteratorCommand({ StreamArn: allowed, ShardId: ShardIdAllowed, ShardIteratorType: 'LATEST' }));
      const audited = await auditRecordFor(cove, got.$metadata.requestId);
      assert.equal(audited.eventSource, 'dynamodb.amazonaws.com');
      assert.equal(audited.eventName, 'GetShardIterator');
      assert.equal(audited.eventCategory, 'Data');
      assert.deepEqual(audited.resources, [{ accountId: '123456789012', type: 'AWS::DynamoDB::Stream', ARN: allowed }]);
      const error = await rejectsWith(reader.send(new DescribeStreamCommand({ StreamArn: denied })), 'AccessDeniedException');
      assert.match(error.message, new RegExp(`is not authorized to perform: dynamodb:DescribeStream on resource: ${denied.replace(/[.*]/g, '\\$&')} because no identity-based policy allows`));
      const ShardId = await shardIdOf(streams, denied);
      const iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: denied, ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      // An iterator of a stream the caller may not read is refused, whoever obtained it.
      await rejectsWith(reader.send(new GetRecordsCommand({ ShardIterator: iterator })), 'AccessDeniedException');
      await rejectsWith(reader.send(new ListStreamsCommand({})), 'AccessDeniedException');
    } finally {
      reader.destroy();
    }
  });

  it('answers an unknown Streams operation before the signature, as DynamoDB does', async () => {
    const response = await fetch(cove.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDBStreams_20120810.Nope' }, body: '{}' });
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { __type: string }).__type, /#UnknownOperationException$/);
  });

  it('ListStreams pages with Limit and ExclusiveStartStreamArn', async () => {
    const all = (await streams.send(new ListStreamsCommand({}))).Streams!.map((s) => s.StreamArn);
    assert.ok(all.length >= 4);
    const paged: (string | undefined)[] = [];
    let start: string | undefined;
    do {
      const page = await streams.send(new ListStreamsCommand({ Limit: 1, ExclusiveStartStreamArn: start }));
      paged.push(...page.Streams!.map((s) => s.StreamArn));
      start = page.LastEvaluatedStreamArn;
    } while (start);
    assert.deepEqual(paged, all);
    assert.deepEqual((await streams.send(new ListStreamsCommand({ TableName: 'nosuch' }))).Streams, []);
  });
});
