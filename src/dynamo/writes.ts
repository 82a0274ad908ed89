/**
 * The item write path: PutItem, UpdateItem, DeleteItem and BatchWriteItem describe what they
 * write as item changes, and `writeItemChanges` turns them into one atomic engine batch.
 */
import { type DerivedWrite, type OpFailure, type WriteOp } from '../storage/engine.js';
import { checkIndexKeys, encodeEntry, storedEntryKey, TOO_LONG, type SecondaryIndex } from './indexes.js';
import { writeUnits, type IndexUnits } from './capacity.js';
import { AwsError } from '../errors.js';
import { DYNAMODB_NAMESPACE, validationError } from './errors.js';
import { evaluateCondition, type Condition } from './expressions/index.js';
import { decodeItem, encodeItem, storageKeyOf, storedItemSize } from './items.js';
import { INDEXES_CHANGED, type Table, type TableCatalog } from './tables.js';
import { streamCaptureOp, type CapturedChange, type TableStream } from './streams.js';
import { keyOf } from './reads.js';
import { collectionKeyOf, collectionShareBytes, collectionSizeOp, hasItemCollections, measuredCollectionBytes, type ShareChange } from './itemCollections.js';
import type { Item } from './types.js';

export type ReturnValuesOnConditionCheckFailure = 'ALL_OLD' | 'NONE' | undefined;

export function conditionalCheckFailed(oldItem: Item | undefined, returnOld: ReturnValuesOnConditionCheckFailure): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, 'ConditionalCheckFailedException', 'The conditional request failed', 400, 'message', returnOld === 'ALL_OLD' && oldItem ? { Item: oldItem } : undefined);
}

/** An item as the write transaction found it: its stored bytes, decoded only if asked (once). */
export class OldItem {
  private decoded: Item | undefined;
  private size: number | undefined;

  constructor(readonly bytes: Buffer) {}

  /** DynamoDB's size of the item, from the stored header (items.ts), without decoding. */
  get sizeBytes(): number {
    return (this.size ??= storedItemSize(this.bytes));
  }

  get item(): Item {
    return (this.decoded ??= decodeItem(this.bytes));
  }
}

/** An item to write and its size in DynamoDB's accounting (already checked against the limit). */
export interface NewItem {
  readonly item: Item;
  readonly sizeBytes: number;
}

/** What a change does to its key: write an item, delete it, or leave the key as it is. */
export type ItemWrite = { readonly kind: 'put'; readonly item: NewItem } | { readonly kind: 'delete' } | { readonly kind: 'unchanged' };

/** A change's write and whatever else the operation needs from the run that decided it. */
export interface ItemDecision<R> {
  readonly write: ItemWrite;
  readonly result: R;
}

/** One item's change. Build it with `itemChange`, `putItemChange` or `deleteItemChange`. */
export interface ItemChange<R> {
  readonly table: Table;
  /** The item's key attributes (an item carrying them does: only they are read). */
  readonly key: Item;
  /** The key's engine key, encoded once (BatchWriteItem also finds duplicate keys with it). */
  readonly storageKey: Buffer;
  /**
   * The decision, or a pure function of the item as the write transaction finds it (undefined:
   * there is none) deciding it. The function may run more than once (an engine may retry the
   * transaction); throwing fails the whole batch with the thrown error. A decision known up
   * front is encoded before the transaction, which holds the store's write lock.
   */
  readonly decide: ItemDecision<R> | ((old: OldItem | undefined) => ItemDecision<R>);
  /** ConditionExpression or Expected, checked on the item inside the write transaction. */
  readonly check?: WriteCheck;
  /** The time to live sweeper's deletion: its stream record names the service as the user. */
  readonly byTimeToLive?: boolean;
}

export interface WriteCheck {
  readonly condition: Condition | undefined;
  readonly returnValuesOnConditionCheckFailure: ReturnValuesOnConditionCheckFailure;
}

/** What the operation gets back per change: the item the committed run found, and its decision. */
export interface ItemChangeOutcome<R> extends ItemDecision<R> {
  /** The item the change replaced, deleted or left; undefined when the key held none. */
  readonly old: OldItem | undefined;
  /** The write units the change consumed on each secondary index it wrote (none: undefined). */
  readonly indexUnits?: readonly IndexUnits[];
}

