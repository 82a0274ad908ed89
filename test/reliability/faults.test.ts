/**
 * Faults (issue 12): the data disk full, the audit disk full or failing, no file descriptor left.
 * Each: clean AWS-shaped errors, no crash, nothing acknowledged lost, and service resumes by
 * itself when the fault clears.
 *
 * The data disk is a real tmpfs when this machine lets us mount one (root, as here and in CI): a
 * real full filesystem is what could make LMDB's memory map fault (SIGBUS) or tear a page, and a
 * shim cannot show that. Where mount is refused, the failwrite shim (test/fixtures/failwrite.c)
 * stands in: it fails, with ENOSPC, every write that would grow a file of the store, as a full
 * disk does. The audit disk is always the shim (only its directory fails, so the store stays
 * writable), which also gives failing fsyncs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, LMDB_ONLY, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { compileFailWriteShim, mountTmpfs, unmount } from '../support/faults.js';
import { reportFigures, scaled } from '../support/reliability.js';
import { signedRawRequest } from '../support/signed.js';
import { auditRecords } from '../support/audit.js';

const KEY = 'AKIAFAULTS000000001';
const SECRET = 'faults-secret';
const CONFIG = fullAccessConfig('faults', KEY, SECRET);
const TABLE = 'faults';
const shim = compileFailWriteShim();

type ErrorWithMetadata = Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };

/** What a probe counts as it goes. */
interface Tally {
  requests: number;
  acknowledged: number;
  fiveXX: number;
  /** Request IDs of the acknowledged requests, when the probe checks their records. */
  requestIds?: Set<string>;
}

