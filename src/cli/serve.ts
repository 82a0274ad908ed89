import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AuditWriter } from '../audit/writer.js';
import { trailLocation } from '../audit/trail.js';
import type { TrailLocation } from '../audit/layout.js';
import { DigestProducer } from '../audit/digestProducer.js';
import { ensureSigningKey, loadSigningKey } from '../audit/signingKey.js';
import { CredentialStore, sessionPolicies } from '../auth/identities.js';
import { SessionTokens } from '../auth/sessionTokens.js';
import { loadOrCreateAdminKey, type AdminKey } from '../auth/sharedCredentials.js';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { watchConfigFile, type ConfigWatcher } from '../config/watch.js';
import { TableCatalog } from '../dynamo/tables.js';
import { RequestLog, type RequestLogFormat } from '../audit/requestLog.js';
import type { DynamoState } from '../dynamo/service.js';
import { Router } from '../network/route.js';
import { Pipeline } from '../pipeline.js';
import { registerServices } from '../services.js';
import { LmdbEngine } from '../storage/lmdb.js';
import { redactedUrl } from '../storage/postgres.js';
import type { StorageEngine } from '../storage/engine.js';
import { ADMIN_USER } from '../iam/declared.js';
import { IamDirectory } from '../iam/directory.js';
import { IamStore } from '../iam/store.js';
import { serveCluster } from './cluster.js';
import { StartRefusal } from './startErrors.js';
import { claimServing } from './reset.js';
import { ensureAutoCertificates, listenerPlacesOf, listeningAttachments, logPolicyWarnings, openSharedStore, storageOf, unreachableModeOf, type TlsPlaces } from './configured.js';
import { ServingListeners, type BoundAddress } from './listeners.js';
import { ensureCertificateAuthority } from '../server/certificates.js';
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
  /** `--admin-key` / COVE_ADMIN_KEY: the admin user's key, fixed (else generated once and kept in `<data>/credentials`). */
  adminKey?: AdminKey;
  /** `--open`: accept every well-formed SigV4 request as the admin user, unverified (or cove.yaml `open: true`). */
  open?: boolean;
  /** `--in-memory`: a fresh store in a temporary directory (RAM-backed where /dev/shm is), never synced, removed at stop. */
  inMemory?: boolean;
  /** `--host`: the address the first listener binds, overriding cove.yaml's (as --port its port). */
  host?: string;
  /** The request log on stdout: `text` (default), `json`, or `off` (`--quiet`). */
  requestLog?: RequestLogFormat | 'off';
  /** `--storage-url`: store in this PostgreSQL database (cove.yaml `storage:`), shared with other cove nodes. */
  storageUrl?: string;
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
  /** The admin user's key: without a config file, with `--admin-key`, or in open mode. */
  adminKey?: AdminKey;
  /** Open mode: every request acts as the admin user, its signature unchecked. */
  open: boolean;
  /** false with `--in-memory`: the store's commits are not synced (it is removed at stop). */
  durable: boolean;
  /** `--host`: the first listener's address instead of cove.yaml's. */
  listenHost?: string;
  /** The request log's format, or off. */
  requestLog: RequestLogFormat | 'off';
  /** `--storage-url`: overrides cove.yaml's `storage.url`, and implies `engine: postgres`. */
  storageUrl?: string;
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
  const removeEphemeral = options.inMemory ? ephemeralRemover(prepared.dataDirectory) : undefined;
  const releaseDirectory = claimServing(prepared.dataDirectory);
  const cleanUp = () => {
    releaseDirectory();
    removeEphemeral?.();
  };
  try {
    const running = await startAll(prepared, options, log);
    return { ...running, stop: () => running.stop().finally(cleanUp) };
  } catch (error) {
    cleanUp();
    throw error;
  }
}

async function startAll(prepared: Prepared, options: ServeOptions, log: (line: string) => void): Promise<RunningCove> {
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

/** `--in-memory`'s directory: RAM-backed where the system has /dev/shm. */
function ephemeralDataDirectory(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, 'cove-in-memory-'));
}

