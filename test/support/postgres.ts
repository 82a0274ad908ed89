/**
 * PostgreSQL for tests: each user of it gets its own schema (created here, dropped by the caller),
 * so tests never see each other's rows. The server comes from the environment:
 * COVE_TEST_POSTGRES_URL (the engine tests), or COVE_TEST_STORAGE_URL (the whole suite, every
 * `cove serve` on PostgreSQL; see test/support/cove.ts). `scripts/postgres-throwaway.sh` starts one.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the engine tests run on, if any. */
export function testPostgresUrl(): string | undefined {
  return process.env.COVE_TEST_POSTGRES_URL || process.env.COVE_TEST_STORAGE_URL || undefined;
}

export const POSTGRES_SKIP_MESSAGE = 'no PostgreSQL: set COVE_TEST_POSTGRES_URL (scripts/postgres-throwaway.sh start prints one)';

/** A schema name for `seed` (a data directory, a test's name): the same seed, the same schema, so a restarted cove finds its rows. */
export function schemaNameFor(seed: string): string {
  return `cove_test_${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

/** `url` with its connections' search_path set to `schema`. */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Creates the schema if missing; resolves to the URL whose connections use it. */
export async function createSchema(url: string, schema: string): Promise<string> {
  await withClient(url, async (client) => {
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (error) {
      // Two creators at once: the other one's schema is as good.
      if ((error as { code?: string }).code !== '23505') throw error;
    }
  });
  return urlWithSchema(url, schema);
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}
