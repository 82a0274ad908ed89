import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { AuditWriter } from '../audit/writer.js';
import { trailLocation } from '../audit/trail.js';
import type { TrailLocation } from '../audit/layout.js';
import { DigestProducer } from '../audit/digestProducer.js';
import { ensureSigningKey, loadSigningKey } from '../audit/signingKey.js';
import { CredentialStore, sessionPolicies } from '../auth/identities.js';
import { SessionTokens } from '../auth/sessionTokens.js';
import { loadOrCreateAdminKey } from '../auth/sharedCredentials.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { watchConfigFile, type ConfigWatcher } from '../config/watch.js';
import { TableCatalog } from '../dynamo/tables.js';
import { Router } from '../network/route.js';
import { Pipeline } from '../pipeline.js';
import { registerServices } from '../services.js';
import { LmdbEngine } from '../storage/lmdb.js';
import { ADMIN_USER } from '../iam/declared.js';
import { IamDirectory } from '../iam/directory.js';
import { IamStore } from '../iam/store.js';
import { serveCluster } from './cluster.js';
import { listenerPlacesOf, listeningAttachments, logPolicyWarnings, unreachableModeOf } from './configured.js';
import { ServingListeners, type BoundAddress } from './listeners.js';
import { reloadConfig, type ReloadTarget } from './reload.js';

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

export type { BoundAddress } from './listeners.js';

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
  ensureSigningKey(join(dataDirectory, 'audit'));
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
  const { loaded } = prepared;
  const tokens = SessionTokens.forDataDirectory(prepared.dataDirectory);
  const stores = await openStores(prepared.dataDirectory, loaded, options);
  // Principals: cove.yaml's and the IAM API's, merged; the credential store is rebuilt from them on every change.
  let directory: IamDirectory | undefined;
  const managedPolicyDocument = (arn: string) => directory?.managedPolicyDocument(arn);
  const credentials = new CredentialStore(tokens, (identity) => sessionPolicies(identity, managedPolicyDocument));
  directory = new IamDirectory({ accountId: loaded.config.accountId, store: stores.iam, credentials, ...(prepared.adminKey ? { adminKey: prepared.adminKey } : {}), log: options.log }, loaded, Date.now());
  const router = buildRouter(loaded);
  const services = registerServices({ region: loaded.config.region, accountId: loaded.config.accountId, engine: stores.engine, catalog: stores.catalog, credentials, tokens, managedPolicyDocument, directory, auditTrail: stores.trail });
  const pipeline = buildPipeline(loaded, credentials, stores, router, directory);
  const listeners = new ServingListeners(pipeline, services, loaded.config.region, loaded.config.http, options.onListening);
  try {
    await startListeners(listeners, loaded, options.port);
  } catch (error) {
    await listeners.closeAll();
    await closeStores(stores);
    throw error;
  }

  const target: ReloadTarget = { config: loaded, directory, router, listeners };
  const reload = async (configFile: string, text: string) => {
    await reloadConfig(target, configFile, text, options.log);
  };
  const watcher = watchForEdits(prepared, options, reload);
  return {
    addresses: listeners.addresses,
    async applyConfig(text: string) {
      if (prepared.configFile) await reload(prepared.configFile, text);
    },
    async stop() {
      await watcher?.close();
      await listeners.closeAll();
      await closeStores(stores);
    },
  };
}

/** What a serving process keeps under the data directory. */
interface Stores {
  engine: LmdbEngine;
  catalog: TableCatalog;
  iam: IamStore;
  audit: AuditWriter;
  digests: DigestProducer | undefined;
  trail: TrailLocation;
}

