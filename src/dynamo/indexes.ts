import { MAX_ENGINE_KEY_BYTES, type DerivedWrite } from '../storage/engine.js';
import { validationError } from './errors.js';
import { decodeItem, encodeItem, storedItemSize } from './items.js';
import { itemSizeBytes } from './attributeValue.js';
import { LIMITS } from './limits.js';
import { escapeSortBytes, INDEX_TAG, keyValueBytes, partitionPrefix, SORT_TERMINATOR, sortKeyBytes, tableKeyHash, tuplePartitionPrefix } from './keys.js';
import type { AttributeValue, Item, KeyAttribute } from './types.js';

export type ProjectionType = 'ALL' | 'KEYS_ONLY' | 'INCLUDE';

/** A secondary index as the write and read paths use it, resolved once from the table's record. */
export interface SecondaryIndex {
  name: string;
  kind: 'local' | 'global';
  arn: string;
  storageId: Buffer;
  /** The HASH attributes in KeySchema order: one, or up to four for a GSI's multi-attribute key. */
  partitionKeys: readonly KeyAttribute[];
  /** The RANGE attributes in KeySchema order: none, one, or up to four for a GSI. */
  sortKeys: readonly KeyAttribute[];
  /** partitionKeys then sortKeys. */
  keyAttributes: readonly KeyAttribute[];
  projectionType: ProjectionType;
  /** The attributes an entry carries besides the keys (INCLUDE); every attribute for ALL. */
  nonKeyAttributes: ReadonlySet<string>;
  /** The table's key attributes: every entry carries them. */
  tableKeys: readonly KeyAttribute[];
  /**
   * False while a global index added by UpdateTable is being backfilled (IndexStatus CREATING):
   * writes keep its entries, but Query and Scan on it are refused until the backfill is done.
   */
  readable: boolean;
}

/**
 * The engine key of an item's entry in the index, or undefined when the item is not in it
 * (sparse: every key attribute must be there, with its declared type). Each sort value is
 * escaped and terminated, so a prefix of the sort tuple is a key prefix (reads.ts).
 */
export function indexEntryKey(index: SecondaryIndex, item: Item, tableStorageKey: Buffer): Buffer | undefined {
  if (index.partitionKeys.length === 1 && index.sortKeys.length <= 1) return singleEntryKey(index, item, tableStorageKey);
  const values: AttributeValue[] = [];
  for (const key of index.keyAttributes) {
    const value = attributeOf(item, key.name);
    if (value === undefined || typeOf(value) !== key.type) return undefined;
    values.push(value);
  }
  const partitionCount = index.partitionKeys.length;
  const parts = [tuplePartitionPrefix(index.storageId, index.partitionKeys, values.slice(0, partitionCount), INDEX_TAG)];
  index.sortKeys.forEach((key, i) => parts.push(escapeSortBytes(sortKeyBytes(key.type, values[partitionCount + i])), SORT_TERMINATOR));
  parts.push(tableKeyHash(tableStorageKey));
  return Buffer.concat(parts);
}

/** indexEntryKey of a single-attribute partition key and at most one sort key: the hot path, without the tuple's arrays. */
function singleEntryKey(index: SecondaryIndex, item: Item, tableStorageKey: Buffer): Buffer | undefined {
  const hashKey = index.partitionKeys[0];
  const hashValue = attributeOf(item, hashKey.name);
  if (hashValue === undefined || typeOf(hashValue) !== hashKey.type) return undefined;
  const parts = [partitionPrefix(index.storageId, hashKey, hashValue, INDEX_TAG)];
  const rangeKey = index.sortKeys[0];
  if (rangeKey) {
    const rangeValue = attributeOf(item, rangeKey.name);
    if (rangeValue === undefined || typeOf(rangeValue) !== rangeKey.type) return undefined;
    parts.push(escapeSortBytes(sortKeyBytes(rangeKey.type, rangeValue)), SORT_TERMINATOR);
  }
  parts.push(tableKeyHash(tableStorageKey));
  return Buffer.concat(parts);
}

/** The item as the index holds it: its keys and the projected attributes. */
export function projectedItem(index: SecondaryIndex, item: Item): Item {
  if (index.projectionType === 'ALL') return item;
  const out: Item = Object.create(null) as Item;
  for (const key of [...index.tableKeys, ...index.keyAttributes]) {
    if (Object.hasOwn(item, key.name)) out[key.name] = item[key.name];
  }
  for (const name of index.nonKeyAttributes) if (Object.hasOwn(item, name)) out[name] = item[name];
  return out;
}