export function itemChange<R>(table: Table, key: Item, decide: ItemChange<R>['decide'], check?: WriteCheck): ItemChange<R> {
  return { table, key, storageKey: storageKeyOf(table, key), decide, check };
}

/** PutItem, BatchWriteItem's PutRequest: the item, whatever the key holds. */
export function putItemChange(table: Table, item: NewItem, check?: WriteCheck): ItemChange<undefined> {
  return itemChange(table, item.item, { write: { kind: 'put', item }, result: undefined }, check);
}

/** DeleteItem, BatchWriteItem's DeleteRequest. */
export function deleteItemChange(table: Table, key: Item, check?: WriteCheck): ItemChange<undefined> {
  return itemChange(table, key, { write: { kind: 'delete' }, result: undefined }, check);
}

/** TransactWriteItems' ConditionCheck: the condition on the item, and no write. */
export function conditionCheckChange(table: Table, key: Item, check: WriteCheck): ItemChange<undefined> {
  return itemChange(table, key, { write: { kind: 'unchanged' }, result: undefined }, check);
}

/** Why a batch of changes was not committed: each failure's change index (-1: a table's guard; from changes.length on: an extra op) and error. */
export type ItemChangesResult<R> = { readonly ok: true; readonly outcomes: ItemChangeOutcome<R>[] } | { readonly ok: false; readonly failures: readonly OpFailure<AwsError>[] };

/**
 * THE one place items are written: expands item changes into every write they imply and
 * commits them in one atomic engine batch, through `TableCatalog.writeItems` (which adds the
 * table-incarnation guard). A change writes its base item and, through the engine's derived
 * writes, its secondary index entries (from the old and new item, inside the transaction), and,
 * for a table with an enabled stream, its stream record (streams.ts: one op per stream after the
 * item ops allocates the sequence numbers and derives the records). TransactWriteItems is a batch
 * of changes like any other.
 *
 * Throws the batch's error: a failed check (ConditionalCheckFailedException), a decision
 * function's throw, a deleted table. Returns, in change order, what each change found and
 * decided in the committed run.
 */
export async function writeItemChanges<R>(catalog: TableCatalog, changes: readonly ItemChange<R>[]): Promise<ItemChangeOutcome<R>[]> {
  const result = await tryWriteItemChanges(catalog, changes);
  if (!result.ok) throw result.failures[0].error;
  return result.outcomes;
}

/**
 * `writeItemChanges` for TransactWriteItems: a failed batch answers with every failed check
 * (the engine runs them all) instead of throwing the first. `extraOps` join the same batch after
 * the changes' own ops (the transaction's idempotency token).
 */
export async function tryWriteItemChanges<R>(catalog: TableCatalog, changes: readonly ItemChange<R>[], extraOps: readonly WriteOp<AwsError>[] = []): Promise<ItemChangesResult<R>> {
  const result = await tryWriteOnce(catalog, changes, extraOps);
  if (result.ok || !result.failures.some((failure) => failure.error === INDEXES_CHANGED)) return result;
  // A table's indexes changed since the request resolved it (UpdateTable, maybe in another
  // process): once more against the catalog as it is now, so the write carries every index's entry.
  await catalog.refreshNow();
  return tryWriteOnce(catalog, changes.map((change) => ({ ...change, table: catalog.sameIncarnation(change.table) })), extraOps);
}

