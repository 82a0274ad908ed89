import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

const b = (s: string) => Buffer.from(s);

describe('LMDB engine: group commit', () => {
  const directory = tempDirectory();
  const engine = new LmdbEngine({ path: join(directory, 'db') });
  after(async () => {
    await engine.close();
    removeDirectory(directory);
  });

  // The contract's cases (atomic batches, failed conditions, getMany, ranges) run on every engine
  // in contract.test.ts; these are LMDB's own: its group commit and its exit hook.
  it('isolates a failing batch from the others committed in the same turn', async () => {
    await engine.writeBatch([{ key: b('a1'), value: b('1') }]);
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
