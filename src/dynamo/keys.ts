import * as nodeCrypto from 'node:crypto';
import type { AttributeValue, KeyAttribute } from './types.js';
import { encodeNumberOrderPreserving } from './numbers.js';
import { successor } from '../storage/keyspace.js';

export { successor };

/**
 * The order-preserving binary layout of DynamoDB data in the engine (every top-level tag, of
 * every module, is listed in src/storage/keyspace.ts):
 *
 *   catalog entry  00 | table name (UTF-8)
 *   item           01 | table id (8 bytes) | partition hash (16 bytes) | sort key bytes
 *   purge marker   02 | table id (8 bytes)
 *   catalog version  03   (a counter, bumped in the batch of every catalog change)
 *   catalog entry  06 | region (UTF-8) | 00 | table name      (a region other than the data's home)
 *   catalog version  07 | region (UTF-8)                       (the same, per region)
 *   client token   10 | region | 00 | ClientRequestToken (UTF-8)   (TransactWriteItems idempotency)
 *   token expiry   11 | expiry time (ms, uint64 BE) | region | 00 | token   (which tokens to remove, oldest first)
 *   collection size  08 | table id (8 bytes) | partition hash (16 bytes)   (bytes of an item
 *                  collection of a table with local indexes: uint64 BE; collectionSizes.ts)
 *   stream counter 05 | stream id (8 bytes)                    (the last sequence number allocated)
 *   stream record  05 | stream id (8 bytes) | sequence number (uint64 BE)
 *                  (the counter sorts before the stream's records: one range per stream, which a
 *                  purge marker with value 05 removes with its table)
 *   index entry    04 | index id (8 bytes) | partition hash (16 bytes) | escaped sort key, 00 00 |
 *                  table key hash (16 bytes)
 *                  (a GSI with multi-attribute keys: the partition hash covers the tuple of its
 *                  HASH values, see tuplePartitionPrefix, and each RANGE value in KeySchema order
 *                  is escaped and followed by 00 00, so the tuple sorts left to right)
 *
 * The partition key is hashed (SHA-256, truncated), as DynamoDB distributes
 * partitions by hash: it bounds the engine key (LMDB allows 1978 bytes, a
 * DynamoDB key may be 2048 + 1024) and gives Scan DynamoDB's hash order. The
 * sort key comes last, so its raw bytes sort correctly without escaping:
 * strings by UTF-8 bytes, binaries by unsigned bytes, numbers by an
 * order-preserving decimal encoding. Each created table gets a fresh random id,
 * so a table recreated under the same name never sees the old table's items.
 */
type OneShotHash = (algorithm: string, data: Buffer, outputEncoding: 'buffer') => Buffer;
// crypto.hash (Node >= 20.12) hashes without a Hash object: about half the cost per key.
const oneShotHash = (nodeCrypto as { hash?: unknown }).hash as OneShotHash | undefined;

function sha256(data: Buffer): Buffer {
  return oneShotHash ? oneShotHash('sha256', data, 'buffer') : nodeCrypto.createHash('sha256').update(data).digest();
}

const CATALOG_TAG = 0x00;
export const ITEM_TAG = 0x01;
/** 02 | table or index id: the entries of a deleted table or index still to be purged. */
const PURGE_TAG = 0x02;
export const INDEX_TAG = 0x04;
/** 08 | table id | partition hash: the size of an item collection (collectionSizes.ts). */
export const COLLECTION_TAG = 0x08;
/** 05 | stream id [| sequence number]: a stream's counter and its records (streams.ts). */
export const STREAM_TAG = 0x05;
const SEQUENCE_NUMBER_BYTES = 8;
export const TABLE_ID_BYTES = 8;
const PARTITION_HASH_BYTES = 16;
/** An item key's partition prefix: its tag, table id and partition hash. */
export const ITEM_PARTITION_PREFIX_BYTES = 1 + TABLE_ID_BYTES + PARTITION_HASH_BYTES;

/** 06 | region | 00 | name, 07 | region: the catalog of a region other than the data directory's home region. */
const REGION_CATALOG_TAG = 0x06;
const REGION_CATALOG_VERSION_TAG = 0x07;

/** Where one region's table catalog lives: its entries (one per table) and its version key. */
export interface CatalogKeys {
  entry(tableName: string): Buffer;
  range: { start: Buffer; end: Buffer };
  version: Buffer;
}

/**
 * The catalog keys of a region: the home region (the one the data directory was made for) keeps
 * the first layout (00, 03), so a directory made before several regions existed reads as it was;
 * every other region has its own prefix (a region name has no 00 byte, so prefixes never overlap).
 */
