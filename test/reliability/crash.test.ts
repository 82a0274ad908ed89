/**
 * Crash consistency: a real `cove serve` (1 and 2 workers) under mixed writes from writer lanes
 * (test/support/writeLanes.ts: an exact oracle), killed with -9 at seeded random moments,
 * restarted on the same data directory and checked, cycle after cycle. Some restarts are
 * themselves killed during start-up; some cycles kill the server while it purges a deleted
 * table of thousands of items (the purge must finish on a later start), or while UpdateTable
 * adds (backfills) or drops a second global index; with 2 workers, some kill one worker only.
 * At the end: no key of a dropped table or index is left; the audit trail's state is reported.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { readTrail } from '../../src/audit/reader.js';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DescribeTableCommand, ListTablesCommand, UpdateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { alive, fullAccessConfig, openTestStore, prepareTestStore, removeDirectory, serveArguments, startCove, tempDirectory, waitUntilGone, type CoveProcess } from '../support/cove.js';
import { reportFigures, scaled, type Figures } from '../support/reliability.js';
import { probeSeed, seededRandom, type Random } from '../support/random.js';
import { Lane, LANE_TABLE, newLoadCounts, readIndex, readTable, verifyLanes, type Item, type LoadCounts, type Value } from '../support/writeLanes.js';

const KEY_ID = 'AKIACRASH0000000001';
const SECRET = 'crash-secret';
const CONFIG = fullAccessConfig('crasher', KEY_ID, SECRET);
const TABLE = 'crash';
const LANES = scaled(16, 32);
const KEYS_PER_LANE = 6;
/** kill -9 / restart cycles per worker count. */
const CYCLES = scaled(10, 90);
/** Cycles of the probe that switches between 1 and 2 workers at each restart (lmdb-js's two sync modes). */
const ALTERNATING_CYCLES = scaled(6, 40);
/** Every how many cycles one kills a purge instead of plain load. */
const PURGE_EVERY_CYCLES = scaled(5, 10);
const PURGED_ITEMS = scaled(3000, 6000);
/** Items written once into the lanes' table, so that a backfill of it takes several batches. */
const BALLAST_ITEMS = 1500;
/** The backfill's pause between batches of 250 items (cove's test hook), so that kills land inside backfills. */
const BACKFILL_PAUSE_MS = '20';
/** Every how many cycles one creates or deletes a second global index (by UpdateTable) under load and kills. */
const INDEX_CHANGE_EVERY_CYCLES = scaled(4, 6);
/** The second index: dense (every lane item has v), KEYS_ONLY, backfilled when created by UpdateTable. */
const SECOND_INDEX = 'byV';
/** DescribeTable polls at most while a resumed backfill finishes (a hang guard, not a timing assertion). */
const BACKFILL_POLLS_MAX = 1200;
/** Share of 2-worker load cycles where one worker alone is killed (the primary must then stop the other and exit 1). */
const WORKER_KILL_SHARE = 0.2;
/** Share of 2-worker load cycles where the primary alone is killed (its workers must then stop by themselves). */
const PRIMARY_KILL_SHARE = 0.2;
/** How long the server may take to stop by itself after a worker died, before the probe calls it hung. */
const SELF_STOP_MS_MAX = 60_000;
/** Share of restarts killed during start-up first. */
const STARTUP_KILL_SHARE = 0.35;
const LOAD_MS_MAX = 1200;
/** Restarts allowed for interrupted purges to finish at the end. */
const PURGE_RESTARTS_MAX = 20;
/** Output lines that say the store or a background job went wrong. */
const TROUBLE = /MDB_|mdb_|failed|Error|corrupt/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Probe {
  mode: Workers;
  /** The serving processes of the current cycle's server. */
  workers: number;
  random: Random;
  dataDirectory: string;
  model: Map<string, Value>;
  lanes: Lane[];
  figures: Required<Pick<Figures, 'cycles' | 'acknowledged' | 'lost' | 'fiveXX' | 'crashes'>> & Record<string, number>;
  problems: string[];
  /** Of every write answered 200, to find in the audit trail at the end. */
  acknowledgedRequestIds: string[];
  /** How long a start took when it was not killed: start-up kills are drawn within it. */
  startMs: number;
  /** The last server started, for the cleanup of a failed probe. */
  running?: CoveProcess;
}

