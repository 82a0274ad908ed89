import type { StreamsOperation } from '../operation.js';
import { describeStream } from './describeStream.js';
import { getRecords } from './getRecords.js';
import { getShardIterator } from './getShardIterator.js';
import { listStreams } from './listStreams.js';

/** DynamoDB Streams' operations by name (a Map: the name comes from the request). */
export const STREAMS_OPERATIONS: ReadonlyMap<string, StreamsOperation<Record<string, unknown>>> = new Map(
  [listStreams, describeStream, getShardIterator, getRecords].map((operation) => [operation.name, operation as unknown as StreamsOperation<Record<string, unknown>>]),
);