/** The size the item's entry has in the index (what `storedItemSize` reads of `encodeEntry`'s bytes), without encoding it. */
export function entrySizeBytes(index: SecondaryIndex, item: Item, itemSize: number): number {
  return index.projectionType === 'ALL' ? itemSize : itemSizeBytes(projectedItem(index, item));
}

/** The stored entry: the projected item in the item format (its size, then its text). */
export function encodeEntry(index: SecondaryIndex, item: Item, itemSize: number): Buffer {
  if (index.projectionType === 'ALL') return encodeItem(item, itemSize);
  const projected = projectedItem(index, item);
  return encodeItem(projected, itemSizeBytes(projected));
}

function typeOf(value: AttributeValue): string {
  return Object.keys(value)[0];
}

/**
 * DynamoDB refuses a write whose item carries an index key attribute of another type than the
 * index declares, or an empty string or binary there; an absent attribute only keeps the item out.
 */
export function checkIndexKeys(indexes: readonly SecondaryIndex[], item: Item): void {
  for (const index of indexes) {
    for (const key of index.keyAttributes) {
      const value = attributeOf(item, key.name);
      if (value === undefined) continue;
      const actual = typeOf(value);
      if (actual !== key.type) {
        throw validationError(`One or more parameter values were invalid: Type mismatch for Index Key ${key.name} Expected: ${key.type} Actual: ${actual} IndexName: ${index.name}`);
      }
      if (key.type !== 'N' && keyValueBytes(key.type, value).length === 0) {
        // Unverified text: DynamoDB's answer for an empty string or binary as a secondary index key.
        throw validationError(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${key.type === 'S' ? 'string' : 'binary'} value. IndexName: ${index.name}, IndexKey: ${key.name}`);
      }
      if (!withinKeySizeLimit(index, key, value)) {
        // Unverified text: DynamoDB's answer for a secondary index key value over the key size limits.
        throw validationError(`One or more parameter values were invalid: Size of index key ${key.name} has exceeded the maximum size limit of ${isPartitionKey(index, key) ? LIMITS.maxPartitionKeyBytes : LIMITS.maxSortKeyBytes} bytes IndexName: ${index.name}`);
      }
    }
  }
}

/**
 * The entry a backfill writes for an item already stored (its engine key and stored bytes), or
 * undefined. The backfill skips what a write would refuse — DynamoDB leaves such items out of
 * the new index instead of failing its creation: a key attribute of another type, an empty string
 * or binary, a value over DynamoDB's key size limits; and what the engine cannot store as a key.
 */
export function backfillEntry(index: SecondaryIndex, storageKey: Buffer, stored: Buffer): DerivedWrite | undefined {
  const item = decodeItem(stored);
  const entryKey = storedEntryKey(index, item, storageKey);
  if (entryKey === undefined || entryKey === TOO_LONG) return undefined;
  return { key: entryKey, value: encodeEntry(index, item, storedItemSize(stored)) };
}

/** An entry key longer than every engine takes (an index sort key of many zero bytes). */
export const TOO_LONG = 'too long';

/**
 * The engine key of the item's entry as cove stores entries — the one rule writes and the backfill
 * share, so a write always finds the entry an earlier write or the backfill left: undefined when
 * the item is not in the index (a key attribute absent or of another type, or a value a write
 * would refuse: empty, or over DynamoDB's key size limits), TOO_LONG when no engine could store it.
 */
export function storedEntryKey(index: SecondaryIndex, item: Item, storageKey: Buffer): Buffer | typeof TOO_LONG | undefined {
  for (const key of index.keyAttributes) {
    const value = attributeOf(item, key.name);
    if (value === undefined || typeOf(value) !== key.type) return undefined;
    if ((key.type !== 'N' && keyValueBytes(key.type, value).length === 0) || !withinKeySizeLimit(index, key, value)) return undefined;
  }
  const entryKey = indexEntryKey(index, item, storageKey);
  if (entryKey === undefined) return undefined;
  return entryKey.length > MAX_ENGINE_KEY_BYTES ? TOO_LONG : entryKey;
}

function isPartitionKey(index: SecondaryIndex, key: KeyAttribute): boolean {
  return index.partitionKeys.includes(key);
}

function withinKeySizeLimit(index: SecondaryIndex, key: KeyAttribute, value: AttributeValue): boolean {
  return keyValueBytes(key.type, value).length <= (isPartitionKey(index, key) ? LIMITS.maxPartitionKeyBytes : LIMITS.maxSortKeyBytes);
}

/** An item's own attribute: attribute names are the user's, and `constructor` must not read Object's. */
function attributeOf(item: Item, name: string): AttributeValue | undefined {
  return Object.hasOwn(item, name) ? item[name] : undefined;
}
