import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

describe('LMDB engine at process exit', () => {
  // lmdb-js runs a write transaction on a libuv pool thread that waits for the main thread to run
  // the batch's callback; an exit meanwhile hung for good (libuv joins that thread at exit) while
  // holding LMDB's write lock, so no other process could write to the store. A condition runs
  // inside that callback: exiting from one is exiting with a batch under way, every time.
  const engineModule = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'storage', 'lmdb.js');
  const exitingWriter = (path: string) => `
    import { LmdbEngine } from ${JSON.stringify(engineModule)};
    const engine = new LmdbEngine({ path: ${JSON.stringify(path)}, sharedWithOtherProcesses: true });
    await engine.writeBatch([{ key: Buffer.from('before'), value: Buffer.from('1') }]);
    void engine.writeBatch([{ key: Buffer.from('during'), value: Buffer.from('2'), condition: () => process.exit(0) }]);
  `;

  it('ends a process that exits with a write under way (as kill -9 would), and frees the store', async () => {
    const directory = tempDirectory();
    const path = join(directory, 'db');
    try {
      const child = spawn(process.execPath, ['--input-type=module', '-e', exitingWriter(path)], { stdio: 'ignore' });
      // A hang guard, not a timing assertion: without the fix the process never ends.
      const ended = await Promise.race([
        new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!ended) child.kill('SIGKILL');
      assert.ok(ended, 'the process ended instead of hanging at exit');
      const engine = new LmdbEngine({ path, sharedWithOtherProcesses: true });
      const outcome = await engine.writeBatch([{ key: b('after'), value: b('3') }]);
      const [before, during] = engine.getMany([b('before'), b('during')]);
      await engine.close();
      assert.equal(outcome.ok, true, 'another process writes to the store afterwards');
      assert.deepEqual([before, during], [b('1'), undefined], 'the batch under way was not applied');
    } finally {
      removeDirectory(directory);
    }
  });
});
