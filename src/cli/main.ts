#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/load.js';
import { serve } from './serve.js';

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

const program = new Command('cove').description('A DynamoDB-compatible server with AWS network paths, SigV4, IAM and CloudTrail audit');

program
  .command('serve')
  .description('run the server')
  .option('--config <file>', 'cove.yaml to load (default: built-in, with a generated admin key)')
  .option('--data <dir>', 'data directory', '.cove')
  .option('--port <n>', 'port of the first listener (overrides the config)', portNumber)
  .action(async (options: { config?: string; data: string; port?: number }) => {
    try {
      const cove = await serve({ configFile: options.config, dataDirectory: options.data, port: options.port });
      const stop = () => {
        void cove.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    } catch (error) {
      if (error instanceof ConfigError) {
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

await program.parseAsync(process.argv);
