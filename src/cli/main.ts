#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/load.js';
import { SimulationInputError } from '../policy/simulate.js';
import { explain, ExplainInputError } from './explain.js';
import { policySimulate } from './policySimulate.js';
import { AuditInputError, auditTail, auditValidate } from './audit.js';
import { WorkerStartError } from './cluster.js';
import { serve } from './serve.js';
import { MAX_WORKERS } from '../config/schema.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

function workersSetting(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const workers = Number(value);
  if (!/^\d+$/.test(value) || workers < 1 || workers > MAX_WORKERS) throw new InvalidArgumentError(`expected 1..${MAX_WORKERS} or auto`);
  return workers;
}

const program = new Command('cove').description('A DynamoDB-compatible server with AWS network paths, SigV4, IAM and CloudTrail audit');

program
  .command('serve')
  .description('run the server')
  .option('--config <file>', 'cove.yaml to load (default: built-in, with a generated admin key)')
  .option('--data <dir>', 'data directory', '.cove')
  .option('--port <n>', 'port of the first listener (overrides the config)', portNumber)
  .option('--workers <n>', 'serving processes sharing the ports: 1 (default: this process), N, or auto (one per core); overrides the config', workersSetting)
  .action(async (options: { config?: string; data: string; port?: number; workers?: number | 'auto' }) => {
    try {
      const cove = await serve({ configFile: options.config, dataDirectory: options.data, port: options.port, workers: options.workers });
      const stop = () => {
        void cove.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // A worker died: the others are stopped already.
      void cove.ended.then((code) => process.exit(code));
    } catch (error) {
      if (error instanceof ConfigError || (error instanceof WorkerStartError && error.configError)) {
        console.error(`cove: configuration error\n${error.message}`);
        process.exit(2);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        console.error(`cove: cannot listen: ${(error as Error).message}`);
        process.exit(1);
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
  .action(async (options: { config?: string; from?: string; region?: string; port?: number; principal?: string; action?: string; resource?: string; context: string[]; sourceIp: string; json: boolean }) => {
    try {
      const explained = await explain(options);
      for (const warning of explained.warnings) console.error(`cove: warning: ${warning}`);
      console.log(explained.output);
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
  .option('--data <dir>', 'data directory', '.cove')
  .option('--start <time>', 'the oldest digest end time to validate (ISO 8601 or epoch seconds; default: the oldest digest kept)')
  .option('--end <time>', 'the newest digest end time to validate (default: now)')
  .action((options: { config?: string; data: string; start?: string; end?: string }) => {
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
  .option('--data <dir>', 'data directory', '.cove')
  .option('--follow', 'keep printing records as they are written', false)
  .option('--filter <field=value>', `print only records whose field contains value; repeat it (fields: eventName, eventSource, user, decision, errorCode, resource, sourceIp, vpce, requestId)`, collect, [])
  .option('--json', 'print each record as its JSON', false)
  .action(async (options: { config?: string; data: string; follow: boolean; filter: string[]; json: boolean }) => {
    try {
      await auditTail(options, (line) => console.log(line));
    } catch (error) {
      reportInputError(error);
    }
  });

await program.parseAsync(process.argv);
