/**
 * DescribeTable's ItemCount and TableSizeBytes, and each index's ItemCount and IndexSizeBytes,
 * kept current by a background recount, as DynamoDB does (it refreshes them about every six
 * hours). Not by a counter updated on every write: one counter key per table would serialize
 * every write of the table on that key (and on a PostgreSQL engine, on one row).
 *
 * A recount walks the table's key range, then each index's, in bounded batches (yielding to the
 * event loop between them), summing the sizes stored in each value's header (items.ts: an index
 * entry is stored like an item, with the size of its projected item), and persists the counts in
 * the table's catalog record through `TableCatalog.update`, so every process sees them. It is
 * started lazily — by a DescribeTable of a table counted longer ago than the interval — and
 * that DescribeTable answers with the last counts. A claim in the record (also through
 * `update`) keeps the processes sharing the store from counting the same table at once.
 * Counts are approximate under concurrent writes (the walk spans several snapshots), like
 * DynamoDB's.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StorageEngine } from '../storage/engine.js';
import { AwsError } from '../errors.js';
import { INDEX_TAG, ITEM_TAG, tableRange } from './keys.js';
import { storedItemSize } from './items.js';
import type { Table, TableCatalog, TableRecord } from './tables.js';

/** A table is recounted at most this often (and only when a DescribeTable asks for it). */
export const STATS_RECOUNT_INTERVAL_MS = 5 * 60 * 1000;
/**
 * For tests only: this environment variable (milliseconds) replaces the interval, so that a
 * test sees a recount at its next DescribeTable (0: every DescribeTable starts one).
 */
export const STATS_RECOUNT_INTERVAL_ENV = 'COVE_STATS_RECOUNT_INTERVAL_MS';
/** A claim older than this is taken to be a recount whose process stopped midway. */
const RECOUNT_CLAIM_TIMEOUT_MS = 10 * 60 * 1000;
/** Entries read per synchronous step: bounds how long one step holds the event loop. */
const RECOUNT_BATCH_ENTRIES = 1000;

/** What the record keeps about its counts (DescribeTable shows the counts, not this). */
export interface StatsState {
  /** When the counts in the description were taken; absent: at creation (all 0). */
  countedAtMs?: number;
  /** A recount under way since then, by some process. */
  recountStartedAtMs?: number;
}

export function statsRecountIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[STATS_RECOUNT_INTERVAL_ENV];
  const parsed = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : STATS_RECOUNT_INTERVAL_MS;
}

/** Counted entries of one key range. */
interface RangeCount {
  count: number;
  sizeBytes: number;
}

/** Thrown inside `update` when another process holds a live claim (or just counted): nothing is written. */
const CLAIMED = new Error('another process is recounting this table');

export class TableStats {
  /** Storage ids (hex) of the tables this process is recounting. */
  private readonly running = new Set<string>();
  private readonly recounts = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly engine: StorageEngine,
    private readonly catalog: TableCatalog,
    private readonly intervalMs: number,
  ) {}

  /** Starts a recount of `table` in the background if its counts are older than the interval. */
  recountIfStale(table: Table, nowMs: number): void {
    if (this.closing || !isStale(table.record, nowMs, this.intervalMs) || claimedByOther(table.record, nowMs)) return;
    const id = table.record.storageId;
    if (this.running.has(id)) return;
    this.running.add(id);
    const recount = this.recount(table, nowMs)
      .catch((error: unknown) => {
        // A deleted table, a claim lost to another process, a stop: the next DescribeTable retries.
        if (error !== CLAIMED && !(error instanceof AwsError) && !this.closing) console.error(`cove: recount of table ${table.name} failed`, error);
      })
      .finally(() => {
        this.running.delete(id);
        this.recounts.delete(recount);
      });
    this.recounts.add(recount);
  }

  /** Stops recounts at their next batch and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.recounts);
  }

  private async recount(table: Table, startedAtMs: number): Promise<void> {
    const claimed = await this.catalog.update(table, (record) => {
      if (claimedByOther(record, startedAtMs) || !isStale(record, startedAtMs, this.intervalMs)) throw CLAIMED;
      return { ...record, stats: { ...record.stats, recountStartedAtMs: startedAtMs } };
    });
    const tableCount = await this.countRange(tableRange(claimed.storageId, ITEM_TAG));
    const indexCounts = new Map<string, RangeCount>();
    for (const index of claimed.indexes) indexCounts.set(index.storageId.toString('hex'), await this.countRange(tableRange(index.storageId, INDEX_TAG)));
    if (this.closing) return;
    await this.catalog.update(claimed, (record) => withCounts(record, tableCount, indexCounts, startedAtMs));
  }

  private async countRange(range: { start: Buffer; end: Buffer }): Promise<RangeCount> {
    const total: RangeCount = { count: 0, sizeBytes: 0 };
    let start: Buffer | undefined = range.start;
    while (start && !this.closing) {
      start = await this.countBatch({ start, end: range.end }, total);
      await nextTurn();
    }
    return total;
  }

  /** Counts up to RECOUNT_BATCH_ENTRIES entries into `total`; returns where the next batch starts, if any. */
  private async countBatch(range: { start: Buffer; end: Buffer }, total: RangeCount): Promise<Buffer | undefined> {
    let read = 0;
    let last: Buffer | undefined;
    for await (const { key, value } of this.engine.range({ ...range, limit: RECOUNT_BATCH_ENTRIES })) {
      read++;
      total.count++;
      total.sizeBytes += storedItemSize(value);
      last = Buffer.from(key);
    }
    // The smallest key after the last one read (copied as read: an engine may reuse its buffers).
    return read < RECOUNT_BATCH_ENTRIES || !last ? undefined : Buffer.concat([last, Buffer.of(0)]);
  }
}

function countedAtMs(record: TableRecord): number {
  return record.stats?.countedAtMs ?? record.description.CreationDateTime * 1000;
}

function isStale(record: TableRecord, nowMs: number, intervalMs: number): boolean {
  return nowMs - countedAtMs(record) >= intervalMs;
}

function claimedByOther(record: TableRecord, nowMs: number): boolean {
  const started = record.stats?.recountStartedAtMs;
  return started !== undefined && started >= countedAtMs(record) && nowMs - started < RECOUNT_CLAIM_TIMEOUT_MS;
}

/**
 * The record as it is now, with the counts of a recount started at `startedAtMs`. Indexes are
 * matched by storage id: an index added meanwhile keeps its counts, one removed gets none.
 */
function withCounts(record: TableRecord, table: RangeCount, indexes: ReadonlyMap<string, RangeCount>, startedAtMs: number): TableRecord {
  const storageIdOf = new Map((record.indexStorageIds ?? []).map((entry) => [entry.name, entry.storageId]));
  const counted = <I extends { IndexName: string; ItemCount: number; IndexSizeBytes: number }>(index: I): I => {
    const count = indexes.get(storageIdOf.get(index.IndexName) ?? '');
    return count ? { ...index, ItemCount: count.count, IndexSizeBytes: count.sizeBytes } : index;
  };
  const d = record.description;
  return {
    ...record,
    description: {
      ...d,
      ItemCount: table.count,
      TableSizeBytes: table.sizeBytes,
      ...(d.LocalSecondaryIndexes ? { LocalSecondaryIndexes: d.LocalSecondaryIndexes.map(counted) } : {}),
      ...(d.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: d.GlobalSecondaryIndexes.map(counted) } : {}),
    },
    stats: { countedAtMs: startedAtMs },
  };
}

