/**
 * `npm run bench [-- --quick]`: cove against dynalite (in memory and on disk) and the ceiling
 * (a bare node:http server), interleaved per workload, plus SigV4 and policy micro-benchmarks
 * and cove's RSS as its data grows. See README.md "Benchmark" and issue 6.
 *
 * Everything runs sequentially (the machine has 2 cores): one server under load at a time, the
 * load generator in its own process (load.ts), micro-benchmarks in their own process
 * (micro.ts). Every child process is started in its own process group and killed at the end,
 * on error and on SIGINT/SIGTERM.
 *
 * Options: --quick (3 s windows, 20k items, small RSS steps), --seconds N, --warmup N,
 * --items N, --only w1,w2 (workload names), --no-rss, --no-micro, --workers N (cove's
 * serving processes, `cove serve --workers N`; default one per core), --cpu-prof DIR (cove runs
 * under `node --cpu-prof`; each cove process writes its profile into DIR when it stops),
 * --engine lmdb|postgres (cove's storage; postgres: `--storage-url URL`, COVE_BENCH_STORAGE_URL, or
 * a throwaway cluster started for the run; see bench/postgres.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunResult, Task } from './load.js';
import { ACCESS_KEY_ID, coveConfig, REGION, SECRET_ACCESS_KEY, statementCount } from './policy.js';
import { WORKLOADS, type DataShape } from './workloads.js';
import { startBenchPostgres, type BenchPostgres } from './postgres.js';

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const ROOT = join(HERE, '..', '..');
const COVE_MAIN = join(HERE, '..', 'src', 'cli', 'main.js');
const LOAD_MAIN = join(HERE, 'load.js');
const MICRO_MAIN = join(HERE, 'micro.js');
const CEILING_MAIN = join(HERE, 'ceiling.js');
const GUARD = pathToFileURL(join(HERE, 'guard.js')).href;
const DYNALITE_MAIN = createRequire(import.meta.url).resolve('dynalite/cli.js');
const RESULTS_FILE = join(ROOT, 'bench', 'results.json');
const CREDENTIALS = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: REGION };

// ------------------------------------------------------------------------------------------------
// Options
// ------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}
const quick = argv.includes('--quick');
const settings = {
  quick,
  seconds: Number(option('--seconds') ?? (quick ? 3 : 10)),
  warmupSeconds: Number(option('--warmup') ?? (quick ? 1 : 3)),
  shape: {
    items: Number(option('--items') ?? (quick ? 20_000 : 100_000)),
    partitions: quick ? 50 : 200,
  } satisfies DataShape,
  rssSteps: argv.includes('--no-rss') ? [] : quick ? [25_000, 50_000, 100_000] : [250_000, 500_000, 1_000_000],
  micro: !argv.includes('--no-micro'),
  /** GetItem with 1 and 2 serving processes (the one of --workers from the main runs, the other on a fresh cove). */
  scaling: !argv.includes('--no-scaling'),
  microSeconds: quick ? 1 : 3,
  workloads: option('--only')?.split(',') ?? WORKLOADS.map((w) => w.name),
  /** cove's serving processes; the ceiling runs with as many. Both cores by default: cove is meant to use them. */
  workers: Number(option('--workers') ?? availableParallelism()),
  cpuProfileDirectory: option('--cpu-prof') === undefined ? undefined : resolvePath(option('--cpu-prof')!),
  /** cove's storage engine. */
  engine: option('--engine') ?? 'lmdb',
  /** With PostgreSQL: also compare this many cove nodes (one worker each) against one; 1 = not run. */
  nodes: Number(option('--nodes') ?? 1),
};
if (settings.engine !== 'lmdb' && settings.engine !== 'postgres') throw new Error(`--engine expects lmdb or postgres, got ${settings.engine}`);
/** Set with --engine postgres, in main. */
let postgres: BenchPostgres | undefined;
if (!Number.isInteger(settings.nodes) || settings.nodes < 1) throw new Error(`--nodes expects a whole number ≥ 1, got ${option('--nodes')}`);
if (settings.nodes > 1 && settings.engine !== 'postgres') throw new Error('--nodes needs --engine postgres: several cove nodes share one database');
if (!Number.isInteger(settings.workers) || settings.workers < 1) throw new Error(`--workers expects a whole number ≥ 1, got ${option('--workers')}`);
for (const name of settings.workloads) {
  if (!WORKLOADS.some((w) => w.name === name)) throw new Error(`unknown workload ${name}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
}

// ------------------------------------------------------------------------------------------------
// Child processes
// ------------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const temporary: string[] = [];

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the child and everything it started
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function cleanup(): void {
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every child process\n`);
    cleanup();
    process.exit(130);
  });
}

