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
    const value = item[key.name];
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
  const hashValue = item[hashKey.name];
  if (hashValue === undefined || typeOf(hashValue) !== hashKey.type) return undefined;
  const parts = [partitionPrefix(index.storageId, hashKey, hashValue, INDEX_TAG)];
  const rangeKey = index.sortKeys[0];
  if (rangeKey) {
    const rangeValue = item[rangeKey.name];
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
    if (item[key.name] !== undefined) out[key.name] = item[key.name];
  }
  for (const name of index.nonKeyAttributes) if (Object.hasOwn(item, name)) out[name] = item[name];
  return out;
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
      const value = item[key.name];
      if (value === undefined) continue;
      const actual = typeOf(value);
      if (actual !== key.type) {
        throw validationError(`One or more parameter values were invalid: Type mismatch for Index Key ${key.name} Expected: ${key.type} Actual: ${actual} IndexName: ${index.name}`);
      }
      if (key.type !== 'N' && keyValueBytes(key.type, value).length === 0) {
        // Unverified text: DynamoDB's answer for an empty string or binary as a secondary index key.
        throw validationError(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${key.type === 'S' ? 'string' : 'binary'} value. IndexName: ${index.name}, IndexKey: ${key.name}`);
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
  const limits = [...index.partitionKeys.map((key) => [key, LIMITS.maxPartitionKeyBytes] as const), ...index.sortKeys.map((key) => [key, LIMITS.maxSortKeyBytes] as const)];
  for (const [key, maxBytes] of limits) {
    const value = item[key.name];
    if (value === undefined || typeOf(value) !== key.type) continue;
    const bytes = keyValueBytes(key.type, value).length;
    if ((key.type !== 'N' && bytes === 0) || bytes > maxBytes) return undefined;
  }
  const entryKey = indexEntryKey(index, item, storageKey);
  if (!entryKey || entryKey.length > MAX_ENGINE_KEY_BYTES) return undefined;
  return { key: entryKey, value: encodeEntry(index, item, storedItemSize(stored)) };
}
