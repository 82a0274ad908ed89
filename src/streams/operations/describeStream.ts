import { LIMITS } from '../../dynamo/limits.js';
import type { StreamsOperation } from '../operation.js';
import { sequenceNumberText } from '../../dynamo/streams.js';
import { SHARD_ID, STREAM_ARN } from '../input.js';
import { resolveStream, shardPositions } from '../shards.js';

interface DescribeStreamInput {
  StreamArn: string;
  Limit?: number;
  ExclusiveStartShardId?: string;
}

const MEMBERS = [
  { name: 'StreamArn', required: true, ...STREAM_ARN },
  { name: 'Limit', kind: 'integer', min: 1, max: LIMITS.maxDescribeStreamLimit },
  { name: 'ExclusiveStartShardId', ...SHARD_ID },
] as const;

/**
 * The stream and its one shard: its range starts at the oldest record kept and, once the stream
 * is disabled (no record can follow), ends at its last.
 */
export const describeStream: StreamsOperation<DescribeStreamInput> = {
  name: 'DescribeStream',
  members: MEMBERS,
  readOnly: true,
  category: 'Management',
  authorization: (input) => [{ action: 'dynamodb:DescribeStream', resource: input.StreamArn }],
  requestParameters: (input) => ({ streamArn: input.StreamArn, ...(input.ExclusiveStartShardId !== undefined ? { exclusiveStartShardId: input.ExclusiveStartShardId } : {}) }),
  async execute(input, ctx) {
    const resolved = resolveStream(ctx, input.StreamArn, ctx.nowMs);
    const { stream, table } = resolved;
    const positions = await shardPositions(ctx.engine, resolved.storageId);
    const disabled = stream.disabledAtMs !== undefined;
    const shard = {
      ShardId: resolved.shardId,
      SequenceNumberRange: {
        StartingSequenceNumber: sequenceNumberText(positions.firstKept),
        ...(disabled ? { EndingSequenceNumber: sequenceNumberText(positions.last) } : {}),
      },
    };
    // Shards after the one given: the stream has one, so none after it (DynamoDB answers an unknown id with no shards too).
    const shards = input.ExclusiveStartShardId === undefined ? [shard] : [];
    return {
      StreamDescription: {
        StreamArn: resolved.arn,
        StreamLabel: stream.label,
        StreamStatus: disabled ? 'DISABLED' : 'ENABLED',
        StreamViewType: stream.viewType,
        CreationRequestDateTime: stream.createdAtMs / 1000,
        TableName: table.name,
        KeySchema: table.record.description.KeySchema,
        Shards: shards,
      },
    };
  },
};

