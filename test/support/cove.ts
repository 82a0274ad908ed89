import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createSchema, dropSchema, schemaNameFor, urlWithSchema } from './postgres.js';
import type { StorageEngine } from '../../src/storage/engine.js';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { PostgresEngine } from '../../src/storage/postgres.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const START_TIMEOUT_MS = 15_000;

export interface CoveProcess {
  endpoint: string;
  port: number;
  /** The `cove serve` process (the primary, with workers). */
  pid: number;
  /** The worker processes' pids, as the primary printed them; empty without workers. */
  workerPids(): number[];
  dataDirectory: string;
  output: () => string;
  /** The cove.yaml the server runs with, when a config was given: edit it to test live reload. */
  configFile: string | undefined;
  /** Resolves once the output (from `fromIndex` on) matches; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, fromIndex?: number, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Port of each listener by name (public listeners and attachments). */
  ports(): Record<string, number>;
  client(accessKeyId: string, secretAccessKey: string): DynamoDBClient;
  /** Graceful stop (SIGTERM). */
  stop(): Promise<void>;
  /** kill -9: no chance to flush anything. */
  kill9(): Promise<void>;
  /**
   * kill -9 of every process at once, the workers too (kill9 kills the primary only, whose
   * workers then stop gracefully); resolves once all of them are gone.
   */
  kill9All(): Promise<void>;
  /** How the `cove serve` process ended, once it has; undefined while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

export function tempDirectory(prefix = 'cove-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface StartOptions {
  /** cove.yaml text; omitted = built-in default config. */
  config?: string;
  dataDirectory?: string;
  port?: number;
  /** Extra environment for the server process (e.g. LD_PRELOAD). */
  env?: Record<string, string>;
  /** How many `listening on` lines to wait for (attachments add listeners); default 1. */
  listeners?: number;
  /**
   * `--workers N`: serving processes under a node:cluster primary. Default: the environment's
   * COVE_TEST_WORKERS if set (to run the whole suite against a cluster), else 1 (no option).
   */
  workers?: number;
  /** More `cove serve` arguments (`--open`, `--admin-key ...`). */
  args?: string[];
  /** Keep the request log on stdout (default: `--quiet`, so that long runs do not fill `output()`). */
  requestLog?: boolean;
}

/**
 * COVE_TEST_STORAGE_URL: every cove a test starts stores in that PostgreSQL server (the whole
 * suite against the PostgreSQL engine), each data directory in a schema of its own, named after
 * it (a cove restarted on the directory finds its rows), created by `startCove` and dropped by
 * `removeDirectory`. Not for a cove with `--in-memory` or its own `--storage-url`.
 */
function testStorageUrl(options: StartOptions): string | undefined {
  const base = process.env.COVE_TEST_STORAGE_URL;
  if (!base || options.args?.some((arg) => arg === '--in-memory' || arg === '--storage-url')) return undefined;
  return base;
}

/**
 * The store of a (stopped) cove of this data directory, for tests that look inside it: its LMDB
 * directory, or under COVE_TEST_STORAGE_URL its PostgreSQL schema. Ranges may be asynchronous.
 */
export async function openTestStore(dataDirectory: string): Promise<StorageEngine> {
  const url = process.env.COVE_TEST_STORAGE_URL;
  if (url) return PostgresEngine.open({ url: urlWithSchema(url, schemaNameFor(dataDirectory)) });
  return new LmdbEngine({ path: join(dataDirectory, 'db') });
}

/** A skip reason for a test of LMDB's own files, faults or tools, when the suite runs on PostgreSQL. */
export const LMDB_ONLY: string | false = process.env.COVE_TEST_STORAGE_URL ? "LMDB's own files, faults or tools: the suite runs on PostgreSQL (COVE_TEST_STORAGE_URL)" : false;

/**
 * Under COVE_TEST_STORAGE_URL, creates the directory's schema, which `serveArguments` names: a
 * test that spawns `cove serve` itself calls this first (`startCove` does).
 */
export async function prepareTestStore(dataDirectory: string, options: StartOptions = {}): Promise<void> {
  const storageUrl = testStorageUrl(options);
  if (!storageUrl) return;
  // A directory removed and used again (a test of a fresh start): its schema's drop goes first.
  await pendingDrops.get(schemaNameFor(dataDirectory));
  await createSchema(storageUrl, schemaNameFor(dataDirectory));
}

