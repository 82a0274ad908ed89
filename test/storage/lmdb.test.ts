import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

const b = (s: string) => Buffer.from(s);

describe('LMDB engine', () => {
  const directory = tempDirectory();
  const engine = new LmdbEngine({ path: join(directory, 'db') });
  after(async () => {
    await engine.close();
    removeDirectory(directory);
  });

  it('applies a batch atomically, or not at all when a condition vetoes it', async () => {
    await engine.writeBatch([{ key: b('a1'), value: b('1') }]);
    const vetoed = await engine.writeBatch([
      { key: b('a2'), value: b('2') },
      { key: b('a1'), value: null, condition: (current) => (current ? 'exists' : undefined) },
    ]);
    assert.equal(vetoed.ok, false);
    assert.equal(!vetoed.ok && vetoed.failedIndex, 1);
    assert.equal(engine.get(b('a2')), undefined, 'no op of a vetoed batch is applied');
    assert.deepEqual(engine.get(b('a1')), b('1'));
  });

  it('reports every failed condition of a vetoed batch, in op order', async () => {
    await engine.writeBatch([{ key: b('f1'), value: b('1') }, { key: b('f3'), value: b('3') }]);
    const exists = (current: Buffer | undefined) => (current ? 'exists' : undefined);
    const vetoed = await engine.writeBatch([
      { key: b('f1'), value: b('x'), condition: exists },
      { key: b('f2'), value: b('x'), condition: exists },
      { key: b('f3'), value: b('x'), condition: exists },
    ]);
    assert.equal(vetoed.ok, false);
    assert.deepEqual(!vetoed.ok && vetoed.failures, [{ index: 0, error: 'exists' }, { index: 2, error: 'exists' }]);
    assert.equal(!vetoed.ok && vetoed.failedIndex, 0);
    assert.equal(engine.get(b('f2')), undefined);
  });

  it('reads several keys from one snapshot', async () => {
    await engine.writeBatch([{ key: b('m1'), value: b('1') }]);
    assert.deepEqual(engine.getMany([b('m1'), b('m2')]), [b('1'), undefined]);
  });

  it('isolates a failing batch from the others committed in the same turn', async () => {
    const [good, bad, computed] = await Promise.all([
      engine.writeBatch([{ key: b('t-good'), value: b('ok') }]),
      engine.writeBatch([
        { key: b('t-bad'), value: () => { throw new Error('runtime veto'); } },
      ]),
      engine.writeBatch([{ key: b('a1'), value: (current) => Buffer.concat([current ?? b(''), b('+')]) }]),
    ]);
    assert.equal(good.ok, true);
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && (bad.error as Error).message, 'runtime veto');
    assert.equal(computed.ok, true);
    assert.deepEqual(engine.get(b('t-good')), b('ok'));
    assert.equal(engine.get(b('t-bad')), undefined);
    assert.deepEqual(engine.get(b('a1')), b('1+'), 'read-modify-write sees the current value');
  });

  it('ranges forward and backward with an inclusive start and exclusive end', async () => {
    await Promise.all(['r1', 'r2', 'r3', 'r4'].map((k) => engine.writeBatch([{ key: b(k), value: b(k) }])));
    const keys = (reverse: boolean, limit?: number) => [...(engine.range({ start: b('r2'), end: b('r4'), reverse, limit }) as Iterable<{ key: Buffer }>)].map((e) => e.key.toString());
    assert.deepEqual(keys(false), ['r2', 'r3']);
    assert.deepEqual(keys(true), ['r3', 'r2']);
    assert.deepEqual(keys(true, 1), ['r3']);
  });
});