/** Starts `node args…` in its own process group; keeps the tail of its output. */
function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      children.delete(child);
      resolve(-1);
    });
  });
  return { child, output: () => output, exited };
}

async function stop(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  killGroup(child, 'SIGKILL'); // anything left in its group
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tempDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

interface Server {
  name: string;
  port: number;
  /** Its HTTPS port and the CA file that verifies it (cove and the ceiling). */
  tls?: { port: number; caFile: string };
  pid: number;
  stop(): Promise<void>;
  output(): string;
}

async function startServer(name: string, args: string[], ready: RegExp, port?: number): Promise<Server> {
  const { child, output, exited } = start(['--import', GUARD, ...args]);
  const found = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${output()}`)), 30_000);
    const onData = () => {
      const match = ready.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1] ?? port));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output()}`));
    });
  });
  return { name, port: found, pid: child.pid!, stop: () => stop(child, exited), output };
}

/** A cove; `storageUrl` puts it on a database another cove uses already (a second node), else on a fresh schema. */
async function startCove(workers = settings.workers, storageUrl?: string): Promise<Server & { storageUrl?: string }> {
  const dir = tempDirectory('cove-bench-');
  const configFile = join(dir, 'cove.yaml');
  writeFileSync(configFile, coveConfig());
  const profile = settings.cpuProfileDirectory === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', settings.cpuProfileDirectory];
  const url = postgres ? (storageUrl ?? (await postgres.freshUrl())) : undefined;
  const storage = url === undefined ? [] : ['--storage-url', url];
  const server = await startServer(
    'cove',
    [...profile, COVE_MAIN, 'serve', '--config', configFile, '--data', join(dir, 'data'), '--port', '0', '--workers', String(workers), '--quiet', ...storage],
    /listening on https:\/\/[^:\s]+:(\d+)/, // the last listener's line: every listener is up
  );
  const plain = /public listening on http:\/\/[^:\s]+:(\d+)/.exec(server.output());
  const tlsDirectory = join(dir, 'data', 'tls');
  return { ...server, port: Number(plain![1]), tls: { port: server.port, caFile: join(tlsDirectory, 'ca.pem') }, ...(url === undefined ? {} : { storageUrl: url }) };
}

/** The listener certificate cove made (`tls: auto`), which the ceiling's HTTPS server presents too. */
function coveCertificate(cove: Server): { cert: string; key: string } {
  const directory = dirname(cove.tls!.caFile);
  return { cert: join(directory, 'https.pem'), key: join(directory, 'https-key.pem') };
}

async function startDynalite(name: string, onDisk: boolean): Promise<Server> {
  const port = await freePort();
  const args = [DYNALITE_MAIN, '--port', String(port), '--host', '127.0.0.1', '--createTableMs', '0', '--deleteTableMs', '0', '--updateTableMs', '0'];
  if (onDisk) args.push('--path', join(tempDirectory('dynalite-bench-'), 'db'));
  return startServer(name, args, /Dynalite listening at: \S+:(\d+)/);
}

async function startCeiling(processes: number, cove: Server): Promise<Server> {
  const port = await freePort();
  const tlsPort = await freePort();
  const { cert, key } = coveCertificate(cove);
  const server = await startServer('ceiling', [CEILING_MAIN, String(port), String(processes), String(tlsPort), cert, key], /ceiling listening on http:\/\/[^:\s]+:(\d+)/);
  return { ...server, tls: { port: tlsPort, caFile: cove.tls!.caFile } };
}