async function tryWriteOnce<R>(catalog: TableCatalog, changes: readonly ItemChange<R>[], extraOps: readonly WriteOp<AwsError>[]): Promise<ItemChangesResult<R>> {
  const runs = changes.map(() => new ChangeRun<R>());
  const ops = changes.map((change, i) => itemOp(change, runs[i]));
  // After the item ops (their indexes in the batch stay the changes'): the stream counters' ops.
  if (anyStreamed(changes)) ops.push(...extraOps, ...streamCaptureOps(changes, runs));
  else if (extraOps.length > 0) ops.push(...extraOps);
  // Last, the item collections' sizes: a veto there is the write's that grew the collection.
  const collections = changes.some((change) => hasItemCollections(change.table)) ? await collectionOps(catalog, changes, runs) : NO_COLLECTION_OPS;
  const firstCollectionOp = ops.length;
  ops.push(...collections.ops);
  const outcome = await catalog.writeItems(
    changes.map((change) => change.table),
    ops,
  );
  if (!outcome.ok) {
    const blamed = (index: number) => (index >= firstCollectionOp ? collections.blamed[index - firstCollectionOp] : index);
    return { ok: false, failures: outcome.failures.map((failure) => ({ ...failure, index: blamed(failure.index) })) };
  }
  const outcomes = changes.map((change, i) => {
    const run = runs[i];
    const decision = typeof change.decide === 'function' ? run.decision! : change.decide;
    const old = run.oldItem(outcome.previous[i]);
    return run.indexUnits ? { old, write: decision.write, result: decision.result, indexUnits: run.indexUnits } : { old, write: decision.write, result: decision.result };
  });
  return { ok: true, outcomes };
}

/**
 * What the engine's callbacks for one change saw and decided. They may run more than once;
 * each run overwrites the last, so once the batch commits this holds the committed run —
 * the one place results leave the engine's callbacks.
 */
class ChangeRun<R> {
  private old: OldItem | undefined;
  decision: ItemDecision<R> | undefined;
  /** The index write units of the run's derived writes (a table without indexes: undefined). */
  indexUnits: IndexUnits[] | undefined;
  /** What the stream capture reads of the run (a table without an enabled stream: undefined). */
  capture: CapturedChange | undefined;
  /** The item as the run found it, for its collection's size (a table without local indexes: not kept). */
  found: Buffer | undefined;

  /** The stored value as an OldItem, decoded at most once for the check, the decision and the caller. */
  oldItem(current: Buffer | undefined): OldItem | undefined {
    if (current === undefined) return undefined;
    if (this.old?.bytes !== current) this.old = new OldItem(current);
    return this.old;
  }
}

function itemOp<R>(change: ItemChange<R>, run: ChangeRun<R>): WriteOp<AwsError> {
  const { decide, check, table } = change;
  const condition = check?.condition;
  if (typeof decide !== 'function') checkIndexKeysOf(table, decide.write);
  const value: WriteOp<AwsError>['value'] =
    typeof decide === 'function'
      ? (current) => {
          run.decision = decide(run.oldItem(current));
          checkIndexKeysOf(table, run.decision.write);
          return storedValue(run.decision.write);
        }
      : constantValue(decide.write);
  if (table.stream) run.capture = { keys: keyOf(table, change.key), byTimeToLive: change.byTimeToLive === true, found: undefined, written: undefined, sequence: 0n };
  const captured = run.capture ? capturing(run.capture, value) : value;
  return {
    key: change.storageKey,
    condition: condition && ((current) => checkFailure(condition, check.returnValuesOnConditionCheckFailure, run.oldItem(current))),
    value: hasItemCollections(table) ? remembering(run, captured) : captured,
    ...(table.indexes.length > 0
      ? {
          derive: (current: Buffer | undefined) => {
            const derived = indexWrites(table, change.storageKey, run.oldItem(current), (typeof decide === 'function' ? run.decision! : decide).write);
            run.indexUnits = derived.units;
            return derived.writes;
          },
        }
      : {}),
  };
}

/** The item op's value, remembering in each run the item it found. */
function remembering<R>(run: ChangeRun<R>, value: WriteOp<AwsError>['value']): WriteOp<AwsError>['value'] {
  return (current) => {
    run.found = current;
    return typeof value === 'function' ? value(current) : value;
  };
}

const NO_COLLECTION_OPS: { readonly ops: readonly WriteOp<AwsError>[]; readonly blamed: readonly number[] } = { ops: [], blamed: [] };

/**
 * The size ops of the item collections the changes write to (itemCollections.ts), one per
 * collection, and for each the change a veto blames (set when its op vetoes). A collection
 * whose size is not kept yet is measured now, before the batch.
 */
