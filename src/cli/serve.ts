import { mkdirSync } from 'node:fs';
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
import { compilePolicy } from '../policy/document.js';
import { HttpListener } from '../server/http.js';
import { LmdbEngine } from '../storage/lmdb.js';

export interface ServeOptions {
  configFile?: string;
  dataDirectory?: string;
  port?: number;
  log?: (line: string) => void;
}

export interface RunningCove {
  addresses: { name: string; host: string; port: number }[];
  stop(): Promise<void>;
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

/** Starts cove: configuration, engine, catalog, audit, credentials, listeners; a config file is then watched and applied live. */
export async function serve(options: ServeOptions): Promise<RunningCove> {
  const log = options.log ?? ((line: string) => console.log(line));
  let loaded = loadConfig(options.configFile);
  const { config } = loaded;
  await logPolicyWarnings(loaded, log);
  const dataDirectory = resolve(options.dataDirectory ?? '.cove');
  mkdirSync(dataDirectory, { recursive: true });

  const credentials = new CredentialStore();
  credentials.replaceAll(configuredCredentials(loaded));
  if (!options.configFile) {
    const credentialsFile = join(dataDirectory, 'credentials');
    const admin = loadOrCreateAdminKey(credentialsFile, config.region);
    const principal = userPrincipalFor(config.accountId, { name: ADMIN_USER, path: '/', tags: {} }, { identityPolicies: [compilePolicy(`user/${ADMIN_USER}#AdministratorAccess`, ADMIN_POLICY)] });
    credentials.add({ accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey, principal });
    if (admin.created) {
      log(`cove: created admin user "${ADMIN_USER}": access key ${admin.accessKeyId}, secret ${admin.secretAccessKey}`);
      log(`cove: saved as profile "cove" in ${credentialsFile}`);
    }
  }

  const engine = new LmdbEngine({ path: join(dataDirectory, 'db') });
  const catalog = await TableCatalog.load(engine);
  const audit = new AuditWriter({ directory: join(dataDirectory, 'audit'), accountId: config.accountId, region: config.region });
  const router = new Router({ model: loaded.network, places: placesOf(loaded), region: config.region, accountId: config.accountId, unreachable: config.network?.unreachable ?? 'reset' });
  const pipeline = new Pipeline({ region: config.region, accountId: config.accountId, credentials, engine, catalog, audit, router });

  const listeners: HttpListener[] = [];
  /** Attachment listeners by attachment name, with the address each was started on. */
  const attachmentListeners = new Map<string, { listen: string; http: HttpListener }>();
  const addresses: RunningCove['addresses'] = [];
  const startListener = async (name: string, listen: string, portOverride?: number): Promise<HttpListener> => {
    const { host, port } = splitHostPort(listen);
    const http = new HttpListener({ name, host, port: portOverride ?? port }, pipeline, config.region);
    const bound = await http.listen();
    addresses.push({ name, ...bound });
    log(`cove: ${name} listening on http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`);
    return http;
  };
  const closeAll = async () => {
    await Promise.all([...listeners, ...[...attachmentListeners.values()].map((a) => a.http)].map((l) => l.close()));
  };
  try {
    // Attachment listeners come after the configured ones; --port applies to the first listener only.
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
    const restartOnly = restartOnlyChanges(loaded, next);
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
    loaded = next;

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
  if (options.configFile) {
    const configFile = options.configFile;
    watcher = watchConfigFile(configFile, loaded.text, (text) => reload(configFile, text), (error) => log(`cove: reloading ${configFile} failed: ${error.message}`));
  }

  return {
    addresses,
    async stop() {
      await watcher?.close();
      await closeAll();
      await catalog.close();
      audit.close();
      await engine.close();
    },
  };
}
