import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { auditRecords } from '../support/audit.js';
import { alive, fullAccessConfig, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { signedRawRequest } from '../support/signed.js';

const KEY_ID = 'AKIACLUSTER00000001';
const SECRET = 'cluster-secret';
const CONFIG = fullAccessConfig('clusterer', KEY_ID, SECRET);
const WORKERS = 2;
/** DynamoDB's 52-character request IDs; cove's first 41 characters are a prefix drawn once per process. */
const PROCESS_PREFIX_LENGTH = 41;

/** A client whose every request opens a new connection, as the AWS CLI does per command: consecutive requests land on different workers. */
function freshConnectionClient(cove: CoveProcess): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: cove.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const TABLE = { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }], BillingMode: 'PAY_PER_REQUEST' as const };

describe('cove serve --workers 2', () => {
  it('sees tables created and deleted by any worker at once, on every worker; one audit file; SIGTERM stops every process', async () => {
    const cove = await startCove({ config: CONFIG, workers: WORKERS });
    const workerPids = cove.workerPids();
    const client = freshConnectionClient(cove);
    const answeredBy = new Set<string>();
    let requests = 0;
    const send = async <T extends { $metadata: { requestId?: string } }>(promise: Promise<T>): Promise<T> => {
      requests++;
      const output = await promise;
      answeredBy.add(output.$metadata.requestId!.slice(0, PROCESS_PREFIX_LENGTH));
      return output;
    };
    try {
      assert.equal(workerPids.length, WORKERS);
      assert.ok(workerPids.every(alive));

      await send(client.send(new CreateTableCommand({ TableName: 'shared', ...TABLE })));
      // Each next request is on a new connection, so on the other worker than the one before it.
      for (let i = 0; i < 10; i++) {
        await send(client.send(new PutItemCommand({ TableName: 'shared', Item: { id: { S: `k${i}` }, n: { N: String(i) } } })));
        const got = await send(client.send(new GetItemCommand({ TableName: 'shared', Key: { id: { S: `k${i}` } } })));
        assert.deepEqual(got.Item, { id: { S: `k${i}` }, n: { N: String(i) } });
        const described = await send(client.send(new DescribeTableCommand({ TableName: 'shared' })));
        assert.equal(described.Table?.TableStatus, 'ACTIVE');
      }
      assert.equal(answeredBy.size, WORKERS, 'every worker answered');

      await send(client.send(new DeleteTableCommand({ TableName: 'shared' })));
      for (let i = 0; i < 6; i++) {
        requests++;
        await assert.rejects(client.send(new GetItemCommand({ TableName: 'shared', Key: { id: { S: 'k1' } } })), { name: 'ResourceNotFoundException' });
        requests++;
        await assert.rejects(client.send(new PutItemCommand({ TableName: 'shared', Item: { id: { S: 'late' } } })), { name: 'ResourceNotFoundException' });
        const listed = await send(client.send(new ListTablesCommand({})));
        assert.deepEqual(listed.TableNames, []);
      }
      // Re-created under the same name by one worker: a new, empty table on every worker.
      await send(client.send(new CreateTableCommand({ TableName: 'shared', ...TABLE })));
      for (let i = 0; i < 4; i++) {
        const got = await send(client.send(new GetItemCommand({ TableName: 'shared', Key: { id: { S: 'k1' } } })));
        assert.equal(got.Item, undefined);
      }
    } finally {
      client.destroy();
      await cove.stop();
    }
    try {
      assert.ok(!alive(cove.pid), 'the primary is gone');
      await waitUntil(() => !workerPids.some(alive), 'the workers are gone after SIGTERM');
      assert.match(cove.output(), /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.equal([...cove.output().matchAll(/listening on/g)].length, 1, 'one listening line per listener, printed by the primary');

      // Both workers appended to the one file of the day: every line whole, one per request.
      const records = auditRecords(cove);
      assert.equal(records.length, requests);
      assert.equal(new Set(records.map((r) => r.eventID)).size, records.length, 'event IDs are unique');
      assert.equal(new Set(records.map((r) => r.requestID)).size, records.length, 'request IDs are unique');
      assert.equal(new Set(records.map((r) => String(r.requestID).slice(0, PROCESS_PREFIX_LENGTH))).size, WORKERS);
    } finally {
      removeDirectory(cove.dataDirectory);
    }
  });

  it('keeps writes acknowledged by both workers across kill -9 of every process', async () => {
    const dataDirectory = tempDirectory();
    const count = 200;
    const first = await startCove({ config: CONFIG, dataDirectory, workers: WORKERS });
    try {
      const clients = Array.from({ length: 8 }, () => first.client(KEY_ID, SECRET));
      await clients[0].send(new CreateTableCommand({ TableName: 'durable', ...TABLE }));
      // Eight keep-alive connections, dealt to the workers in turn; concurrent, so several writes share a group commit.
      await Promise.all(Array.from({ length: count }, (_, i) => clients[i % clients.length].send(new PutItemCommand({ TableName: 'durable', Item: { id: { S: `k${i}` } } }))));
    } finally {
      for (const pid of first.workerPids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await first.kill9();
    }

    const second = await startCove({ config: CONFIG, dataDirectory, workers: WORKERS });
    try {
      const reader = second.client(KEY_ID, SECRET);
      for (let i = 0; i < count; i++) {
        const got = await reader.send(new GetItemCommand({ TableName: 'durable', Key: { id: { S: `k${i}` } } }));
        assert.deepEqual(got.Item, { id: { S: `k${i}` } }, `item ${i} survived`);
      }
    } finally {
      await second.stop();
      removeDirectory(dataDirectory);
    }
  });

  it('leaves no worker serving after kill -9 of the primary', async () => {
    const cove = await startCove({ config: CONFIG, workers: WORKERS });
    const workerPids = cove.workerPids();
    try {
      // A connection held open by a worker must not keep it alive either.
      const client = cove.client(KEY_ID, SECRET);
      await client.send(new ListTablesCommand({}));
      await cove.kill9();
      await waitUntil(() => !workerPids.some(alive), 'the workers exit after the primary is killed');
      assert.ok(await refused(cove.port), 'nothing listens on the port any more');
    } finally {
      await cove.kill9();
      for (const pid of workerPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      removeDirectory(cove.dataDirectory);
    }
  });

  // node:cluster makes a worker call process.exit(0) the moment its primary is gone, unless the
  // worker opted out; that skipped cove's graceful stop, and a process.exit while lmdb-js had a
  // write transaction under way hung for good, holding LMDB's write lock (found by the crash
  // probe, test/reliability/crash.test.ts: no later cove could start on the data directory).
  it('kill -9 of the primary: a worker finishes its request in flight, closes the store and exits', async () => {
    const cove = await startCove({ config: CONFIG, workers: WORKERS });
    const workerPids = cove.workerPids();
    try {
      const client = cove.client(KEY_ID, SECRET);
      await client.send(new CreateTableCommand({ TableName: 'inflight', ...TABLE }));
      const raw = (target: string, body: unknown) => signedRawRequest({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: JSON.stringify(body), accessKeyId: KEY_ID, secretAccessKey: SECRET });
      const socket = connect(cove.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => {});
      // A first request answered: the primary has handed the connection to a worker (a
      // connection it has accepted but not handed over yet dies with it).
      socket.write(await raw('ListTables', {}));
      await waitUntil(() => /^HTTP\/1\.1 200 [\s\S]*\r\n\r\n\{.*\}$/.test(answer), 'the first request is answered');
      answer = '';
      // The next request is in flight (its body half sent) when the primary dies; the rest
      // follows well within the stop's grace for requests in flight.
      const request = await raw('PutItem', { TableName: 'inflight', Item: { id: { S: 'sent-across-the-kill' } } });
      const split = request.length - 10;
      await new Promise<void>((resolve) => socket.write(request.slice(0, split), () => resolve()));
      await cove.kill9();
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.write(request.slice(split));
      await ended;
      assert.match(answer, /^HTTP\/1\.1 200 /, 'the request in flight is answered');
      await waitUntil(() => !workerPids.some(alive), 'the workers exit after the primary is killed');
      const again = await startCove({ config: CONFIG, dataDirectory: cove.dataDirectory });
      try {
        const got = await again.client(KEY_ID, SECRET).send(new GetItemCommand({ TableName: 'inflight', Key: { id: { S: 'sent-across-the-kill' } } }));
        assert.deepEqual(got.Item, { id: { S: 'sent-across-the-kill' } }, 'and it is durable');
      } finally {
        await again.stop();
      }
    } finally {
      for (const pid of workerPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      removeDirectory(cove.dataDirectory);
    }
  });
});