function alive(cove: CoveProcess): boolean {
  try {
    process.kill(cove.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: TABLE, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
}

/**
 * One PutItem: 'ok' (acknowledged: remembered in `acked` with its value), 'refused' (the AWS
 * shape of a server fault, InternalServerError 500), or it fails the test (any other answer).
 */
async function put(client: DynamoDBClient, id: string, payload: string, tally: Tally, acked: Map<string, string>): Promise<'ok' | 'refused'> {
  tally.requests++;
  try {
    const output = await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, payload: { S: payload } } }));
    tally.acknowledged++;
    tally.requestIds?.add(output.$metadata.requestId!);
    acked.set(id, payload);
    return 'ok';
  } catch (error) {
    const e = error as ErrorWithMetadata;
    assert.equal(e.name, 'InternalServerError', `a fault is answered as a server error, not ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, 500);
    return 'refused';
  }
}

/** Acknowledged items missing or holding another value. */
async function lostOf(client: DynamoDBClient, acked: Map<string, string>): Promise<number> {
  let lost = 0;
  for (const [id, payload] of acked) {
    const got = await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }));
    if (got.Item?.payload?.S !== payload) lost++;
  }
  return lost;
}

/** Writes until `accepts` of them in a row succeed (the fault is gone); fails the test after `attempts`. */
async function untilWritable(client: DynamoDBClient, prefix: string, accepts: number, tally: Tally, acked: Map<string, string>): Promise<void> {
  let inRow = 0;
  for (let attempt = 0; attempt < 400 && inRow < accepts; attempt++) {
    inRow = (await put(client, `${prefix}-${attempt}`, `after ${attempt}`, tally, acked)) === 'ok' ? inRow + 1 : 0;
    if (inRow === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(inRow, accepts, 'writes are accepted again without a restart');
}

describe('faults: the data disk full', () => {
  it('refuses writes beyond capacity with a 500, keeps every acknowledged write, and writes again once space is freed', { skip: LMDB_ONLY || shim.skip }, async () => {
    const work = tempDirectory('cove-faults-');
    const dataDirectory = join(work, 'data');
    const store = join(dataDirectory, 'db');
    const capacityBytes = scaled(4, 32) * 1024 * 1024;
    // COVE_FAULTS_SHIM=1 runs the shim's form on a machine that could mount.
    const onTmpfs = process.env.COVE_FAULTS_SHIM !== '1' && mountTmpfs(store, capacityBytes);
    const flag = join(work, 'disk-full');
    const env: Record<string, string> = onTmpfs ? {} : { LD_PRELOAD: shim.path(work), FAILWRITE_FLAG: flag, FAILWRITE_PATH: store };
    const tally: Tally = { requests: 0, acknowledged: 0, fiveXX: 0 };
    const acked = new Map<string, string>();
    let cove = await startCove({ config: CONFIG, dataDirectory, env });
    let crashes = 0;
    try {
      let client = cove.client(KEY, SECRET);
      await createTable(client);
      // Space held back, to free once the disk is full.
      const reserve = join(store, 'reserve');
      if (onTmpfs) writeFileSync(reserve, Buffer.alloc(capacityBytes / 4));
      const payload = 'p'.repeat(8 * 1024);
      const concurrency = 4;
      let refusals = 0;
      let next = 0;
      // Until the disk is full (with the shim: after what a small disk would hold), then a few more.
      const shimCapacity = scaled(60, 600);
      for (let round = 0; refusals < scaled(12, 40) && round < 4000; round++) {
        if (!onTmpfs && next >= shimCapacity) writeFileSync(flag, 'full');
        const answers = await Promise.all(Array.from({ length: concurrency }, () => put(client, `item-${next++}`, `${payload}${next}`, tally, acked)));
        refusals += answers.filter((a) => a === 'refused').length;
      }
      assert.ok(refusals > 0, 'the disk filled up');
      assert.ok(alive(cove), 'cove survives the full disk');
      // Reads go on while the disk is full.
      const [someId] = acked.keys();
      const during = await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: someId } } }));
      assert.equal(during.Item?.id?.S, someId);

      if (onTmpfs) rmSync(reserve);
      else rmSync(flag);
      await untilWritable(client, 'freed', 5, tally, acked);
      let lost = await lostOf(client, acked);
      assert.equal(lost, 0, 'every acknowledged write reads back with its value');

      // And the store opens again as it was: nothing torn.
      await cove.stop();
      cove = await startCove({ config: CONFIG, dataDirectory, env });
      client = cove.client(KEY, SECRET);
      lost = await lostOf(client, acked);
      assert.equal(lost, 0, 'every acknowledged write survives a restart');
      reportFigures(`faults-data-disk-full${onTmpfs ? '' : '-shim'}`, { requests: tally.requests, acknowledged: tally.acknowledged, lost, fiveXX: tally.fiveXX, crashes, refused: refusals });
    } catch (error) {
      if (!alive(cove)) crashes++;
      throw error;
    } finally {
      rmSync(flag, { force: true });
      await cove.stop();
      if (onTmpfs) unmount(store);
      removeDirectory(work);
    }
  });
});

describe('faults: the audit disk full or failing', () => {
  it('never crashes, refuses requests it cannot record, and records everything it acknowledged once the disk is back', { skip: shim.skip }, async () => {
    const work = tempDirectory('cove-faults-');
    const dataDirectory = join(work, 'data');
    const flag = join(work, 'audit-fault');
    const env = { LD_PRELOAD: shim.path(work), FAILWRITE_FLAG: flag, FAILWRITE_PATH: join(dataDirectory, 'audit') };
    const ackedRequestIds = new Set<string>();
    const tally: Tally = { requests: 0, acknowledged: 0, fiveXX: 0, requestIds: ackedRequestIds };
    const acked = new Map<string, string>();
    const cove = await startCove({ config: CONFIG, dataDirectory, env });
    let crashes = 0;
    let refused = 0;
    try {
      const client = cove.client(KEY, SECRET);
      await createTable(client);
      for (const fault of ['full', 'sync', 'eio'] as const) {
        for (let cycle = 0; cycle < scaled(1, 5); cycle++) {
          for (let i = 0; i < scaled(10, 100); i++) await put(client, `${fault}-${cycle}-before-${i}`, 'v', tally, acked);
          writeFileSync(flag, fault);
          const fromOutput = cove.output().length;
          // Writes go on until the writer notices (a failed write at the end of a turn, or the next fsync).
          let refusedNow = 0;
          for (let i = 0; i < 400 && refusedNow === 0; i++) {
            if ((await put(client, `${fault}-${cycle}-during-${i}`, 'v', tally, acked)) === 'refused') refusedNow++;
            else await new Promise((r) => setTimeout(r, 10));
          }
          assert.equal(refusedNow, 1, `requests are refused while the audit disk is ${fault}`);
          refused += refusedNow;
          await cove.waitForOutput(/cove: audit: cannot keep records/, fromOutput);
          assert.ok(alive(cove));
          rmSync(flag);
          await untilWritable(client, `${fault}-${cycle}-after`, 3, tally, acked);
          await cove.waitForOutput(/cove: audit: records are written again/, fromOutput);
        }
      }
      const lost = await lostOf(client, acked);
      assert.equal(lost, 0);
      // Every acknowledged request has its record (possibly twice, after a failed fsync).
      const recorded = new Set(auditRecords(cove).map((r) => r.requestID as string));
      const unrecorded = [...ackedRequestIds].filter((id) => !recorded.has(id));
      assert.deepEqual(unrecorded, [], 'every acknowledged request is in the trail');
      reportFigures('faults-audit-disk', { requests: tally.requests, acknowledged: tally.acknowledged, lost, fiveXX: tally.fiveXX, crashes, refused, unrecorded: unrecorded.length });
    } catch (error) {
      if (!alive(cove)) crashes++;
      throw error;
    } finally {
      rmSync(flag, { force: true });
      await cove.stop();
      removeDirectory(work);
    }
  });
});

/** A raw HTTP/1.1 keep-alive connection: one request at a time; 'closed' when the server closes it unanswered. */
class Connection {
  private buffered = '';
  private waiter: ((answer: number | 'closed') => void) | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffered += text;
      this.settle();
    });
    const close = () => {
      this.closed = true;
      this.waiter?.('closed');
      this.waiter = undefined;
    };
    socket.on('close', close);
    socket.on('error', close);
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const connection = new Connection(socket);
      socket.once('connect', () => resolve(connection));
      socket.once('error', () => resolve(connection));
    });
  }

  /** The status of the answer to `request`. */
  exchange(request: string): Promise<number | 'closed'> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.socket.write(request);
    });
  }

  private settle(): void {
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiter) return;
    const head = this.buffered.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffered.length < end + 4 + length) return;
    this.buffered = this.buffered.slice(end + 4 + length);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter(Number(head.split(' ')[1]));
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('faults: file descriptors exhausted', () => {
  it('keeps serving open connections through EMFILE, and accepts again once some close', async () => {
    const openFilesLimit = 64;
    const work = tempDirectory('cove-faults-');
    // One serving process: the limit is lowered on the process that accepts (prlimit --pid), whatever COVE_TEST_WORKERS says.
    const cove = await startCove({ config: CONFIG, dataDirectory: join(work, 'data'), workers: 1 });
    const tally: Tally = { requests: 0, acknowledged: 0, fiveXX: 0 };
    const connections: Connection[] = [];
    let crashes = 0;
    let refusedConnections = 0;
    let sequence = 0;
    const request = (target: string, body: object) => signedRawRequest({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: JSON.stringify(body), accessKeyId: KEY, secretAccessKey: SECRET });
    const putRequest = () => request('PutItem', { TableName: TABLE, Item: { id: { S: `fd-${sequence++}` } } });
    /** A PutItem over `connection`: true when acknowledged; false when the connection was closed unanswered. */
    const write = async (connection: Connection): Promise<boolean> => {
      tally.requests++;
      const status = await connection.exchange(await putRequest());
      if (status === 'closed') return false;
      if (status >= 500) tally.fiveXX++;
      assert.equal(status, 200);
      tally.acknowledged++;
      return true;
    };
    try {
      // Warm up (a request loads modules the first time), then lower the running server's limit:
      // node's module loader opens hundreds of files at once during start-up.
      await createTable(cove.client(KEY, SECRET));
      const warmUp = await Connection.open(cove.port);
      assert.ok(await write(warmUp));
      warmUp.close();
      const limited = spawnSync('prlimit', ['--pid', String(cove.pid), `--nofile=${openFilesLimit}:${openFilesLimit}`], { encoding: 'utf8' });
      assert.equal(limited.status, 0, limited.stderr);
      for (let round = 0; round < scaled(2, 10); round++) {
        // Open more connections than descriptors are left; each is tried with a write.
        for (let i = 0; i < openFilesLimit + 10; i++) {
          const connection = await Connection.open(cove.port);
          if (await write(connection)) connections.push(connection);
          else refusedConnections++;
        }
        assert.ok(refusedConnections > 0, 'the descriptor limit was reached');
        assert.ok(alive(cove), 'cove survives EMFILE');
        // Connections already open are served, writes included (the store and the trail hold their files).
        for (const connection of connections) assert.ok(await write(connection), 'an open connection is still served');
        // Freed descriptors are used again: new connections are served.
        for (const connection of connections.splice(0, connections.length)) connection.close();
        let served = false;
        for (let attempt = 0; attempt < 200 && !served; attempt++) {
          const connection = await Connection.open(cove.port);
          served = await write(connection);
          if (served) connections.push(connection);
          else await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(served, 'a new connection is served once others closed');
      }
      reportFigures('faults-fd-exhaustion', { requests: tally.requests, acknowledged: tally.acknowledged, lost: 0, fiveXX: tally.fiveXX, crashes, refusedConnections });
    } catch (error) {
      if (!alive(cove)) crashes++;
      throw error;
    } finally {
      for (const connection of connections) connection.close();
      await cove.stop();
      removeDirectory(work);
    }
  });
});
