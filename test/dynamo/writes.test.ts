import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchOutcome, Entry, RangeOptions, StorageEngine, WriteOp } from '../../src/storage/engine.js';
import { TableCatalog } from '../../src/dynamo/tables.js';
import { decodeItem, encodeItem, storageKeyOf } from '../../src/dynamo/items.js';
import { itemSizeBytes } from '../../src/dynamo/attributeValue.js';
import { itemChange, putItemChange, writeItemChanges } from '../../src/dynamo/writes.js';
import type { Item } from '../../src/dynamo/types.js';

/**
 * An in-memory engine that runs every batch twice, as an engine retrying a serialization
 * failure would: the first run is discarded, `interfere` (a concurrent commit) runs between
 * the two, and the second run commits.
 */
class RetryingEngine implements StorageEngine {
  readonly name = 'retrying';
  private readonly data = new Map<string, Buffer>();
  interfere: (() => void) | undefined;

  get(key: Buffer): Buffer | undefined {
    return this.data.get(key.toString('latin1'));
  }

  set(key: Buffer, value: Buffer): void {
    this.data.set(key.toString('latin1'), value);
  }

  *range(options: RangeOptions): Iterable<Entry> {
    const keys = [...this.data.keys()].map((k) => Buffer.from(k, 'latin1')).sort(Buffer.compare);
    const inRange = keys.filter((k) => Buffer.compare(k, options.start) >= 0 && Buffer.compare(k, options.end) < 0);
    if (options.reverse) inRange.reverse();
    for (const key of inRange.slice(0, options.limit)) yield { key, value: this.get(key)! };
  }

  async writeBatch<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>> {
    this.run(ops, false);
    this.interfere?.();
    this.interfere = undefined;
    return this.run(ops, true);
  }

  getMany(keys: readonly Buffer[]): (Buffer | undefined)[] {
    return keys.map((key) => this.get(key));
  }

  private run<E>(ops: WriteOp<E>[], commit: boolean): BatchOutcome<E> {
    const previous = ops.map((op) => this.get(op.key));
    const failures = ops.flatMap((op, index) => {
      const error = op.condition?.(previous[index]);
      return error === undefined ? [] : [{ index, error }];
    });
    if (failures.length > 0) return { ok: false, failedIndex: failures[0].index, error: failures[0].error, failures, previous };
    const values = ops.map((op, i) => (typeof op.value === 'function' ? op.value(previous[i]) : op.value));
    if (commit) {
      values.forEach((value, i) => {
        if (value === null) this.data.delete(ops[i].key.toString('latin1'));
        else if (value !== undefined) this.set(ops[i].key, value);
      });
    }
    return { ok: true, previous };
  }

  async close(): Promise<void> {}
}

describe('item write path', () => {
  it('returns what the committed (last) run of a change found and decided', async () => {
    const engine = new RetryingEngine();
    const catalog = await TableCatalog.load(engine);
    const table = await catalog.create({
      TableName: 't',
      TableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t',
      CreationDateTime: 0,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      TableSizeBytes: 0,
      ItemCount: 0,
      DeletionProtectionEnabled: false,
    });
    const itemWith = (n: number): Item => ({ pk: { S: 'a' }, n: { N: String(n) } });
    const first = itemWith(1);
    await writeItemChanges(catalog, [putItemChange(table, { item: first, sizeBytes: itemSizeBytes(first) })]);

    // A concurrent commit between the two runs: the first run saw n = 1, the committed one n = 5.
    const concurrent = itemWith(5);
    engine.interfere = () => engine.set(storageKeyOf(table, concurrent), encodeItem(concurrent));
    const increment = itemChange(table, { pk: { S: 'a' } }, (old) => {
      const item = itemWith(Number((old!.item.n as { N: string }).N) + 1);
      return { write: { kind: 'put', item: { item, sizeBytes: itemSizeBytes(item) } }, result: (old!.item.n as { N: string }).N };
    });
    const [outcome] = await writeItemChanges(catalog, [increment]);

    assert.equal(outcome.result, '5');
    assert.deepEqual(outcome.old?.item, itemWith(5));
    assert.equal(outcome.write.kind, 'put');
    assert.deepEqual(outcome.write.kind === 'put' && outcome.write.item.item, itemWith(6));
    assert.deepEqual(decodeItem(engine.get(storageKeyOf(table, first))!), itemWith(6));
  });
});
