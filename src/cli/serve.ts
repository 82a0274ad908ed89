import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditWriter } from '../audit/writer.js';
import { CredentialStore, configuredPrincipals, userPrincipalFor } from '../auth/identities.js';
import { loadOrCreateAdminKey } from '../auth/sharedCredentials.js';
import { compiledPolicies, loadConfig, splitHostPort } from '../config/load.js';
import { policyWarnings } from '../policy/lint.js';
import { TableCatalog } from '../dynamo/tables.js';
import { Router, type ListenerPlace } from '../network/route.js';
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

/** Starts cove: configuration, engine, catalog, audit, credentials, listeners. */
export async function serve(options: ServeOptions): Promise<RunningCove> {
  const log = options.log ?? ((line: string) => console.log(line));
  const loaded = loadConfig(options.configFile);
  const { config } = loaded;
  for (const policy of [...compiledPolicies(loaded), ...[...loaded.network.endpoints.values()].map((e) => e.policy)]) {
    for (const warning of await policyWarnings(policy)) log(`cove: warning: ${warning}`);
  }
  const dataDirectory = resolve(options.dataDirectory ?? '.cove');
  mkdirSync(dataDirectory, { recursive: true });

  const credentials = new CredentialStore();
  const principals = configuredPrincipals(loaded);
  for (const user of config.iam.users) {
    const principal = principals.get(user.name)!;
    for (const key of user.accessKeys) credentials.add({ accessKeyId: key.id, secretAccessKey: key.secret, principal });
  }
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
  const places = new Map<string, ListenerPlace>(loaded.attachments.map((a) => [a.name, { kind: 'attachment', name: a.name, source: a.source }]));
  const router = new Router({ model: loaded.network, places, region: config.region, accountId: config.accountId, unreachable: config.network?.unreachable ?? 'reset' });
  const pipeline = new Pipeline({ region: config.region, accountId: config.accountId, credentials, engine, catalog, audit, router });

  const listeners: HttpListener[] = [];
  const addresses: RunningCove['addresses'] = [];
  try {
    // Attachment listeners come after the configured ones; --port applies to the first listener only.
    const allListeners = [...config.listeners, ...loaded.attachments.map((a) => ({ name: a.name, listen: a.listen }))];
    for (const [index, listener] of allListeners.entries()) {
      const { host, port } = splitHostPort(listener.listen);
      const http = new HttpListener({ name: listener.name, host, port: index === 0 && options.port !== undefined ? options.port : port }, pipeline, config.region);
      const bound = await http.listen();
      listeners.push(http);
      addresses.push({ name: listener.name, ...bound });
      log(`cove: ${listener.name} listening on http://${bound.host.includes(':') ? `[${bound.host}]` : bound.host}:${bound.port}`);
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