/** 'alternating': 1 worker, then 2, then 1...: the store is reopened in the other mode after each kill. */
type Workers = 1 | 2 | 'alternating';

describe('crash consistency: kill -9 under mixed writes', () => {
  for (const workers of [1, 2, 'alternating'] as const) {
    const name = workers === 'alternating' ? 'crash-alternating-workers' : `crash-${workers}-worker${workers > 1 ? 's' : ''}`;
    const how = workers === 'alternating' ? 'with 1 and 2 workers in turn' : `with ${workers} worker${workers > 1 ? 's' : ''}`;
    it(`keeps every acknowledged write, transactions whole and the indexes exact, ${how}`, async () => {
      const seed = probeSeed(name);
      const probe = newProbe(workers, seed);
      try {
        await runCycles(probe);
      } finally {
        reportFigures(name, probe.figures);
        if (probe.running?.exitStatus() === undefined) await probe.running?.kill9All();
      }
      assert.deepEqual(probe.problems, [], `seed ${seed}`);
      for (const name of ['lost', 'fiveXX', 'crashes', 'hangs', 'torn', 'strangers', 'indexMismatches', 'wrongAnswers', 'leftoverKeys', 'auditMissing'] as const) {
        assert.equal(probe.figures[name], 0, `${name} (seed ${seed})`);
      }
      removeDirectory(probe.dataDirectory);
    });
  }
});

function newProbe(mode: Workers, seed: number): Probe {
  const random = seededRandom(seed);
  const model = new Map<string, Value>();
  const lanes = Array.from({ length: LANES }, (_, id) => new Lane(id, KEYS_PER_LANE, random.fork(`lane${id}`), model));
  const figures = {
    // issue 12's figures, and what must stay zero
    ...{ cycles: 0, acknowledged: 0, lost: 0, fiveXX: 0, crashes: 0, hangs: 0, torn: 0, strangers: 0, indexMismatches: 0, wrongAnswers: 0, leftoverKeys: 0 },
    // what the probe did: refused writes, unanswered writes found applied or not, kills of each kind
    ...{ refused: 0, inFlightApplied: 0, inFlightDropped: 0, tokenRetries: 0, workerKills: 0, primaryKills: 0, startupKills: 0, startupKillsBeforeListening: 0 },
    ...{ purgeKills: 0, purgesInterrupted: 0, indexChanges: 0, backfillsResumed: 0, secondIndexChecks: 0 },
    // the audit trail after the kills (see auditTrail): a missing record of an acknowledged write fails the probe
    ...{ auditMissing: 0 },
  };
  return { mode, workers: mode === 'alternating' ? 1 : mode, random, dataDirectory: tempDirectory('cove-crash-'), model, lanes, figures, problems: [], acknowledgedRequestIds: [], startMs: 1000 };
}

async function runCycles(probe: Probe): Promise<void> {
  for (let cycle = 0; cycle < (probe.mode === 'alternating' ? ALTERNATING_CYCLES : CYCLES); cycle++) {
    if (probe.mode === 'alternating') probe.workers = cycle % 2 === 0 ? 1 : 2;
    // Before the first cycle, a start-up kill interrupts the creation of the store itself.
    if (probe.random.next() < STARTUP_KILL_SHARE) await killDuringStartup(probe);
    const cove = await start(probe);
    const client = cove.client(KEY_ID, SECRET);
    if (cycle === 0) {
      await client.send(new CreateTableCommand({ TableName: TABLE, ...LANE_TABLE }));
      for (const item of await fill(client, TABLE, BALLAST_ITEMS, 'ballast')) probe.model.set(item.pk.S!, item);
    } else await verify(probe, client);
    if (cycle % PURGE_EVERY_CYCLES === PURGE_EVERY_CYCLES - 1) await purgeThenKill(probe, cove, client, `purged${cycle}`);
    else if (cycle % INDEX_CHANGE_EVERY_CYCLES === INDEX_CHANGE_EVERY_CYCLES - 2) await indexChangeThenKill(probe, cove, client);
    else {
      const loadMs = probe.random.next() < 0.2 ? probe.random.int(50) : probe.random.between(50, LOAD_MS_MAX);
      await loadThenKill(probe, client, loadMs, chooseKiller(probe, cove));
    }
    probe.figures.cycles++;
  }
  // The last kill's aftermath, then every interrupted purge must finish on some later start.
  const cove = await start(probe);
  await verify(probe, cove.client(KEY_ID, SECRET));
  await cove.stop();
  rmSync(cove.configFile!, { force: true });
  await awaitPurges(probe);
  const recorded = new Set(readTrail(join(probe.dataDirectory, 'audit')).map((record) => record.requestID));
  probe.figures.auditMissing = probe.acknowledgedRequestIds.filter((id) => !recorded.has(id)).length;
}

