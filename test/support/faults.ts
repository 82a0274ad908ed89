import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures');

/**
 * The failwrite shim (test/fixtures/failwrite.c), compiled with gcc into a work directory: an
 * LD_PRELOAD library that fails writes (full: ENOSPC on growth; eio) or syncs of the files under
 * $FAILWRITE_PATH while the file $FAILWRITE_FLAG exists. `skip` says why not, without gcc.
 */
export function compileFailWriteShim(): { skip: string | false; path(workDirectory: string): string } {
  const hasCompiler = spawnSync('gcc', ['--version']).status === 0;
  return {
    skip: hasCompiler ? false : 'gcc not installed',
    path(workDirectory) {
      const shim = join(workDirectory, 'failwrite.so');
      if (existsSync(shim)) return shim;
      const compiled = spawnSync('gcc', ['-shared', '-fPIC', '-o', shim, join(FIXTURES, 'failwrite.c'), '-ldl'], { encoding: 'utf8' });
      assert.equal(compiled.status, 0, compiled.stderr);
      return shim;
    },
  };
}

/** Mounts a tmpfs of `sizeBytes` at `directory` (root only); false when this machine does not let us. */
export function mountTmpfs(directory: string, sizeBytes: number): boolean {
  mkdirSync(directory, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', directory], { stdio: 'ignore' }).status === 0;
}

export function unmount(directory: string): void {
  spawnSync('umount', ['-l', directory], { stdio: 'ignore' });
}
