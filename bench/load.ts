/**
 * The load generator, run by run.ts as its own process: `node dist/bench/load.js '<json task>'`.
 * It prints one JSON line with the result on stdout.
 *
 * Tasks:
 *  - setup: create the tables, wait for ACTIVE, preload items (BatchWriteItem of 25).
 *  - fill:  write items [from, to) to the items table (used for the RSS measurement).
 *  - run:   one workload against one server: warm-up, then the measured window.
 *
 * Signing: every request is SigV4-signed over its own body (sign.ts). Requests are pre-signed
 * into a pool before the measured window, as the issue allows (the whole run stays well
 * inside the 5-minute window):
 *  - read and update workloads: a pool of distinct requests (random keys), sent round-robin;
 *  - workloads that need a new key per request (PutItem, BatchWriteItem): the warm-up signs
 *    inline and measures the rate, then a pool of 1.5× the requests the measured window needs
 *    is pre-signed, a short second warm-up re-opens the connections, and the window runs on the
 *    pool; if the pool ran out, the rest is signed inline (reported as `signedInline`).
 */
import { readFileSync } from 'node:fs';
import { Connection } from './client.js';
import { Signer, type Credentials } from './sign.js';
import {
  createTableBodies,
  item,
  itemId,
  queryItem,
  ITEMS_TABLE,
  QUERY_TABLE,
  QUERY_ITEMS_PER_PARTITION,
  seededRandom,
  WORKLOADS,
  type DataShape,
} from './workloads.js';

export interface BaseTask {
  port: number;
  credentials: Credentials;
}
export interface SetupTask extends BaseTask {
  kind: 'setup';
  shape: DataShape;
}
export interface FillTask extends BaseTask {
  kind: 'fill';
  from: number;
  to: number;
}
export interface RunTask extends BaseTask {
  kind: 'run';
  workload: string;
  shape: DataShape;
  /** Distinguishes new keys between runs. */
  tag: string;
  warmupSeconds: number;
  seconds: number;
  seed: number;
  /** The CA file to trust: the run is over TLS. */
  caFile?: string;
  /** More nodes of the same cove (one database): the connections are spread over `port` and these. */
  morePorts?: number[];
}
export type Task = SetupTask | FillTask | RunTask;

export interface RunResult {
  workload: string;
  connections: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  errors: number;
  firstError?: string;
  checked: number;
  checkFailures: number;
  warmupRequests: number;
  warmupErrors: number;
  pool: number;
  signedInline: number;
}

function call(connection: Connection, signer: Signer, target: string, value: unknown) {
  return connection.send(signer.rawRequest(target, Buffer.from(JSON.stringify(value))));
}