async function start(probe: Probe): Promise<CoveProcess> {
  const startedAtMs = Date.now();
  const cove = await startCove({ config: CONFIG, dataDirectory: probe.dataDirectory, workers: probe.workers, env: { COVE_BACKFILL_PAUSE_MS: BACKFILL_PAUSE_MS } });
  probe.startMs = Date.now() - startedAtMs;
  probe.running = cove;
  return cove;
}

async function verify(probe: Probe, client: DynamoDBClient): Promise<void> {
  const verdict = await verifyLanes(client, TABLE, probe.lanes, probe.model);
  const { figures } = probe;
  figures.lost += verdict.lost;
  figures.torn += verdict.torn;
  figures.strangers += verdict.strangers;
  figures.indexMismatches += verdict.indexMismatches;
  figures.inFlightApplied += verdict.inFlightApplied;
  figures.inFlightDropped += verdict.inFlightDropped;
  figures.tokenRetries += verdict.tokenRetries;
  probe.problems.push(...verdict.problems.map((problem) => `cycle ${figures.cycles}: ${problem}`));
  await verifySecondIndex(probe, client);
}

/**
 * The second index, if the table has it: once its backfill (resumed at start) is done, a Scan of
 * it must list exactly the table's items, by key and v.
 */
async function verifySecondIndex(probe: Probe, client: DynamoDBClient): Promise<void> {
  for (let poll = 0; ; poll++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    const status = Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === SECOND_INDEX)?.IndexStatus;
    if (status === undefined || status === 'DELETING') return;
    if (status === 'ACTIVE') break;
    if (poll === 0) probe.figures.backfillsResumed++;
    assert.ok(poll < BACKFILL_POLLS_MAX, `index ${SECOND_INDEX} still ${status} after ${poll} polls`);
    await sleep(50);
  }
  const keysOf = (items: Map<string, Item>) => [...items.values()].map((item) => `${item.pk.S}:${item.v?.N}`).sort();
  const entries = keysOf(await readIndex(client, TABLE, SECOND_INDEX));
  const expected = keysOf(await readTable(client, TABLE));
  const listed = new Set(entries);
  const implied = new Set(expected);
  const wrong = [...entries.filter((entry) => !implied.has(entry)), ...expected.filter((entry) => !listed.has(entry))];
  probe.figures.indexMismatches += wrong.length;
  probe.figures.secondIndexChecks++;
  if (wrong.length > 0) probe.problems.push(`cycle ${probe.figures.cycles}: index ${SECOND_INDEX} differs from the table at ${wrong.join(' ')}`);
}

/**
 * Runs the lanes' load during `scenario`, which ends with `kill` (the lanes stop sending, then the
 * server dies with their last writes' outcomes open), and counts what the lanes saw.
 */
async function underLoad(probe: Probe, client: DynamoDBClient, scenario: (kill: (killer: () => Promise<void>) => Promise<void>) => Promise<void>): Promise<void> {
  let killed = false;
  const counts = newLoadCounts();
  const load = Promise.all(probe.lanes.map((lane) => lane.run(client, TABLE, () => killed, counts)));
  try {
    await scenario((killer) => {
      killed = true;
      return killer();
    });
  } finally {
    // A scenario that failed before its kill leaves the server to the test's cleanup; the lanes stop here.
    killed = true;
    await load;
  }
  addCounts(probe, counts);
}