/** Runs a load generator task in its own process; resolves with its JSON result. */
async function load<T>(task: Task, timeoutSeconds: number): Promise<T> {
  const { child, output, exited } = start([LOAD_MAIN, JSON.stringify(task)]);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutSeconds * 1000);
  const code = await exited;
  clearTimeout(timer);
  const lines = output().trim().split('\n');
  if (code !== 0) throw new Error(`load generator (${task.kind}) exited with ${code}:\n${output().slice(-3000)}`);
  return JSON.parse(lines[lines.length - 1]) as T;
}

async function micro(): Promise<Record<string, number>> {
  const { output, exited } = start([MICRO_MAIN, String(settings.microSeconds)]);
  const code = await exited;
  if (code !== 0) throw new Error(`micro-benchmarks exited with ${code}:\n${output()}`);
  const lines = output().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, number>;
}

/** pid and all its descendants, from /proc. */
function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/**
 * Resident memory of a process tree, in MB: the sum of each process's PSS (proportional set
 * size, /proc/PID/smaps_rollup), so that pages the processes share — above all LMDB's memory
 * map, which every cluster worker maps — count once, not once per process. Split into
 * anonymous and file-backed (LMDB's map is file-backed) pages.
 */
function rss(pid: number): { rssMb: number; anonMb: number; fileMb: number; processes: number } {
  let rssKb = 0;
  let anonKb = 0;
  let fileKb = 0;
  const tree = processTree(pid);
  for (const p of tree) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
      rssKb += field('Pss');
      anonKb += field('Pss_Anon');
      fileKb += field('Pss_File') + field('Pss_Shmem');
    } catch {
      // gone
    }
  }
  return { rssMb: rssKb / 1024, anonMb: anonKb / 1024, fileMb: fileKb / 1024, processes: tree.length };
}

// ------------------------------------------------------------------------------------------------
// Reporting
// ------------------------------------------------------------------------------------------------

/** `unsupported`: the system does not serve the workload's operation (not run, not a failure). */
type Outcome = RunResult | { error: string; unsupported?: true };
const SYSTEMS = ['cove', 'dynalite-mem', 'dynalite-disk', 'ceiling'] as const;
type SystemName = (typeof SYSTEMS)[number];
const DYNALITES: readonly SystemName[] = ['dynalite-mem', 'dynalite-disk'];

/** What dynalite lacks to run a workload: TLS, or the operation (TransactWriteItems). */
function dynaliteLacks(workload: (typeof WORKLOADS)[number]): string {
  return workload.tls ? 'TLS' : workload.target;
}

function ok(outcome: Outcome | undefined): outcome is RunResult {
  return outcome !== undefined && !('error' in outcome);
}
function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? 'na' : value.toFixed(digits);
}
function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

/** One run of `workloadName` against `server` (its TLS port for a TLS workload); failures are an outcome, not a throw. */
async function measure(server: Server, workloadName: string, shape: DataShape, tag: string, seed: number, moreNodes: readonly Server[] = []): Promise<Outcome> {
  const workload = WORKLOADS.find((w) => w.name === workloadName)!;
  const task: Task = {
    kind: 'run',
    port: workload.tls ? server.tls!.port : server.port,
    ...(workload.tls ? { caFile: server.tls!.caFile } : {}),
    credentials: CREDENTIALS,
    workload: workload.name,
    shape,
    tag,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    seed,
    ...(moreNodes.length > 0 ? { morePorts: moreNodes.map((node) => node.port) } : {}),
  };
  try {
    return await load<RunResult>(task, settings.seconds + settings.warmupSeconds * 2 + 300);
  } catch (error) {
    // The server's own words (an internal error's stack) say more than the load generator's.
    return { error: `${(error as Error).message.slice(0, 2000)}\n${server.name}'s output:\n${server.output().slice(-2000)}` };
  }
}

