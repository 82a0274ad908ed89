import type { StorageEngine } from '../storage/engine.js';
import { validationError } from './errors.js';
import { normalizeItem } from './attributeValue.js';
import { checkKey, StoredItem, storageKeyOf } from './items.js';
import { successor, tablePrefix } from './keys.js';
import type { Table } from './tables.js';
import type { Item } from './types.js';
import { LIMITS } from './limits.js';

export interface KeyRange {
  /** Inclusive. */
  start: Buffer;
  /** Exclusive. */
  end: Buffer;
}

export interface PageRequest {
  table: Table;
  range: KeyRange;
  reverse: boolean;
  /** Items to read (before the filter), as DynamoDB's Limit counts them. */
  limit: number | undefined;
  filter?: (item: Item) => boolean;
}

export interface Page {
  /** Items read that passed the filter, in read order (parsed only where the filter needed it). */
  items: StoredItem[];
  scannedCount: number;
  /** Item bytes read, as capacity is charged (before the filter). */
  bytesRead: number;
  lastEvaluatedKey?: Item;
}

export function keyOf(table: Table, item: Item): Item {
  const key: Item = { [table.hashKey.name]: item[table.hashKey.name] };
  if (table.rangeKey) key[table.rangeKey.name] = item[table.rangeKey.name];
  return key;
}

/**
 * Reads one page: stops at Limit items or once 1 MB has been read, and then
 * names the last item read as LastEvaluatedKey (DynamoDB does not look ahead,
 * so a page that ends exactly at the last item still carries one).
 */
export async function readPage(engine: StorageEngine, request: PageRequest): Promise<Page> {
  const { table, range, reverse, limit, filter } = request;
  const items: StoredItem[] = [];
  let scannedCount = 0;
  let bytesRead = 0;
  if (range.start.compare(range.end) >= 0) return { items, scannedCount, bytesRead };
  for await (const { value } of engine.range({ start: range.start, end: range.end, reverse })) {
    const stored = new StoredItem(value);
    scannedCount++;
    bytesRead += stored.sizeBytes;
    if (!filter || filter(stored.item)) items.push(stored);
    if ((limit !== undefined && scannedCount >= limit) || bytesRead >= LIMITS.maxPageReadBytes) {
      return { items, scannedCount, bytesRead, lastEvaluatedKey: keyOf(table, stored.item) };
    }
  }
  return { items, scannedCount, bytesRead };
}

/** The storage key of an ExclusiveStartKey, checked against the table's key schema. */
export function startKeyOf(table: Table, exclusiveStartKey: unknown): Buffer {
  const key = normalizeItem(exclusiveStartKey);
  try {
    checkKey(table, key);
  } catch (error) {
    throw validationError(`The provided starting key is invalid: ${(error as Error).message}`);
  }
  return storageKeyOf(table, key);
}

export function rangeContains(range: KeyRange, key: Buffer): boolean {
  return key.compare(range.start) >= 0 && key.compare(range.end) < 0;
}

/** Narrows a range to what follows the start key (a storage key) in the read direction. */
export function resumeAfter(range: KeyRange, startKey: Buffer | undefined, reverse: boolean): KeyRange {
  if (startKey === undefined) return range;
  if (reverse) return { start: range.start, end: startKey.compare(range.end) < 0 ? startKey : range.end };
  const after = Buffer.concat([startKey, Buffer.of(0)]);
  return { start: after.compare(range.start) > 0 ? after : range.start, end: range.end };
}

const HASH_SPACE = 2 ** 32;

/**
 * Parallel scan: segment i of n owns partition hashes in [i·2³²/n, (i+1)·2³²/n),
 * so the segments cover every item exactly once.
 */
export function segmentRange(table: Table, segment: number, totalSegments: number): KeyRange {
  const prefix = tablePrefix(table.storageId);
  const boundary = (index: number): Buffer => {
    const point = Buffer.alloc(4);
    point.writeUInt32BE(Math.floor((index * HASH_SPACE) / totalSegments));
    return Buffer.concat([prefix, point]);
  };
  return {
    start: segment === 0 ? prefix : boundary(segment),
    end: segment === totalSegments - 1 ? successor(prefix) : boundary(segment + 1),
  };
}