/** What a request ended with, without letting its failure go unhandled while the kill is under way: an error, or undefined. */
function outcomeOf(request: Promise<unknown>): Promise<(Error & { $metadata?: { httpStatusCode?: number } }) | undefined> {
  return request.then(
    () => undefined,
    (error: Error) => error,
  );
}

/** Lanes write until a seeded moment, then the server is killed with every write's outcome open. */
async function loadThenKill(probe: Probe, client: DynamoDBClient, loadMs: number, killer: () => Promise<void>): Promise<void> {
  await underLoad(probe, client, async (kill) => {
    await sleep(loadMs);
    await kill(killer);
  });
}

/**
 * UpdateTable creates the second index (backfilled in the background) or deletes it (purged in
 * the background) under the lanes' load, and the server is killed at a seeded moment after:
 * with UpdateTable unanswered, or during the backfill or the purge.
 */
async function indexChangeThenKill(probe: Probe, cove: CoveProcess, client: DynamoDBClient): Promise<void> {
  const { random, figures } = probe;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
  const exists = Table?.GlobalSecondaryIndexes?.some((index) => index.IndexName === SECOND_INDEX) ?? false;
  const change = exists
    ? { Delete: { IndexName: SECOND_INDEX } }
    : { Create: { IndexName: SECOND_INDEX, KeySchema: [{ AttributeName: 'v', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'KEYS_ONLY' as const } } };
  await underLoad(probe, client, async (killNow) => {
    await sleep(random.int(200));
    const updating = outcomeOf(client.send(new UpdateTableCommand({ TableName: TABLE, AttributeDefinitions: LANE_TABLE.AttributeDefinitions, GlobalSecondaryIndexUpdates: [change] })));
    await sleep(random.int(LOAD_MS_MAX));
    await killNow(() => kill(probe, cove));
    // Unanswered is expected (the kill may come first); answered with an error is not.
    const refusal = await updating;
    if (refusal?.$metadata?.httpStatusCode !== undefined) probe.problems.push(`cycle ${figures.cycles}: UpdateTable ${exists ? 'Delete' : 'Create'} ${SECOND_INDEX}: ${refusal.name}: ${refusal.message}`);
  });
  figures.indexChanges++;
}

/**
 * A table of thousands of items (and their index entries) is deleted under the lanes' load, and
 * the server killed soon after: while DeleteTable is unanswered one time in four, otherwise
 * while its purge is likely under way.
 */
async function purgeThenKill(probe: Probe, cove: CoveProcess, client: DynamoDBClient, name: string): Promise<void> {
  const { random, figures } = probe;
  await client.send(new CreateTableCommand({ TableName: name, ...LANE_TABLE }));
  await fill(client, name, PURGED_ITEMS, 'purged');
  await underLoad(probe, client, async (killNow) => {
    // Unanswered is expected when the kill comes first.
    const deleting = outcomeOf(client.send(new DeleteTableCommand({ TableName: name })));
    if (random.next() < 0.25) await sleep(random.int(5));
    else {
      const refusal = await deleting;
      if (refusal) throw refusal;
      await sleep(random.int(30));
    }
    await killNow(() => kill(probe, cove));
  });
  figures.purgeKills++;
  if ((await storeLeftovers(probe.dataDirectory)).markers > 0) figures.purgesInterrupted++;
}

/** Writes `count` items (`prefix0`, `prefix1`, ...; all in the index, under g = red) and returns them. */
async function fill(client: DynamoDBClient, table: string, count: number, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  const perBatch = 25;
  let nextBatch = 0;
  const writer = async () => {
    for (let batch = nextBatch++; batch * perBatch < count; batch = nextBatch++) {
      const requests = Array.from({ length: Math.min(perBatch, count - batch * perBatch) }, (_, i) => {
        const n = batch * perBatch + i;
        const item: Item = { pk: { S: `${prefix}${n}` }, g: { S: 'red' }, v: { N: String(n) }, pad: { S: 'x'.repeat(200) } };
        items.push(item);
        return { PutRequest: { Item: item } };
      });
      const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      assert.equal(Object.keys(answer.UnprocessedItems ?? {}).length, 0, 'the fill is processed whole');
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
  return items;
}

/** kill -9 of every process of the server, after noting whether one died by itself or logged trouble. */
async function kill(probe: Probe, cove: CoveProcess): Promise<void> {
  const status = cove.exitStatus();
  const deadWorkers = cove.workerPids().filter((pid) => !alive(pid));
  if (status !== undefined || deadWorkers.length > 0) {
    probe.figures.crashes++;
    probe.problems.push(`cycle ${probe.figures.cycles}: the server died by itself (${JSON.stringify(status)}, dead workers ${deadWorkers.join(' ')}):\n${cove.output()}`);
  }
  const trouble = cove.output().split('\n').filter((line) => TROUBLE.test(line));
  if (trouble.length > 0) probe.problems.push(`cycle ${probe.figures.cycles}: the server logged:\n${trouble.join('\n')}`);
  await cove.kill9All();
  rmSync(cove.configFile!, { force: true });
}

/** With workers, sometimes one process alone is killed: a worker, or the primary; otherwise all of them. */
function chooseKiller(probe: Probe, cove: CoveProcess): () => Promise<void> {
  const roll = probe.random.next();
  if (probe.workers > 1 && roll < WORKER_KILL_SHARE) return () => killOneWorker(probe, cove);
  if (probe.workers > 1 && roll < WORKER_KILL_SHARE + PRIMARY_KILL_SHARE) return () => killPrimary(probe, cove);
  return () => kill(probe, cove);
}

/**
 * kill -9 of the primary alone: its workers lose their IPC channel, finish their requests in
 * flight, close the store and exit by themselves (cluster.ts).
 */
async function killPrimary(probe: Probe, cove: CoveProcess): Promise<void> {
  const workers = cove.workerPids();
  await cove.kill9();
  probe.figures.primaryKills++;
  try {
    await waitUntilGone(workers, SELF_STOP_MS_MAX);
  } catch (error) {
    probe.figures.hangs++;
    probe.problems.push(`cycle ${probe.figures.cycles}: after the primary was killed: ${(error as Error).message}:\n${cove.output()}`);
    await cove.kill9All();
  }
  rmSync(cove.configFile!, { force: true });
}

/**
 * kill -9 of one worker, perhaps holding LMDB's write lock: the primary must notice, stop the
 * other worker (its requests in flight answered, its store closed) and exit 1 by itself.
 */
async function killOneWorker(probe: Probe, cove: CoveProcess): Promise<void> {
  const { figures } = probe;
  const workers = cove.workerPids();
  process.kill(probe.random.pick(workers), 'SIGKILL');
  figures.workerKills++;
  for (let waitedMs = 0; cove.exitStatus() === undefined && waitedMs < SELF_STOP_MS_MAX; waitedMs += 50) await sleep(50);
  const status = cove.exitStatus();
  if (status?.code !== 1) {
    figures.hangs += status === undefined ? 1 : 0;
    probe.problems.push(`cycle ${figures.cycles}: after one worker was killed the server ended with ${JSON.stringify(status)} (expected: exit code 1):\n${cove.output()}`);
  }
  await cove.kill9All();
  await waitUntilGone(workers);
  rmSync(cove.configFile!, { force: true });
}

function addCounts(probe: Probe, counts: LoadCounts): void {
  probe.figures.acknowledged += counts.acknowledged;
  probe.figures.refused += counts.refused;
  probe.figures.fiveXX += counts.fiveXX;
  probe.figures.wrongAnswers += counts.wrong.length;
  probe.acknowledgedRequestIds.push(...counts.acknowledgedRequestIds);
  probe.problems.push(...counts.wrong.map((wrong) => `cycle ${probe.figures.cycles}: ${wrong}`));
}

/**
 * Starts the server detached (its own process group, workers included) and kills the whole group
 * at a seeded moment within about one start's duration: mostly before its listening line.
 */
async function killDuringStartup(probe: Probe): Promise<void> {
  await prepareTestStore(probe.dataDirectory);
  const { args, configFile } = serveArguments({ config: CONFIG, dataDirectory: probe.dataDirectory, workers: probe.workers });
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, COVE_BACKFILL_PAUSE_MS: BACKFILL_PAUSE_MS } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await sleep(probe.random.int(Math.ceil(probe.startMs * 1.2)));
  if (child.exitCode !== null) {
    probe.figures.crashes++;
    probe.problems.push(`start-up ${probe.figures.startupKills}: the server exited by itself with ${child.exitCode}:\n${output}`);
  }
  const listening = /listening on/.test(output);
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // The group is gone already (reported above).
  }
  await exited;
  await waitUntilGroupGone(child.pid!);
  rmSync(configFile!, { force: true });
  probe.figures.startupKills++;
  if (!listening) probe.figures.startupKillsBeforeListening++;
}

/** Resolves once no live process is left in the process group (a zombie counts as gone). */
async function waitUntilGroupGone(groupId: number): Promise<void> {
  const members = () =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return state !== 'Z' && Number(group) === groupId;
        } catch {
          return false;
        }
      });
  for (let attempt = 0; members().length > 0; attempt++) {
    assert.ok(attempt < 1000, `process group ${groupId} still runs after kill -9`);
    await sleep(10);
  }
}