/** Removes the ephemeral directory once: at stop, or at exit however the process ends but kill -9. */
function ephemeralRemover(directory: string): () => void {
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off('exit', remove);
    rmSync(directory, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return remove;
}

export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

export function listeningLine(address: BoundAddress): string {
  return `cove: ${address.name} listening on ${address.secure ? 'https' : 'http'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}

/**
 * What happens once per start, before any serving process exists: configuration loaded and
 * validated, policy warnings printed, the data directory and the admin key created.
 */
async function prepare(options: ServeOptions, log: (line: string) => void): Promise<Prepared> {
  const configText = options.configFile ? readFileSync(options.configFile, 'utf8') : '';
  const loaded = loadConfig(options.configFile, configText);
  const storage = storageOf(loaded, options.storageUrl);
  if (storage.engine === 'postgres' && options.inMemory) throw new ConfigError('--in-memory keeps a fresh LMDB store: it cannot be combined with PostgreSQL storage (--storage-url or storage: in cove.yaml)');
  await logPolicyWarnings(loaded, log);
  const dataDirectory = options.inMemory ? ephemeralDataDirectory() : resolve(options.dataDirectory ?? '.cove');
  mkdirSync(dataDirectory, { recursive: true });
  // A directory cove may read but not write fails here, named, rather than at whichever file comes first.
  accessSync(dataDirectory, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  if (options.inMemory) log(`cove: in-memory: a fresh store in ${dataDirectory}, not synced to disk, removed at stop`);
  if (storage.engine === 'postgres') log(`cove: storage: PostgreSQL at ${redactedUrl(storage.url)} (tables, items and IAM entities shared with every cove node on it; ${dataDirectory} keeps this node's keys and audit files)`);
  claimDataDirectory(dataDirectory, loaded, log);
  warnOfUnreadablePeers(options.configFile, loaded, log);
  ensureSigningKey(join(dataDirectory, 'audit'));
  // Once, here: a cluster's workers then all read the same certificates.
  ensureAutoCertificates(loaded, tlsPlacesOf(options.configFile, dataDirectory, loaded));
  const open = options.open === true || loaded.config.open;
  const adminKey = adminKeyFor(options, loaded, open, dataDirectory, log);
  if (options.configFile && !adminKey && loaded.config.iam.users.length === 0 && loaded.config.iam.roles.length === 0) {
    log(`cove: warning: ${options.configFile} declares no IAM users or roles: every request will be refused (add iam.users, or run with --admin-key ID:SECRET or --open)`);
  }
  if (open) {
    log(`cove: OPEN MODE: requests are NOT authenticated: any well-formed SigV4 request, whatever its key, acts as the user "${ADMIN_USER}"; audit records say authenticated: false. Never expose this listener.`);
  }
  return { configFile: options.configFile, configText, loaded, dataDirectory, open, durable: !options.inMemory, requestLog: options.requestLog ?? 'text', ...(adminKey ? { adminKey } : {}), ...(options.host !== undefined ? { listenHost: options.host } : {}), ...(options.storageUrl !== undefined ? { storageUrl: options.storageUrl } : {}) };
}

/** What a data directory was created for: its tables' ARNs and its keys are that account's. */
const DATA_IDENTITY_FILE = 'cove-data.json';

/** The account and region recorded when the data directory was made; undefined for a new one. */
function dataIdentityOf(dataDirectory: string): { accountId?: unknown; region?: unknown } | undefined {
  const file = join(dataDirectory, DATA_IDENTITY_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { accountId?: unknown; region?: unknown }) : undefined;
}

/**
 * Refuses a data directory made for another account, so that two accounts' data never mix
 * (ARNs in the catalog, the IAM API's entities, the audit trail); marks a new one as this account's.
 */
function claimDataDirectory(dataDirectory: string, loaded: LoadedConfig, log: (line: string) => void): void {
  const { accountId, region, regions } = loaded.config;
  const claimed = dataIdentityOf(dataDirectory);
  if (!claimed) {
    writeFileSync(join(dataDirectory, DATA_IDENTITY_FILE), `${JSON.stringify({ accountId, region })}\n`);
    return;
  }
  if (typeof claimed.region === 'string' && !regions.includes(claimed.region)) {
    log(`cove: warning: data directory ${dataDirectory} was created for region ${claimed.region}, which this configuration does not serve (${regions.join(', ')}): its tables are not served`);
  }
  if (claimed.accountId !== accountId) {
    throw new StartRefusal(`data directory ${dataDirectory} holds account ${String(claimed.accountId)}'s data, and this configuration is for account ${accountId}: choose another directory with --data DIR (or remove this one)`);
  }
}

/**
 * The admin user's key, when cove declares that user: always without a config file, with a
 * fixed `--admin-key`, and in open mode (whose principal it is) unless cove.yaml declares a user
 * of that name itself. Kept as profile "cove" in `<data>/credentials`.
 */
function adminKeyFor(options: ServeOptions, loaded: LoadedConfig, open: boolean, dataDirectory: string, log: (line: string) => void): AdminKey | undefined {
  const users = loaded.config.iam.users;
  const declaresAdmin = users.some((user) => user.name === ADMIN_USER);
  const fixed = options.adminKey;
  if (fixed && declaresAdmin) throw new ConfigError(`--admin-key: cove.yaml declares a user "${ADMIN_USER}" already; give that user the key in cove.yaml instead`);
  if (fixed && users.some((user) => user.accessKeys.some((key) => key.id === fixed.accessKeyId))) throw new ConfigError(`--admin-key: cove.yaml gives access key ${fixed.accessKeyId} to another user`);
  if (options.configFile && !fixed && !(open && !declaresAdmin)) return undefined;
  const credentialsFile = join(dataDirectory, 'credentials');
  const admin = loadOrCreateAdminKey(credentialsFile, loaded.config.region, fixed);
  if (admin.created) {
    log(`cove: ${fixed ? 'admin user' : 'created admin user'} "${ADMIN_USER}": access key ${admin.accessKeyId}, secret ${fixed ? '(as given)' : admin.secretAccessKey}`);
    log(`cove: saved as profile "cove" in ${credentialsFile}`);
  }
  return { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
}

/** `cove cert ca`: the CA's PEM path; the CA (and, with a config, its listeners' certificates) made if missing. */
export async function certificateAuthorityPath(configFile: string | undefined, data: string): Promise<string> {
  const dataDirectory = resolve(data);
  mkdirSync(dataDirectory, { recursive: true });
  if (configFile) {
    const loaded = loadConfig(configFile, readFileSync(configFile, 'utf8'));
    ensureAutoCertificates(loaded, tlsPlacesOf(configFile, dataDirectory, loaded));
  }
  return ensureCertificateAuthority(dataDirectory).cert;
}

function tlsPlacesOf(configFile: string | undefined, dataDirectory: string, loaded: LoadedConfig): TlsPlaces {
  return { configFile, dataDirectory, region: loaded.config.region };
}

/** The trails of the other nodes LookupEvents reads too: their data directories, relative to cove.yaml's folder. */
function peerTrailsOf(configFile: string | undefined, loaded: LoadedConfig): TrailLocation[] {
  const base = configFile ? dirname(resolve(configFile)) : process.cwd();
  return loaded.config.audit.peerDataDirectories.map((directory) => trailLocation(resolve(base, directory), loaded.config));
}

/** A peer whose trail cannot be read now is left out of LookupEvents (it may start later): said once, at start. */
function warnOfUnreadablePeers(configFile: string | undefined, loaded: LoadedConfig, log: (line: string) => void): void {
  for (const trail of peerTrailsOf(configFile, loaded)) {
    try {
      accessSync(trail.directory, fsConstants.R_OK | fsConstants.X_OK);
    } catch {
      log(`cove: warning: audit.peerDataDirectories: no readable audit trail at ${trail.directory} (yet): LookupEvents answers without that node's events until there is`);
    }
  }
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
  const stores = await openStores(prepared, { ...options, durable: prepared.durable });
  let tokens: SessionTokens;
  try {
    // Nodes on one PostgreSQL database open each other's STS tokens: the key is in the database.
    const shared = storageOf(prepared.loaded, prepared.storageUrl).engine === 'postgres';
    tokens = shared ? await SessionTokens.forSharedStore(stores.engine, prepared.dataDirectory) : SessionTokens.forDataDirectory(prepared.dataDirectory);
  } catch (error) {
    await closeStores(stores);
    throw error;
  }
  // Principals: cove.yaml's and the IAM API's, merged; the credential store is rebuilt from them on every change.
  let directory: IamDirectory | undefined;
  const managedPolicyDocument = (arn: string) => directory?.managedPolicyDocument(arn);
  const credentials = new CredentialStore(tokens, (identity) => sessionPolicies(identity, managedPolicyDocument));
  directory = new IamDirectory({ accountId: loaded.config.accountId, store: stores.iam, credentials, ...(prepared.adminKey ? { adminKey: prepared.adminKey } : {}), log: options.log }, loaded, Date.now());
  const router = buildRouter(loaded);
  const services = registerServices({ ...regionalStates(loaded, stores), credentials, tokens, managedPolicyDocument, directory, auditTrail: stores.trail, peerTrails: peerTrailsOf(prepared.configFile, loaded) });
  const pipeline = buildPipeline(loaded, credentials, stores, router, directory, { open: prepared.open, log: options.log, dataDirectory: prepared.dataDirectory, configFile: prepared.configFile, requestLog: prepared.requestLog });
  const listeners = new ServingListeners(pipeline, services, loaded.config.region, loaded.config.http, options.onListening, tlsPlacesOf(prepared.configFile, prepared.dataDirectory, loaded), options.log);
  try {
    await startListeners(listeners, loaded, options.port, prepared.listenHost);
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

/** Each served region's DynamoDB state; the first region's, which knows the others. */
function regionalStates(loaded: LoadedConfig, stores: Stores): DynamoState {
  const { accountId, regions } = loaded.config;
  const states = new Map<string, DynamoState>();
  const inRegion = (region: string) => states.get(region);
  for (const region of regions) states.set(region, { region, accountId, engine: stores.engine, catalog: stores.catalogs.get(region)!, inRegion });
  return states.get(regions[0])!;
}

/** What a serving process keeps under the data directory. */
interface Stores {
  engine: StorageEngine;
  /** Each served region's table catalog, first region first. */
  catalogs: Map<string, TableCatalog>;
  iam: IamStore;
  audit: AuditWriter;
  digests: DigestProducer | undefined;
  trail: TrailLocation;
}

/**
 * The engine: LMDB under the data directory, or PostgreSQL. Other nodes may share a PostgreSQL
 * database: its reads are always current, so no snapshot is shared between processes to renew.
 */
async function openEngine(prepared: Prepared, options: Pick<ServingOptions, 'sharedStore'> & { durable: boolean }): Promise<StorageEngine> {
  const storage = storageOf(prepared.loaded, prepared.storageUrl);
  if (storage.engine === 'lmdb') return new LmdbEngine({ path: join(prepared.dataDirectory, 'db'), sharedWithOtherProcesses: options.sharedStore, durable: options.durable });
  return openSharedStore(storage, prepared.loaded.config.accountId);
}

async function openStores(prepared: Prepared, options: Pick<ServingOptions, 'sharedStore' | 'resumePurges'> & { durable: boolean }): Promise<Stores> {
  const { dataDirectory, loaded } = prepared;
  const { config } = loaded;
  const engine = await openEngine(prepared, options);
  const catalogs = new Map<string, TableCatalog>();
  let iam: IamStore;
  try {
    const home = homeRegionOf(dataDirectory, config.region);
    for (const [index, region] of config.regions.entries()) {
      // Purge markers are the store's, not a region's: one catalog resumes them.
      const resume = { resumePurges: options.resumePurges, resumePurgeMarkers: options.resumePurges && index === 0, sweepExpiredItems: options.resumePurges };
      catalogs.set(region, await TableCatalog.load(engine, { ...resume, backfillPauseMs: backfillPauseMs(), lifecycle: config.tables, ...(region === home ? {} : { region }) }));
    }
    iam = await IamStore.open(engine);
  } catch (error) {
    await Promise.all([...catalogs.values()].map((catalog) => catalog.close()));
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
  return { engine, catalogs, iam, audit, digests, trail };
}

/** The region the data directory was made for, whose catalog keeps the first key layout (keys.ts `catalogKeys`). */
function homeRegionOf(dataDirectory: string, fallback: string): string {
  const claimed = dataIdentityOf(dataDirectory)?.region;
  return typeof claimed === 'string' ? claimed : fallback;
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
async function closeStores({ engine, catalogs, audit, digests }: Stores): Promise<void> {
  await digests?.close();
  await Promise.all([...catalogs.values()].map((catalog) => catalog.close()));
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
interface PipelineSettings {
  open: boolean;
  requestLog: RequestLogFormat | 'off';
  log: (line: string) => void;
  dataDirectory: string;
  configFile: string | undefined;
}

function buildPipeline(loaded: LoadedConfig, credentials: CredentialStore, stores: Stores, router: Router, directory: IamDirectory, settings: PipelineSettings): Pipeline {
  const { config } = loaded;
  const refreshCredentials = (waitForSnapshot: boolean) => {
    // Without waiting, the IAM version is read from the snapshot the previous request renewed:
    // renewing it here too cost every request a second reset of the read transaction (about a
    // tenth of GetItem's throughput with two workers). A key unknown in it is looked up again
    // after a wait for the freshest snapshot (authenticate.ts), so a new key is never refused.
    if (!waitForSnapshot) return directory.refresh();
    const fresh = stores.engine.refreshSnapshot?.();
    return fresh ? fresh.then(() => directory.refresh()) : directory.refresh();
  };
  const openModePrincipal = settings.open ? () => credentials.user(ADMIN_USER) : undefined;
  const onUnknownKey = unknownKeyLogger(settings);
  const regions = { otherRegions: config.regions.slice(1), onUnservedRegion: unservedRegionLogger(config.regions, settings.log) };
  return new Pipeline({ region: config.region, accountId: config.accountId, credentials, router, refreshCredentials, onUnknownKey, ...regions, ...(settings.requestLog === 'off' ? {} : { requestLog: new RequestLog(settings.requestLog) }), auditDurability: config.audit.durability, auditDataEvents: config.audit.dataEvents, ...(openModePrincipal ? { openModePrincipal } : {}) }, stores.audit);
}

/** Logs, once per region, that a request was for a region cove does not serve, naming those it does. */
function unservedRegionLogger(regions: readonly string[], log: (line: string) => void): (region: string) => void {
  const logged = new Set<string>();
  return (region) => {
    if (logged.has(region) || logged.size >= UNKNOWN_KEYS_LOGGED_MAX) return;
    logged.add(region);
    log(`cove: refused a request signed for region ${region}, which this cove does not serve (it serves ${regions.join(', ')}; add it to regions: in cove.yaml)`);
  };
}

/** How many unknown keys each process names in its log: a client looping on a bad key must not flood it. */
const UNKNOWN_KEYS_LOGGED_MAX = 20;

/** Logs, once per key, where the valid keys are when a request names a key no one has (the answer stays AWS's). */
function unknownKeyLogger(settings: PipelineSettings): (accessKeyId: string) => void {
  const logged = new Set<string>();
  const where = settings.configFile
    ? `the users' accessKeys in ${settings.configFile}, and keys made through the IAM API`
    : `profile "cove" in ${join(settings.dataDirectory, 'credentials')} (AWS_PROFILE=cove AWS_SHARED_CREDENTIALS_FILE=${join(settings.dataDirectory, 'credentials')})`;
  return (accessKeyId) => {
    if (logged.has(accessKeyId) || logged.size >= UNKNOWN_KEYS_LOGGED_MAX) return;
    logged.add(accessKeyId);
    settings.log(`cove: refused a request signed with unknown access key ${accessKeyId} (UnrecognizedClientException); valid keys: ${where}; or run with --admin-key ID:SECRET, or --open to accept any key`);
  };
}

/**
 * The configured listeners, then the attachments' (--port applies to the first listener only).
 * Every worker of a cluster binds them in this same order: node:cluster pairs the n-th
 * `listen(0)` on an address in each worker with the same shared port.
 */
async function startListeners(listeners: ServingListeners, loaded: LoadedConfig, port: number | undefined, host: string | undefined): Promise<void> {
  for (const [index, listener] of loaded.config.listeners.entries()) {
    const listen = index === 0 && host !== undefined ? withHost(listener.listen, host) : listener.listen;
    const transport = { ...(listener.tls ? { tls: listener.tls } : {}), ...(listener.proxyProtocol ? { proxyProtocol: listener.proxyProtocol } : {}) };
    await listeners.startConfigured(listener.name, listen, transport, index === 0 ? port : undefined);
  }
  for (const attachment of listeningAttachments(loaded)) {
    await listeners.startAttachment(attachment.name, attachment.listen, attachment.transport);
  }
}

/** `HOST:PORT` (or `[V6]:PORT`) with another host. */
function withHost(listen: string, host: string): string {
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Applies cove.yaml's edits as they are saved: a single process watches; a cluster's primary watches for its workers. */
function watchForEdits(prepared: Prepared, options: ServingOptions, reload: (configFile: string, text: string) => Promise<void>): ConfigWatcher | undefined {
  const configFile = prepared.configFile;
  if (!configFile || !options.watchConfig) return undefined;
  return watchConfigFile(configFile, prepared.configText, (text) => reload(configFile, text), (error) => options.log(`cove: reloading ${configFile} failed: ${error.message}`));
}
