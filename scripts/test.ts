/**
 * Runs the suite: every compiled `*.test.js` under dist/test, one file at a time, with
 * `node --test`. The files are listed here because Node 20 and Node 22 read `node --test`'s
 * arguments differently (20 takes a directory, 22 takes glob patterns and no directory), and
 * the suite must run on both. Extra arguments go to `node --test` (`--test-name-pattern=...`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const testRoot = fileURLToPath(new URL('../test/', import.meta.url));

function testFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    });
}

const files = testFiles(testRoot).map((path) => relative(process.cwd(), path));
if (files.length === 0) {
  console.error(`test: no *.test.js under ${testRoot} (run npm run build first)`);
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
