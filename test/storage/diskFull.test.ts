import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { compileFailWriteShim } from '../support/faults.js';

const ENGINE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'storage', 'lmdb.js');

/**
 * In a child process under the failwrite shim (test/fixtures/failwrite.c): a batch committed
 * while the store's disk is full, then the same after space is back. lmdb-js 3.5.6 left a
 * rejected promise of the failed commit unhandled, which ended the process.
 */
const SCRIPT = `
import { writeFileSync, rmSync } from 'node:fs';
const { LmdbEngine } = await import(process.env.ENGINE);
const engine = new LmdbEngine({ path: process.env.STORE });
const key = (text) => Buffer.from(text);
await engine.writeBatch([{ key: key('before'), value: Buffer.alloc(100, 1) }]);
writeFileSync(process.env.FAILWRITE_FLAG, 'full');
const refused = await engine.writeBatch([{ key: key('during'), value: Buffer.alloc(1 << 20, 2) }]).then(() => 'acknowledged', (error) => 'refused');
await new Promise((resolve) => setTimeout(resolve, 50));
rmSync(process.env.FAILWRITE_FLAG);
await engine.writeBatch([{ key: key('after'), value: Buffer.alloc(1 << 20, 3) }]);
console.log(JSON.stringify({ refused, before: engine.get(key('before'))?.length, during: engine.get(key('during'))?.length ?? null, after: engine.get(key('after'))?.length }));
await engine.close();
`;

describe('lmdb engine on a full disk', () => {
  const shim = compileFailWriteShim();
  it('refuses the batch, survives, and writes again once space is back', { skip: shim.skip }, () => {
    const work = tempDirectory('cove-diskfull-');
    try {
      const store = join(work, 'db');
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
        encoding: 'utf8',
        env: { ...process.env, ENGINE, STORE: store, LD_PRELOAD: shim.path(work), FAILWRITE_FLAG: join(work, 'flag'), FAILWRITE_PATH: store },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1)!), { refused: 'refused', before: 100, during: null, after: 1 << 20 });
    } finally {
      removeDirectory(work);
    }
  });
});
