import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditWriter } from '../audit/writer.js';
import { CredentialStore, configuredPrincipals, userPrincipalFor, type Credential } from '../auth/identities.js';
import { loadOrCreateAdminKey } from '../auth/sharedCredentials.js';
import { compiledPolicies, ConfigError, loadConfig, splitHostPort, type LoadedConfig } from '../config/load.js';
import { watchConfigFile, type ConfigWatcher } from '../config/watch.js';
import { policyWarnings } from '../policy/lint.js';
import { TableCatalog } from '../dynamo/tables.js';
import { listenerPlaces, Router, type ListenerPlace } from '../network/route.js';
import { Pipeline } from '../pipeline.js';
import { registerServices } from '../services.js';
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
  /** Called once per listener, in order, with its bound address (reloads add listeners later). */
  onListening(address: BoundAddress): void;
  /** Where reload messages go; a cluster's workers other than the first pass a silent one. */
  log(line: string): void;
  /** Watch the configuration file and apply its edits (a single process; a cluster's primary watches for its workers). */
  watchConfig: boolean;
}

const ADMIN_USER = 'admin';
const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** The configured users' access keys. */
function configuredCredentials(loaded: LoadedConfig): Credential[] {
  const principals = configuredPrincipals(loaded);
  return loaded.config.iam.users.flatMap((user) => user.accessKeys.map((key) => ({ accessKeyId: key.id, secretAccessKey: key.secret, principal: principals.get(user.name)! })));
}

function placesOf(loaded: LoadedConfig): Map<string, ListenerPlace> {
  return listenerPlaces(loaded.config.listeners, loaded.attachments, loaded.sourceMaps);
}

/** The attachments that have a listener of their own. */
function listening(loaded: LoadedConfig): { name: string; listen: string }[] {
  return loaded.attachments.flatMap((a) => (a.listen !== undefined ? [{ name: a.name, listen: a.listen }] : []));
}

async function logPolicyWarnings(loaded: LoadedConfig, log: (line: string) => void): Promise<void> {
  for (const policy of [...compiledPolicies(loaded), ...[...loaded.network.endpoints.values()].map((e) => e.policy)]) {
    for (const warning of await policyWarnings(policy)) log(`cove: warning: ${warning}`);
  }
}

/** What a running server cannot change (a listener's `sources` it can): a file that changes them is not applied. */
function restartOnlyChanges(running: LoadedConfig, next: LoadedConfig): string[] {
  const changed: string[] = [];
  if (running.config.region !== next.config.region) changed.push('region');
  if (running.config.accountId !== next.config.accountId) changed.push('accountId');
  const addresses = (loaded: LoadedConfig) => JSON.stringify(loaded.config.listeners.map((l) => [l.name, l.listen]));
  if (addresses(running) !== addresses(next)) changed.push('listeners (names or addresses)');
  return changed;
}

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
    log,
    watchConfig: true,
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
  await logPolicyWarnings(loaded, log);
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

