import type { Table } from '../../dynamo/tables.js';
import { parseSequenceNumber } from '../../dynamo/streams.js';
import { encodeIterator } from '../iterators.js';
import { SHARD_ID, STREAM_ARN } from '../input.js';
import type { StreamsOperation } from '../operation.js';
import { resolveStream, shardPositions } from '../shards.js';
import { streamsError, trimmedDataAccess, validationError } from '../errors.js';

type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

interface GetShardIteratorInput {
  StreamArn: string;
  ShardId: string;
  ShardIteratorType: ShardIteratorType;
  SequenceNumber?: string;
}

const MEMBERS = [
  { name: 'StreamArn', required: true, ...STREAM_ARN },
  { name: 'ShardId', required: true, ...SHARD_ID },
  { name: 'ShardIteratorType', kind: 'string', required: true, enumValues: ['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] },
  { name: 'SequenceNumber', kind: 'string', minLength: 21, maxLength: 40 },
] as const;

/** The shard position an iterator of each type starts at. */
export const getShardIterator: StreamsOperation<GetShardIteratorInput> = {
  name: 'GetShardIterator',
  members: MEMBERS,
  readOnly: true,
  category: 'Data',
  authorization: (input) => [{ action: 'dynamodb:GetShardIterator', resource: input.StreamArn }],
  requestParameters: (input) => ({
    streamArn: input.StreamArn,
    shardId: input.ShardId,
    shardIteratorType: input.ShardIteratorType,
    ...(input.SequenceNumber !== undefined ? { sequenceNumber: input.SequenceNumber } : {}),
  }),
  async execute(input, ctx) {
    const bySequence = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' || input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER';
    // Unverified texts: DynamoDB Streams' answers for a SequenceNumber missing where it is needed, and given where it is not.
    if (bySequence && input.SequenceNumber === undefined) throw validationError(`SequenceNumber is required for ShardIteratorType ${input.ShardIteratorType}`);
    if (!bySequence && input.SequenceNumber !== undefined) throw validationError(`SequenceNumber cannot be specified for ShardIteratorType ${input.ShardIteratorType}`);
    const stream = resolveStream(ctx, input.StreamArn, ctx.nowMs);
    // Unverified text: DynamoDB Streams' answer for a shard the stream does not have.
    if (input.ShardId !== stream.shardId) throw streamsError('ResourceNotFoundException', `Requested resource not found: Shard: ${input.ShardId} in Stream: ${input.StreamArn} not found`);
    const positions = await shardPositions(ctx.engine, stream.storageId);
    let next: bigint;
    if (input.ShardIteratorType === 'TRIM_HORIZON') next = positions.firstKept;
    else if (input.ShardIteratorType === 'LATEST') next = positions.last + 1n;
    else {
      const at = sequencePosition(input.SequenceNumber!, stream.table);
      // Unverified text: DynamoDB Streams' answer for a sequence number the shard has not reached.
      if (at > positions.last) throw validationError(`Invalid SequenceNumber: ${input.SequenceNumber} is past the end of shard ${stream.shardId}`);
      if (at < positions.firstKept) throw trimmedDataAccess();
      next = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? at : at + 1n;
    }
    return { ShardIterator: encodeIterator(stream, next, ctx.nowMs) };
  },
};

function sequencePosition(text: string, table: Table): bigint {
  const position = parseSequenceNumber(text);
  // Unverified text: DynamoDB Streams' answer for a sequence number of no shard of the stream.
  if (position === undefined) throw validationError(`Invalid SequenceNumber: ${text} is not a sequence number of a stream of table ${table.name}`);
  return position;
}