function runLine(label: string, system: string, outcome: Outcome): string {
  return ok(outcome)
    ? `  ${pad(label, 19)} ${pad(system, 14)} ${pad(fixed(outcome.requestsPerSecond, 0), 8, true)} req/s  p50 ${fixed(outcome.p50Ms, 2)} ms  p99 ${fixed(outcome.p99Ms, 2)} ms` +
        `${outcome.errors || outcome.checkFailures ? `  errors ${outcome.errors}, bad replies ${outcome.checkFailures}: ${outcome.firstError ?? ''}` : ''}`
    : `  ${pad(label, 19)} ${pad(system, 14)} FAILED: ${outcome.error.split('\n')[0]}`;
}

/** 100k, 1m: item counts in summary names. */
function itemsLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1000}k`;
}

function rate(outcome: Outcome | undefined): number | undefined {
  return ok(outcome) ? outcome.requestsPerSecond : undefined;
}

/** a's rate over b's, two decimals; `na` when either failed. */
function over(a: Outcome | undefined, b: Outcome | undefined): string {
  const [x, y] = [rate(a), rate(b)];
  return fixed(x === undefined || y === undefined ? undefined : x / y, 2);
}

/**
 * GetItem with 1 and 2 serving processes, each against a ceiling of as many: the main runs give
 * one of them (`--workers`), a fresh cove (preloaded alike) and ceiling give the other.
 */
async function scaling(main: { cove?: Outcome; ceiling?: Outcome }): Promise<Map<number, { cove?: Outcome; ceiling?: Outcome }>> {
  const byWorkers = new Map<number, { cove?: Outcome; ceiling?: Outcome }>([[settings.workers, main]]);
  for (const workers of [1, 2]) {
    if (byWorkers.has(workers)) continue;
    log(`getitem with --workers ${workers} (a fresh cove, preloaded alike, and a ceiling of ${workers} process${workers > 1 ? 'es' : ''})…`);
    const cove = await startCove(workers);
    let ceiling: Server | undefined;
    try {
      await load({ kind: 'setup', port: cove.port, credentials: CREDENTIALS, shape: settings.shape }, 1800);
      ceiling = await startCeiling(workers, cove);
      const outcomes = { cove: await measure(cove, 'getitem', settings.shape, `w${workers}`, 7000 + workers), ceiling: await measure(ceiling, 'getitem', settings.shape, `w${workers}c`, 7000 + workers) };
      log(runLine(`getitem w${workers}`, 'cove', outcomes.cove));
      log(runLine(`getitem w${workers}`, 'ceiling', outcomes.ceiling));
      byWorkers.set(workers, outcomes);
    } finally {
      await ceiling?.stop();
      await cove.stop();
    }
  }
  return byWorkers;
}

/**
 * `--engine postgres --nodes N`: GetItem and PutItem on one cove node, then on N nodes (separate
 * `cove serve` processes, one worker each, as on separate machines) on the same database, the
 * load generator's connections spread over them.
 */
async function nodesPhase(): Promise<Map<number, { getitem: Outcome; putitem: Outcome }>> {
  const byNodes = new Map<number, { getitem: Outcome; putitem: Outcome }>();
  for (const count of [1, settings.nodes]) {
    log(`getitem and putitem on ${count} cove node${count > 1 ? 's' : ''} (1 worker each) on one PostgreSQL database…`);
    const nodes: Array<Server & { storageUrl?: string }> = [];
    try {
      nodes.push(await startCove(1));
      for (let i = 1; i < count; i++) nodes.push(await startCove(1, nodes[0].storageUrl));
      await load({ kind: 'setup', port: nodes[0].port, credentials: CREDENTIALS, shape: settings.shape }, 1800);
      const [first, ...others] = nodes;
      const outcomes = { getitem: await measure(first, 'getitem', settings.shape, `n${count}`, 8000 + count, others), putitem: await measure(first, 'putitem', settings.shape, `n${count}`, 8000 + count, others) };
      log(runLine(`getitem ${count} node${count > 1 ? 's' : ''}`, 'cove', outcomes.getitem));
      log(runLine(`putitem ${count} node${count > 1 ? 's' : ''}`, 'cove', outcomes.putitem));
      byNodes.set(count, outcomes);
    } finally {
      for (const node of nodes) await node.stop();
    }
  }
  return byNodes;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  log(`cove benchmark${quick ? ' (--quick)' : ''}: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, cove on ${settings.engine === 'postgres' ? 'PostgreSQL' : 'LMDB'}`);
  if (settings.engine === 'postgres') postgres = startBenchPostgres(ROOT, option('--storage-url') ?? process.env.COVE_BENCH_STORAGE_URL);
  log(
    `  ${settings.seconds} s measured after ${settings.warmupSeconds} s warm-up per run, ${settings.shape.items} items of 1 KB preloaded` +
      `${settings.shape.items < 100_000 ? ' (the full run preloads 100k)' : ''}, query table ${settings.shape.partitions} × 100 items of 100 B`,
  );

  let microResult: Record<string, number> | undefined;
  if (settings.micro) {
    log('micro-benchmarks (SigV4 verify, policy evaluation)…');
    microResult = await micro();
  }

  const results: Record<string, Partial<Record<SystemName, Outcome>>> = {};
  const servers: Partial<Record<SystemName, Server>> = {};
  const setupSeconds: Record<string, number> = {};
  let coveProcesses = 1;
  try {
    servers.cove = await startCove();
    servers['dynalite-mem'] = await startDynalite('dynalite-mem', false);
    servers['dynalite-disk'] = await startDynalite('dynalite-disk', true);
    for (const name of ['cove', 'dynalite-mem', 'dynalite-disk'] as const) {
      log(`preloading ${name}…`);
      const result = await load<{ seconds: number }>({ kind: 'setup', port: servers[name]!.port, credentials: CREDENTIALS, shape: settings.shape }, 1800);
      setupSeconds[name] = result.seconds;
      log(`  ${name}: ${settings.shape.items} items + ${settings.shape.partitions * 100} query items in ${result.seconds.toFixed(1)} s`);
    }
    // Serving processes: with workers, the tree is the primary (which only hands out
    // connections, as the ceiling's primary does) plus one process per worker.
    const tree = processTree(servers.cove.pid).length;
    coveProcesses = tree > 1 ? tree - 1 : 1;
    if (coveProcesses !== settings.workers) throw new Error(`cove runs ${coveProcesses} serving processes (${tree} in its tree), expected ${settings.workers}`);
    servers.ceiling = await startCeiling(coveProcesses, servers.cove);

    const selected = WORKLOADS.filter((w) => settings.workloads.includes(w.name));
    for (const [w, workload] of selected.entries()) {
      results[workload.name] = {};
      // Interleaved: every system runs each workload before the next workload starts; the order
      // rotates so that no system is always first (or always right after a write-heavy run).
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + w) % SYSTEMS.length]);
      for (const system of order) {
        if (workload.dynalite === false && DYNALITES.includes(system)) {
          const lacks = dynaliteLacks(workload);
          results[workload.name][system] = { error: `dynalite lacks ${lacks}`, unsupported: true };
          log(`  ${pad(workload.name, 19)} ${pad(system, 14)} not run: dynalite lacks ${lacks}`);
          continue;
        }
        const outcome = await measure(servers[system]!, workload.name, settings.shape, `${system}-${w}`, 1000 + w);
        results[workload.name][system] = outcome;
        log(runLine(workload.name, system, outcome));
      }
    }
  } finally {
    for (const server of Object.values(servers)) await server?.stop();
  }

  const scaled = settings.scaling && results.getitem ? await scaling({ cove: results.getitem.cove, ceiling: results.getitem.ceiling }) : undefined;
  const byNodes = settings.nodes > 1 ? await nodesPhase() : undefined;

  // RSS of cove as its data grows, on a fresh cove (fill in steps, read /proc after each); GetItem
  // and PutItem on it at the main runs' data size and again at the largest.
  const rssSteps: Array<{ items: number; seconds: number; rssMb: number; anonMb: number; fileMb: number; processes: number }> = [];
  const withData: Array<{ items: number; getitem: Outcome; putitem: Outcome }> = [];
  if (settings.rssSteps.length > 0) {
    const largest = settings.rssSteps[settings.rssSteps.length - 1];
    const measuredAt = [settings.shape.items, largest].filter((n, i, all) => n <= largest && all.indexOf(n) === i);
    const steps = [...new Set([...settings.rssSteps, ...measuredAt])].sort((a, b) => a - b);
    log(`cove RSS while loading ${settings.rssSteps.map((n) => n.toLocaleString('en')).join(' / ')} items of 1 KB; GetItem and PutItem at ${measuredAt.map((n) => n.toLocaleString('en')).join(' and ')}…`);
    const cove = await startCove();
    try {
      await load({ kind: 'setup', port: cove.port, credentials: CREDENTIALS, shape: { items: 0, partitions: 0 } }, 120);
      const before = rss(cove.pid);
      log(`  empty: RSS ${before.rssMb.toFixed(0)} MB`);
      let from = 0;
      for (const to of steps) {
        const started = Date.now();
        await load<{ seconds: number }>({ kind: 'fill', port: cove.port, credentials: CREDENTIALS, from, to }, 3600).catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\ncove's output:\n${cove.output().slice(-4000)}`);
        });
        const seconds = (Date.now() - started) / 1000;
        if (settings.rssSteps.includes(to)) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const sample = rss(cove.pid);
          rssSteps.push({ items: to, seconds, ...sample });
          log(`  ${to.toLocaleString('en')} items: RSS ${sample.rssMb.toFixed(0)} MB (anonymous ${sample.anonMb.toFixed(0)}, file-backed ${sample.fileMb.toFixed(0)}); ${((to - from) / seconds).toFixed(0)} items/s`);
        }
        from = to;
        if (measuredAt.includes(to)) {
          const shape = { items: to, partitions: 0 };
          const getitem = await measure(cove, 'getitem', shape, `data-${to}`, 9000 + to);
          const putitem = await measure(cove, 'putitem', shape, `data-${to}`, 9000 + to);
          withData.push({ items: to, getitem, putitem });
          log(runLine(`getitem at ${itemsLabel(to)}`, 'cove', getitem));
          log(runLine(`putitem at ${itemsLabel(to)}`, 'cove', putitem));
        }
      }
    } finally {
      await cove.stop();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Table, ratios, JSON, summary line
  // ---------------------------------------------------------------------------------------------
  log();
  log(`${pad('workload', 42)}${pad('system', 15)}${pad('req/s', 9, true)}${pad('p50 ms', 9, true)}${pad('p99 ms', 9, true)}${pad('errors', 8, true)}`);
  log('-'.repeat(92));
  for (const workload of WORKLOADS) {
    const row = results[workload.name];
    if (!row) continue;
    for (const [i, system] of SYSTEMS.entries()) {
      const outcome = row[system];
      const label = i === 0 ? `${workload.title}, ${workload.connections} conn` : '';
      if (ok(outcome)) {
        log(`${pad(label, 42)}${pad(system, 15)}${pad(fixed(outcome.requestsPerSecond, 0), 9, true)}${pad(fixed(outcome.p50Ms, 2), 9, true)}${pad(fixed(outcome.p99Ms, 2), 9, true)}${pad(String(outcome.errors + outcome.checkFailures), 8, true)}`);
      } else {
        log(`${pad(label, 42)}${pad(system, 15)}  ${outcome && 'unsupported' in outcome ? 'not supported' : 'failed'}`);
      }
    }
  }

  const summary: Record<string, string> = {};
  const ratios: Record<string, { vsDynalite?: number; dynaliteMode?: string; vsCeiling?: number }> = {};
  log();
  log(`ratios (req/s; dynalite = the faster of its two modes per workload; ceiling = ${coveProcesses} process${coveProcesses > 1 ? 'es' : ''}, as cove):`);
  for (const workload of WORKLOADS) {
    const row = results[workload.name];
    if (!row) continue;
    const cove = row.cove;
    const dynalites = (['dynalite-mem', 'dynalite-disk'] as const).filter((s) => ok(row[s]));
    const best = dynalites.sort((a, b) => (row[b] as RunResult).requestsPerSecond - (row[a] as RunResult).requestsPerSecond)[0];
    const ceiling = row.ceiling;
    const vsDynalite = ok(cove) && best ? cove.requestsPerSecond / (row[best] as RunResult).requestsPerSecond : undefined;
    const vsCeiling = ok(cove) && ok(ceiling) ? cove.requestsPerSecond / ceiling.requestsPerSecond : undefined;
    ratios[workload.name] = { vsDynalite, dynaliteMode: best, vsCeiling };
    const versus = workload.dynalite === false ? `dynalite lacks ${dynaliteLacks(workload)}` : `vs ${best ?? 'na'}`;
    log(`  ${pad(workload.title, 36)} cove/dynalite ${pad(fixed(vsDynalite, 2), 6, true)} (${versus})   cove/ceiling ${pad(fixed(vsCeiling, 2), 6, true)}`);
    summary[`${workload.name}_vs_dynalite`] = fixed(vsDynalite, 2);
    summary[`${workload.name}_vs_ceiling`] = fixed(vsCeiling, 2);
  }
  log('  (PutItem, UpdateItem, BatchWriteItem, TransactWriteItems: cove acknowledges after fsync, group-committed; dynalite --path does not fsync)');
  const getitem = results.getitem?.cove;
  const sequential = results.sequential_getitem?.cove;
  summary.getitem_rps = fixed(ok(getitem) ? getitem.requestsPerSecond : undefined, 0);
  summary.p99_getitem_ms = fixed(ok(getitem) ? getitem.p99Ms : undefined, 2);
  summary.p50_sequential_getitem_ms = fixed(ok(sequential) ? sequential.p50Ms : undefined, 3);
  const putitem = results.putitem?.cove;
  summary.putitem_rps = fixed(ok(putitem) ? putitem.requestsPerSecond : undefined, 0);
  if (scaled) {
    const [one, two] = [scaled.get(1), scaled.get(2)];
    summary.getitem_w1_vs_ceiling = over(one?.cove, one?.ceiling);
    summary.getitem_w2_vs_ceiling = over(two?.cove, two?.ceiling);
    summary.getitem_w2_over_w1 = over(two?.cove, one?.cove);
    summary.ceiling_w2_over_w1 = over(two?.ceiling, one?.ceiling);
    log();
    log('GetItem by serving processes (each against a ceiling of as many):');
    for (const [workers, outcomes] of [...scaled].sort((a, b) => a[0] - b[0])) {
      log(`  --workers ${workers}: cove ${fixed(rate(outcomes.cove), 0)} req/s, ceiling ${fixed(rate(outcomes.ceiling), 0)} req/s, cove/ceiling ${over(outcomes.cove, outcomes.ceiling)}`);
    }
    log(`  2 workers / 1: cove ${summary.getitem_w2_over_w1}, ceiling ${summary.ceiling_w2_over_w1}`);
  }
  if (byNodes) {
    const [one, many] = [byNodes.get(1)!, byNodes.get(settings.nodes)!];
    summary[`getitem_${settings.nodes}nodes_over_1`] = over(many.getitem, one.getitem);
    summary[`putitem_${settings.nodes}nodes_over_1`] = over(many.putitem, one.putitem);
    log();
    log(`cove nodes on one PostgreSQL database (1 worker each): GetItem ${fixed(rate(one.getitem), 0)} → ${fixed(rate(many.getitem), 0)} req/s (${summary[`getitem_${settings.nodes}nodes_over_1`]}), PutItem ${fixed(rate(one.putitem), 0)} → ${fixed(rate(many.putitem), 0)} req/s (${summary[`putitem_${settings.nodes}nodes_over_1`]}) with ${settings.nodes} nodes`);
  }
  if (withData.length === 2) {
    const [base, large] = withData;
    const name = `${itemsLabel(large.items)}_over_${itemsLabel(base.items)}`;
    summary[`getitem_${name}`] = over(large.getitem, base.getitem);
    summary[`putitem_${name}`] = over(large.putitem, base.putitem);
    log();
    log(`with data (one cove, ${itemsLabel(base.items)} then ${itemsLabel(large.items)} items): GetItem ${fixed(rate(base.getitem), 0)} → ${fixed(rate(large.getitem), 0)} req/s (${summary[`getitem_${name}`]}), PutItem ${fixed(rate(base.putitem), 0)} → ${fixed(rate(large.putitem), 0)} req/s (${summary[`putitem_${name}`]})`);
  }
  if (microResult) {
    log();
    log(`SigV4 verifications/s (src/auth/sigv4.ts, derived key cached): ${microResult.sigv4VerificationsPerSecond.toFixed(0)}`);
    log(`policy evaluations/s (src/policy/evaluate.ts, ${statementCount()} statements in 3 policies): ${microResult.policyEvaluationsPerSecond.toFixed(0)}`);
    summary.sigv4_verify_per_s = microResult.sigv4VerificationsPerSecond.toFixed(0);
    summary.policy_eval_per_s = microResult.policyEvaluationsPerSecond.toFixed(0);
  }
  if (rssSteps.length > 0) {
    log();
    log(`cove RSS: ${rssSteps.map((s) => `${s.items.toLocaleString('en')} items ${s.rssMb.toFixed(0)} MB`).join(', ')}`);
    const first = rssSteps[0];
    const last = rssSteps[rssSteps.length - 1];
    for (const s of rssSteps) summary[`rss_${itemsLabel(s.items)}_mb`] = s.rssMb.toFixed(0);
    summary[`rss_${itemsLabel(last.items)}_over_${itemsLabel(first.items)}`] = (last.rssMb / first.rssMb).toFixed(2);
    summary[`rss_anon_${itemsLabel(last.items)}_mb`] = last.anonMb.toFixed(0);
    summary[`rss_anon_${itemsLabel(last.items)}_over_${itemsLabel(first.items)}`] = (last.anonMb / first.anonMb).toFixed(2);
    log(`  ${itemsLabel(last.items)} / ${itemsLabel(first.items)}: ${(last.rssMb / first.rssMb).toFixed(2)} in all; anonymous memory ${(last.anonMb / first.anonMb).toFixed(2)}`);
    log(`  (resident memory of cove's processes, shared pages counted once (PSS); LMDB's memory map is file-backed pages, which the kernel can drop; anonymous memory is the heaps')`);
  }

  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    settings: { ...settings, coveProcesses, ceilingProcesses: coveProcesses, policyStatements: statementCount() },
    setupSeconds,
    results,
    ratios,
    micro: microResult,
    rss: rssSteps,
    scaling: scaled ? Object.fromEntries(scaled) : undefined,
    nodes: byNodes ? Object.fromEntries(byNodes) : undefined,
    withData,
    summary,
  };
  // A PostgreSQL run keeps its own file, beside LMDB's.
  const resultsFile = settings.engine === 'postgres' ? RESULTS_FILE.replace(/\.json$/, '-postgres.json') : RESULTS_FILE;
  writeFileSync(resultsFile, JSON.stringify(json, null, 2) + '\n');
  log();
  log(`written to ${resultsFile}`);
  log(Object.entries(summary).map(([name, value]) => `${name}=${value}`).join(' '));
}

main().then(
  async () => {
    cleanup();
    await postgres?.stop();
    process.exit(0);
  },
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    cleanup();
    await postgres?.stop().catch(() => undefined);
    process.exit(1);
  },
);
