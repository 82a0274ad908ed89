import cluster, { type Worker } from 'node:cluster';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAutoCertificatesFor } from './configured.js';
import { watchConfigFile, type ConfigWatcher } from '../config/watch.js';
import { listeningLine, type BoundAddress, type Prepared, type RunningCove } from './serve.js';

/**
 * `cove serve --workers N`, the primary's side. The primary has loaded and validated the
 * configuration, printed its warnings and created the admin key (serve.ts `prepare`); here it
 * forks N node:cluster workers (worker.ts), each of which opens the shared LMDB store and
 * binds every listener. node:cluster's primary owns the listening sockets and hands accepted
 * connections to the workers in turn, so the workers share each port, port 0 included (the
 * primary picks it once for all of them). The primary prints one `listening on` line per
 * listener once every worker listens, and serves no request itself.
 *
 * Configuration edits: the primary watches cove.yaml and sends each new text to every worker,
 * which applies it as a single process does (serve.ts); once all have, the primary prints what
 * applying it said (`cove: reloaded …`, or why it was refused), once.
 *
 * Lifecycle:
 * - SIGTERM/SIGINT on the primary (main.ts calls `stop`): every worker is told to stop, each
 *   finishes its requests in flight, flushes its audit records and closes the store; then
 *   the primary exits 0. Workers ignore SIGINT/SIGTERM themselves, since Ctrl-C and
 *   `kill -- -PGID` reach the whole process group and the primary orchestrates the stop.
 * - A worker that dies is reported; the primary stops the others and exits 1 (`ended`). It
 *   does not restart it: a crash is a bug worth seeing, and a supervisor (systemd, a
 *   container runtime) restarts the whole server with a fresh start, which also resumes any
 *   interrupted purge.
 * - kill -9 of the primary: the workers' IPC channel closes, and each stops as above and exits.
 *   The listening sockets were the primary's, so nothing accepts connections any more.
 */

const WORKER_MAIN = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');
/** How long a stopping worker may take (requests in flight get 2 s, then the store closes). */
const STOP_TIMEOUT_MS = 10_000;

/** Prepared as it travels to a worker: its configuration goes as text (the worker loads it). */
export type SentPrepared = Omit<Prepared, 'loaded'>;

function sentPrepared({ loaded: _loaded, ...rest }: Prepared): SentPrepared {
  return rest;
}

/** primary → worker */
export type ToWorker =
  | {
      type: 'start';
      /** What the primary prepared, but the loaded configuration, which each worker loads from its text. */
      prepared: SentPrepared;
      port?: number;
      resumePurges: boolean;
    }
  | { type: 'reload'; id: number; text: string }
  | { type: 'stop' };

/** worker → primary */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'listening'; addresses: BoundAddress[]; /** What starting logged (every worker logs the same: the primary prints the first's). */ lines: string[] }
  | { type: 'failed'; message: string; code?: string; configError: boolean }
  | { type: 'reloaded'; id: number; /** What applying it logged. */ lines: string[] };

export interface ClusterOptions {
  workers: number;
  port?: number;
  log: (line: string) => void;
}

/** An error a worker reported at start, carrying its errno code (EADDRINUSE...) for main.ts. */
export class WorkerStartError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly configError: boolean,
  ) {
    super(message);
  }
}

