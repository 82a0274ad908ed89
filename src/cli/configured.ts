/**
 * What a loaded cove.yaml configures for a serving process. Read at the start
 * (serve.ts) and again for every reload (reload.ts), so both read it the same way.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError, compiledPolicies, loadConfig, splitHostPort, type LoadedConfig } from '../config/load.js';
import type { ListenerTls } from '../config/schema.js';
import type { ProxyProtocolSettings } from '../server/accept.js';
import { ensureListenerCertificate, listenerHostNames } from '../server/certificates.js';
import type { TlsSettings } from '../server/tls.js';
import { listenerPlaces, type ListenerPlace, type RouteOptions } from '../network/route.js';
import { policyWarnings } from '../policy/lint.js';
import { STORE_ACCOUNT_KEY } from '../storage/keyspace.js';
import type { PostgresEngine } from '../storage/postgres.js';
import { StartRefusal } from './startErrors.js';

/** Listener name → where its clients are in the network model (configured listeners and attachments alike). */
export function listenerPlacesOf(loaded: LoadedConfig): Map<string, ListenerPlace> {
  return listenerPlaces(loaded.config.listeners, loaded.attachments, loaded.sourceMaps);
}

/** How a request the network cannot deliver ends. */
export function unreachableModeOf(loaded: LoadedConfig): RouteOptions['unreachable'] {
  return loaded.config.network?.unreachable ?? 'reset';
}

/** An attachment that has a listener of its own, and the address that listener binds. */
export interface ListeningAttachment {
  name: string;
  listen: string;
  transport: ListenerTransport;
}

/** How a listener speaks on the wire: TLS or not, PROXY protocol or not (cove.yaml's `tls:` and `proxyProtocol:`). */
export interface ListenerTransport {
  tls?: ListenerTls;
  proxyProtocol?: ProxyProtocolSettings;
}

/** The attachments that have a listener of their own, in the file's order. */
export function listeningAttachments(loaded: LoadedConfig): ListeningAttachment[] {
  const declared = new Map(loaded.config.attachments.map((a) => [a.name, a]));
  return loaded.attachments.flatMap((a) => {
    if (a.listen === undefined) return [];
    const { tls, proxyProtocol } = declared.get(a.name) ?? {};
    return [{ name: a.name, listen: a.listen, transport: { ...(tls ? { tls } : {}), ...(proxyProtocol ? { proxyProtocol } : {}) } }];
  });
}

/** A listener's key for comparing two configurations: a listener whose address or transport changed is restarted. */
export function listenerKey(listen: string, transport: ListenerTransport): string {
  return JSON.stringify([listen, transport.tls ?? null, transport.proxyProtocol ?? null]);
}

/** Where a serving process finds what `tls:` names: cove.yaml's folder (for cert/key files), the data directory (auto). */
export interface TlsPlaces {
  configFile: string | undefined;
  dataDirectory: string;
  region: string;
}

/**
 * A TLS listener's certificate and key files: its own, relative to cove.yaml's folder, or with
 * `auto` the ones cove's CA issued for the listener (made now if missing or outdated).
 */
export function tlsSettingsOf(places: TlsPlaces, name: string, listen: string, tls: ListenerTls): TlsSettings {
  const policy = { minVersion: tls.minVersion, ...(tls.ciphers ? { ciphers: tls.ciphers } : {}) };
  if (tls.mode === 'files') {
    const base = places.configFile ? dirname(resolve(places.configFile)) : process.cwd();
    return { policy, certFile: resolve(base, tls.cert), keyFile: resolve(base, tls.key) };
  }
  const files = ensureListenerCertificate(places.dataDirectory, name, listenerHostNames(splitHostPort(listen).host, places.region));
  return { policy, certFile: files.cert, keyFile: files.key };
}

/**
 * A cluster's primary, before it hands a new text of cove.yaml to its workers: the `tls: auto`
 * certificates it needs, made once here, so that workers starting an attachment listener
 * never write the same files at once. A text that does not load is the workers' to report.
 */
