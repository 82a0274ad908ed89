/**
 * PostgresEngine.open on a fresh schema from many nodes at once: every one of them opens (the
 * table is created once; the others' CREATE TABLE IF NOT EXISTS lose a race PostgreSQL reports
 * with one of three SQLSTATEs). Skipped without COVE_TEST_POSTGRES_URL (or COVE_TEST_STORAGE_URL).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresEngine } from '../../src/storage/postgres.js';
import pg from 'pg';
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

  it('moves the rows of an earlier cove\'s single-key table into the partitioned one, once, while several nodes start', async () => {
    const schema = schemaNameFor(`migrate-${process.pid}-${Date.now()}`);
    const url = await createSchema(pgUrl!, schema);
    const keys = [Buffer.of(0x00, 0x61), ...Array.from({ length: 1500 }, (_, i) => Buffer.concat([Buffer.of(0x01), Buffer.alloc(24, i % 3), Buffer.from(String(i).padStart(4, '0'))])), Buffer.of(0x10, 0x74)];
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    try {
      await old.query('CREATE TABLE cove_kv (key bytea PRIMARY KEY, value bytea NOT NULL)');
      for (const key of keys) await old.query('INSERT INTO cove_kv VALUES ($1, $2)', [key, Buffer.concat([Buffer.from('v'), key])]);
      const logged: string[] = [];
      const opened = await Promise.all(Array.from({ length: 3 }, () => PostgresEngine.open({ url, log: (line) => logged.push(line) })));
      try {
        assert.equal(logged.filter((line) => line.includes('moved 1502 rows of cove_kv')).length, 1, logged.join('\n'));
        const rows: Buffer[] = [];
        for await (const entry of opened[1].range({ start: Buffer.of(0x00), end: Buffer.of(0xff) })) {
          assert.ok(entry.value.equals(Buffer.concat([Buffer.from('v'), entry.key])));
          rows.push(entry.key);
        }
        assert.deepEqual(rows.map((key) => key.toString('hex')), [...keys].sort(Buffer.compare).map((key) => key.toString('hex')));
        assert.equal((await old.query("SELECT to_regclass('cove_kv')::text AS found")).rows[0].found, null, 'the old table is gone');
      } finally {
        for (const engine of opened) await engine.close();
      }
    } finally {
      await old.end();
      await dropSchema(pgUrl!, schema);
    }
  });

  it('refuses to merge an earlier cove\'s table into one that holds rows already (an old node started after the move)', async () => {
    const schema = schemaNameFor(`migrate-both-${process.pid}-${Date.now()}`);
    const url = await createSchema(pgUrl!, schema);
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    try {
      const first = await PostgresEngine.open({ url, log: () => {} });
      await first.writeBatch([{ key: Buffer.of(0x03), value: Buffer.from('live') }]);
      await first.close();
      await old.query('CREATE TABLE cove_kv (key bytea PRIMARY KEY, value bytea NOT NULL)');
      await old.query('INSERT INTO cove_kv VALUES ($1, $2)', [Buffer.of(0x03), Buffer.from('stale')]);
      await assert.rejects(PostgresEngine.open({ url, log: () => {} }), /both cove_kv \(an earlier cove's table\) and cove_rows hold rows/);
      const reopened = await PostgresEngine.open({ url, log: () => {} }).catch((error: Error) => error);
      assert.ok(reopened instanceof Error, 'still refused');
      const rows = await old.query("SELECT value FROM cove_rows WHERE part = '\\x03'::bytea");
      assert.equal(rows.rows[0].value.toString(), 'live', 'nothing overwritten');
    } finally {
      await old.end();
      await dropSchema(pgUrl!, schema);
    }
  });
});
