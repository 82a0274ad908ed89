import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditWriter } from '../audit/writer.js';
import { CredentialStore, configuredPrincipals, userPrincipalFor } from '../auth/identities.js';
import { loadOrCreateAdminKey } from '../auth/sharedCredentials.js';
import { compiledPolicies, loadConfig, splitHostPort, type LoadedConfig } from '../config/load.js';
import { policyWarnings } from '../policy/lint.js';
import { TableCatalog } from '../dynamo/tables.js';
import { Router, type ListenerPlace } from '../network/route.js';
import { Pipeline } from '../pipeline.js';
import { compilePolicy } from '../policy/document.js';
import { HttpListener } from '../server/http.js';
import { LmdbEngine } from '../storage/lmdb.js';
import { serveCluster } from './cluster.js';

export interface ServeOptions {
  configFile?: string;
  dataDirectory?: string;
  port?: number;
  /**
   * Serving processes; overrides cove.yaml's `workers:`. 1 (the default) serves in this
   * process; N > 1 forks N node:cluster workers sharing the listeners' ports; `auto` is
   * os.availableParallelism().
   */
  workers?: number | 'auto';
  log?: (line: string) => void;
}

export interface BoundAddress {
  name: string;
  host: string;
  port: number;
}

export interface RunningCove {
  addresses: BoundAddress[];
  /** The worker processes' pids; empty when cove serves in this process. */
  workerPids: number[];
  /** Settles with an exit code if cove ends by itself (a worker died); otherwise never. */
  ended: Promise<number>;
  stop(): Promise<void>;
}

/** What every serving process starts from: the validated configuration and where the data is. */
export interface Prepared {
  configFile: string | undefined;
  /** The configuration's text as the primary read it, so that every worker serves the same one. */
  configText: string;
  loaded: LoadedConfig;
  dataDirectory: string;
  /** The generated admin user's key, without a config file. */
  adminKey?: { accessKeyId: string; secretAccessKey: string };
}

export interface ServingOptions {
  /** Overrides the first listener's port. */
  port?: number;
  /** Other processes serve the same store (cluster workers): reads refresh their snapshot per request. */
  sharedStore: boolean;
  /** Resume interrupted purges of deleted tables (one process of a cluster does). */
  resumePurges: boolean;
  /** Called once per listener, in order, with its bound address. */
  onListening(address: BoundAddress): void;
}

const ADMIN_USER = 'admin';
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Starts cove: in this process (1 worker) or as a node:cluster primary with N workers. */
export async function serve(options: ServeOptions): Promise<RunningCove> {
  const log = options.log ?? ((line: string) => console.log(line));
  const prepared = await prepare(options, log);
  const workers = workerCount(options.workers ?? prepared.loaded.config.workers);
  if (workers > 1) return serveCluster(prepared, { workers, port: options.port, log });
  const running = await startServing(prepared, {
    port: options.port,
    sharedStore: false,
    resumePurges: true,
    onListening: (address) => log(listeningLine(address)),
  });
  return { addresses: running.addresses, workerPids: [], ended: new Promise<number>(() => {}), stop: running.stop };
}

export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

export function listeningLine(address: BoundAddress): string {
  return `cove: ${address.name} listening on http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/**
 * What happens once per start, before any serving process exists: configuration loaded and
 * validated, policy warnings printed, the data directory and the admin key created.
 */
async function prepare(options: ServeOptions, log: (line: string) => void): Promise<Prepared> {
  const configText = options.configFile ? readFileSync(options.configFile, 'utf8') : '';
  const loaded = loadConfig(options.configFile, configText);
  for (const policy of [...compiledPolicies(loaded), ...[...loaded.network.endpoints.values()].map((e) => e.policy)]) {
    for (const warning of await policyWarnings(policy)) log(`cove: warning: ${warning}`);
  }
  const dataDirectory = resolve(options.dataDirectory ?? '.cove');
  mkdirSync(dataDirectory, { recursive: true });
  let adminKey: Prepared['adminKey'];
  if (!options.configFile) {
    const credentialsFile = join(dataDirectory, 'credentials');
    const admin = loadOrCreateAdminKey(credentialsFile, loaded.config.region);
    adminKey = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
    if (admin.created) {
      log(`cove: created admin user "${ADMIN_USER}": access key ${admin.accessKeyId}, secret ${admin.secretAccessKey}`);
      log(`cove: saved as profile "cove" in ${credentialsFile}`);
    }
  }
  return { configFile: options.configFile, configText, loaded, dataDirectory, ...(adminKey ? { adminKey } : {}) };
}

/** The serving part: engine, catalog, audit, credentials, pipeline, listeners. Runs in each serving process. */
export async function startServing(prepared: Prepared, options: ServingOptions): Promise<{ addresses: BoundAddress[]; stop(): Promise<void> }> {
  const { loaded, dataDirectory } = prepared;
  const { config } = loaded;
  const credentials = new CredentialStore();
  const principals = configuredPrincipals(loaded);
  for (const user of config.iam.users) {
    const principal = principals.get(user.name)!;
    for (const key of user.accessKeys) credentials.add({ accessKeyId: key.id, secretAccessKey: key.secret, principal });
  }
  if (prepared.adminKey) {
    const principal = userPrincipalFor(config.accountId, { name: ADMIN_USER, path: '/', tags: {} }, { identityPolicies: [compilePolicy(`user/${ADMIN_USER}#AdministratorAccess`, ADMIN_POLICY)] });
    credentials.add({ ...prepared.adminKey, principal });
  }

  const engine = new LmdbEngine({ path: join(dataDirectory, 'db'), sharedWithOtherProcesses: options.sharedStore });
  const catalog = await TableCatalog.load(engine, { resumePurges: options.resumePurges });
  const audit = new AuditWriter({ directory: join(dataDirectory, 'audit'), accountId: config.accountId, region: config.region });
  const places = new Map<string, ListenerPlace>(loaded.attachments.map((a) => [a.name, { kind: 'attachment', name: a.name, source: a.source }]));
  const router = new Router({ model: loaded.network, places, region: config.region, accountId: config.accountId, unreachable: config.network?.unreachable ?? 'reset' });
  const pipeline = new Pipeline({ region: config.region, accountId: config.accountId, credentials, engine, catalog, audit, router });

  const listeners: HttpListener[] = [];
  const addresses: BoundAddress[] = [];
  try {
    // Attachment listeners come after the configured ones; --port applies to the first listener only.
    // Every worker of a cluster binds them in this same order: node:cluster pairs the n-th
    // `listen(0)` on an address in each worker with the same shared port.
    const allListeners = [...config.listeners, ...loaded.attachments.map((a) => ({ name: a.name, listen: a.listen }))];
    for (const [index, listener] of allListeners.entries()) {
      const { host, port } = splitHostPort(listener.listen);
      const http = new HttpListener({ name: listener.name, host, port: index === 0 && options.port !== undefined ? options.port : port }, pipeline, config.region);
      const bound = await http.listen();
      listeners.push(http);
      const address = { name: listener.name, ...bound };
      addresses.push(address);
      options.onListening(address);
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    await catalog.close();
    audit.close();
    await engine.close();
    throw error;
  }

  return {
    addresses,
    async stop() {
      await Promise.all(listeners.map((l) => l.close()));
      await catalog.close();
      audit.close();
      await engine.close();
    },
  };
}
