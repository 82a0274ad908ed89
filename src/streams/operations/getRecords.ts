import { LIMITS } from '../../dynamo/limits.js';
import { sequenceNumberOfRecordKey, streamRecordsRange } from '../../dynamo/keys.js';
import { decodeRecord, sequenceNumberText, type StreamViewType } from '../../dynamo/streams.js';
import { trimmedDataAccess } from '../errors.js';
import { checkIterator, encodeIterator, parseIterator } from '../iterators.js';
import type { StreamsOperation } from '../operation.js';
import { resolveStream, shardPositions } from '../shards.js';

interface GetRecordsInput {
  ShardIterator: string;
  Limit?: number;
}

const MEMBERS = [
  { name: 'ShardIterator', kind: 'string', required: true, minLength: 1, maxLength: 2048 },
  { name: 'Limit', kind: 'integer', min: 1, max: LIMITS.maxGetRecordsLimit },
] as const;

/**
 * Up to Limit records from the iterator's position, and the iterator after them. A disabled
 * stream's shard is closed: once read to its last record, the answer has no NextShardIterator.
 */
export const getRecords: StreamsOperation<GetRecordsInput> = {
  name: 'GetRecords',
  members: MEMBERS,
  readOnly: true,
  category: 'Data',
  authorization: (input) => [{ action: 'dynamodb:GetRecords', resource: parseIterator(input.ShardIterator).arn }],
  requestParameters: (input) => ({ shardIterator: input.ShardIterator, ...(input.Limit !== undefined ? { limit: input.Limit } : {}) }),
  async execute(input, ctx) {
    const iterator = parseIterator(input.ShardIterator);
    const stream = resolveStream(ctx, iterator.arn, ctx.nowMs);
    checkIterator(iterator, stream, ctx.nowMs);
    const positions = await shardPositions(ctx.engine, stream.storageId);
    if (iterator.next < positions.firstKept) throw trimmedDataAccess();
    const records = [];
    let next = iterator.next;
    for await (const { key, value } of ctx.engine.range({ ...streamRecordsRange(stream.storageId, iterator.next), limit: input.Limit ?? LIMITS.maxGetRecordsLimit })) {
      const sequence = sequenceNumberOfRecordKey(key);
      records.push(streamRecord(decodeRecord(value), sequence, stream.stream.viewType, ctx.region));
      next = sequence + 1n;
    }
    const closed = stream.stream.disabledAtMs !== undefined && next > positions.last;
    return { Records: records, ...(closed ? {} : { NextShardIterator: encodeIterator(stream, next, ctx.nowMs) }) };
  },
};

/** A record as DynamoDB Streams shows it. */
function streamRecord(stored: ReturnType<typeof decodeRecord>, sequence: bigint, viewType: StreamViewType, region: string): Record<string, unknown> {
  return {
    eventID: stored.eventID,
    eventName: stored.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      // Seconds, rounded down (DynamoDB Streams' precision).
      ApproximateCreationDateTime: Math.floor(stored.createdAtMs / 1000),
      Keys: stored.Keys,
      ...(stored.NewImage ? { NewImage: stored.NewImage } : {}),
      ...(stored.OldImage ? { OldImage: stored.OldImage } : {}),
      SequenceNumber: sequenceNumberText(sequence),
      SizeBytes: stored.SizeBytes,
      StreamViewType: viewType,
    },
    ...(stored.userIdentity ? { userIdentity: stored.userIdentity } : {}),
  };
}
