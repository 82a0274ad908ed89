/**
 * PostgresEngine.open on a fresh schema from many nodes at once: every one of them opens (the
 * table is created once; the others' CREATE TABLE IF NOT EXISTS lose a race PostgreSQL reports
 * with one of three SQLSTATEs). Skipped without COVE_TEST_POSTGRES_URL (or COVE_TEST_STORAGE_URL).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresEngine } from '../../src/storage/postgres.js';
import { createSchema, dropSchema, POSTGRES_SKIP_MESSAGE, schemaNameFor, testPostgresUrl } from '../support/postgres.js';

const pgUrl = testPostgresUrl();

describe('PostgresEngine.open', { skip: pgUrl ? false : POSTGRES_SKIP_MESSAGE }, () => {
  it('opens from many nodes at once on a fresh schema, each time', async () => {
    for (let round = 0; round < 5; round++) {
      const schema = schemaNameFor(`open-race-${process.pid}-${round}-${Date.now()}`);
      const url = await createSchema(pgUrl!, schema);
      try {
        const opened = await Promise.allSettled(Array.from({ length: 8 }, () => PostgresEngine.open({ url, log: () => {} })));
        const failures = opened.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason));
        assert.deepEqual(failures, [], `round ${round}`);
        for (const result of opened) if (result.status === 'fulfilled') await result.value.close();
      } finally {
        await dropSchema(pgUrl!, schema);
      }
    }
  });
});
