#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import { startErrorLine } from './startErrors.js';
import { reset } from './reset.js';
import { ConfigError } from '../config/load.js';
import { SimulationInputError } from '../policy/simulate.js';
import { explain, ExplainInputError } from './explain.js';
import { policySimulate } from './policySimulate.js';
import { AuditInputError, auditTail, auditValidate } from './audit.js';
import { WorkerStartError } from './cluster.js';
import { certificateAuthorityPath, serve } from './serve.js';
import { MAX_WORKERS } from '../config/schema.js';
import { parseAdminKey, type AdminKey } from '../auth/sharedCredentials.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

function logFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('expected text or json');
  return value;
}

function hostAddress(value: string): string {
  if (isIP(value) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(value)) throw new InvalidArgumentError('expected an IP address or a host name');
  return value;
}

function workersSetting(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > MAX_WORKERS) throw new InvalidArgumentError(`expected 1..${MAX_WORKERS} or auto`);
  return workers;
}

function adminKeySetting(value: string): AdminKey {
  const key = parseAdminKey(value);
  if (!key) throw new InvalidArgumentError('expected ACCESS_KEY_ID:SECRET (the ID 1-128 letters, digits or _, the secret without spaces)');
  return key;
}

/** COVE_ADMIN_KEY, as `--admin-key` (the flag wins). */
function adminKeyFromEnvironment(): AdminKey | undefined {
  const value = process.env.COVE_ADMIN_KEY;
  if (value === undefined || value === '') return undefined;
  const key = parseAdminKey(value);
  if (!key) {
    console.error('cove: COVE_ADMIN_KEY: expected ACCESS_KEY_ID:SECRET (the ID 1-128 letters, digits or _, the secret without spaces)');
    process.exit(2);
  }
  return key;
}

function storageUrlSetting(value: string): string {
  if (!/^postgres(ql)?:\/\/./.test(value)) throw new InvalidArgumentError('expected a postgres:// URL, e.g. postgres://cove:secret@db.internal:5432/cove');
  return value;
}

/** COVE_STORAGE_URL, as `--storage-url` (the flag wins): keeps the database password off the command line. */
function storageUrlFromEnvironment(): string | undefined {
  const value = process.env.COVE_STORAGE_URL;
  if (value === undefined || value === '') return undefined;
  try {
    return storageUrlSetting(value);
  } catch (error) {
    console.error(`cove: COVE_STORAGE_URL: ${(error as Error).message}`);
    process.exit(2);
  }
}