export function catalogKeys(region: string | undefined): CatalogKeys {
  if (region === undefined) return { entry: catalogKey, range: CATALOG_RANGE, version: CATALOG_VERSION_KEY };
  const prefix = Buffer.concat([Buffer.of(REGION_CATALOG_TAG), Buffer.from(region, 'utf8'), Buffer.of(0)]);
  return {
    entry: (name) => Buffer.concat([prefix, Buffer.from(name, 'utf8')]),
    range: { start: prefix, end: Buffer.concat([prefix.subarray(0, prefix.length - 1), Buffer.of(1)]) },
    version: Buffer.concat([Buffer.of(REGION_CATALOG_VERSION_TAG), Buffer.from(region, 'utf8')]),
  };
}

/** The home region's catalog range. */
export const CATALOG_RANGE = { start: Buffer.of(CATALOG_TAG), end: Buffer.of(CATALOG_TAG + 1) };

/** The home region's catalog entry of a table. */
export function catalogKey(tableName: string): Buffer {
  return Buffer.concat([Buffer.of(CATALOG_TAG), Buffer.from(tableName, 'utf8')]);
}

export function purgeMarkerKey(tableId: Buffer): Buffer {
  return Buffer.concat([Buffer.of(PURGE_TAG), tableId]);
}

export const PURGE_MARKER_RANGE = { start: Buffer.of(PURGE_TAG), end: Buffer.of(PURGE_TAG + 1) };

/**
 * 03: the catalog's version, an unsigned 64-bit big-endian counter that every catalog change
 * bumps in its own batch. Processes sharing the store compare it with the version their
 * in-memory catalog was read at, once per request, to see each other's CreateTable/DeleteTable.
 */
export const CATALOG_VERSION_KEY = Buffer.of(0x03);

export function tablePrefix(tableId: Buffer, tag = ITEM_TAG): Buffer {
  return Buffer.concat([Buffer.of(tag), tableId]);
}

/** [start, end) covering every item of a table (or, with INDEX_TAG, every entry of an index). */
export function tableRange(tableId: Buffer, tag = ITEM_TAG): { start: Buffer; end: Buffer } {
  const start = tablePrefix(tableId, tag);
  return { start, end: successor(start) };
}

/** The raw bytes of a scalar key value (numbers must already be canonical). */
export function keyValueBytes(type: KeyAttribute['type'], value: AttributeValue): Buffer {
  switch (type) {
    case 'S':
      return Buffer.from((value as { S: string }).S, 'utf8');
    case 'B':
      return Buffer.from((value as { B: string }).B, 'base64');
    case 'N':
      return Buffer.from((value as { N: string }).N, 'latin1');
  }
}

export function sortKeyBytes(type: KeyAttribute['type'], value: AttributeValue): Buffer {
  return type === 'N' ? encodeNumberOrderPreserving((value as { N: string }).N) : keyValueBytes(type, value);
}

export function partitionPrefix(tableId: Buffer, hashKey: KeyAttribute, value: AttributeValue, tag = ITEM_TAG): Buffer {
  const digest = sha256(keyValueBytes(hashKey.type, value));
  const out = Buffer.allocUnsafe(1 + TABLE_ID_BYTES + PARTITION_HASH_BYTES);
  out[0] = tag;
  tableId.copy(out, 1);
  digest.copy(out, 1 + TABLE_ID_BYTES, 0, PARTITION_HASH_BYTES);
  return out;
}

/**
 * The partition prefix of a multi-attribute partition key (a GSI's up to four HASH attributes):
 * the hash covers each value as its type, its length (uint32 BE) and its bytes, so the encoding
 * of the tuple is self-delimiting — ("ab", "c") and ("a", "bc") hash differently. One attribute
 * hashes as `partitionPrefix` does, so single-attribute entries keep their layout.
 */
export function tuplePartitionPrefix(storageId: Buffer, keys: readonly KeyAttribute[], values: readonly AttributeValue[], tag: number): Buffer {
  if (keys.length === 1) return partitionPrefix(storageId, keys[0], values[0], tag);
  const parts: Buffer[] = [];
  keys.forEach((key, i) => {
    const bytes = keyValueBytes(key.type, values[i]);
    const header = Buffer.alloc(5);
    header.write(key.type, 0, 'latin1');
    header.writeUInt32BE(bytes.length, 1);
    parts.push(header, bytes);
  });
  const digest = sha256(Buffer.concat(parts));
  const out = Buffer.allocUnsafe(1 + TABLE_ID_BYTES + PARTITION_HASH_BYTES);
  out[0] = tag;
  storageId.copy(out, 1);
  digest.copy(out, 1 + TABLE_ID_BYTES, 0, PARTITION_HASH_BYTES);
  return out;
}

