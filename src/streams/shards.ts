/**
 * A stream as the Streams API sees it: found by its ARN in the table catalog (a table's record
 * lists its streams), with one shard for its whole life, whose positions are the stream's
 * sequence numbers: records are dense from the oldest kept to the counter (streams.ts), so the
 * shard's range is [first kept, counter] and a position below the first kept was trimmed.
 */
import { createHmac } from 'node:crypto';
import type { StorageEngine } from '../storage/engine.js';
import { sequenceNumberOfRecordKey, streamCounterKey, streamRecordsRange } from '../dynamo/keys.js';
import { LIMITS } from '../dynamo/limits.js';
import { readCounter, streamArn, type StreamInfo } from '../dynamo/streams.js';
import type { Table, TableCatalog } from '../dynamo/tables.js';
import { tableArn } from '../dynamo/operation.js';
import { streamNotFound, validationError } from './errors.js';

export interface ResolvedStream {
  arn: string;
  table: Table;
  stream: StreamInfo;
  storageId: Buffer;
  shardId: string;
}

const STREAM_ARN = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})\/stream\/(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$/;

/** The table name and label a stream ARN names, or a ValidationException (unverified text) for one that is not a stream ARN. */
export function parseStreamArn(arn: string): { region: string; accountId: string; tableName: string; label: string } {
  const match = STREAM_ARN.exec(arn);
  // Unverified text: DynamoDB Streams answers a malformed StreamArn with a ValidationException (Alternator's conformance tests check the code only).
  if (!match) throw validationError(`Invalid StreamArn: ${arn}`);
  return { region: match[1], accountId: match[2], tableName: match[3], label: match[4] };
}

/** A disabled stream stays listed and readable as long as its records are kept. */
export function isVisible(stream: StreamInfo, nowMs: number): boolean {
  return stream.disabledAtMs === undefined || stream.disabledAtMs > nowMs - LIMITS.streamRecordRetentionMs;
}

export function resolveStream(ctx: { catalog: TableCatalog; region: string; accountId: string }, arn: string, nowMs: number): ResolvedStream {
  const parsed = parseStreamArn(arn);
  const table = parsed.region === ctx.region && parsed.accountId === ctx.accountId ? ctx.catalog.get(parsed.tableName) : undefined;
  const stream = table?.record.settings?.streams?.find((candidate) => candidate.label === parsed.label);
  if (!table || !stream || !isVisible(stream, nowMs)) throw streamNotFound(arn);
  return { arn, table, stream, storageId: Buffer.from(stream.storageId, 'hex'), shardId: shardIdOf(stream) };
}

/** The ARN of each of a table's visible streams. */
export function streamArnsOf(ctx: { region: string; accountId: string }, table: Table, nowMs: number): { arn: string; stream: StreamInfo }[] {
  const streams = table.record.settings?.streams ?? [];
  return streams.filter((stream) => isVisible(stream, nowMs)).map((stream) => ({ arn: streamArn(tableArn(ctx, table.name), stream.label), stream }));
}

/** The stream's one shard: DynamoDB's shape (`shardId-<20 digits>-<8 hex>`), from its creation time and id. */
export function shardIdOf(stream: StreamInfo): string {
  return `shardId-${String(stream.createdAtMs).padStart(20, '0')}-${stream.storageId.slice(0, 8)}`;
}

export interface ShardPositions {
  /** The sequence number of the oldest record kept (counter + 1 when none is). */
  firstKept: bigint;
  /** The last sequence number allocated (0 before the first record). */
  last: bigint;
}

/** Read from one snapshot (the engine's reads are synchronous within a turn; see StorageEngine.getMany). */
export async function shardPositions(engine: StorageEngine, storageId: Buffer): Promise<ShardPositions> {
  const last = readCounter(await engine.get(streamCounterKey(storageId)));
  for await (const { key } of engine.range({ ...streamRecordsRange(storageId, 1n), limit: 1 })) return { firstKept: sequenceNumberOfRecordKey(key), last };
  return { firstKept: last + 1n, last };
}

/** A tag keyed by the stream's storage id, which never leaves cove: an iterator's position and time cannot be forged. */
export function iteratorTag(storageId: Buffer, text: string): string {
  return createHmac('sha256', storageId).update(text).digest('base64url').slice(0, 22);
}