/** package.json's version: dist/src/cli/main.js and src/cli/main.ts are both three levels below it. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

const program = new Command('cove').description('A DynamoDB-compatible server with AWS network paths, SigV4, IAM and CloudTrail audit').version(packageVersion(), '-V, --version', 'print cove\'s version');
// A mistyped option or argument is a start error like the others: exit code 2 (help and --version: 0).
program.addHelpText(
  'after',
  `
Examples:
  cove serve                                   # then: aws --profile cove --endpoint-url http://127.0.0.1:8000 dynamodb list-tables
  cove serve --help                            # every serving option
  cove explain --help                          # why a request is allowed or denied`,
);
program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('serve')
  .description('run the server')
  .option('--config <file>', 'cove.yaml to load (default: built-in, with a generated admin key)')
  .option('--data <dir>', 'data directory', '.cove')
  .option('--port <n>', 'port of the first listener (overrides the config)', portNumber)
  .option('--workers <n>', 'serving processes sharing the ports: 1 (default: this process), N, or auto (one per core); overrides the config', workersSetting)
  .option('--admin-key <id:secret>', 'fix the admin user\'s access key (also COVE_ADMIN_KEY), kept across data resets', adminKeySetting)
  .option('--open', 'OPEN MODE: accept every well-formed SigV4 request, whatever its key, as the admin user, without checking its signature (as DynamoDB Local)', false)
  .option('--in-memory', 'a fresh store in a temporary directory (RAM-backed where /dev/shm is), not synced to disk, removed at stop; --data is ignored', false)
  .option('--log-format <format>', 'the request log on stdout, one line per request: text or json', logFormat, 'text')
  .option('--quiet', 'no request log', false)
  .option('--host <address>', 'address of the first listener (overrides the config), e.g. 0.0.0.0 to accept other machines', hostAddress)
  .option('--storage-url <url>', 'store in this PostgreSQL database, shared by every cove node on it (overrides cove.yaml storage:; also COVE_STORAGE_URL)', storageUrlSetting)
  .addHelpText(
    'after',
    `
Examples:
  cove serve                                    # http://127.0.0.1:8000, a generated admin key in .cove/credentials
  cove serve --admin-key AKIALOCAL0000001:local-secret --port 8000
  COVE_ADMIN_KEY=dummy:dummy cove serve --in-memory   # a fresh store per test run
  cove serve --open                             # any key, unverified, as DynamoDB Local (never expose it)
  cove serve --config cove.yaml --data /var/lib/cove --workers auto --host 0.0.0.0
  cove serve --config cove.yaml --storage-url postgres://cove:secret@db.internal:5432/cove --host 0.0.0.0   # one of several nodes`,
  )
  .action(async (options: { config?: string; data: string; port?: number; workers?: number | 'auto'; adminKey?: AdminKey; open: boolean; inMemory: boolean; host?: string; logFormat: 'text' | 'json'; quiet: boolean; storageUrl?: string }) => {
    try {
      const adminKey = options.adminKey ?? adminKeyFromEnvironment();
      const storageUrl = options.storageUrl ?? storageUrlFromEnvironment();
      // One handler, registered before the start: a SIGTERM during it stops cove gracefully once
      // it serves, instead of killing the process half-started. (Swapping handlers after the
      // start lost signals that arrived around the swap.)
      let running: Awaited<ReturnType<typeof serve>> | undefined;
      let stopRequested = false;
      let stopping = false;
      const stop = () => {
        stopRequested = true;
        if (running === undefined || stopping) return;
        stopping = true;
        void running.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const cove = await serve({
        configFile: options.config,
        dataDirectory: options.data,
        port: options.port,
        workers: options.workers,
        open: options.open,
        inMemory: options.inMemory,
        requestLog: options.quiet ? 'off' : options.logFormat,
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(storageUrl !== undefined ? { storageUrl } : {}),
        ...(adminKey ? { adminKey } : {}),
      });
      running = cove;
      if (stopRequested) stop();
      // A worker died: the others are stopped already.
      void cove.ended.then((code) => process.exit(code));
    } catch (error) {
      if (error instanceof ConfigError || (error instanceof WorkerStartError && error.configError)) {
        console.error(`cove: configuration error\n${error.message}`);
        process.exit(2);
      }
      const line = startErrorLine(error);
      if (line !== undefined) {
        console.error(line);
        process.exit(2);
      }
      throw error;
    }
  });

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Input faults of the offline commands: a message and exit code 2, never a stack trace. */
function reportInputError(error: unknown): never {
  if (error instanceof ConfigError) {
    console.error(`cove: configuration error\n${error.message}`);
    process.exit(2);
  }
  if (error instanceof ExplainInputError || error instanceof SimulationInputError || error instanceof AuditInputError) {
    console.error(`cove: ${error.message}`);
    process.exit(2);
  }
  const line = startErrorLine(error);
  if (line !== undefined) {
    console.error(line);
    process.exit(2);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
    console.error(`cove: ${(error as Error).message}`);
    process.exit(2);
  }
  throw error;
}

program
  .command('explain')
  .description('explain, offline, how a hypothetical request is routed (--from) and how IAM decides it (--principal, --action, --resource)')
  .option('--config <file>', 'cove.yaml whose network, users and policies to use (default: ./cove.yaml if present)')
  .option('--from <attachment>', 'send the request from this attachment: print the network path hop by hop')
  .option('--region <region>', 'the region the request is for (its credential scope; default: the configuration\'s)')
  .option('--port <n>', 'the service port, 80 (plain HTTP) or 443, for security-group checks', portNumber)
  .option('--principal <arn>', 'the IAM user (ARN or name) making the request')
  .option('--action <action>', 'the IAM action, e.g. dynamodb:GetItem')
  .option('--resource <arn>', 'the resource ARN, e.g. arn:aws:dynamodb:us-east-1:123456789012:table/T')
  .option('--context <key=value>', 'a condition key; repeat it; key=["a","b"] for a multi-valued key', collect, [])
  .option('--source-ip <ip>', 'the public source address the request comes from', '127.0.0.1')
  .option('--json', 'print the decision as JSON', false)
  .addHelpText(
    'after',
    `
Examples:
  cove explain --config cove.yaml --principal alice --action dynamodb:GetItem --resource arn:aws:dynamodb:us-east-1:123456789012:table/Orders
  cove explain --config cove.yaml --from app-subnet                     # the network path from an attachment
  cove explain --config cove.yaml --from app-subnet --principal alice --action dynamodb:PutItem \\
      --resource arn:aws:dynamodb:us-east-1:123456789012:table/Orders --context dynamodb:LeadingKeys=alice`,
  )
  .action(async (options: { config?: string; from?: string; region?: string; port?: number; principal?: string; action?: string; resource?: string; context: string[]; sourceIp: string; json: boolean }) => {
    try {
      const explained = await explain(options);
      for (const warning of explained.warnings) console.error(`cove: warning: ${warning}`);
      console.log(explained.output);
      // Documented exit codes: 0 allowed (or a path that reaches the service), 1 denied (or unreachable), 2 a bad question.
      process.exitCode = explained.allowed ? 0 : 1;
    } catch (error) {
      reportInputError(error);
    }
  });

