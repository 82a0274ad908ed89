import type { StorageEngine } from '../storage/engine.js';
import { AwsError } from '../errors.js';
import { validationError } from './errors.js';
import { normalizeItem } from './attributeValue.js';
import { checkKey, checkKeyValue, StoredItem, storageKeyOf } from './items.js';
import { escapeSortBytes, INDEX_TAG, partitionPrefix, SORT_PAST_TERMINATOR, SORT_TERMINATOR, sortKeyBytes, successor, tablePrefix, tuplePartitionPrefix } from './keys.js';
import { indexEntryKey, type SecondaryIndex } from './indexes.js';
import type { Table } from './tables.js';
import type { AttributeValue, Item, KeyAttribute } from './types.js';
import { LIMITS } from './limits.js';

export interface KeyRange {
  /** Inclusive. */
  start: Buffer;
  /** Exclusive. */
  end: Buffer;
}

/**
 * What Query and Scan read: a table's items or an index's entries, with its key schema and how
 * its keys are laid out in the engine (keys.ts). An index's sort values are escaped and
 * terminated, then followed by the table key, so its bounds differ from a table's; a GSI with a
 * multi-attribute key has several partition values (hashed as one tuple) and several sort values
 * in KeySchema order, so equality on leading sort values is a key prefix (`sortBase`).
 */
export interface KeySpace {
  table: Table;
  index: SecondaryIndex | undefined;
  /** HASH attributes in KeySchema order: the table's one, or an index's (up to four for a GSI). */
  partitionKeys: readonly KeyAttribute[];
  /** RANGE attributes in KeySchema order (at most one but for a GSI's multi-attribute key). */
  sortKeys: readonly KeyAttribute[];
  /** Every key of the space starts with it. */
  prefix: Buffer;
  /** The prefix of the partition of these values (one per partition key, in order). */
  partition(values: readonly AttributeValue[]): Buffer;
  /** The prefix of the keys in `partition` whose leading sort values are `values` (in sortKeys order). */
  sortBase(partition: Buffer, values: readonly AttributeValue[]): Buffer;
  /** The first key under `base` whose next sort value (of `key`) is `value`. */
  sortAt(base: Buffer, key: KeyAttribute, value: AttributeValue): Buffer;
  /** The first key under `base` whose next sort value is greater than `value`. */
  sortAfter(base: Buffer, key: KeyAttribute, value: AttributeValue): Buffer;
  /** The prefix shared by the keys under `base` whose next sort value begins with `value`. */
  sortPrefix(base: Buffer, key: KeyAttribute, value: AttributeValue): Buffer;
  /** LastEvaluatedKey: the keys that resume a read after `item`. */
  lastKeyOf(item: Item): Item;
  /** The engine key of an ExclusiveStartKey, checked against the space's keys (DynamoDB words the faults per reader). */
  startKeyOf(exclusiveStartKey: Item, reader: StartKeyReader): Buffer;
}

export function tableKeySpace(table: Table): KeySpace {
  const raw = (base: Buffer, key: KeyAttribute, value: AttributeValue) => Buffer.concat([base, sortKeyBytes(key.type, value)]);
  return {
    table,
    index: undefined,
    partitionKeys: [table.hashKey],
    sortKeys: table.rangeKey ? [table.rangeKey] : [],
    prefix: tablePrefix(table.storageId),
    partition: (values) => partitionPrefix(table.storageId, table.hashKey, values[0]),
    // A table's one sort key is never followed by another: no leading sort values to encode.
    sortBase: (partition) => partition,
    sortAt: raw,
    sortAfter: (base, key, value) => Buffer.concat([raw(base, key, value), Buffer.of(0)]),
    sortPrefix: raw,
    lastKeyOf: (item) => keyOf(table, item),
    startKeyOf: (key, reader) => startKeyOf(table, key, reader),
  };
}