/** A serving process's handle on what it serves. */
export interface Serving {
  addresses: BoundAddress[];
  /** Applies a new text of the configuration file, as a reload does (cluster workers get it from the primary). */
  applyConfig(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** The serving part: engine, catalog, audit, credentials, pipeline, listeners. Runs in each serving process. */
export async function startServing(prepared: Prepared, options: ServingOptions): Promise<Serving> {
  const { loaded, dataDirectory } = prepared;
  const { config } = loaded;
  let running = loaded;
  const log = options.log;
  const credentials = new CredentialStore();
  credentials.replaceAll(configuredCredentials(loaded));
  if (prepared.adminKey) {
    const principal = userPrincipalFor(config.accountId, { name: ADMIN_USER, path: '/', tags: {} }, { identityPolicies: [compilePolicy(`user/${ADMIN_USER}#AdministratorAccess`, ADMIN_POLICY)] });
    credentials.add({ ...prepared.adminKey, principal });
  }

  const engine = new LmdbEngine({ path: join(dataDirectory, 'db'), sharedWithOtherProcesses: options.sharedStore });
  const catalog = await TableCatalog.load(engine, { resumePurges: options.resumePurges });
  const audit = new AuditWriter({ directory: join(dataDirectory, 'audit'), accountId: config.accountId, region: config.region });
  const router = new Router({ model: loaded.network, places: placesOf(loaded), region: config.region, accountId: config.accountId, unreachable: config.network?.unreachable ?? 'reset' });
  const services = registerServices({ region: config.region, accountId: config.accountId, engine, catalog });
  const pipeline = new Pipeline({ region: config.region, accountId: config.accountId, credentials, router }, audit);

  const listeners: HttpListener[] = [];
  /** Attachment listeners by attachment name, with the address each was started on. */
  const attachmentListeners = new Map<string, { listen: string; http: HttpListener }>();
  const addresses: BoundAddress[] = [];
  const startListener = async (name: string, listen: string, portOverride?: number): Promise<HttpListener> => {
    const { host, port } = splitHostPort(listen);
    const http = new HttpListener({ name, host, port: portOverride ?? port }, pipeline, services, config.region);
    const bound = await http.listen();
    const address = { name, ...bound };
    addresses.push(address);
    options.onListening(address);
    return http;
  };
  const closeAll = async () => {
    await Promise.all([...listeners, ...[...attachmentListeners.values()].map((a) => a.http)].map((l) => l.close()));
  };
  try {
    // Attachment listeners come after the configured ones; --port applies to the first listener only.
    // Every worker of a cluster binds them in this same order: node:cluster pairs the n-th
    // `listen(0)` on an address in each worker with the same shared port.
    for (const [index, listener] of config.listeners.entries()) {
      listeners.push(await startListener(listener.name, listener.listen, index === 0 ? options.port : undefined));
    }
    for (const attachment of listening(loaded)) {
      attachmentListeners.set(attachment.name, { listen: attachment.listen, http: await startListener(attachment.name, attachment.listen) });
    }
  } catch (error) {
    await closeAll();
    await catalog.close();
    audit.close();
    await engine.close();
    throw error;
  }

  /**
   * Applies an edited cove.yaml: users and policies, the network model, the
   * endpoint policies, the attachments (listeners start and stop) and the
   * listeners' source maps. Everything is prepared first and swapped in one
   * synchronous step, so no request sees half of each file. A file that does
   * not load, or that changes what needs a restart, changes nothing.
   */
  const reload = async (configFile: string, text: string): Promise<void> => {
    const refuse = (why: string) => log(`cove: configuration error; the running configuration stays in force\n${why}`);
    if (text.trim() === '') return refuse(`${configFile}: the file is empty`);
    let next: LoadedConfig;
    try {
      next = loadConfig(configFile, text);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return refuse(error.message);
    }
    // loadConfig refuses an access key given twice, so the swap below cannot fail halfway.
    const nextCredentials = configuredCredentials(next);
    const restartOnly = restartOnlyChanges(running, next);
    if (restartOnly.length > 0) return refuse(`${configFile}: ${restartOnly.join(', ')} changed: restart cove to apply them`);
    await logPolicyWarnings(next, log);

    // The swap: from here to the router update nothing awaits.
    credentials.replaceAll(nextCredentials);
    const wanted = new Map(listening(next).map((a) => [a.name, a]));
    const retired: HttpListener[] = [];
    for (const [name, running] of attachmentListeners) {
      const attachment = wanted.get(name);
      if (!attachment || attachment.listen !== running.listen) {
        retired.push(running.http);
        attachmentListeners.delete(name);
      }
    }
    // A retired listener is absent from the new places: what it still has in flight is dropped, never routed as public.
    router.update(next.network, placesOf(next), next.config.network?.unreachable ?? 'reset');
    running = next;

    await Promise.all(retired.map((http) => http.close()));
    for (const http of retired) {
      const index = addresses.findIndex((a) => a.name === http.name);
      if (index >= 0) addresses.splice(index, 1);
    }
    for (const attachment of listening(next)) {
      if (attachmentListeners.has(attachment.name)) continue;
      try {
        attachmentListeners.set(attachment.name, { listen: attachment.listen, http: await startListener(attachment.name, attachment.listen) });
      } catch (error) {
        log(`cove: attachment ${attachment.name}: cannot listen on ${attachment.listen}: ${(error as Error).message}`);
      }
    }
    log(`cove: reloaded ${configFile}: users, policies, network model and attachments applied`);
  };

  let watcher: ConfigWatcher | undefined;
  const configFile = prepared.configFile;
  if (configFile && options.watchConfig) {
    watcher = watchConfigFile(configFile, prepared.configText, (text) => reload(configFile, text), (error) => log(`cove: reloading ${configFile} failed: ${error.message}`));
  }

  return {
    addresses,
    async applyConfig(text: string) {
      if (configFile) await reload(configFile, text);
    },
    async stop() {
      await watcher?.close();
      await closeAll();
      await catalog.close();
      audit.close();
      await engine.close();
    },
  };
}