/** The last start's checks, then restarts until every interrupted purge has finished (no timing asserted). */
async function awaitPurges(probe: Probe): Promise<void> {
  // A DeleteTable the kill interrupted before it committed left its table: delete it now.
  const cove = await start(probe);
  const client = cove.client(KEY_ID, SECRET);
  const names = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  for (const name of names.filter((n) => n !== TABLE)) await client.send(new DeleteTableCommand({ TableName: name }));
  await cove.stop();
  rmSync(cove.configFile!, { force: true });
  let left = await storeLeftovers(probe.dataDirectory);
  for (let attempt = 0; left.markers > 0 && attempt < PURGE_RESTARTS_MAX; attempt++) {
    const again = await start(probe);
    await sleep(300);
    await again.stop();
    rmSync(again.configFile!, { force: true });
    left = await storeLeftovers(probe.dataDirectory);
  }
  if (left.markers > 0) probe.problems.push(`${left.markers} purges unfinished after ${PURGE_RESTARTS_MAX} restarts`);
  probe.figures.leftoverKeys = left.leftoverKeys + left.pendingKeys;
}

/**
 * Opens the stopped store and counts: purge markers, keys of tables or indexes being purged, and
 * keys of tables or indexes neither in the catalog nor being purged (leftovers: never purged).
 */
