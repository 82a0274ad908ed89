/**
 * Stream records are kept LIMITS.streamRecordRetentionMs (24 hours), then trimmed: the time to
 * live sweeper's process (one per store) deletes, each tick, the oldest records of every stream
 * older than that, a bounded batch per stream. A stream's records are in sequence order, which is
 * commit order, so the walk stops at the first record young enough.
 */
import type { StorageEngine } from '../storage/engine.js';
import { streamRecordsRange } from './keys.js';
import { LIMITS } from './limits.js';
import { recordTimeMs } from './streams.js';
import type { TableCatalog } from './tables.js';

/** Records deleted per stream per tick: bounds how long one step holds the event loop and the write lock. */
const TRIM_BATCH_RECORDS = 1000;

export async function trimStreamRecords(engine: StorageEngine, catalog: TableCatalog, nowMs: number): Promise<void> {
  const cutoffMs = nowMs - LIMITS.streamRecordRetentionMs;
  for (const name of catalog.names()) {
    for (const stream of catalog.get(name)?.record.settings?.streams ?? []) {
      // A stream created after the cutoff has no record old enough.
      if (stream.createdAtMs >= cutoffMs) continue;
      const keys: Buffer[] = [];
      for await (const { key, value } of engine.range({ ...streamRecordsRange(Buffer.from(stream.storageId, 'hex'), 1n), limit: TRIM_BATCH_RECORDS })) {
        if (recordTimeMs(value) >= cutoffMs) break;
        keys.push(Buffer.from(key));
      }
      if (keys.length > 0) await engine.writeBatch(keys.map((key) => ({ key, value: null })));
    }
  }
}
