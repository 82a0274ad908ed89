/**
 * Item collections: every item of one partition key value in a table with local secondary
 * indexes, plus their entries in those indexes (API reference, ItemCollectionMetrics).
 *
 * Each collection's size is kept in the engine (08 | table id | partition hash: uint64 BE bytes),
 * updated by one op in the batch of every write to the collection, after the item ops: it adds
 * what the writes changed (each item's size and its entries' in the local indexes it is in) and
 * vetoes the batch when a write would grow the collection past LIMITS.maxItemCollectionBytes
 * (ItemCollectionSizeLimitExceededException). A collection without its size yet (written before
 * cove kept it) is measured once by walking its key ranges — the table's partition and each
 * local index's — before the batch. ReturnItemCollectionMetrics SIZE reads the kept size.
 * Tables without a local index keep nothing and answer no metrics at all.
 */
import type { StorageEngine, WriteOp } from '../storage/engine.js';
import type { AwsError } from '../errors.js';
import { dynamoError } from './errors.js';
import { entrySizeBytes, storedEntryKey, TOO_LONG } from './indexes.js';
import { COLLECTION_TAG, INDEX_TAG, ITEM_PARTITION_PREFIX_BYTES, ITEM_TAG, partitionPrefix, successor } from './keys.js';
import { storedItemSize } from './items.js';
import { LIMITS } from './limits.js';
import type { Table } from './tables.js';
import type { AttributeValue, Item } from './types.js';

export type ReturnItemCollectionMetrics = 'SIZE' | 'NONE' | undefined;

const BYTES_PER_GB = 1024 ** 3;

export interface ItemCollectionMetrics {
  ItemCollectionKey: Item;
  SizeEstimateRangeGB: [lowerGb: number, upperGb: number];
}

/** Whether a write to `table` answers metrics: SIZE was asked and the table has a local index. */
export function wantsMetrics(mode: ReturnItemCollectionMetrics, table: Table): boolean {
  return mode === 'SIZE' && table.indexes.some((index) => index.kind === 'local');
}

/**
 * DynamoDB's estimate is a range of whole gigabytes around the size (its API reference gives
 * no formula; [0, 1] for a collection under 1 GB, as DynamoDB answers small collections).
 */
export function sizeEstimateRangeGB(sizeBytes: number): [number, number] {
  const lower = Math.floor(sizeBytes / BYTES_PER_GB);
  return [lower, lower + 1];
}

/** The metrics of the collection of `partitionValue` (the table's partition key value) as stored now. */
export async function itemCollectionMetrics(engine: StorageEngine, table: Table, partitionValue: AttributeValue): Promise<ItemCollectionMetrics> {
  const sizeKey = collectionKeyOf(partitionPrefix(table.storageId, table.hashKey, partitionValue, ITEM_TAG));
  const kept = await engine.get(sizeKey);
  const sizeBytes = kept === undefined ? await measuredCollectionBytes(engine, table, sizeKey) : decodeSize(kept);
  // A null-prototype map: the key attribute's name is the user's (`__proto__` is a name like any other).
  const key = Object.create(null) as Item;
  key[table.hashKey.name] = partitionValue;
  return { ItemCollectionKey: key, SizeEstimateRangeGB: sizeEstimateRangeGB(sizeBytes) };
}

/**
 * BatchWriteItem's and TransactWriteItems' form: per table name, the metrics of each collection
 * the request wrote to (once per collection), or undefined when no table answers metrics.
 */
