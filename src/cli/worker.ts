/**
 * A `cove serve --workers N` worker process (forked by cluster.ts through node:cluster). It
 * waits for the primary's `start` message, serves until told to `stop` or until the primary is
 * gone, and reports its listening addresses or its start failure back.
 */
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '../config/load.js';
import type { FromWorker, ToWorker } from './cluster.js';
import { listeningLine, startServing, type Serving } from './serve.js';

if (!cluster.isWorker) throw new Error('worker.ts runs only as a node:cluster worker');

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

let stopping: Promise<void> | undefined;
let running: Serving | undefined;
let started = false;
let reloading: Promise<void> = Promise.resolve();
/**
 * What starting or the current reload logged, for the primary (every worker logs the same lines:
 * it prints one worker's). Any other line is this worker's own (about a request it served, the
 * store, the audit trail) and is printed at once.
 */
let collected: string[] | undefined;
const log = (line: string): void => {
  if (collected) collected.push(line);
  else console.log(line);
};

/** Stops serving (requests in flight finish, audit flushed, store closed) and exits. */
function stopAndExit(): void {
  stopping ??= (running?.stop() ?? Promise.resolve()).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('cove: worker stop failed', error);
      process.exit(1);
    },
  );
}

// The primary orchestrates stopping: Ctrl-C and group-wide signals reach every worker too.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// The primary is gone (killed with -9, or crashed): nothing accepts connections for us any more.
// node:cluster would make this worker call process.exit(0) at once, before this handler runs,
// unless exitedAfterDisconnect is true (its documented opt-out). That exit skipped the graceful
// stop, and a process.exit while lmdb-js's write thread waits on a transaction callback never
// returns (libuv joins that thread at exit): the worker hung for good holding LMDB's write lock,
// and no later cove could start on the data directory.
cluster.worker!.exitedAfterDisconnect = true;
process.on('disconnect', stopAndExit);
// With the primary gone, node:cluster's notices to it cannot be delivered: about closing
// listeners (ERR_IPC_CHANNEL_CLOSED), or about a connection it handed over just before it died
// (EPIPE). That is expected then and must not crash the stop. node:cluster reports them on
// `process` and again on this worker's Worker object.
const ignoreClosedChannel = (error: NodeJS.ErrnoException) => {
  if (error.code !== 'ERR_IPC_CHANNEL_CLOSED' && error.code !== 'EPIPE') throw error;
};
process.on('error', ignoreClosedChannel);
cluster.worker!.on('error', ignoreClosedChannel);

process.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    stopAndExit();
    return;
  }
  if (message.type === 'reload') {
    // One reload at a time, in the order the primary sent them; the ack says this worker applied it (or refused it).
    reloading = reloading
      .then(() => {
        collected = [];
        return running?.applyConfig(message.text);
      })
      .catch((error: unknown) => log(`cove: reloading failed: ${(error as Error).message}`))
      .then(() => {
        const lines = collected ?? [];
        collected = undefined;
        send({ type: 'reloaded', id: message.id, lines });
      });
    return;
  }
  if (message.type !== 'start' || running || stopping) return;
  void (async () => {
    try {
      const loaded = loadConfig(message.prepared.configFile, message.prepared.configText);
      collected = [];
      const addresses: FromWorker & { type: 'listening' } = { type: 'listening', addresses: [], lines: collected };
      running = await startServing(
        { ...message.prepared, loaded },
        {
          ...(message.port !== undefined ? { port: message.port } : {}),
          sharedStore: true,
          resumePurges: message.resumePurges,
          // Listeners bound later (a reload adds an attachment) are announced by the first worker only.
          // After the start, lines go back to the primary with the reload's ack: it prints one worker's.
          onListening: (address) => {
            if (!started) addresses.addresses.push(address);
            else log(listeningLine(address));
          },
          log,
          watchConfig: false,
        },
      );
      started = true;
      collected = undefined;
      send(addresses);
    } catch (error) {
      send({ type: 'failed', message: (error as Error).message, code: (error as NodeJS.ErrnoException).code, configError: error instanceof ConfigError });
      process.exit(1);
    }
  })();
});
send({ type: 'ready' });