async function storeLeftovers(dataDirectory: string): Promise<{ markers: number; pendingKeys: number; leftoverKeys: number }> {
  const { CATALOG_RANGE, INDEX_TAG, ITEM_TAG, PURGE_MARKER_RANGE, TABLE_ID_BYTES } = await import('../../src/dynamo/keys.js');
  const engine = await openTestStore(dataDirectory);
  try {
    const live = new Set<string>();
    for await (const { value } of engine.range(CATALOG_RANGE)) {
      const record = JSON.parse(value.toString('utf8')) as { storageId: string; indexStorageIds?: { storageId: string }[] };
      live.add(record.storageId);
      for (const index of record.indexStorageIds ?? []) live.add(index.storageId);
    }
    const marked = new Set<string>();
    for await (const { key } of engine.range(PURGE_MARKER_RANGE)) marked.add(key.subarray(1).toString('hex'));
    let pendingKeys = 0;
    let leftoverKeys = 0;
    for (const tag of [ITEM_TAG, INDEX_TAG]) {
      for await (const { key } of engine.range({ start: Buffer.of(tag), end: Buffer.of(tag + 1) })) {
        const id = key.subarray(1, 1 + TABLE_ID_BYTES).toString('hex');
        if (marked.has(id)) pendingKeys++;
        else if (!live.has(id)) leftoverKeys++;
      }
    }
    return { markers: marked.size, pendingKeys, leftoverKeys };
  } finally {
    await engine.close();
  }
}