export function indexKeySpace(table: Table, index: SecondaryIndex): KeySpace {
  const escaped = (key: KeyAttribute, value: AttributeValue) => escapeSortBytes(sortKeyBytes(key.type, value));
  const keys = [...index.tableKeys, ...index.keyAttributes];
  return {
    table,
    index,
    partitionKeys: index.partitionKeys,
    sortKeys: index.sortKeys,
    prefix: tablePrefix(index.storageId, INDEX_TAG),
    partition: (values) => tuplePartitionPrefix(index.storageId, index.partitionKeys, values, INDEX_TAG),
    sortBase: (partition, values) =>
      values.length === 0 ? partition : Buffer.concat([partition, ...values.flatMap((value, i) => [escaped(index.sortKeys[i], value), SORT_TERMINATOR])]),
    sortAt: (base, key, value) => Buffer.concat([base, escaped(key, value), SORT_TERMINATOR]),
    sortAfter: (base, key, value) => Buffer.concat([base, escaped(key, value), SORT_PAST_TERMINATOR]),
    sortPrefix: (base, key, value) => Buffer.concat([base, escaped(key, value)]),
    lastKeyOf: (item) => pick(item, keys),
    // An index's start key is checked as a Query's whether a Query or a Scan reads the index.
    startKeyOf: (exclusiveStartKey) => indexStartKey(table, index, keys, exclusiveStartKey),
  };
}

/** The named attributes of an item, as a new item (names are the user's: no prototype to collide with). */
function pick(item: Item, keys: readonly KeyAttribute[]): Item {
  const out = Object.create(null) as Item;
  for (const key of keys) if (item[key.name] !== undefined) out[key.name] = item[key.name];
  return out;
}

/** An index's ExclusiveStartKey carries the table's key and every key attribute of the index (DynamoDB's LastEvaluatedKey does). */
function indexStartKey(table: Table, index: SecondaryIndex, keys: readonly KeyAttribute[], key: Item): Buffer {
  checkReadKeyShape(key, new Set(keys.map((k) => k.name)), index.keyAttributes, index.partitionKeys);
  try {
    checkKey(table, pick(key, index.tableKeys));
  } catch (error) {
    throw validationError(`${MSG_START_KEY_INVALID}: ${(error as Error).message}`);
  }
  const entry = indexEntryKey(index, key, storageKeyOf(table, key));
  if (!entry) throw validationError(`${MSG_START_KEY_INVALID}: The provided key element does not match the schema`);
  return entry;
}

/**
 * The key space a Query or Scan reads: the table's, or the index named (DynamoDB's texts for an
 * unknown index, an index still being backfilled, a strongly consistent read of a GSI, and ALL_ATTRIBUTES from a GSI that does
 * not project them all).
 */
export function keySpaceOf(table: Table, indexName: string | undefined, consistentRead: boolean | undefined, select: string): KeySpace {
  if (indexName === undefined) return tableKeySpace(table);
  const index = table.indexNamed.get(indexName);
  if (!index) throw validationError(`The table does not have the specified index: ${indexName}`);
  // DynamoDB's text, as clients report it (aws-cli issue 4845 quotes it with the index name).
  if (!index.readable) throw validationError(`Cannot read from backfilling global secondary index: ${indexName}`);
  if (index.kind === 'global' && consistentRead === true) throw validationError('Consistent reads are not supported on global secondary indexes');
  if (index.kind === 'global' && select === 'ALL_ATTRIBUTES' && index.projectionType !== 'ALL') {
    throw validationError(`One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index ${indexName} because its projection type is not ALL`);
  }
  return indexKeySpace(table, index);
}

export interface PageRequest {
  space: KeySpace;
  range: KeyRange;
  reverse: boolean;
  /** Items to read (before the filter), as DynamoDB's Limit counts them. */
  limit: number | undefined;
  filter?: (item: Item) => boolean;
  /** The whole item an entry stands for (an LSI's, fetched from the table), for the filter and, with `answerFetched`, the answer. */
  fetch?: (entry: StoredItem) => StoredItem | Promise<StoredItem>;
  /** Answer with the fetched item (ALL_ATTRIBUTES, or a projection of unprojected attributes) rather than the entry. */
  answerFetched?: boolean;
}

export interface Page {
  /** Items read that passed the filter, in read order (parsed only where the filter needed it). */
  items: StoredItem[];
  scannedCount: number;
  /** Item bytes read, as capacity is charged (before the filter). */
  bytesRead: number;
  /** Of bytesRead, the bytes of the items fetched from the table (a local index's query). */
  fetchedBytes: number;
  lastEvaluatedKey?: Item;
}

export function keyOf(table: Table, item: Item): Item {
  // Attribute names are the user's (`__proto__` is one): no prototype to assign through.
  const key = Object.create(null) as Item;
  key[table.hashKey.name] = item[table.hashKey.name];
  if (table.rangeKey) key[table.rangeKey.name] = item[table.rangeKey.name];
  return key;
}

/**
 * Reads one page: stops at Limit items or once 1 MB has been read, and then
 * names the last item read as LastEvaluatedKey (DynamoDB does not look ahead,
 * so a page that ends exactly at the last item still carries one).
 */
