/**
 * Several cove nodes on one PostgreSQL database (issue 20): separate `cove serve` processes, as on
 * separate machines, each with its own data directory, sharing tables, items and IAM entities.
 * Skipped without COVE_TEST_POSTGRES_URL (or COVE_TEST_STORAGE_URL); the database-restart case
 * also needs COVE_PG_DIR (the cluster `scripts/postgres-throwaway.sh start` made).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { redactedUrl } from '../../src/storage/postgres.js';
import { createSchema, dropSchema, POSTGRES_SKIP_MESSAGE, schemaNameFor, testPostgresUrl } from '../support/postgres.js';

const ACCOUNT = '123456789012';
const ADMIN = { accessKeyId: 'AKIANODEADMIN0000001', secretAccessKey: 'node-admin-secret' };
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: ${ADMIN.accessKeyId}, secret: ${ADMIN.secretAccessKey} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "*", Resource: "*" }] } }]
`;
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const THROWAWAY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'postgres-throwaway.sh');
const TABLE = 'shared';
const ITEMS = ['k0', 'k1', 'k2'];
const INITIAL_BALANCE = 1000;
const CLIENTS = 50;

type Credentials = { accessKeyId: string; secretAccessKey: string };
const pgUrl = testPostgresUrl();

describe('several cove nodes on one PostgreSQL database', { skip: pgUrl ? false : POSTGRES_SKIP_MESSAGE }, () => {
  const schema = schemaNameFor(`nodes-${process.pid}-${Date.now()}`);
  const nodes: CoveProcess[] = [];
  const directories: string[] = [];
  const clients: { destroy(): void }[] = [];
  let storageUrl: string;

  const startNode = async () => {
    const dataDirectory = tempDirectory();
    directories.push(dataDirectory);
    const node = await startCove({ config: CONFIG, dataDirectory, args: ['--storage-url', storageUrl] });
    nodes.push(node);
    return node;
  };
  const dynamo = (node: CoveProcess, credentials: Credentials = ADMIN) => {
    const client = new DynamoDBClient({ endpoint: node.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };

  before(async () => {
    storageUrl = await createSchema(pgUrl!, schema);
  });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const node of nodes) await node.stop();
    for (const directory of directories) removeDirectory(directory);
    await dropSchema(pgUrl!, schema);
  });

  it('shares tables and IAM entities: a change through one node is seen by the other at its next request', async () => {
    const [a, b] = [await startNode(), await startNode()];
    await dynamo(a).send(new CreateTableCommand({ TableName: TABLE, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    assert.equal((await dynamo(b).send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus, 'ACTIVE');
    await dynamo(b).send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'from-b' } } }));
    assert.deepEqual((await dynamo(a).send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'from-b' } } }))).Item, { id: { S: 'from-b' } });

    const iam = new IAMClient({ endpoint: a.endpoint, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
    clients.push(iam);
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'get', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey!;
    const reader = dynamo(b, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    assert.deepEqual((await reader.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'from-b' } } }))).Item, { id: { S: 'from-b' } }, "the key made through node a works on node b at once");

    const sts = new STSClient({ endpoint: a.endpoint, region: 'us-east-1', credentials: ADMIN, maxAttempts: 1 });
    clients.push(sts);
    const session = (await sts.send(new GetSessionTokenCommand({}))).Credentials!;
    const sessionClient = new DynamoDBClient({ endpoint: b.endpoint, region: 'us-east-1', credentials: { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken! }, maxAttempts: 1 });
    clients.push(sessionClient);
    assert.equal((await sessionClient.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableName, TABLE, 'a session token node a issued works on node b');
  });

  it('refuses a node, and cove reset, configured for another account than the one whose data the database holds, in one line', async () => {
    if (nodes.length === 0) await startNode();
    const directory = tempDirectory();
    directories.push(directory);
    const configFile = join(directory, 'other-account.yaml');
    writeFileSync(configFile, CONFIG.replace(ACCOUNT, '111111111111'));
    const result = spawnSync(process.execPath, [MAIN, 'serve', '--config', configFile, '--data', join(directory, 'data'), '--storage-url', storageUrl, '--port', '0'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 2, result.stderr);
    const lines = result.stderr.trim().split('\n');
    const refusal = `cove: database ${redactedUrl(storageUrl)} holds account ${ACCOUNT}'s data, and this configuration is for account 111111111111: choose another database or schema with --storage-url URL (or storage.url in cove.yaml)`;
    assert.equal(lines.at(-1), refusal);
    const reset = spawnSync(process.execPath, [MAIN, 'reset', '--config', configFile, '--storage-url', storageUrl], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(reset.status, 2, reset.stderr);
    assert.equal(reset.stderr.trim().split('\n').at(-1), refusal, 'cove reset with another account\'s configuration deletes nothing');
  });

  it('50 clients over two nodes racing conditional increments and transactions end in a serial order', async () => {
    const [a, b] = nodes;
    for (const id of ITEMS) await dynamo(a).send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, n: { N: '0' }, balance: { N: String(INITIAL_BALANCE) } } }));
    const increments = new Map<string, number[]>(ITEMS.map((id) => [id, []]));
    const transfers = new Map<string, number>(ITEMS.map((id) => [id, 0]));
    const failures: string[] = [];
    const lane = async (index: number) => {
      const client = dynamo(index % 2 === 0 ? a : b);
      for (let round = 0; round < 6; round++) {
        const id = ITEMS[(index + round) % ITEMS.length];
        try {
          if (round % 2 === 0) await increment(client, id, increments.get(id)!);
          else await transfer(client, id, ITEMS[(index + round + 1) % ITEMS.length], transfers);
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => lane(i)));
    assert.deepEqual(failures, [], 'no request failed but by its own condition');
    for (const id of ITEMS) {
      const item = (await dynamo(b).send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item!;
      const seen = increments.get(id)!.sort((x, y) => x - y);
      // Each acknowledged increment read the value its predecessor wrote: 0, 1, 2, ... without a gap or a repeat.
      assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i), `${id}: increments form one chain`);
      assert.equal(item.n.N, String(seen.length));
      assert.equal(item.balance.N, String(INITIAL_BALANCE + transfers.get(id)!), `${id}: balance is the sum of its acknowledged transfers`);
    }
  });

  it('loses no acknowledged write when a node is killed with kill -9 under load', async () => {
    const [a, b] = nodes;
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (node: CoveProcess, lane: number) => {
      const client = dynamo(node);
      for (let i = 0; !stop; i++) {
        const id = `kill-${lane}-${i}`;
        try {
          await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id } } }));
          acknowledged.push(id);
        } catch {
          if (node === a) return; // its node is gone
        }
      }
    };
    const lanes = [...Array.from({ length: 10 }, (_, i) => writer(a, i)), ...Array.from({ length: 10 }, (_, i) => writer(b, 10 + i))];
    try {
      await until(() => acknowledged.length >= 200, 'writes acknowledged before the kill');
      await a.kill9();
      const atKill = acknowledged.length;
      await until(() => acknowledged.length >= atKill + 100, 'writes acknowledged by the surviving node');
    } finally {
      // Also when the test fails: writers left running would keep the test process alive.
      stop = true;
      await Promise.all(lanes);
    }
    const replacement = await startNode();
    const reader = dynamo(replacement);
    for (const id of acknowledged) {
      const item = (await reader.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
      assert.ok(item, `acknowledged ${id} is there`);
    }
  });

  it('answers 500 while the database is down, loses no acknowledged write, and recovers without a restart', { skip: process.env.COVE_PG_DIR ? false : 'COVE_PG_DIR not set (the throwaway cluster to restart)' }, async (t) => {
    const node = nodes[nodes.length - 1];
    const client = dynamo(node);
    const acknowledged: string[] = [];
    const refusals = new Map<string, number>();
    let stop = false;
    const writer = async (lane: number) => {
      for (let i = 0; !stop; i++) {
        const id = `restart-${lane}-${i}`;
        try {
          await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id } } }));
          acknowledged.push(id);
        } catch (error) {
          const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          const name = `${(error as Error).name} ${status ?? (error as Error).message}`;
          refusals.set(name, (refusals.get(name) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const lanes = Array.from({ length: 10 }, (_, i) => writer(i));
    try {
      await until(() => acknowledged.length >= 100, 'writes acknowledged before the restart');
      // Not execFileSync: the writers go on writing while the database stops and starts again.
      await promisify(execFile)('bash', [THROWAWAY, 'restart', process.env.COVE_PG_DIR!]);
      const afterRestart = acknowledged.length;
      // Service resumes by itself: writes are acknowledged again, through the same cove process.
      await until(() => acknowledged.length >= afterRestart + 100, `writes acknowledged after the restart (refusals so far: ${JSON.stringify([...refusals])}); the node's output:\n${node.output().slice(-3000)}`);
    } finally {
      stop = true;
      await Promise.all(lanes);
    }
    t.diagnostic(`acknowledged ${acknowledged.length}, refused while the database restarted: ${JSON.stringify([...refusals])}`);
    assert.ok([...refusals.keys()].every((name) => name === 'InternalServerError 500'), `every refusal is an AWS-shaped 500: ${JSON.stringify([...refusals])}`);
    assert.equal(node.exitStatus(), undefined, 'the node still runs');
    for (const id of acknowledged) {
      const item = (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
      assert.ok(item, `acknowledged ${id} is there`);
    }
  });
});

/** Waits for `condition`; a hang guard, not a timing assertion: fails only if it never holds. */
async function until(condition: () => boolean, what: string, guardMs = 60_000): Promise<void> {
  const deadline = Date.now() + guardMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Reads the counter, then sets it one higher if it still holds what was read; records the value read on success. */
async function increment(client: DynamoDBClient, id: string, seen: number[]): Promise<void> {
  for (;;) {
    const item = (await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))).Item!;
    const current = Number(item.n.N);
    try {
      await client.send(new UpdateItemCommand({ TableName: TABLE, Key: { id: { S: id } }, UpdateExpression: 'SET n = :next', ConditionExpression: 'n = :current', ExpressionAttributeValues: { ':current': { N: String(current) }, ':next': { N: String(current + 1) } } }));
      seen.push(current);
      return;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}

/** Moves 1 from one item's balance to another's in a transaction that requires the source to have it. */
async function transfer(client: DynamoDBClient, from: string, to: string, transfers: Map<string, number>): Promise<void> {
  const one: Record<string, AttributeValue> = { ':one': { N: '1' } };
  try {
    await client.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Update: { TableName: TABLE, Key: { id: { S: from } }, UpdateExpression: 'SET balance = balance - :one', ConditionExpression: 'balance >= :one', ExpressionAttributeValues: one } },
        { Update: { TableName: TABLE, Key: { id: { S: to } }, UpdateExpression: 'SET balance = balance + :one', ExpressionAttributeValues: one } },
      ],
    }));
    transfers.set(from, transfers.get(from)! - 1);
    transfers.set(to, transfers.get(to)! + 1);
  } catch (error) {
    // A cancellation (a condition failed, or DynamoDB's conflict answer) moved nothing.
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
  }
}
