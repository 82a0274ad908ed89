/**
 * Shard iterators: opaque tokens naming a stream, the next sequence number to read and when the
 * iterator was issued, tagged with a MAC keyed by the stream's storage id (shards.ts), so any
 * serving process sharing the store can check one. Valid LIMITS.shardIteratorLifetimeMs.
 */
import { LIMITS } from '../dynamo/limits.js';
import { streamsError, validationError } from './errors.js';
import { iteratorTag, type ResolvedStream } from './shards.js';

export interface ShardIterator {
  arn: string;
  /** The next sequence number to read. */
  next: bigint;
  issuedAtMs: number;
  tag: string;
}

// Unverified text: DynamoDB Streams' answer for a ShardIterator it did not issue.
const invalidIterator = () => validationError('Invalid ShardIterator');

export function encodeIterator(stream: ResolvedStream, next: bigint, issuedAtMs: number): string {
  const text = `${stream.arn}|${next}|${issuedAtMs}`;
  return Buffer.from(`${text}|${iteratorTag(stream.storageId, text)}`, 'utf8').toString('base64url');
}

/** The iterator's parts, before its stream is looked up (GetRecords is authorized on that stream). */
export function parseIterator(token: string): ShardIterator {
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('|');
  if (parts.length !== 4 || !/^\d+$/.test(parts[1]) || !/^\d+$/.test(parts[2])) throw invalidIterator();
  return { arn: parts[0], next: BigInt(parts[1]), issuedAtMs: Number(parts[2]), tag: parts[3] };
}

/** The iterator's tag is its stream's, and it is not older than its lifetime. */
export function checkIterator(iterator: ShardIterator, stream: ResolvedStream, nowMs: number): void {
  if (iteratorTag(stream.storageId, `${iterator.arn}|${iterator.next}|${iterator.issuedAtMs}`) !== iterator.tag) throw invalidIterator();
  const ageMs = nowMs - iterator.issuedAtMs;
  if (ageMs > LIMITS.shardIteratorLifetimeMs) {
    // Unverified text: Kinesis's wording (DynamoDB Streams' shard iterators share its 15-minute lifetime).
    throw streamsError(
      'ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${new Date(iterator.issuedAtMs).toUTCString()} while right now it is ${new Date(nowMs).toUTCString()} which is further in the future than the tolerated delay of ${LIMITS.shardIteratorLifetimeMs} milliseconds.`,
    );
  }
}