async function openStores(dataDirectory: string, loaded: LoadedConfig, options: Pick<ServingOptions, 'sharedStore' | 'resumePurges'>): Promise<Stores> {
  const { config } = loaded;
  const engine = new LmdbEngine({ path: join(dataDirectory, 'db'), sharedWithOtherProcesses: options.sharedStore });
  let catalog: TableCatalog;
  let iam: IamStore;
  try {
    catalog = await TableCatalog.load(engine, { resumePurges: options.resumePurges, backfillPauseMs: backfillPauseMs() });
    iam = await IamStore.open(engine);
  } catch (error) {
    await engine.close();
    throw error;
  }
  const trail = trailLocation(dataDirectory, config);
  const audit = new AuditWriter({ trail, deliveryIntervalMs: config.audit.deliverySeconds * 1000, deliveryRecords: config.audit.deliveryRecords });
  // The digest chain has one author per data directory: the process that runs the background work.
  let digests: DigestProducer | undefined;
  if (options.resumePurges) {
    const budget = { retentionDays: config.audit.retentionDays, maxSizeBytes: config.audit.maxSizeMb * 1024 * 1024 };
    digests = new DigestProducer({ trail, periodMs: config.audit.digestPeriodSeconds * 1000, key: loadSigningKey(trail.directory), budget, log: (line) => console.error(line) });
    await digests.start();
  }
  return { engine, catalog, iam, audit, digests, trail };
}

/**
 * COVE_BACKFILL_PAUSE_MS: a pause between the batches of an index backfill, for tests that must
 * interrupt one (a restart during a backfill). Unset in production: no pause.
 */
function backfillPauseMs(): number {
  const value = Number(process.env.COVE_BACKFILL_PAUSE_MS ?? 0);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** The catalog first: closing waits for its purges, which write through the engine; the engine last. */
async function closeStores({ engine, catalog, audit, digests }: Stores): Promise<void> {
  await digests?.close();
  await catalog.close();
  await audit.close();
  await engine.close();
}

function buildRouter(loaded: LoadedConfig): Router {
  const { config } = loaded;
  return new Router({ model: loaded.network, places: listenerPlacesOf(loaded), region: config.region, accountId: config.accountId, unreachable: unreachableModeOf(loaded) });
}

/**
 * The request pipeline every listener hands its requests to. Before authenticating, a request
 * sees the other processes' IAM changes (one get of the IAM version; see authenticate.ts for
 * when it first renews the snapshot and waits for it).
 */
function buildPipeline(loaded: LoadedConfig, credentials: CredentialStore, stores: Stores, router: Router, directory: IamDirectory): Pipeline {
  const { config } = loaded;
  const refreshCredentials = (waitForSnapshot: boolean) => {
    // Without waiting, the IAM version is read from the snapshot the previous request renewed:
    // renewing it here too cost every request a second reset of the read transaction (about a
    // tenth of GetItem's throughput with two workers). A key unknown in it is looked up again
    // after a wait for the freshest snapshot (authenticate.ts), so a new key is never refused.
    if (!waitForSnapshot) return directory.refresh();
    const fresh = stores.engine.refreshSnapshot();
    return fresh ? fresh.then(() => directory.refresh()) : directory.refresh();
  };
  return new Pipeline({ region: config.region, accountId: config.accountId, credentials, router, refreshCredentials, auditDurability: config.audit.durability, auditDataEvents: config.audit.dataEvents }, stores.audit);
}

/**
 * The configured listeners, then the attachments' (--port applies to the first listener only).
 * Every worker of a cluster binds them in this same order: node:cluster pairs the n-th
 * `listen(0)` on an address in each worker with the same shared port.
 */
async function startListeners(listeners: ServingListeners, loaded: LoadedConfig, port: number | undefined): Promise<void> {
  for (const [index, listener] of loaded.config.listeners.entries()) {
    await listeners.startConfigured(listener.name, listener.listen, index === 0 ? port : undefined);
  }
  for (const attachment of listeningAttachments(loaded)) {
    await listeners.startAttachment(attachment.name, attachment.listen);
  }
}

/** Applies cove.yaml's edits as they are saved: a single process watches; a cluster's primary watches for its workers. */
function watchForEdits(prepared: Prepared, options: ServingOptions, reload: (configFile: string, text: string) => Promise<void>): ConfigWatcher | undefined {
  const configFile = prepared.configFile;
  if (!configFile || !options.watchConfig) return undefined;
  return watchConfigFile(configFile, prepared.configText, (text) => reload(configFile, text), (error) => options.log(`cove: reloading ${configFile} failed: ${error.message}`));
}