/** The command line of `cove serve` for these options (node's arguments); writes the config file if any. */
export function serveArguments(options: StartOptions & { dataDirectory: string }): { args: string[]; configFile: string | undefined } {
  const { dataDirectory } = options;
  const args = [MAIN, 'serve', '--data', dataDirectory, '--port', String(options.port ?? 0)];
  let configFile: string | undefined;
  const workers = options.workers ?? (process.env.COVE_TEST_WORKERS ? Number(process.env.COVE_TEST_WORKERS) : undefined);
  if (workers !== undefined) args.push('--workers', String(workers));
  if (options.config !== undefined) {
    configFile = join(dataDirectory, '..', `cove-${process.pid}-${Date.now()}.yaml`);
    writeFileSync(configFile, options.config);
    args.push('--config', configFile);
  }
  if (!options.requestLog) args.push('--quiet');
  args.push(...(options.args ?? []));
  const storageUrl = testStorageUrl(options);
  if (storageUrl) args.push('--storage-url', urlWithSchema(storageUrl, schemaNameFor(dataDirectory)));
  return { args, configFile };
}

/** Runs the real `cove serve` in a child process on a free port and waits for its listening line. */
export async function startCove(options: StartOptions = {}): Promise<CoveProcess> {
  const dataDirectory = options.dataDirectory ?? tempDirectory();
  await prepareTestStore(dataDirectory, options);
  const { args, configFile } = serveArguments({ ...options, dataDirectory });
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cove did not start:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const matches = [...output.matchAll(/listening on https?:\/\/[^:\s]+:(\d+)/g)];
      if (matches.length >= (options.listeners ?? 1)) {
        clearTimeout(timer);
        resolve(Number(matches[0][1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cove exited with ${code}:\n${output}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve();
    }),
  );
  const workerPids = () => /serving with \d+ worker processes \(pids ([\d, ]+)\)/.exec(output)?.[1].split(', ').map(Number) ?? [];
  const clients: DynamoDBClient[] = [];
  const finish = async (signal: NodeJS.Signals) => {
    for (const c of clients) c.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    endpoint,
    port,
    pid: child.pid!,
    workerPids,
    dataDirectory,
    output: () => output,
    configFile,
    async waitForOutput(pattern, fromIndex = 0, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = output.slice(fromIndex).match(pattern);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${output.slice(fromIndex)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    ports: () => Object.fromEntries([...output.matchAll(/cove: (\S+) listening on https?:\/\/[^\s]+:(\d+)/g)].map((m) => [m[1], Number(m[2])])),
    client(accessKeyId, secretAccessKey) {
      const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    stop: () => finish('SIGTERM'),
    kill9: () => finish('SIGKILL'),
    async kill9All() {
      const workers = workerPids();
      for (const pid of workers) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await finish('SIGKILL');
      await waitUntilGone(workers);
    },
    exitStatus: () => exitStatus,
  };
}

/** Whether the process runs; one that has exited but is not reaped yet (a zombie: an orphaned worker awaiting init) is gone. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once none of these processes runs any more (a process killed with -9 takes a moment to go). */
export async function waitUntilGone(pids: readonly number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(alive).join(', ')} still run ${timeoutMs} ms after kill -9`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function removeDirectory(path: string): void {
  rmSync(path, { recursive: true, force: true });
  // The directory's PostgreSQL schema goes with it; not awaited (this is synchronous), but the
  // connection keeps the test process alive until the drop is done.
  const storageUrl = process.env.COVE_TEST_STORAGE_URL;
  if (!storageUrl) return;
  const schema = schemaNameFor(path);
  const drop = dropSchema(storageUrl, schema).catch(() => undefined);
  pendingDrops.set(schema, drop);
  void drop.then(() => {
    if (pendingDrops.get(schema) === drop) pendingDrops.delete(schema);
  });
}

/** Schema drops under way (removeDirectory), by schema: a cove started on the directory again waits for its drop. */
const pendingDrops = new Map<string, Promise<void>>();

export type { ChildProcess };

/** cove.yaml for one user allowed every DynamoDB action, on a free port. */
export function fullAccessConfig(user: string, accessKeyId: string, secret: string): string {
  return `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: ${user}
      accessKeys: [{ id: ${accessKeyId}, secret: ${secret} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
`;
}