async function mustCall(connection: Connection, signer: Signer, target: string, value: unknown): Promise<Record<string, unknown>> {
  const reply = await call(connection, signer, target, value);
  const text = reply.body.toString();
  if (reply.status !== 200) throw new Error(`${target} answered ${reply.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Writes batches of 25 over `connections` connections; `items(k)` gives batch k's put requests. */
async function writeBatches(port: number, signer: Signer, batches: number, connections: number, items: (k: number) => Array<{ table: string; item: unknown }>): Promise<void> {
  let next = 0;
  const worker = async () => {
    const connection = new Connection(port);
    try {
      while (next < batches) {
        const k = next++;
        let requestItems: Record<string, unknown[]> = {};
        for (const { table, item: it } of items(k)) (requestItems[table] ??= []).push({ PutRequest: { Item: it } });
        for (let attempt = 0; Object.keys(requestItems).length > 0; attempt++) {
          if (attempt > 50) throw new Error('BatchWriteItem kept returning UnprocessedItems');
          const reply = await mustCall(connection, signer, 'BatchWriteItem', { RequestItems: requestItems });
          requestItems = (reply.UnprocessedItems ?? {}) as Record<string, unknown[]>;
          if (Object.keys(requestItems).length > 0) await new Promise((r) => setTimeout(r, 20));
        }
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

async function setup(task: SetupTask, signer: Signer): Promise<unknown> {
  const connection = new Connection(task.port);
  const started = Date.now();
  for (const body of createTableBodies()) {
    await mustCall(connection, signer, 'CreateTable', body);
  }
  for (const { TableName } of createTableBodies()) {
    for (let i = 0; ; i++) {
      const reply = await mustCall(connection, signer, 'DescribeTable', { TableName });
      if ((reply.Table as { TableStatus?: string }).TableStatus === 'ACTIVE') break;
      if (i > 200) throw new Error(`${String(TableName)} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  connection.close();
  const { items, partitions } = task.shape;
  await writeBatches(task.port, signer, Math.ceil(items / 25), 8, (k) =>
    Array.from({ length: Math.min(25, items - k * 25) }, (_, j) => ({ table: ITEMS_TABLE, item: item(itemId(k * 25 + j)) })),
  );
  const perPartition = QUERY_ITEMS_PER_PARTITION / 25;
  await writeBatches(task.port, signer, partitions * perPartition, 8, (k) =>
    Array.from({ length: 25 }, (_, j) => ({ table: QUERY_TABLE, item: queryItem(Math.floor(k / perPartition), (k % perPartition) * 25 + j) })),
  );
  return { kind: 'setup', seconds: (Date.now() - started) / 1000 };
}

async function fill(task: FillTask, signer: Signer): Promise<unknown> {
  const started = Date.now();
  const count = task.to - task.from;
  await writeBatches(task.port, signer, Math.ceil(count / 25), 8, (k) =>
    Array.from({ length: Math.min(25, count - k * 25) }, (_, j) => ({ table: ITEMS_TABLE, item: item(itemId(task.from + k * 25 + j)) })),
  );
  return { kind: 'fill', seconds: (Date.now() - started) / 1000 };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

const NON_UNIQUE_POOL = 10_000;
/** Memory bound for a pool of pre-signed requests. */
const MAX_POOL_BYTES = 1.5 * 1024 ** 3;

async function run(task: RunTask, signer: Signer): Promise<RunResult> {
  const workload = WORKLOADS.find((w) => w.name === task.workload);
  if (!workload) throw new Error(`unknown workload ${task.workload}`);
  const random = seededRandom(task.seed);
  let made = 0;
  let signedInline = 0;
  const make = (): Buffer => signer.rawRequest(workload.target, workload.request(made++, task.tag, task.shape, random));
  let pool: Buffer[] = [];
  if (!workload.unique) {
    for (let i = 0; i < NON_UNIQUE_POOL; i++) pool.push(make());
  }

  const ca = task.caFile === undefined ? undefined : readFileSync(task.caFile);
  const ports = [task.port, ...(task.morePorts ?? [])];
  const connections = Array.from({ length: workload.connections }, (_, i) => new Connection(ports[i % ports.length], '127.0.0.1', ca));
  let checked = 0;
  let checkFailures = 0;
  let firstError: string | undefined;

  /** Runs the closed loop for `seconds`; returns latencies (ms) of requests completed in the window. */
  const phase = async (seconds: number, measured: boolean) => {
    let latencies = new Float64Array(1 << 16);
    let count = 0;
    let errors = 0;
    let sent = 0;
    const end = performance.now() + seconds * 1000;
    const next = (): Buffer => {
      if (!workload.unique) return pool[sent++ % pool.length];
      if (sent < pool.length) return pool[sent++];
      sent++;
      if (measured) signedInline++;
      return make();
    };
    const worker = async (connection: Connection) => {
      let own = 0;
      while (performance.now() < end) {
        const request = next();
        const t0 = performance.now();
        let status = 0;
        let body: Buffer;
        try {
          ({ status, body } = await connection.send(request));
        } catch (error) {
          errors++;
          if (measured) firstError ??= `connection: ${(error as Error).message}`;
          continue;
        }
        const t1 = performance.now();
        if (t1 > end) break;
        if (status !== 200) {
          errors++;
          if (measured) firstError ??= `HTTP ${status}: ${body.toString().slice(0, 300)}`;
          continue;
        }
        if (count === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[count++] = t1 - t0;
        if (measured && (own++ < 2 || count % 1000 === 0)) {
          checked++;
          let ok = false;
          try {
            ok = workload.check(JSON.parse(body.toString()));
          } catch {
            ok = false;
          }
          if (!ok) {
            checkFailures++;
            firstError ??= `unexpected reply: ${body.toString().slice(0, 300)}`;
          }
        }
      }
    };
    const started = performance.now();
    await Promise.all(connections.map(worker));
    return { latencies: latencies.subarray(0, count), count, errors, sent, elapsed: Math.min(performance.now(), end) - started };
  };

  const warmupSeconds = task.warmupSeconds;
  let warmup = await phase(warmupSeconds, false);
  let warmupRequests = warmup.count;
  let warmupErrors = warmup.errors;
  if (workload.unique) {
    // Size the pool from the warm-up rate, pre-sign it, then re-open connections briefly.
    const rate = warmup.count / (warmup.elapsed / 1000);
    const sample = make();
    const wanted = Math.ceil(rate * task.seconds * 1.5) + 200;
    const limit = Math.floor(MAX_POOL_BYTES / sample.length);
    pool = [sample];
    while (pool.length < Math.min(wanted, limit)) pool.push(make());
    warmup = await phase(Math.min(1, warmupSeconds), false);
    warmupRequests += warmup.count;
    warmupErrors += warmup.errors;
    // The re-warm consumed the head of the pool; the window continues from there.
    pool = pool.slice(warmup.sent);
  }
  const measured = await phase(task.seconds, true);
  for (const connection of connections) connection.close();
  const sorted = Float64Array.from(measured.latencies).sort();
  const seconds = measured.elapsed / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    workload: workload.name,
    connections: workload.connections,
    requests: measured.count,
    seconds,
    requestsPerSecond: measured.count / seconds,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    meanMs: sorted.length ? sum / sorted.length : NaN,
    errors: measured.errors,
    ...(firstError !== undefined ? { firstError } : {}),
    checked,
    checkFailures,
    warmupRequests,
    warmupErrors,
    pool: pool.length,
    signedInline,
  };
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as Task;
  const signer = new Signer(task.credentials, `127.0.0.1:${task.port}`);
  // The parent closing our stdin means it is gone: do not outlive it.
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  let result: unknown;
  if (task.kind === 'setup') result = await setup(task, signer);
  else if (task.kind === 'fill') result = await fill(task, signer);
  else result = await run(task, signer);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`load generator: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
