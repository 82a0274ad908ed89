/**
 * The engine contract (src/storage/engine.ts), the same cases on every engine: LMDB always,
 * PostgreSQL when COVE_TEST_POSTGRES_URL (or COVE_TEST_STORAGE_URL) names a server.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MAX_ENGINE_KEY_BYTES, type Entry, type StorageEngine } from '../../src/storage/engine.js';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { PostgresEngine, StorageUnavailableError } from '../../src/storage/postgres.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { seededRandom } from '../support/random.js';
import { successor } from '../../src/storage/keyspace.js';
import { createSchema, dropSchema, POSTGRES_SKIP_MESSAGE, schemaNameFor, testPostgresUrl } from '../support/postgres.js';

const b = (s: string) => Buffer.from(s);

async function collect(entries: Iterable<Entry> | AsyncIterable<Entry>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

interface EngineUnderTest {
  open(): Promise<StorageEngine>;
  dispose(): Promise<void>;
}

function lmdb(): EngineUnderTest {
  const directory = tempDirectory();
  return { open: async () => new LmdbEngine({ path: join(directory, 'db') }), dispose: async () => removeDirectory(directory) };
}

function postgres(url: string): EngineUnderTest {
  const schema = schemaNameFor(`contract-${process.pid}-${Date.now()}`);
  return { open: async () => PostgresEngine.open({ url: await createSchema(url, schema) }), dispose: () => dropSchema(url, schema) };
}

const pgUrl = testPostgresUrl();
const engines: [string, () => EngineUnderTest, string | false][] = [
  ['LMDB', lmdb, false],
  ['PostgreSQL', () => postgres(pgUrl!), pgUrl ? false : POSTGRES_SKIP_MESSAGE],
];

for (const [name, make, skip] of engines) {
  describe(`engine contract: ${name}`, { skip }, () => {
    const underTest = skip ? undefined : make();
    let engine: StorageEngine;
    before(async () => {
      engine = await underTest!.open();
    });
    after(async () => {
      await engine?.close();
      await underTest?.dispose();
    });

    it('applies a batch atomically, or not at all when a condition vetoes it', async () => {
      await engine.writeBatch([{ key: b('a1'), value: b('1') }]);
      const vetoed = await engine.writeBatch([
        { key: b('a2'), value: b('2') },
        { key: b('a1'), value: null, condition: (current) => (current ? 'exists' : undefined) },
      ]);
      assert.equal(vetoed.ok, false);
      assert.equal(!vetoed.ok && vetoed.failedIndex, 1);
      assert.deepEqual(vetoed.previous, [undefined, b('1')]);
      assert.equal(await engine.get(b('a2')), undefined, 'no op of a vetoed batch is applied');
      assert.deepEqual(await engine.get(b('a1')), b('1'));
    });

    it('reports every failed condition of a vetoed batch, in op order', async () => {
      await engine.writeBatch([{ key: b('f1'), value: b('1') }, { key: b('f3'), value: b('3') }]);
      const exists = (current: Buffer | undefined) => (current ? 'exists' : undefined);
      const vetoed = await engine.writeBatch([
        { key: b('f1'), value: b('x'), condition: exists },
        { key: b('f2'), value: b('x'), condition: exists },
        { key: b('f3'), value: b('x'), condition: exists },
      ]);
      assert.deepEqual(!vetoed.ok && vetoed.failures, [{ index: 0, error: 'exists' }, { index: 2, error: 'exists' }]);
      assert.equal(await engine.get(b('f2')), undefined);
    });

    it('reads several keys at once, in order', async () => {
      await engine.writeBatch([{ key: b('m1'), value: b('1') }, { key: b('m3'), value: b('3') }]);
      assert.deepEqual(await engine.getMany([b('m3'), b('m2'), b('m1')]), [b('3'), undefined, b('1')]);
      assert.deepEqual(await engine.getMany([]), []);
    });

    it('fails a batch whose value function or derive throws, and isolates it from concurrent ones', async () => {
      const [good, bad, badDerive] = await Promise.all([
        engine.writeBatch([{ key: b('t-good'), value: b('ok') }]),
        engine.writeBatch([{ key: b('t-bad'), value: () => { throw new Error('runtime veto'); } }]),
        engine.writeBatch([{ key: b('t-bad2'), value: b('x'), derive: () => { throw new Error('derive veto'); } }]),
      ]);
      assert.equal(good.ok, true);
      assert.equal(!bad.ok && (bad.error as Error).message, 'runtime veto');
      assert.equal(!badDerive.ok && (badDerive.error as Error).message, 'derive veto');
      assert.deepEqual(await engine.getMany([b('t-good'), b('t-bad'), b('t-bad2')]), [b('ok'), undefined, undefined]);
    });

    it('writes derived keys with the op, and leaves a key whose value function returns undefined', async () => {
      await engine.writeBatch([{ key: b('d-item'), value: b('v1') }]);
      const outcome = await engine.writeBatch([
        { key: b('d-item'), value: (current) => Buffer.concat([current!, b('+')]), derive: (current, next) => [{ key: b('d-index'), value: Buffer.concat([current!, b('>'), next!]) }] },
        { key: b('d-untouched'), value: () => undefined },
      ]);
      assert.equal(outcome.ok, true);
      assert.deepEqual(await engine.getMany([b('d-item'), b('d-index'), b('d-untouched')]), [b('v1+'), b('v1>v1+'), undefined]);
      await engine.writeBatch([{ key: b('d-item'), value: null, derive: () => [{ key: b('d-index'), value: null }] }]);
      assert.deepEqual(await engine.getMany([b('d-item'), b('d-index')]), [undefined, undefined]);
    });

    it('refuses keys outside 1..MAX_ENGINE_KEY_BYTES', async () => {
      await assert.rejects(engine.writeBatch([{ key: Buffer.alloc(0), value: b('x') }]), RangeError);
      await assert.rejects(engine.writeBatch([{ key: Buffer.alloc(MAX_ENGINE_KEY_BYTES + 1, 1), value: b('x') }]), RangeError);
      const longest = Buffer.alloc(MAX_ENGINE_KEY_BYTES, 0x7e);
      assert.equal((await engine.writeBatch([{ key: longest, value: b('x') }])).ok, true);
      const derivedTooLong = await engine.writeBatch([{ key: b('dk'), value: b('x'), derive: () => [{ key: Buffer.alloc(MAX_ENGINE_KEY_BYTES + 1, 2), value: b('y') }] }]);
      assert.equal(derivedTooLong.ok, false);
      assert.equal(await engine.get(b('dk')), undefined);
    });

    it('ranges forward and backward with an inclusive start and exclusive end', async () => {
      await engine.writeBatch(['r1', 'r2', 'r3', 'r4'].map((k) => ({ key: b(k), value: b(k) })));
      const keys = async (reverse: boolean, limit?: number) => (await collect(engine.range({ start: b('r2'), end: b('r4'), reverse, limit }))).map((e) => e.key.toString());
      assert.deepEqual(await keys(false), ['r2', 'r3']);
      assert.deepEqual(await keys(true), ['r3', 'r2']);
      assert.deepEqual(await keys(true, 1), ['r3']);
      assert.deepEqual(await keys(false, 1), ['r2']);
    });

    it('orders keys bytewise, as Buffer.compare (unsigned bytes, a prefix first)', async () => {
      const raw = [[0x09], [0x09, 0x00], [0x09, 0x00, 0x00], [0x09, 0x01], [0x09, 0x7f], [0x09, 0x80], [0x09, 0xff], [0x09, 0xff, 0xff], [0x09, 0x61], [0x09, 0x41]];
      const keys = raw.map((bytes) => Buffer.from(bytes));
      await engine.writeBatch(keys.map((key) => ({ key, value: key })));
      const sorted = [...keys].sort(Buffer.compare).map((key) => key.toString('hex'));
      const range = { start: Buffer.of(0x09), end: Buffer.of(0x0a) };
      assert.deepEqual((await collect(engine.range(range))).map((e) => e.key.toString('hex')), sorted);
      assert.deepEqual((await collect(engine.range({ ...range, reverse: true }))).map((e) => e.key.toString('hex')), [...sorted].reverse());
    });

    it('ranges over more rows than one page, with and without a limit, both ways', async () => {
      const key = (i: number) => Buffer.concat([b('p'), Buffer.from(String(i).padStart(5, '0'))]);
      const count = 2500;
      for (let i = 0; i < count; i += 500) await engine.writeBatch(Array.from({ length: 500 }, (_, j) => ({ key: key(i + j), value: b(String(i + j)) })));
      const range = { start: b('p'), end: b('q') };
      const all = await collect(engine.range(range));
      assert.equal(all.length, count);
      assert.ok(all.every((entry, i) => entry.key.equals(key(i))), 'every row once, in order');
      const reversed = await collect(engine.range({ ...range, reverse: true, limit: 1500 }));
      assert.equal(reversed.length, 1500);
      assert.ok(reversed.every((entry, i) => entry.key.equals(key(count - 1 - i))));
      assert.equal((await collect(engine.range({ ...range, limit: 100 }))).length, 100);
    });

    it('ranges inside one partition, across partitions and across tags as the keys sort (keys split by keyspace.ts\'s partition rule)', async () => {
      const random = seededRandom(7);
      const draw = () => random.next();
      const bytes = (length: number) => Buffer.from(Array.from({ length }, () => (draw() < 0.2 ? 0xff : draw() < 0.3 ? 0 : Math.floor(draw() * 256))));
      // Two partitions of one "table" (tag 01: 25-byte prefix) with 150 rows each (more than a first page), plus short keys
      // of that tag, a stream (tag 05), client tokens (tag 10, the whole key) and an unknown tag (0x7e, split at 1 byte).
      const partitions = [Buffer.concat([Buffer.of(0x01), bytes(24)]), Buffer.concat([Buffer.of(0x01), bytes(24)])];
      const keys = new Map<string, Buffer>();
      const add = (key: Buffer) => keys.set(key.toString('hex'), key);
      for (const partition of partitions) {
        add(partition);
        for (let i = 0; i < 150; i++) add(Buffer.concat([partition, bytes(1 + Math.floor(draw() * 6))]));
      }
      for (let i = 0; i < 20; i++) add(Buffer.concat([Buffer.of(0x01), partitions[0].subarray(1, 1 + Math.floor(draw() * 24)), bytes(Math.floor(draw() * 3))]));
      for (const tag of [0x05, 0x10, 0x7e]) for (let i = 0; i < 20; i++) add(Buffer.concat([Buffer.of(tag), bytes(1 + Math.floor(draw() * 12))]));
      const written = [...keys.values()];
      for (let from = 0; from < written.length; from += 200) await engine.writeBatch(written.slice(from, from + 200).map((key) => ({ key, value: key })));
      // The model: these keys and those the other cases left.
      const all = (await collect(engine.range({ start: Buffer.of(0x00), end: Buffer.of(0xff) }))).map((entry) => entry.key).sort(Buffer.compare);
      assert.ok(written.every((key) => all.some((stored) => stored.equals(key))));
      const bounds = [
        ...partitions.flatMap((partition) => [partition, successor(partition), Buffer.concat([partition, bytes(2)])]),
        Buffer.of(0x01), Buffer.of(0x02), Buffer.of(0x05), Buffer.of(0x10), Buffer.of(0x11), Buffer.of(0x7e), Buffer.of(0x7f),
        ...Array.from({ length: 20 }, () => all[Math.floor(draw() * all.length)]),
      ];
      for (let round = 0; round < 40; round++) {
        const [start, end] = [bounds[Math.floor(draw() * bounds.length)], bounds[Math.floor(draw() * bounds.length)]].sort(Buffer.compare);
        if (start.equals(end)) continue;
        const expected = all.filter((key) => Buffer.compare(key, start) >= 0 && Buffer.compare(key, end) < 0).map((key) => key.toString('hex'));
        for (const reverse of [false, true]) {
          const limit = round % 3 === 0 ? 1 + Math.floor(draw() * 100) : undefined;
          const wanted = (reverse ? [...expected].reverse() : expected).slice(0, limit);
          const got = (await collect(engine.range({ start, end, reverse, limit }))).map((entry) => entry.key.toString('hex'));
          assert.deepEqual(got, wanted, `[${start.toString('hex')}, ${end.toString('hex')}) reverse=${reverse} limit=${limit}`);
        }
      }
      const sample = written.filter((_, i) => i % 7 === 0);
      assert.deepEqual((await engine.getMany(sample)).map((value) => value?.toString('hex')), sample.map((key) => key.toString('hex')));
      assert.equal((await engine.get(partitions[1]))?.toString('hex'), partitions[1].toString('hex'));
      await engine.writeBatch(sample.map((key) => ({ key, value: null })));
      assert.deepEqual(await engine.getMany(sample), sample.map(() => undefined));
    });

    it('serializes concurrent read-modify-writes of one key: no increment lost', async () => {
      const counter = b('counter');
      const increments = 50;
      const increment = (current: Buffer | undefined) => Buffer.from(String(Number(current?.toString() ?? '0') + 1));
      const outcomes = await Promise.all(Array.from({ length: increments }, () => engine.writeBatch([{ key: counter, value: increment }])));
      assert.ok(outcomes.every((outcome) => outcome.ok));
      assert.equal((await engine.get(counter))?.toString(), String(increments));
      const seen = outcomes.map((outcome) => Number(outcome.previous[0]?.toString() ?? '0')).sort((x, y) => x - y);
      assert.deepEqual(seen, Array.from({ length: increments }, (_, i) => i), 'each batch saw its predecessor in one serial order');
    });

    it('lets one of two racing conditional creates win', async () => {
      const create = () => engine.writeBatch([{ key: b('race'), value: b(String(Math.random())), condition: (current) => (current ? 'taken' : undefined) }]);
      const outcomes = await Promise.all(Array.from({ length: 10 }, create));
      assert.equal(outcomes.filter((outcome) => outcome.ok).length, 1);
    });
  });
}

describe('PostgreSQL engine: an unreachable database', () => {
  it('fails to open with a clear error instead of hanging', async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    await assert.rejects(PostgresEngine.open({ url: 'postgres://cove:secret@127.0.0.1:1/cove' }), (error: Error) => {
      assert.ok(error instanceof StorageUnavailableError);
      assert.match(error.message, /cannot use PostgreSQL at postgres:\/\/cove:\*\*\*@127\.0\.0\.1:1\/cove/);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
  });
});