export function ensureAutoCertificatesFor(configFile: string, text: string, dataDirectory: string): void {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configFile, text);
  } catch (error) {
    if (error instanceof ConfigError) return;
    throw error;
  }
  ensureAutoCertificates(loaded, { configFile, dataDirectory, region: loaded.config.region });
}

/** Every listener's `tls: auto` certificate, made once at start (before a cluster's workers read them). */
export function ensureAutoCertificates(loaded: LoadedConfig, places: TlsPlaces): void {
  for (const listener of loaded.config.listeners) if (listener.tls?.mode === 'auto') tlsSettingsOf(places, listener.name, listener.listen, listener.tls);
  for (const attachment of listeningAttachments(loaded)) if (attachment.transport.tls?.mode === 'auto') tlsSettingsOf(places, attachment.name, attachment.listen, attachment.transport.tls);
}

/** Prints the lint warnings of every IAM and endpoint policy in the file. */
export async function logPolicyWarnings(loaded: LoadedConfig, log: (line: string) => void): Promise<void> {
  for (const policy of [...compiledPolicies(loaded), ...[...loaded.network.endpoints.values()].map((e) => e.policy)]) {
    for (const warning of await policyWarnings(policy)) log(`cove: warning: ${warning}`);
  }
}

/** Where a serving process stores what it serves: cove.yaml's `storage:`, with `--storage-url` over it. */
export type StorageSetting = { engine: 'lmdb' } | { engine: 'postgres'; url: string; poolSize?: number; statementTimeoutMs?: number };

/**
 * A PostgreSQL store, opened for `accountId`: a database several nodes share is one account's
 * (ARNs in its catalog, its IAM entities), claimed by the first node that opens it — the shared
 * store's counterpart of a data directory's cove-data.json. A node (or `cove reset`) configured
 * for another account is refused, never mixed in. Failures are start errors (one line, exit 2).
 */
export async function openSharedStore(storage: Extract<StorageSetting, { engine: 'postgres' }>, accountId: string): Promise<PostgresEngine> {
  // Loaded here: the commands that only read cove.yaml need no `pg`.
  const { PostgresEngine, redactedUrl } = await import('../storage/postgres.js');
  let engine: PostgresEngine;
  try {
    engine = await PostgresEngine.open(storage);
  } catch (error) {
    throw new StartRefusal(`${(error as Error).message} (check storage.url in cove.yaml or --storage-url, and that the database runs)`);
  }
  const mine = Buffer.from(JSON.stringify({ accountId }));
  const outcome = await engine
    .writeBatch<string>([
      {
        key: STORE_ACCOUNT_KEY,
        value: (current) => (current === undefined ? mine : undefined),
        condition: (current) => {
          const claimed = current === undefined ? accountId : (JSON.parse(current.toString('utf8')) as { accountId?: unknown }).accountId;
          return claimed === accountId ? undefined : String(claimed);
        },
      },
    ])
    .catch(async (error: unknown) => {
      await engine.close();
      throw error;
    });
  if (outcome.ok) return engine;
  await engine.close();
  throw new StartRefusal(`database ${redactedUrl(storage.url)} holds account ${outcome.error}'s data, and this configuration is for account ${accountId}: choose another database or schema with --storage-url URL (or storage.url in cove.yaml)`);
}

export function storageOf(loaded: LoadedConfig, storageUrl: string | undefined): StorageSetting {
  const { engine, url, poolSize, statementTimeoutMs } = loaded.config.storage;
  if (storageUrl === undefined && engine === 'lmdb') return { engine: 'lmdb' };
  const chosen = storageUrl ?? url;
  if (chosen === undefined) throw new ConfigError('storage: engine postgres needs url: postgres://... in cove.yaml, or --storage-url');
  return { engine: 'postgres', url: chosen, ...(poolSize !== undefined ? { poolSize } : {}), ...(statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}) };
}