export async function readPage(engine: StorageEngine, request: PageRequest): Promise<Page> {
  const { space, range, reverse, limit, filter, fetch, answerFetched = false } = request;
  const items: StoredItem[] = [];
  let scannedCount = 0;
  let bytesRead = 0;
  let fetchedBytes = 0;
  if (range.start.compare(range.end) >= 0) return { items, scannedCount, bytesRead, fetchedBytes };
  for await (const { value } of engine.range({ start: range.start, end: range.end, reverse })) {
    const entry = new StoredItem(value);
    scannedCount++;
    bytesRead += entry.sizeBytes;
    // Awaited only when the engine's reads are asynchronous: lmdb's range stays in one snapshot.
    const fetching = fetch ? fetch(entry) : entry;
    const fetched = fetching instanceof Promise ? await fetching : fetching;
    // A fetch from the table reads (and is charged for) the whole item too.
    if (fetched !== entry) {
      bytesRead += fetched.sizeBytes;
      fetchedBytes += fetched.sizeBytes;
    }
    if (!filter || filter(fetched.item)) items.push(answerFetched ? fetched : entry);
    if ((limit !== undefined && scannedCount >= limit) || bytesRead >= LIMITS.maxPageReadBytes) {
      return { items, scannedCount, bytesRead, fetchedBytes, lastEvaluatedKey: space.lastKeyOf(entry.item) };
    }
  }
  return { items, scannedCount, bytesRead, fetchedBytes };
}

/** Which read resumes from an ExclusiveStartKey: DynamoDB words a Query's faults otherwise than a Scan's. */
export type StartKeyReader = 'Query' | 'Scan';

const MSG_START_KEY_INVALID = 'The provided starting key is invalid';

/**
 * The storage key of an ExclusiveStartKey, checked against the table's key schema. A Query first
 * checks the key against the schema it reads, with bare texts; then both readers check the table's
 * key under MSG_START_KEY_INVALID (dynalite's actions/query.js and scan.js, recorded from the
 * service; pynamodb issue 50 quotes the bare text of a Query).
 */
export function startKeyOf(table: Table, key: Item, reader: StartKeyReader): Buffer {
  if (reader === 'Query') {
    const keys = table.rangeKey ? [table.hashKey, table.rangeKey] : [table.hashKey];
    checkReadKeyShape(key, new Set(keys.map((k) => k.name)), keys, [table.hashKey]);
  }
  try {
    checkKey(table, key);
  } catch (error) {
    throw validationError(`${MSG_START_KEY_INVALID}: ${(error as Error).message}`);
  }
  return storageKeyOf(table, key);
}

/**
 * A start key of other attributes than `names` is "invalid" with no detail; a value of another
 * type than its key's, or out of its key's bounds, is answered as in a Key (no prefix).
 */
function checkReadKeyShape(key: Item, names: ReadonlySet<string>, readKeys: readonly KeyAttribute[], partitionKeys: readonly KeyAttribute[]): void {
  const present = Object.keys(key);
  if (present.length !== names.size || present.some((name) => !names.has(name))) throw validationError(MSG_START_KEY_INVALID);
  for (const attribute of readKeys) {
    const value = key[attribute.name];
    if (Object.keys(value)[0] !== attribute.type) throw validationError('The provided key element does not match the schema');
    checkKeyValue(attribute, value, partitionKeys.includes(attribute));
  }
}

/**
 * The start key's attribute values, normalised: checked before the table is looked up, as all
 * of a request's values are (dynalite checks them with the request). DynamoDB prefixes the value faults with
 * MSG_START_KEY_INVALID, but not those about numbers and duplicates (dynalite's
 * validations/query.js and scan.js, recorded from the service: "only added to some messages").
 */
export function normalizeStartKey(exclusiveStartKey: unknown): Item {
  try {
    return normalizeItem(exclusiveStartKey);
  } catch (error) {
    if (!(error instanceof AwsError) || error.code !== 'ValidationException' || UNPREFIXED_VALUE_FAULT.test(error.message)) throw error;
    throw validationError(`${MSG_START_KEY_INVALID}: ${error.message}`);
  }
}

const UNPREFIXED_VALUE_FAULT = /contains duplicates|number set|numeric value|significant digits|number with magnitude/;

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
export function segmentRange(space: KeySpace, segment: number, totalSegments: number): KeyRange {
  const prefix = space.prefix;
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
