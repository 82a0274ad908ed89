/**
 * ReturnItemCollectionMetrics: SIZE. An item collection is every item of one partition key value
 * in a table with local secondary indexes, plus their entries in those indexes (API reference,
 * ItemCollectionMetrics); tables without a local index answer no metrics at all.
 *
 * The size is read when asked for, after the write, by walking the collection's key ranges —
 * the table's partition and each local index's (a local index shares the table's partition key,
 * so its entries of one collection are one range too) — summing the sizes stored in each
 * value's header, without parsing. That costs a range read of the whole collection per write
 * that asks (about a microsecond per item on LMDB), and nothing for writes that do not: no
 * per-collection size is kept on the write path. The 10 GB item collection limit is therefore
 * not enforced (see src/dynamo/README.md).
 */
import type { StorageEngine } from '../storage/engine.js';
import { INDEX_TAG, ITEM_TAG, partitionPrefix, successor } from './keys.js';
import { storedItemSize } from './items.js';
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
  let sizeBytes = await rangeSizeBytes(engine, partitionPrefix(table.storageId, table.hashKey, partitionValue, ITEM_TAG));
  for (const index of table.indexes) {
    if (index.kind === 'local') sizeBytes += await rangeSizeBytes(engine, partitionPrefix(index.storageId, index.partitionKeys[0], partitionValue, INDEX_TAG));
  }
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
