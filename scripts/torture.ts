/**
 * `npm run torture`: the reliability harness (test/reliability/) in its long form. Runs the
 * probes one at a time with COVE_TORTURE=1, collects the figures each one reports
 * (test/support/reliability.ts) and prints them with their totals. Exits non-zero when a probe
 * failed or any acknowledged write was lost, any unprovoked 5xx was answered, or a server crashed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/scripts
const PROBES = join(HERE, '..', 'test', 'reliability');
const FAILURE_FIGURES = ['lost', 'fiveXX', 'crashes'] as const;

const scratch = mkdtempSync(join(tmpdir(), 'cove-torture-'));
const figuresFile = join(scratch, 'figures.jsonl');
const startedAtMs = Date.now();
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...process.argv.slice(2), PROBES], {
  stdio: 'inherit',
  env: { ...process.env, COVE_TORTURE: '1', COVE_TORTURE_FIGURES: figuresFile },
});
const elapsedS = Math.round((Date.now() - startedAtMs) / 1000);

let lines: string[] = [];
try {
  lines = readFileSync(figuresFile, 'utf8').split('\n').filter((line) => line.length > 0);
} catch {
  // No probe reported figures (they all failed before reporting): the summary says so.
}
rmSync(scratch, { recursive: true, force: true });

const totals = new Map<string, number>();
console.log(`\ntorture: ${lines.length} probe reports in ${elapsedS} s`);
for (const line of lines) {
  const { probe, ...figures } = JSON.parse(line) as { probe: string } & Record<string, number>;
  console.log(`  ${probe}: ${Object.entries(figures).map(([name, value]) => `${name} ${value}`).join(', ')}`);
  for (const [name, value] of Object.entries(figures)) totals.set(name, (totals.get(name) ?? 0) + value);
}
console.log(`  total: ${[...totals].map(([name, value]) => `${name} ${value}`).join(', ')}`);

const failures = FAILURE_FIGURES.filter((name) => (totals.get(name) ?? 0) > 0);
if (run.status !== 0 || failures.length > 0 || lines.length === 0) {
  console.log(`torture: FAILED${run.status !== 0 ? ` (probes exited ${run.status})` : ''}${failures.length ? ` (${failures.join(', ')} above zero)` : ''}`);
  process.exit(1);
}
console.log('torture: passed');
