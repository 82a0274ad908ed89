/**
 * `--engine postgres`: cove stores in PostgreSQL. The server is `--storage-url URL` (or
 * COVE_BENCH_STORAGE_URL); without one, a throwaway cluster (scripts/postgres-throwaway.sh) is
 * started for the run and stopped after it. Each cove started gets a fresh schema.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createSchema, dropSchema, schemaNameFor } from '../test/support/postgres.js';

export interface BenchPostgres {
  /** A URL on a fresh, empty schema, for one cove. */
  freshUrl(): Promise<string>;
  /** Drops the schemas made, and stops the throwaway cluster if the run started one. */
  stop(): Promise<void>;
}

export function startBenchPostgres(root: string, given: string | undefined): BenchPostgres {
  const script = join(root, 'scripts', 'postgres-throwaway.sh');
  let url = given;
  let clusterDirectory: string | undefined;
  if (url === undefined) {
    const exports = execFileSync('bash', [script, 'start'], { encoding: 'utf8' });
    url = /COVE_PG_URL=(\S+)/.exec(exports)?.[1];
    clusterDirectory = /COVE_PG_DIR=(\S+)/.exec(exports)?.[1];
    if (!url || !clusterDirectory) throw new Error(`postgres-throwaway.sh start printed no URL:\n${exports}`);
  }
  const base = url;
  const schemas: string[] = [];
  return {
    async freshUrl() {
      const schema = schemaNameFor(`bench-${process.pid}-${Date.now()}-${schemas.length}`);
      schemas.push(schema);
      return createSchema(base, schema);
    },
    async stop() {
      if (clusterDirectory !== undefined) {
        execFileSync('bash', [script, 'stop', clusterDirectory], { stdio: 'ignore' });
        return;
      }
      for (const schema of schemas.splice(0)) await dropSchema(base, schema);
    },
  };
}