async function collectionOps<R>(catalog: TableCatalog, changes: readonly ItemChange<R>[], runs: readonly ChangeRun<R>[]): Promise<{ ops: WriteOp<AwsError>[]; blamed: number[] }> {
  const groups = new Map<string, { key: Buffer; table: Table; members: number[] }>();
  changes.forEach((change, i) => {
    if (!hasItemCollections(change.table) || leavesItem(change)) return;
    const key = collectionKeyOf(change.storageKey);
    const id = key.toString('latin1');
    const group = groups.get(id) ?? { key, table: change.table, members: [] };
    group.members.push(i);
    groups.set(id, group);
  });
  const list = [...groups.values()];
  const kept = await catalog.engine.getMany(list.map((group) => group.key));
  const blamed = list.map((group) => group.members[0]);
  const ops = await Promise.all(
    list.map(async (group, g) => {
      const measured = kept[g] === undefined ? await measuredCollectionBytes(catalog.engine, group.table, group.key) : 0;
      const shares = group.members.map((i): ShareChange => () => shareChange(changes[i], runs[i]));
      return collectionSizeOp(group.key, shares, measured, (member) => (blamed[g] = group.members[member]));
    }),
  );
  return { ops, blamed };
}

/** What one change, as its run decided, did to its item's share of the collection. */
function shareChange<R>(change: ItemChange<R>, run: ChangeRun<R>): { before: number; after: number } {
  const { table, storageKey, decide } = change;
  const old = run.oldItem(run.found);
  const before = old ? collectionShareBytes(table, storageKey, old.item, old.sizeBytes) : 0;
  const write = (typeof decide === 'function' ? run.decision! : decide).write;
  if (write.kind === 'unchanged') return { before, after: before };
  if (write.kind === 'delete') return { before, after: 0 };
  // A local index key no engine can store is the write's fault before any size is (the derive refuses it too).
  for (const index of table.indexes) if (index.kind === 'local' && storedEntryKey(index, write.item.item, storageKey) === TOO_LONG) throw indexKeyTooLong(index.name);
  return { before, after: collectionShareBytes(table, storageKey, write.item.item, write.item.sizeBytes) };
}

/** A change known, before the batch, to leave its item as it is (a ConditionCheck). */
function leavesItem<R>(change: ItemChange<R>): boolean {
  return typeof change.decide !== 'function' && change.decide.write.kind === 'unchanged';
}

function anyStreamed(changes: readonly ItemChange<unknown>[]): boolean {
  for (const change of changes) if (change.table.stream) return true;
  return false;
}

/** The item op's value, recording in each run what it found and wrote for the stream capture. */
function capturing(capture: CapturedChange, value: WriteOp<AwsError>['value']): WriteOp<AwsError>['value'] {
  return (current) => {
    const written = typeof value === 'function' ? value(current) : value;
    capture.found = current;
    capture.written = written;
    return written;
  };
}

/** One capture op per stream the changes write to, each with that stream's changes in op order. */
function streamCaptureOps<R>(changes: readonly ItemChange<R>[], runs: readonly ChangeRun<R>[]): WriteOp<AwsError>[] {
  const byStream = new Map<string, { stream: TableStream; captures: CapturedChange[] }>();
  changes.forEach((change, i) => {
    const stream = change.table.stream;
    const capture = runs[i].capture;
    if (!stream || !capture) return;
    const id = stream.storageId.toString('hex');
    const entry = byStream.get(id) ?? { stream, captures: [] };
    entry.captures.push(capture);
    byStream.set(id, entry);
  });
  return [...byStream.values()].map(({ stream, captures }) => streamCaptureOp(stream, captures));
}

/** An item written must carry its index key attributes with the index's types (DynamoDB refuses it otherwise). */
function checkIndexKeysOf(table: Table, write: ItemWrite): void {
  if (write.kind === 'put' && table.indexes.length > 0) checkIndexKeys(table.indexes, write.item.item);
}

