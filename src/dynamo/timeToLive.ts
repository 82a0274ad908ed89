/**
 * Time to live: a background sweeper deletes the items of TTL-enabled tables whose TTL attribute
 * (a Number of epoch seconds) is in the past — within seconds, where DynamoDB takes up to a few
 * days. Until swept, an expired item still reads back, as in DynamoDB.
 *
 * The sweeper walks each TTL-enabled table's key range in bounded batches, one batch per table
 * per tick, from where its last batch stopped (so a large table costs a batch per tick, never a
 * long pause of the event loop), and deletes what it found expired through the one item write
 * path (`writeItemChanges`: index entries go with the item), each deletion re-checked inside the
 * write transaction, so an item rewritten since the walk read it is left alone. It runs in the
 * process that runs the store's background work (one per store); a restart starts each walk
 * over. Its ticks also trim stream records older than 24 hours (streamTrim.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StorageEngine } from '../storage/engine.js';
import { decodeItem } from './items.js';
import { ITEM_TAG, tableRange } from './keys.js';
import type { Table, TableCatalog } from './tables.js';
import type { Item } from './types.js';
import { itemChange, writeItemChanges } from './writes.js';
import { keyOf } from './reads.js';
import { trimStreamRecords } from './streamTrim.js';

/** How often the sweeper looks at the TTL-enabled tables. */
export const TTL_SWEEP_INTERVAL_MS = 1000;
/** Items read per table per tick: bounds how long one step holds the event loop. */
const SWEEP_BATCH_ITEMS = 500;
/** DynamoDB deletes no item whose expiry is more than five years past (it takes such a value for a mistake). */
const MAX_EXPIRED_AGE_S = 5 * 365 * 24 * 3600;

/** Whether an item has expired at `nowS` under the table's TTL attribute. */
export function isExpired(item: Item, attributeName: string, nowS: number): boolean {
  const value = Object.hasOwn(item, attributeName) ? item[attributeName] : undefined;
  if (value === undefined || !('N' in value)) return false;
  const expiresAtS = Number(value.N);
  return Number.isFinite(expiresAtS) && expiresAtS < nowS && expiresAtS > nowS - MAX_EXPIRED_AGE_S;
}

export class TimeToLiveSweeper {
  /** Where each table's walk resumes (by storage id, hex): the smallest key after the last one read. */
  private readonly cursors = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly engine: StorageEngine,
    private readonly catalog: TableCatalog,
    private readonly intervalMs: number = TTL_SWEEP_INTERVAL_MS,
  ) {}

  start(): void {
    this.schedule();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.closing) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => {
          if (!this.closing) console.error('cove: time to live sweep failed; it goes on at the next tick', error);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One batch of every TTL-enabled table, and of every stream's records past retention. */
  private async tick(): Promise<void> {
    await this.catalog.refreshNow();
    await trimStreamRecords(this.engine, this.catalog, Date.now());
    for (const name of this.catalog.names()) {
      const table = this.catalog.get(name);
      const ttl = table?.record.settings?.timeToLive;
      if (!table || !ttl || this.closing) continue;
      await this.sweepBatch(table, ttl.attributeName);
      await nextTurn();
    }
  }

  private async sweepBatch(table: Table, attributeName: string): Promise<void> {
    const id = table.record.storageId;
    const range = tableRange(table.storageId, ITEM_TAG);
    const start = this.cursors.get(id) ?? range.start;
    const nowS = Date.now() / 1000;
    const expired: Item[] = [];
    let read = 0;
    let last: Buffer | undefined;
    for await (const { key, value } of this.engine.range({ start, end: range.end, limit: SWEEP_BATCH_ITEMS })) {
      read++;
      last = Buffer.from(key);
      const item = decodeItem(value);
      if (isExpired(item, attributeName, nowS)) expired.push(keyOf(table, item));
    }
    // The walk starts over once it reaches the end of the table.
    if (read < SWEEP_BATCH_ITEMS || !last) this.cursors.delete(id);
    else this.cursors.set(id, Buffer.concat([last, Buffer.of(0)]));
    if (expired.length === 0) return;
    const changes = expired.map((key) => ({
      ...itemChange(table, key, (old) => ({ write: old && isExpired(old.item, attributeName, Date.now() / 1000) ? { kind: 'delete' } : { kind: 'unchanged' }, result: undefined })),
      byTimeToLive: true,
    }));
    await writeItemChanges(this.catalog, changes);
  }
}
