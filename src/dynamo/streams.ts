/**
 * DynamoDB Streams, the capture side: a table's streams (in its record's settings), and the
 * records every committed item change of a table with an enabled stream writes, in the item
 * write's own engine batch (writes.ts). The Streams API that reads them is `src/streams/`.
 *
 * Sequence numbers: each stream has a counter key (keys.ts, `05 | stream id`) holding the last
 * sequence number allocated. A batch that changes items of a streamed table carries, after its
 * item ops, one op per stream on that counter: its value function — run after every item op's
 * value function, so every change's old and new value is known — allocates one number per change
 * that changed something, in op order, and its derive writes the records under
 * `05 | stream id | sequence number`. LMDB serializes write transactions across the processes
 * sharing the store, so numbers rise in commit order per stream, without gaps; an engine that
 * retried the transaction would rerun the counter's value function on the counter's value of the
 * retry, and the derive reads what that same run allocated (engine.ts).
 */
import { randomBytes } from 'node:crypto';
import type { DerivedWrite, WriteOp } from '../storage/engine.js';
import type { AwsError } from '../errors.js';
import { itemJson, storedItemSize } from './items.js';
import { itemSizeBytes } from './attributeValue.js';
import { streamCounterKey, streamRecordKey } from './keys.js';
import type { Item } from './types.js';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
export const STREAM_VIEW_TYPES: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

/** One stream a table has had (its record's `settings.streams`, oldest first): the enabled one has no `disabledAtMs`. */
export interface StreamInfo {
  /** DynamoDB's StreamLabel: the creation time, `YYYY-MM-DDThh:mm:ss.sss`, unique per table. */
  label: string;
  /** Hex, TABLE_ID_BYTES long: its keys' prefix. */
  storageId: string;
  viewType: StreamViewType;
  createdAtMs: number;
  disabledAtMs?: number;
}

/** A table's enabled stream, as the write path uses it. */
export interface TableStream {
  storageId: Buffer;
  viewType: StreamViewType;
}

export function enabledStream(streams: readonly StreamInfo[] | undefined): StreamInfo | undefined {
  const last = streams?.at(-1);
  return last && last.disabledAtMs === undefined ? last : undefined;
}

export function streamArn(tableArn: string, label: string): string {
  return `${tableArn}/stream/${label}`;
}

/** DynamoDB's StreamLabel of a stream created at `atMs`: `YYYY-MM-DDThh:mm:ss.sss` (UTC). */
export function streamLabelAt(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, -1);
}

/**
 * DynamoDB shows sequence numbers as decimal strings of 21 or more digits that rise; cove's are
 * 10^20 + n, exactly 21 digits for every n a uint64 counter reaches before 10^20.
 */
const SEQUENCE_BASE = 10n ** 20n;

export function sequenceNumberText(sequence: bigint): string {
  return (SEQUENCE_BASE + sequence).toString();
}

/** The counter value a shown sequence number stands for, or undefined for one cove never shows. */
export function parseSequenceNumber(text: string): bigint | undefined {
  if (!/^\d{21}$/.test(text)) return undefined;
  const sequence = BigInt(text) - SEQUENCE_BASE;
  return sequence > 0n ? sequence : undefined;
}

export function readCounter(value: Buffer | undefined): bigint {
  return value && value.length === 8 ? value.readBigUInt64BE(0) : 0n;
}

/** What the write path hands the capture for one change of a streamed table. */
export interface CapturedChange {
  /** The item's key attributes (only they are read). */
  readonly keys: Item;
  /** The change was made by time to live (its record names the service as the user). */
  readonly byTimeToLive: boolean;
  /** Set by the item op's value function in each run: the value it found and the one it wrote (undefined: left). */
  found: Buffer | undefined;
  written: Buffer | null | undefined;
  /** Set by the counter's value function in the same run: the change's sequence number, or 0n for none. */
  sequence: bigint;
}

/** A write that changed nothing emits nothing: a delete of a missing item, an unchanged item, a put of the same bytes. */
function changedSomething(change: CapturedChange): boolean {
  const { found, written } = change;
  if (written === undefined) return false;
  if (written === null) return found !== undefined;
  return found === undefined || !found.equals(written);
}

/**
 * The op on a stream's counter that allocates the sequence numbers of `changes` (in op order) and
 * derives their records. Place it after the changes' item ops: its value function reads what
 * theirs recorded in the same run.
 */
export function streamCaptureOp(stream: TableStream, changes: readonly CapturedChange[]): WriteOp<AwsError> {
  return {
    key: streamCounterKey(stream.storageId),
    value: (current) => {
      let sequence = readCounter(current);
      const first = sequence;
      for (const change of changes) change.sequence = changedSomething(change) ? ++sequence : 0n;
      if (sequence === first) return undefined;
      const next = Buffer.allocUnsafe(8);
      next.writeBigUInt64BE(sequence);
      return next;
    },
    derive: () => {
      const nowMs = Date.now();
      const writes: DerivedWrite[] = [];
      for (const change of changes) if (change.sequence > 0n) writes.push({ key: streamRecordKey(stream.storageId, change.sequence), value: encodeRecord(stream.viewType, change, nowMs) });
      return writes;
    },
  };
}

/** Lambda's event shows it as {type, principalId}; the Streams API's model names the members PrincipalId and Type. */
const TIME_TO_LIVE_IDENTITY = '{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"}';
const TIME_BYTES = 8;

/**
 * A stored record: its creation time (ms, uint64 BE, which trimming reads without parsing), then
 * the JSON text of what GetRecords shows and the key does not say, images spliced in as stored.
 */
function encodeRecord(viewType: StreamViewType, change: CapturedChange, nowMs: number): Buffer {
  const { found, written } = change;
  const eventName = found === undefined ? 'INSERT' : written === null ? 'REMOVE' : 'MODIFY';
  const keysJson = JSON.stringify(change.keys);
  let sizeBytes = itemSizeBytes(change.keys);
  let json = `{"eventID":"${randomBytes(16).toString('hex')}","eventName":"${eventName}","Keys":${keysJson}`;
  if (written && (viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
    json += `,"NewImage":${itemJson(written)}`;
    sizeBytes += storedItemSize(written);
  }
  if (found && (viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
    json += `,"OldImage":${itemJson(found)}`;
    sizeBytes += storedItemSize(found);
  }
  json += `,"SizeBytes":${sizeBytes}${change.byTimeToLive ? `,"userIdentity":${TIME_TO_LIVE_IDENTITY}` : ''}}`;
  const text = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(TIME_BYTES + text.length);
  out.writeBigUInt64BE(BigInt(nowMs), 0);
  text.copy(out, TIME_BYTES);
  return out;
}

/** What a stored record holds besides its sequence number. */
export interface StoredRecord {
  createdAtMs: number;
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  Keys: Item;
  NewImage?: Item;
  OldImage?: Item;
  SizeBytes: number;
  userIdentity?: { PrincipalId: string; Type: string };
}

export function recordTimeMs(value: Buffer): number {
  return Number(value.readBigUInt64BE(0));
}

export function decodeRecord(value: Buffer): StoredRecord {
  return { createdAtMs: recordTimeMs(value), ...(JSON.parse(value.toString('utf8', TIME_BYTES)) as Omit<StoredRecord, 'createdAtMs'>) };
}