/**
 * The index entries a change moves: the old item's entry leaves each index whose key it had
 * (unless the new item has the same), the new item's enters each index whose key it has (an
 * item without an index's key attributes is not in it: sparse indexes).
 *
 * And the write units each index consumes (developer guide, "Provisioned throughput
 * considerations for global secondary indexes", and the same list for local ones): an entry
 * put, one write of the entry's size; an entry deleted, one write of the old entry's size; an
 * entry whose index key changed, both; an entry kept under the same key, one write of the larger
 * of the two only if what the index holds changed (a key or projected attribute); an item in
 * neither the old nor the new state of the index, nothing. An entry's size is the projected
 * item's size (unverified: whether DynamoDB's write units count the 100-byte index overhead it
 * counts for storage; here they do not).
 */
function indexWrites(table: Table, storageKey: Buffer, old: OldItem | undefined, write: ItemWrite): { writes: DerivedWrite[]; units: IndexUnits[] } {
  const writes: DerivedWrite[] = [];
  const units: IndexUnits[] = [];
  if (write.kind === 'unchanged') return { writes, units };
  const newItem = write.kind === 'put' ? write.item : undefined;
  for (const index of table.indexes) {
    // An old key no engine could store was never written: nothing to remove.
    const oldEntry = old && storedEntryKey(index, old.item, storageKey);
    const oldKey = oldEntry === TOO_LONG ? undefined : oldEntry;
    const newKey = newItem && storedEntryKey(index, newItem.item, storageKey);
    if (newKey === TOO_LONG) throw indexKeyTooLong(index.name);
    const sameKey = oldKey !== undefined && newKey !== undefined && newKey.equals(oldKey);
    let indexUnits = 0;
    if (oldKey && !sameKey) {
      writes.push({ key: oldKey, value: null });
      indexUnits += writeUnits(storedItemSize(oldEntryOf(index, old!)));
    }
    if (newKey) {
      const entry = encodeEntry(index, newItem!.item, newItem!.sizeBytes);
      writes.push({ key: newKey, value: entry });
      if (!sameKey) indexUnits += writeUnits(storedItemSize(entry));
      else {
        const oldStored = oldEntryOf(index, old!);
        // Unverified: an entry rewritten with the same bytes (an update of attributes the index
        // does not project) is charged nothing, as DynamoDB charges no write for it.
        if (!oldStored.equals(entry)) indexUnits += writeUnits(Math.max(storedItemSize(oldStored), storedItemSize(entry)));
      }
    }
    if (indexUnits > 0) units.push({ name: index.name, kind: index.kind, units: indexUnits });
  }
  return { writes, units };
}

/** The entry the old item has in the index, as stored (an ALL index's entry is the item itself). */
function oldEntryOf(index: SecondaryIndex, old: OldItem): Buffer {
  return index.projectionType === 'ALL' ? old.bytes : encodeEntry(index, old.item, old.sizeBytes);
}

/** cove's own limit, not DynamoDB's: an index key whose stored form exceeds what every engine takes. */
function indexKeyTooLong(indexName: string): AwsError {
  return validationError(`One or more parameter values were invalid: cove cannot store this item's key in index ${indexName}: its sort key has too many zero bytes to fit the storage engine's key limit`);
}

/** A decision known up front, encoded now; the engine takes "leave the key" only from a function. */
function constantValue(write: ItemWrite): WriteOp<AwsError>['value'] {
  const value = storedValue(write);
  return value === undefined ? () => undefined : value;
}

/** The ConditionExpression (or Expected) on the item as it is now: no write slips in between. */
function checkFailure(condition: Condition, returnOld: ReturnValuesOnConditionCheckFailure, old: OldItem | undefined): AwsError | undefined {
  const item = old?.item;
  return evaluateCondition(condition, item) ? undefined : conditionalCheckFailed(item, returnOld);
}

/** The engine value of a write: its stored form, null to delete, undefined to leave the key. */
function storedValue(write: ItemWrite): Buffer | null | undefined {
  switch (write.kind) {
    case 'put':
      return encodeItem(write.item.item, write.item.sizeBytes);
    case 'delete':
      return null;
    case 'unchanged':
      return undefined;
  }
}