export function itemKey(
  tableId: Buffer,
  hashKey: KeyAttribute,
  hashValue: AttributeValue,
  rangeKey: KeyAttribute | undefined,
  rangeValue: AttributeValue | undefined,
): Buffer {
  const prefix = partitionPrefix(tableId, hashKey, hashValue);
  if (!rangeKey || !rangeValue) return prefix;
  return Buffer.concat([prefix, sortKeyBytes(rangeKey.type, rangeValue)]);
}

/** 10 | token: a TransactWriteItems ClientRequestToken, kept for the idempotency window. */
const CLIENT_TOKEN_TAG = 0x10;
/** 11 | expiry | token: the same token ordered by its expiry, so that expired ones are found without a scan. */
const TOKEN_EXPIRY_TAG = 0x11;
const EXPIRY_BYTES = 8;

export function clientTokenKey(token: string): Buffer {
  return Buffer.concat([Buffer.of(CLIENT_TOKEN_TAG), Buffer.from(token, 'utf8')]);
}

export function tokenExpiryKey(expiresAtMs: number, token: string): Buffer {
  const out = Buffer.alloc(1 + EXPIRY_BYTES);
  out[0] = TOKEN_EXPIRY_TAG;
  out.writeBigUInt64BE(BigInt(expiresAtMs), 1);
  return Buffer.concat([out, Buffer.from(token, 'utf8')]);
}

/** The token of an expiry key. */
export function tokenOfExpiryKey(key: Buffer): string {
  return key.toString('utf8', 1 + EXPIRY_BYTES);
}

/** [start, end) of the expiry keys of every token expired at `nowMs`. */
export function expiredTokensRange(nowMs: number): { start: Buffer; end: Buffer } {
  return { start: Buffer.of(TOKEN_EXPIRY_TAG), end: tokenExpiryKey(nowMs + 1, '') };
}

/**
 * Index entries are not unique by index key, so the table key follows the sort key; for the sort
 * key to keep its order with something after it, it is escaped: 00 becomes 00 FF and 00 00 ends
 * it (a shorter value sorts first, as raw bytes do). Escaping is per byte, so the escaped form of
 * a prefix is a prefix of the escaped form (begins_with is a prefix range).
 */
export function escapeSortBytes(raw: Buffer): Buffer {
  let zeros = 0;
  for (const byte of raw) if (byte === 0) zeros++;
  if (zeros === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + zeros);
  let at = 0;
  for (const byte of raw) {
    out[at++] = byte;
    if (byte === 0) out[at++] = 0xff;
  }
  return out;
}

export const SORT_TERMINATOR = Buffer.of(0, 0);
/** Sorts after every entry whose escaped sort key ends where a bound ends. */
export const SORT_PAST_TERMINATOR = Buffer.of(0, 1);
export const TABLE_KEY_HASH_BYTES = 16;

/** A fixed-length stand-in for an item's table key, unique per item, to end an index entry's key. */
export function tableKeyHash(tableStorageKey: Buffer): Buffer {
  return sha256(tableStorageKey).subarray(0, TABLE_KEY_HASH_BYTES);
}

/** A stream's counter: the last sequence number allocated, uint64 BE (absent: none yet). */
export function streamCounterKey(streamId: Buffer): Buffer {
  return tablePrefix(streamId, STREAM_TAG);
}

export function streamRecordKey(streamId: Buffer, sequenceNumber: bigint): Buffer {
  const out = Buffer.allocUnsafe(1 + TABLE_ID_BYTES + SEQUENCE_NUMBER_BYTES);
  out[0] = STREAM_TAG;
  streamId.copy(out, 1);
  out.writeBigUInt64BE(sequenceNumber, 1 + TABLE_ID_BYTES);
  return out;
}

export function sequenceNumberOfRecordKey(key: Buffer): bigint {
  return key.readBigUInt64BE(1 + TABLE_ID_BYTES);
}

/** [start, end) of a stream's records from `fromSequence` on. */
export function streamRecordsRange(streamId: Buffer, fromSequence: bigint): { start: Buffer; end: Buffer } {
  return { start: streamRecordKey(streamId, fromSequence), end: successor(tablePrefix(streamId, STREAM_TAG)) };
}

/** The regions other than the home one that have a catalog in the engine (what `cove reset` empties). */
export async function catalogRegionsIn(range: (bounds: { start: Buffer; end: Buffer }) => Iterable<{ key: Buffer }> | AsyncIterable<{ key: Buffer }>): Promise<string[]> {
  const regions = new Set<string>();
  for await (const { key } of range({ start: Buffer.of(REGION_CATALOG_TAG), end: Buffer.of(REGION_CATALOG_TAG + 1) })) {
    const end = key.indexOf(0, 1);
    if (end > 1) regions.add(key.subarray(1, end).toString('utf8'));
  }
  return [...regions];
}