program
  .command('reset')
  .description('delete every table of a data directory (a running server sees them gone), or with --all the whole store; keys and the audit trail are kept')
  .option('--data <dir>', 'data directory', '.cove')
  .option('--config <file>', "cove.yaml the server runs with (its storage: names a PostgreSQL store)")
  .option('--storage-url <url>', 'the PostgreSQL store the nodes share (also COVE_STORAGE_URL)', storageUrlSetting)
  .option('--all', 'also remove what the IAM API made (users, keys, policies): the whole store; the server must be stopped (LMDB only)', false)
  .addHelpText(
    'after',
    `
Examples:
  cove reset                     # every table of .cove, even while cove serves it
  cove reset --data /tmp/ci --all`,
  )
  .action(async (options: { data: string; all: boolean; config?: string; storageUrl?: string }) => {
    try {
      const storageUrl = options.storageUrl ?? storageUrlFromEnvironment();
      await reset({ dataDirectory: options.data, all: options.all, ...(options.config ? { config: options.config } : {}), ...(storageUrl ? { storageUrl } : {}) }, (line) => console.log(line));
    } catch (error) {
      reportInputError(error);
    }
  });

const cert = program.command('cert').description('the TLS certificates of tls: auto listeners');
cert
  .command('ca')
  .description("print the path of cove's local CA certificate (PEM), creating it if the data directory has none: trust it with AWS_CA_BUNDLE, aws --ca-bundle or NODE_EXTRA_CA_CERTS")
  .option('--config <file>', "cove.yaml whose tls: auto listeners' certificates to make too")
  .option('--data <dir>', 'data directory', '.cove')
  .action(async (options: { config?: string; data: string }) => {
    try {
      console.log(await certificateAuthorityPath(options.config, options.data));
    } catch (error) {
      reportInputError(error);
    }
  });

const policy = program.command('policy').description('IAM policy tools');
policy
  .command('simulate')
  .description('evaluate a simulation case (JSON, iam-simulate shape) with the server\'s engine; - reads stdin')
  .argument('<file>', 'the case file, or - for stdin')
  .option('--json-lines', 'read one case per line and print one verdict per line', false)
  .addHelpText(
    'after',
    `
Examples:
  cove policy simulate case.json
  echo '{"request":{"action":"dynamodb:GetItem","resource":"arn:aws:dynamodb:us-east-1:123456789012:table/T","principal":"arn:aws:iam::123456789012:user/alice"},"identityPolicies":[...]}' | cove policy simulate -
  cove policy simulate --json-lines cases.jsonl`,
  )
  .action(async (file: string, options: { jsonLines: boolean }) => {
    try {
      process.exitCode = await policySimulate(file, options.jsonLines, (line) => console.log(line));
    } catch (error) {
      reportInputError(error);
    }
  });

const audit = program.command('audit').description('the CloudTrail trail under the data directory');
audit
  .command('validate')
  .description('validate the log files and the digest chain, as aws cloudtrail validate-logs does; exit 1 on any invalid file')
  .option('--config <file>', 'cove.yaml the server runs with (account, region, audit names)')
  .option('--data <dir>', "data directory (default .cove); repeat it for several nodes' trails", collect, [])
  .option('--start <time>', 'the oldest digest end time to validate (ISO 8601 or epoch seconds; default: the oldest digest kept)')
  .option('--end <time>', 'the newest digest end time to validate (default: now)')
  .action((options: { config?: string; data: string[]; start?: string; end?: string }) => {
    try {
      const report = auditValidate(options);
      for (const line of report.lines) console.log(line);
      process.exitCode = report.ok ? 0 : 1;
    } catch (error) {
      reportInputError(error);
    }
  });
audit
  .command('tail')
  .description('print the trail, one line per record with its decision (ALLOW, DENY, ERROR)')
  .option('--config <file>', 'cove.yaml the server runs with')
  .option('--data <dir>', "data directory (default .cove); repeat it to read several nodes' trails as one", collect, [])
  .option('--follow', 'keep printing records as they are written', false)
  .option('--filter <field=value>', `print only records whose field contains value; repeat it (fields: eventName, eventSource, user, decision, errorCode, resource, sourceIp, vpce, requestId)`, collect, [])
  .option('--json', 'print each record as its JSON', false)
  .action(async (options: { config?: string; data: string[]; follow: boolean; filter: string[]; json: boolean }) => {
    try {
      await auditTail(options, (line) => console.log(line));
    } catch (error) {
      reportInputError(error);
    }
  });

await program.parseAsync(process.argv);
