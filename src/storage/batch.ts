/**
 * One run of a batch's functions on the values its transaction read, the same for every engine:
 * every condition, then each value function in op order, then each derive (engine.ts `WriteOp`).
 * Pure: an engine that retries its transaction calls it again with the retry's values.
 */
import { MAX_ENGINE_KEY_BYTES, type BatchOutcome, type DerivedWrite, type OpFailure, type WriteOp } from './engine.js';

/** What a run that passed every condition writes: each op's value (undefined: left as it is), then the derived writes. */
export interface BatchWrites {
  values: (Buffer | null | undefined)[];
  derived: DerivedWrite[];
}

export type BatchRun<E> = { ok: true; writes: BatchWrites } | Extract<BatchOutcome<E>, { ok: false }>;

/** Throws unless every op's key is 1..MAX_ENGINE_KEY_BYTES long (checked before any transaction). */
export function checkOpKeys<E>(ops: readonly WriteOp<E>[]): void {
  for (const op of ops) {
    if (op.key.length === 0 || op.key.length > MAX_ENGINE_KEY_BYTES) {
      throw new RangeError(`engine key of ${op.key.length} bytes is outside 1..${MAX_ENGINE_KEY_BYTES}`);
    }
  }
}

/** Runs the batch's functions on `previous` (each op key's current value). Never throws: a throw is the batch's failure. */
export function runBatch<E>(ops: readonly WriteOp<E>[], previous: (Buffer | undefined)[]): BatchRun<E> {
  const failures = failedConditions(ops, previous);
  if (failures.length > 0) return { ok: false, failedIndex: failures[0].index, error: failures[0].error, failures, previous };
  const failed = (index: number, thrown: unknown): BatchRun<E> => ({ ok: false, failedIndex: index, error: thrown as E, failures: [{ index, error: thrown as E }], previous });
  const values: (Buffer | null | undefined)[] = [];
  for (let i = 0; i < ops.length; i++) {
    const value = ops[i].value;
    try {
      values.push(typeof value === 'function' ? value(previous[i]) : value);
    } catch (thrown) {
      return failed(i, thrown);
    }
  }
  const derived: DerivedWrite[] = [];
  for (let i = 0; i < ops.length; i++) {
    const derive = ops[i].derive;
    if (!derive) continue;
    try {
      for (const write of derive(previous[i], values[i] === undefined ? previous[i] : values[i])) {
        // A bad key must fail this batch, never throw into a transaction other batches share.
        if (write.key.length === 0 || write.key.length > MAX_ENGINE_KEY_BYTES) throw new RangeError(`derived engine key of ${write.key.length} bytes is outside 1..${MAX_ENGINE_KEY_BYTES}`);
        derived.push(write);
      }
    } catch (thrown) {
      return failed(i, thrown);
    }
  }
  return { ok: true, writes: { values, derived } };
}

/**
 * Every condition of the batch on the values the transaction found, in op order. All of them run,
 * whatever the earlier ones answered: a transaction reports each failure. A throw is a failure.
 */
function failedConditions<E>(ops: readonly WriteOp<E>[], previous: readonly (Buffer | undefined)[]): OpFailure<E>[] {
  const failures: OpFailure<E>[] = [];
  for (let i = 0; i < ops.length; i++) {
    const condition = ops[i].condition;
    if (!condition) continue;
    try {
      const error = condition(previous[i]);
      if (error !== undefined) failures.push({ index: i, error });
    } catch (thrown) {
      failures.push({ index: i, error: thrown as E });
    }
  }
  return failures;
}
