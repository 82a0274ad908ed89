/**
 * The storage engine contract. Engines store opaque ordered byte keys and byte
 * values; DynamoDB semantics live above this interface, never inside an engine.
 */
export type Awaitable<T> = T | Promise<T>;

export interface Entry {
  key: Buffer;
  value: Buffer;
}

export interface RangeOptions {
  /** Inclusive lower bound (in key order, whatever the direction). */
  start: Buffer;
  /** Exclusive upper bound. */
  end: Buffer;
  reverse?: boolean;
  limit?: number;
}

/**
 * One write of an atomic batch. `condition` sees the key's current value inside
 * the write transaction and returns an error to veto the whole batch.
 *
 * `condition` and a function `value` must be pure: they depend only on the value
 * they are given (and on what they captured before the batch), and may run more than
 * once — an engine may retry the transaction (PostgreSQL's serialization failures),
 * handing them the values of the retry. The batch's outcome reflects the last run.
 * A caller that keeps something a function computed keeps what its last run computed.
 * The buffers an engine hands to these functions (and returns as `previous`) are the caller's:
 * an engine never reuses or mutates them, so a caller may recognize a value by identity.
 */
/** Every engine takes keys of 1 to this many bytes (LMDB's compiled-in limit is the smallest). */
export const MAX_ENGINE_KEY_BYTES = 1978;

/** A write to another key that follows from an op's change (a secondary index entry). */
export interface DerivedWrite {
  key: Buffer;
  /** The new value, or null to delete the key. */
  value: Buffer | null;
}

export interface WriteOp<E> {
  key: Buffer;
  /**
   * The new value, or `null` to delete the key; or a function computing it from
   * the current value inside the write transaction (read-modify-write). It runs
   * only once every condition of the batch has passed; if it throws, the batch
   * fails with the thrown value as its error; if it returns `undefined`, the key
   * is left as it is.
   */
  value: Buffer | null | ((current: Buffer | undefined) => Buffer | null | undefined);
  condition?: (current: Buffer | undefined) => E | undefined;
  /**
   * Writes to other keys that follow from this key's change, from its value before and after
   * the batch (`next`: the new value, null when deleted, `current` when left as it is). Runs
   * after every condition passed and every value was computed, in the same transaction; pure,
   * like the others; a throw fails the batch. The keys must be no op's key and no other derived
   * write's, and at most MAX_ENGINE_KEY_BYTES long (a longer one fails the batch).
   *
   * A derive may also read what the batch's value functions computed in the same run (captured
   * by the caller), and a value function what earlier ops' value functions computed (they run in
   * op order): a stream's counter op allocates sequence numbers from the changes its item ops
   * decided, and its derive keys their records by them. This stays correct under a retry because
   * every run reruns all of them in the same order — conditions, then each value function in op
   * order, then each derive — on the values of that run, so what a derive reads is always its own
   * run's, and only the last run commits.
   */
  derive?: (current: Buffer | undefined, next: Buffer | null | undefined) => DerivedWrite[];
}

/** One op that vetoed a batch: its index in the batch and the error its condition (or value function) gave. */
export interface OpFailure<E> {
  index: number;
  error: E;
}

export type BatchOutcome<E> =
  | { ok: true; /** previous value of each op's key, in op order */ previous: (Buffer | undefined)[] }
  | {
      ok: false;
      /** index of the first op whose condition failed (or whose value function threw) */
      failedIndex: number;
      error: E;
      /**
       * Every op whose condition failed, in op order (the first is failedIndex/error): a
       * transaction reports each failed condition, not just the first. Every condition runs
       * whatever the others answer, so this costs nothing more when all pass. A value function
       * runs only once every condition passed; its throw is the one failure listed.
       */
      failures: OpFailure<E>[];
      previous: (Buffer | undefined)[];
    };

export interface StorageEngine {
  readonly name: string;
  get(key: Buffer): Awaitable<Buffer | undefined>;
  /**
   * The values of `keys`, in order, all read from one snapshot: no batch commits between two of
   * the reads (TransactGetItems' consistent view of several items).
   */
  getMany(keys: readonly Buffer[]): Awaitable<(Buffer | undefined)[]>;
  range(options: RangeOptions): Iterable<Entry> | AsyncIterable<Entry>;
  /**
   * Applies all ops atomically if every condition passes, else none; a failed outcome lists
   * every failed condition (see BatchOutcome). The promise
   * resolves only once the batch is durable in the engine's configured mode.
   * Conditions and value functions may run more than once (see WriteOp); the
   * outcome, `previous` included, is that of the last run, the one committed.
   */
  writeBatch<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>>;
  /**
   * Makes the next reads see every batch committed so far, by this process or any other that
   * shares the store (at once, or once the returned promise settles). Called at the start of
   * each request: a request that a client sends after another process acknowledged a write
   * must read that write. Engines whose reads are always current need not implement it.
   */
  refreshSnapshot?(): void | Promise<void>;
  close(): Promise<void>;
}