export async function metricsByTable(engine: StorageEngine, writes: readonly { table: Table; key: Item }[], mode: ReturnItemCollectionMetrics): Promise<Map<string, ItemCollectionMetrics[]> | undefined> {
  const out = new Map<string, ItemCollectionMetrics[]>();
  const seen = new Set<string>();
  for (const { table, key } of writes) {
    if (!wantsMetrics(mode, table)) continue;
    const value = key[table.hashKey.name];
    const id = `${table.name}\u0000${JSON.stringify(value)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const list = out.get(table.name) ?? [];
    list.push(await itemCollectionMetrics(engine, table, value));
    out.set(table.name, list);
  }
  return out.size > 0 ? out : undefined;
}

async function rangeSizeBytes(engine: StorageEngine, prefix: Buffer): Promise<number> {
  let sizeBytes = 0;
  for await (const { value } of engine.range({ start: prefix, end: successor(prefix) })) sizeBytes += storedItemSize(value);
  return sizeBytes;
}

/** The response member of BatchWriteItem and TransactWriteItems: table names are the user's, so a null-prototype map. */
export function metricsResponse(byTable: Map<string, ItemCollectionMetrics[]> | undefined): { ItemCollectionMetrics?: Record<string, ItemCollectionMetrics[]> } {
  if (!byTable) return {};
  const out = Object.create(null) as Record<string, ItemCollectionMetrics[]>;
  for (const [name, list] of byTable) out[name] = list;
  return { ItemCollectionMetrics: out };
}

/** PutItem's, UpdateItem's and DeleteItem's response member, when the table answers metrics. */
export async function singleWriteMetrics(engine: StorageEngine, table: Table, key: Item, mode: ReturnItemCollectionMetrics): Promise<{ ItemCollectionMetrics?: ItemCollectionMetrics }> {
  return wantsMetrics(mode, table) ? { ItemCollectionMetrics: await itemCollectionMetrics(engine, table, key[table.hashKey.name]) } : {};
}

/** Whether writes to the table keep item collection sizes: it has a local index. */
export function hasItemCollections(table: Table): boolean {
  return table.indexes.some((index) => index.kind === 'local');
}

/** The key of the size of the collection an item key (or its partition prefix) belongs to. */
export function collectionKeyOf(storageKey: Buffer): Buffer {
  const key = Buffer.from(storageKey.subarray(0, ITEM_PARTITION_PREFIX_BYTES));
  key[0] = COLLECTION_TAG;
  return key;
}

/** The bytes of the collection whose size key is `collectionKey`, by walking it: the table's partition and each local index's. */
export async function measuredCollectionBytes(engine: StorageEngine, table: Table, collectionKey: Buffer): Promise<number> {
  const partitionHash = collectionKey.subarray(1 + table.storageId.length);
  let sizeBytes = await rangeSizeBytes(engine, Buffer.concat([Buffer.of(ITEM_TAG), table.storageId, partitionHash]));
  for (const index of table.indexes) {
    if (index.kind === 'local') sizeBytes += await rangeSizeBytes(engine, Buffer.concat([Buffer.of(INDEX_TAG), index.storageId, partitionHash]));
  }
  return sizeBytes;
}

/**
 * The bytes an item counts in its collection: its own size and its entry's in each local index
 * it is in (what `measuredCollectionBytes` reads of the stored item and entries).
 */
export function collectionShareBytes(table: Table, storageKey: Buffer, item: Item, sizeBytes: number): number {
  let bytes = sizeBytes;
  for (const index of table.indexes) {
    if (index.kind !== 'local') continue;
    const entryKey = storedEntryKey(index, item, storageKey);
    if (entryKey !== undefined && entryKey !== TOO_LONG) bytes += entrySizeBytes(index, item, sizeBytes);
  }
  return bytes;
}

function decodeSize(value: Buffer): number {
  return Number(value.readBigUInt64BE(0));
}

function encodeSize(bytes: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(bytes));
  return out;
}

/** DynamoDB's answer to a write that would grow a collection past the limit (its documented message). */
export function collectionSizeExceeded(): AwsError {
  return dynamoError('ItemCollectionSizeLimitExceededException', 'Collection size exceeded.');
}

/**
 * COVE_ITEM_COLLECTION_LIMIT_BYTES: a smaller limit, for tests that cannot write 10 GB. Unset in
 * production: LIMITS.maxItemCollectionBytes.
 */
function collectionLimitBytes(): number {
  const override = Number(process.env.COVE_ITEM_COLLECTION_LIMIT_BYTES ?? 0);
  return Number.isFinite(override) && override > 0 ? override : LIMITS.maxItemCollectionBytes;
}

/** One write's change to a collection, read in the batch's run: the share before and after (bytes). */
export type ShareChange = () => { before: number; after: number };

/**
 * The op that keeps one collection's size: `changes` are its writes' share changes, read when the
 * op runs (after their item ops decided, in the same run). `measured` is the collection's size
 * walked before the batch, for a collection whose size was not kept yet. A write that grows the
 * collection past the limit vetoes the batch; `blame` is told which change it was.
 */
export function collectionSizeOp(key: Buffer, changes: readonly ShareChange[], measured: number, blame: (change: number) => void): WriteOp<AwsError> {
  return {
    key,
    value: (current) => {
      const start = current === undefined ? measured : decodeSize(current);
      const limit = collectionLimitBytes();
      let total = start;
      // The write refused is the first that grows the collection past the limit.
      let blamed = -1;
      let lastGrower = -1;
      changes.forEach((change, i) => {
        const { before, after } = change();
        total += after - before;
        if (after <= before) return;
        lastGrower = i;
        if (blamed < 0 && total > limit) blamed = i;
      });
      if (total > limit && total > start) {
        blame(blamed >= 0 ? blamed : lastGrower);
        throw collectionSizeExceeded();
      }
      // A kept size that does not change is not rewritten: writes that leave the collection as it
      // was (a ConditionCheck, an unchanged item) do not contend for its key.
      if (current !== undefined && total === start) return undefined;
      // Never below zero: a size kept wrong must not fail later writes.
      return encodeSize(Math.max(0, total));
    },
  };
}
