/**
 * The backfill of a global secondary index added by UpdateTable: every item already in the table
 * gets its entry. Writes include the index from the catalog change on (writes.ts derives entries
 * from `table.indexes`, and the write guard of `TableCatalog.writeItems` vetoes writes resolved
 * against the record before it), so the walk only has to cover the items stored before it.
 */
import type { Entry, StorageEngine, WriteOp } from '../storage/engine.js';
import { backfillEntry, type SecondaryIndex } from './indexes.js';
import { tableRange } from './keys.js';

/** Items per engine batch: small enough that one batch holds the store's write lock briefly. */
const BACKFILL_BATCH_ITEMS = 250;

export interface BackfillJob {
  tableStorageId: Buffer;
  index: SecondaryIndex;
  /** Joins every batch: vetoes it once the index is no longer being created (deleted, or its table). */
  guard: WriteOp<unknown>;
  /** True once the process is closing: the walk stops at its next batch (it resumes at next start). */
  stopping: () => boolean;
  /** A pause between batches (0 in production; tests slow the walk to interrupt it). */
  pauseMs: number;
}

/**
 * Walks the table's items in key order, in batches, and writes each one's entry. An entry is
 * written by an op on the ITEM's key that leaves the item as it is and derives the entry from the
 * item's value inside the write transaction: a write to the same item, before or after, can never
 * be overwritten by an entry of an older value. Idempotent (an entry is rewritten as it is), so a
 * walk interrupted by a stop or a crash simply starts over. Resolves true once every item stored
 * before the walk has its entry, false when stopped or vetoed by the guard.
 */
export async function backfillIndex(engine: StorageEngine, job: BackfillJob): Promise<boolean> {
  const range = tableRange(job.tableStorageId);
  let start = range.start;
  for (;;) {
    if (job.stopping()) return false;
    const keys = (await collectKeys(engine.range({ start, end: range.end, limit: BACKFILL_BATCH_ITEMS })));
    if (keys.length === 0) return true;
    const outcome = await engine.writeBatch<unknown>([job.guard, ...keys.map((key) => entryOp(job.index, key))]);
    if (!outcome.ok) return false;
    // The smallest key after the batch's last one.
    start = Buffer.concat([keys[keys.length - 1], Buffer.of(0)]);
    if (job.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, job.pauseMs));
  }
}

/** Leaves the item as it is; derives its entry from the value the transaction finds (none if the item is gone). */
function entryOp(index: SecondaryIndex, itemKey: Buffer): WriteOp<never> {
  return {
    key: itemKey,
    value: () => undefined,
    derive: (current) => {
      const entry = current && backfillEntry(index, itemKey, current);
      return entry ? [entry] : [];
    },
  };
}

async function collectKeys(entries: Iterable<Entry> | AsyncIterable<Entry>): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  // Copied: an engine may hand out views of buffers it reuses.
  for await (const { key } of entries) keys.push(Buffer.from(key));
  return keys;
}
