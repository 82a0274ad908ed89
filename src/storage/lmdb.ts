import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { MAX_ENGINE_KEY_BYTES, type BatchOutcome, type Entry, type RangeOptions, type StorageEngine, type WriteOp } from './engine.js';
import { checkOpKeys, runBatch } from './batch.js';

export interface LmdbEngineOptions {
  /** Directory holding the LMDB environment. */
  path: string;
  /** Upper bound on the memory map; LMDB grows the file up to it. */
  mapSizeBytes?: number;
  /** Other processes open the same directory at the same time (cluster workers); see `refreshSnapshot`. */
  sharedWithOtherProcesses?: boolean;
  /** false: commits are not synced to disk (`cove serve --in-memory`, a store thrown away at exit). Default true. */
  durable?: boolean;
}

const DEFAULT_MAP_SIZE_BYTES = 64 * 1024 ** 3;
/** lmdb-js's compiled-in key limit, which the contract promises every engine takes. */
export const MAX_KEY_BYTES = MAX_ENGINE_KEY_BYTES;

/**
 * The embedded engine. Reads are synchronous memory-mapped lookups. Writes go
 * through lmdb-js's asynchronous transactions: every batch queued in one event
 * turn shares one LMDB transaction (group commit), and each batch resolves only
 * after `db.flushed` reports that transaction synced to disk.
 *
 * Several processes may open the same directory at once (`cove serve --workers N`): LMDB's
 * write lock lives in its lock file and serializes their transactions, each process syncs
 * its own commits before acknowledging them, and each calls `refreshSnapshot` per request.
 */
export class LmdbEngine implements StorageEngine {
  readonly name = 'lmdb';
  private readonly root: RootDatabase<Buffer, Buffer>;
  private readonly db: Database<Buffer, Buffer>;
  private readonly shared: boolean;
  /** This process's write batches whose commit has not resolved yet. */
  private writesInFlight = 0;
  /** Requests waiting for a snapshot newer than their arrival (see refreshSnapshot). */
  private snapshotWaiters: (() => void)[] = [];
  /**
   * Registered on process 'exit' while the engine is open. lmdb-js runs a write transaction on a
   * thread of libuv's pool, which waits for this (the main) thread to run the batch's callback;
   * an exit (process.exit, an uncaught exception) with a batch under way never completes, since
   * libuv joins that thread at exit, and the hung process keeps LMDB's write lock, so no other
   * process can write to (or open) the store. The process kills itself instead, as kill -9 would:
   * LMDB takes over a lock whose owner died, and nothing uncommitted was acknowledged.
   */
  private readonly dieRatherThanHang = () => {
    if (this.writesInFlight > 0) process.kill(process.pid, 'SIGKILL');
  };

  constructor(options: LmdbEngineOptions) {
    this.shared = options.sharedWithOtherProcesses ?? false;
    ignoreOrphanedCommitFailures();
    // The store holds secrets (the IAM API's access keys) besides the items: its owner only.
    mkdirSync(options.path, { recursive: true, mode: 0o700 });
    chmodSync(options.path, 0o700);
    this.root = open<Buffer, Buffer>({
      path: options.path,
      encoding: 'binary',
      keyEncoding: 'binary',
      mapSize: options.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
      // Durability is the point: never let a commit skip its sync (unless the store is thrown away at exit).
      noSync: options.durable === false,
      // lmdb-js syncs after releasing the write lock by default (overlappingSync). With several
      // processes writing, that corrupted LMDB's free-page list under BatchWriteItem load here
      // (mdb_page_alloc errors, MDB_BAD_VALSIZE / MDB_BAD_TXN on commit); LMDB's own mode —
      // sync inside the write transaction — does not, at the price of holding the lock ~0.2 ms
      // longer per commit.
      overlappingSync: !this.shared && options.durable !== false,
    });
    process.on('exit', this.dieRatherThanHang);
    this.db = this.root;
    for (const file of ['data.mdb', 'lock.mdb']) if (existsSync(join(options.path, file))) chmodSync(join(options.path, file), 0o600);
  }

  get(key: Buffer): Buffer | undefined {
    return this.db.get(key);
  }

  /**
   * lmdb-js reuses one read transaction (one MVCC snapshot) until a timer of the next event
   * turn or this process's next commit resets it, so a commit by another process can stay
   * invisible for a turn or longer. With other processes on the store, this makes the next
   * reads renew the snapshot: at once (about 2 µs) when this process has no write under way;
   * otherwise the returned promise settles when the next of its commits resolves, at which
   * lmdb-js resets the snapshot itself. Resetting it by hand while a write transaction of this
   * process was under way corrupted LMDB's free-page list within seconds of BatchWriteItem load
   * from two processes (lmdb-js 3.5.6: "mdb_page_alloc error", then MDB_BAD_VALSIZE or
   * MDB_BAD_TXN on every commit); never doing so did not, in the same test.
   * Alone on the store, this process's own commits reset it, so there is nothing to do.
   */
  refreshSnapshot(): void | Promise<void> {
    if (!this.shared) return;
    if (this.writesInFlight === 0) {
      this.root.resetReadTxn();
      return;
    }
    return new Promise<void>((resolve) => this.snapshotWaiters.push(resolve));
  }