export async function serveCluster(prepared: Prepared, options: ClusterOptions): Promise<RunningCove> {
  cluster.setupPrimary({ exec: WORKER_MAIN, args: [] });
  const workers: Worker[] = [];
  const exited = new Map<Worker, Promise<void>>();
  let stopping = false;
  let started = false;
  let endedWith: (code: number) => void = () => {};
  const ended = new Promise<number>((resolve) => (endedWith = resolve));

  /** Reload acks still awaited: reload id → workers that have not applied it yet. */
  const awaitingAcks = new Map<number, { pending: Set<Worker>; lines?: string[]; done: () => void }>();
  const acknowledge = (worker: Worker, id: number, lines: string[]) => {
    const awaited = awaitingAcks.get(id);
    if (!awaited) return;
    awaited.pending.delete(worker);
    // Every worker applied the same text to the same state: the first worker's account stands for all.
    if (worker === workers[0] || awaited.lines === undefined) awaited.lines = lines;
    if (awaited.pending.size === 0) {
      awaitingAcks.delete(id);
      for (const line of awaited.lines) options.log(line);
      awaited.done();
    }
  };
  let watcher: ConfigWatcher | undefined;

  const stopAll = async (): Promise<void> => {
    stopping = true;
    await watcher?.close();
    for (const awaited of awaitingAcks.values()) awaited.done();
    for (const worker of workers) {
      if (worker.isConnected()) worker.send({ type: 'stop' } satisfies ToWorker);
      else worker.process.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(exited.values());
    clearTimeout(timer);
  };

  const listening = new Promise<BoundAddress[]>((resolve, reject) => {
    const reported: BoundAddress[][] = [];
    for (let index = 0; index < options.workers; index++) {
      const worker = cluster.fork();
      workers.push(worker);
      exited.set(worker, new Promise<void>((done) => worker.once('exit', () => done())));
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          // Sent once the worker listens for messages: a message sent earlier could arrive
          // while its modules still load, and be dropped.
          worker.send({
            type: 'start',
            prepared: sentPrepared(prepared),
            ...(options.port !== undefined ? { port: options.port } : {}),
            // One worker resumes interrupted purges; purging is idempotent, so a second would only cost time.
            resumePurges: index === 0,
          } satisfies ToWorker);
        } else if (message.type === 'failed') {
          reject(new WorkerStartError(message.message, message.code, message.configError));
        } else if (message.type === 'reloaded') {
          acknowledge(worker, message.id, message.lines);
        } else if (message.type === 'listening') {
          if (reported.length === 0) for (const line of message.lines) options.log(line);
          reported.push(message.addresses);
          if (reported.length === options.workers) {
            // Shared ports: every worker must have bound the same ones.
            const first = JSON.stringify(reported[0]);
            if (reported.some((addresses) => JSON.stringify(addresses) !== first)) reject(new Error(`cove: workers bound different ports: ${reported.map((a) => JSON.stringify(a)).join(' ')}`));
            else {
              started = true;
              resolve(reported[0]);
            }
          }
        }
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!started) {
          reject(new Error(`cove: worker ${index + 1} (pid ${worker.process.pid}) exited with ${how} while starting`));
          return;
        }
        options.log(`cove: worker ${index + 1} (pid ${worker.process.pid}) exited with ${how}; stopping the other workers`);
        void stopAll().then(() => endedWith(1));
      });
    }
  });

  let addresses: BoundAddress[];
  try {
    addresses = await listening;
  } catch (error) {
    await stopAll();
    throw error;
  }
  options.log(`cove: serving with ${options.workers} worker processes (pids ${workers.map((w) => w.process.pid).join(', ')})`);
  for (const address of addresses) options.log(listeningLine(address));
  if (prepared.configFile) {
    // The primary watches cove.yaml and hands each new text to every worker, one reload at a
    // time: the next starts only once every worker has applied (or refused) the last.
    const configFile = prepared.configFile;
    let nextReloadId = 0;
    watcher = watchConfigFile(
      configFile,
      prepared.configText,
      (text) =>
        new Promise<void>((done) => {
          if (stopping) return done();
          const id = nextReloadId++;
          const connected = workers.filter((w) => w.isConnected());
          if (connected.length === 0) return done();
          ensureAutoCertificatesFor(configFile, text, prepared.dataDirectory);
          awaitingAcks.set(id, { pending: new Set(connected), done });
          for (const worker of connected) worker.send({ type: 'reload', id, text } satisfies ToWorker);
        }),
      (error) => options.log(`cove: reloading ${configFile} failed: ${error.message}`),
    );
  }
  return {
    addresses,
    workerPids: workers.map((w) => w.process.pid!),
    ended,
    stop: stopAll,
  };
}
