import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { catalogRegionsIn } from '../dynamo/keys.js';
import { TableCatalog } from '../dynamo/tables.js';
import { LmdbEngine } from '../storage/lmdb.js';
import type { StorageEngine } from '../storage/engine.js';
import { loadConfig } from '../config/load.js';
import { openSharedStore, storageOf } from './configured.js';
import { StartRefusal } from './startErrors.js';

/** The file in which `cove serve` names the process serving a data directory. */
export const SERVING_PID_FILE = 'cove.pid';

/** Names this process as the one serving `dataDirectory`; the returned function takes the name back. */
export function claimServing(dataDirectory: string): () => void {
  const file = join(dataDirectory, SERVING_PID_FILE);
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
  };
}

/** The pid of a live `cove serve` on the directory, if any (a pid file left by a kill -9 names a dead process). */
function servingPid(dataDirectory: string): number | undefined {
  const file = join(dataDirectory, SERVING_PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/**
 * `cove reset`: deletes every table (their items, indexes and streams), as DeleteTable does, so
 * a server running on the directory sees them gone at its next request. `all` removes the whole
 * store instead (tables and what the IAM API made), which needs the server stopped. Never
 * touched: the admin key, the session key, TLS and audit keys, the audit trail. On a PostgreSQL
 * store (`storage:` in cove.yaml, `--storage-url`) the tables go the same way, seen by every node
 * at its next request; `all` is refused there: no pid file can tell that every node has stopped.
 */
export async function reset(options: { dataDirectory: string; all: boolean; config?: string; storageUrl?: string }, log: (line: string) => void): Promise<void> {
  const dataDirectory = resolve(options.dataDirectory);
  const storage = storageOf(loadConfig(options.config), options.storageUrl);
  if (storage.engine === 'postgres') {
    if (options.all) throw new StartRefusal('reset --all: not on a PostgreSQL store, which other nodes may be serving; cove reset without --all deletes the tables while they run (to start afresh, stop every node and drop the database\'s cove_rows table: the STS session key is in it too)');
    const engine = await openSharedStore(storage, loadConfig(options.config).config.accountId);
    await deleteTables(engine, `the PostgreSQL store of ${dataDirectory}`, log);
    return;
  }
  const store = join(dataDirectory, 'db');
  if (!existsSync(store)) {
    log(`cove: ${dataDirectory} holds no store: nothing to reset`);
    return;
  }
  if (options.all) {
    const pid = servingPid(dataDirectory);
    if (pid !== undefined) throw new StartRefusal(`reset --all: a cove (pid ${pid}) is serving ${dataDirectory}; stop it first (cove reset without --all deletes the tables while it runs)`);
    rmSync(store, { recursive: true, force: true });
    log(`cove: removed every table and everything made through the IAM API from ${dataDirectory}; keys and the audit trail are kept`);
    return;
  }
  await deleteTables(new LmdbEngine({ path: store, sharedWithOtherProcesses: true }), dataDirectory, log);
}

/** Deletes every table of every region in `engine` (then closes it), as DeleteTable does. */
async function deleteTables(engine: StorageEngine, where: string, log: (line: string) => void): Promise<void> {
  try {
    const names: string[] = [];
    // The home region's catalog, then every other region's (`regions:`).
    for (const region of [undefined, ...(await catalogRegionsIn((bounds) => engine.range(bounds)))]) {
      const catalog = await TableCatalog.load(engine, { resumePurges: true, sweepExpiredItems: false, ...(region === undefined ? {} : { region }) });
      for (const name of catalog.names()) {
        await catalog.delete(name);
        names.push(region === undefined ? name : `${region}:${name}`);
      }
      await catalog.settle();
      await catalog.close();
    }
    log(`cove: deleted ${names.length} table${names.length === 1 ? '' : 's'}${names.length > 0 ? ` (${names.join(', ')})` : ''} from ${where}; users, keys and the audit trail are kept`);
  } finally {
    await engine.close();
  }
}