  /**
   * Synchronous gets in one loop: lmdb-js renews its read snapshot only between event turns or
   * as a commit of this process resolves, never inside a synchronous loop, so every key is read
   * from the same snapshot.
   */
  getMany(keys: readonly Buffer[]): (Buffer | undefined)[] {
    return keys.map((key) => this.db.get(key));
  }

  *range(options: RangeOptions): Iterable<Entry> {
    const { start, end, reverse = false, limit } = options;
    // lmdb-js treats its `end` as exclusive in both directions, so a reverse walk
    // starts just below our exclusive upper bound and stops by hand at our
    // inclusive lower bound.
    const iterable = reverse
      ? this.db.getRange({ start: end, reverse: true, limit, exclusiveStart: true })
      : this.db.getRange({ start, end, limit });
    for (const { key, value } of iterable) {
      if (reverse && Buffer.compare(key, start) < 0) break;
      yield { key, value };
    }
  }

  async writeBatch<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>> {
    const db = this.db;
    // Checked before the transaction: a put that throws midway would leave the
    // batch's earlier puts in the shared transaction.
    checkOpKeys(ops);
    const commit = db.transaction((): BatchOutcome<E> => {
      // This callback shares one LMDB transaction with every other batch of the
      // event turn, so it must never throw: a throw would abort them all (runBatch never throws).
      // It runs once (LMDB's write lock admits no conflict to retry), so each
      // condition and value function runs at most once per batch.
      const previous = ops.map((op) => db.get(op.key));
      const run = runBatch(ops, previous);
      if (!run.ok) return run;
      const { values, derived } = run.writes;
      for (let i = 0; i < ops.length; i++) {
        const value = values[i];
        if (value === undefined) continue;
        if (value === null) db.removeSync(ops[i].key);
        else db.putSync(ops[i].key, value);
      }
      for (const write of derived) {
        if (write.value === null) db.removeSync(write.key);
        else db.putSync(write.key, write.value);
      }
      return { ok: true, previous };
    });
    this.writesInFlight++;
    let outcome: BatchOutcome<E>;
    try {
      outcome = await commit;
    } catch (error) {
      // A failed commit (a full or failing disk): this batch is refused, the store is as it was.
      observeCommitError(error);
      throw error;
    } finally {
      this.writesInFlight--;
      // lmdb-js reset its read snapshot as this commit resolved: a read from here on renews it.
      if (this.snapshotWaiters.length > 0) {
        const waiters = this.snapshotWaiters;
        this.snapshotWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
    // The commit is visible now; acknowledge only once it is on disk.
    if (outcome.ok) {
      try {
        await flushedWithin(db.flushed, FLUSH_CONFIRMATION_TIMEOUT_MS);
      } catch (error) {
        observeCommitError(error);
        throw error;
      }
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.root.close();
    process.off('exit', this.dieRatherThanHang);
  }
}

/**
 * How long a committed batch waits for lmdb-js to confirm it durable before it is answered as a
 * failure. lmdb-js 3.5.6 resolves its flush promise only when its write thread reports success:
 * a sync that fails (a full disk) leaves it pending for good, and the request with it (seen in
 * the faults probe, about one run in six). Past this, the write is answered as a fault (a 500:
 * it may or may not be on disk), never acknowledged; a healthy fsync takes milliseconds.
 */
const FLUSH_CONFIRMATION_TIMEOUT_MS = 10_000;

function flushedWithin(flushed: PromiseLike<unknown>, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the store did not confirm a commit durable within ${timeoutMs} ms`)), timeoutMs);
    flushed.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * lmdb-js rejects each batch of a failed commit with an Error whose `commitError` is a second
 * promise, rejected with the cause (ENOSPC, EIO); left unobserved, that promise would end the
 * process as an unhandled rejection. The cause is logged once per failed commit.
 */
function observeCommitError(error: unknown): void {
  const cause = (error as { commitError?: unknown } | undefined)?.commitError;
  if (!(cause instanceof Promise) || observedCommitErrors.has(cause)) return;
  observedCommitErrors.add(cause);
  cause.catch((reason: unknown) => console.error('cove: storage commit failed; the batches in it are refused:', (reason as Error)?.message ?? reason));
}

const observedCommitErrors = new WeakSet<Promise<unknown>>();
let orphanGuardInstalled = false;

/**
 * lmdb-js 3.5.6 opens each event turn's write batch with a commit promise that nobody holds
 * (write.js, `writeBatchStart()`); when that transaction's commit fails (a full disk), the
 * promise rejects unhandled and Node ends the process, although every batch of the transaction
 * is also rejected to its caller, which answers it. Such a rejection is recognized by lmdb-js's
 * `commitError` and observed; any other unhandled rejection still ends the process, as Node's
 * default does.
 */
function ignoreOrphanedCommitFailures(): void {
  if (orphanGuardInstalled) return;
  orphanGuardInstalled = true;
  process.on('unhandledRejection', (reason) => {
    if ((reason as { commitError?: unknown } | undefined)?.commitError instanceof Promise) {
      observeCommitError(reason);
      return;
    }
    throw reason;
  });
}
