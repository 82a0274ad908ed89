/**
 * The trail of a running server: log files delivered by every worker, a graceful stop delivering
 * what is pending, and the durability promise under kill -9 (`audit.durability: sync`: no
 * acknowledged request, read or write, is without its record).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, tempDirectory } from '../support/cove.js';
import { auditRecordFor, auditRecords } from '../support/audit.js';
import { allLogObjects } from '../../src/audit/layout.js';
import { readLogFile } from '../../src/audit/reader.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const KEY = 'AKIATRAIL0000000001';
const SECRET = 'trail-secret';

function config(audit: string): string {
  return `${fullAccessConfig('trail', KEY, SECRET)}audit: ${audit}\n`;
}

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: 'trail', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
}

function journal(dataDirectory: string): string[] {
  return readdirSync(join(dataDirectory, 'audit', 'journal'));
}

describe('audit trail: delivery by a running server', () => {
  it('delivers log files from every worker, each record once, and a graceful stop leaves no journal behind', async () => {
    const dataDirectory = join(tempDirectory('cove-trail-'), 'data');
    const cove = await startCove({ config: config('{ deliverySeconds: 1 }'), dataDirectory, workers: 2 });
    try {
      const client = cove.client(KEY, SECRET);
      await createTable(client);
      const acknowledged: string[] = [];
      for (let round = 0; round < 20; round++) {
        const answers = await Promise.all(Array.from({ length: 4 }, (_, i) => client.send(new PutItemCommand({ TableName: 'trail', Item: { id: { S: `${round}-${i}` } } }))));
        acknowledged.push(...answers.map((answer) => answer.$metadata.requestId!));
      }
      await cove.stop();
      assert.deepEqual(journal(dataDirectory), [], 'every segment delivered at the stop');
      const audit = join(dataDirectory, 'audit');
      const delivered = allLogObjects(audit).flatMap((object) => readLogFile(join(audit, object)));
      const ids = delivered.map((record) => record.requestID);
      assert.equal(new Set(ids).size, ids.length, 'no record in two files');
      assert.deepEqual(acknowledged.filter((id) => !ids.includes(id)), []);
    } finally {
      await cove.stop();
      removeDirectory(join(dataDirectory, '..'));
    }
  });

  it('with durability sync, a kill -9 under load leaves no acknowledged request without its record; the next start delivers the dead process\'s journal', async () => {
    const dataDirectory = join(tempDirectory('cove-trail-'), 'data');
    const settings = config('{ durability: sync }');
    let cove = await startCove({ config: settings, dataDirectory });
    try {
      const client = cove.client(KEY, SECRET);
      await createTable(client);
      await client.send(new PutItemCommand({ TableName: 'trail', Item: { id: { S: 'x' } } }));
      const acknowledged: string[] = [];
      let killed = false;
      const reader = async () => {
        while (!killed) {
          try {
            const answer = await client.send(new GetItemCommand({ TableName: 'trail', Key: { id: { S: 'x' } } }));
            acknowledged.push(answer.$metadata.requestId!);
          } catch {
            return; // the connection died with the server
          }
        }
      };
      const readers = Array.from({ length: 8 }, reader);
      while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 10));
      await cove.kill9();
      killed = true;
      await Promise.all(readers);
      const recorded = new Set(auditRecords(cove).map((r) => r.requestID as string));
      assert.deepEqual(acknowledged.filter((id) => !recorded.has(id)), [], 'every acknowledged read has its record');
      assert.notDeepEqual(journal(dataDirectory), [], 'the killed process left its journal');
      cove = await startCove({ config: settings, dataDirectory });
      // Answered: main.ts has its SIGTERM handler (a SIGTERM before it would kill the process outright).
      await cove.client(KEY, SECRET).send(new GetItemCommand({ TableName: 'trail', Key: { id: { S: 'x' } } }));
      await cove.stop();
      assert.deepEqual(journal(dataDirectory), [], 'the next process delivered it');
      const after = new Set(auditRecords(cove).map((r) => r.requestID as string));
      assert.deepEqual(acknowledged.filter((id) => !after.has(id)), []);
    } finally {
      await cove.stop();
      removeDirectory(join(dataDirectory, '..'));
    }
  });

  it('one process of a cluster writes the digest chain; cove audit validate accepts it, then reports a changed log file; cove audit tail prints the decisions', async () => {
    const dataDirectory = join(tempDirectory('cove-trail-'), 'data');
    const cove = await startCove({ config: config('{ deliverySeconds: 1, digestPeriodSeconds: 1 }'), dataDirectory, workers: 2 });
    const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'audit', ...args, '--config', cove.configFile!, '--data', dataDirectory], { encoding: 'utf8', timeout: 30_000 });
    try {
      const client = cove.client(KEY, SECRET);
      await createTable(client);
      await client.send(new PutItemCommand({ TableName: 'trail', Item: { id: { S: 'a' } } }));
      const denied = await cove.client('AKIAUNKNOWN00000001', 'x').send(new GetItemCommand({ TableName: 'trail', Key: { id: { S: 'a' } } })).catch((error: Error) => error);
      assert.equal((denied as Error).name, 'UnrecognizedClientException');
      await new Promise((r) => setTimeout(r, 3500));
      await cove.stop();
      const audit = join(dataDirectory, 'audit');
      const digests = readdirSync(audit, { recursive: true }).map(String).filter((f) => /CloudTrail-Digest_.*\.json\.gz$/.test(f));
      assert.ok(digests.length >= 2, `digests: ${digests.join(' ')}`);
      const valid = cli('validate');
      assert.equal(valid.status, 0, valid.stdout + valid.stderr);
      assert.match(valid.stdout, new RegExp(`^${digests.length}/${digests.length} digest files valid$`, 'm'), 'one chain holds every digest: a single author');
      assert.match(valid.stdout, /^(\d+)\/\1 log files valid$/m);
      const tail = cli('tail');
      assert.equal(tail.status, 0, tail.stderr);
      assert.match(tail.stdout, /ALLOW  dynamodb:PutItem  arn:aws:iam::123456789012:user\/trail/);
      assert.match(tail.stdout, /ERROR  dynamodb:GetItem  AKIAUNKNOWN00000001 .*UnrecognizedClientException/);
      const filtered = cli('tail', '--filter', 'eventName=PutItem');
      assert.deepEqual(filtered.stdout.trim().split('\n').map((line) => line.split('  ')[2]), ['dynamodb:PutItem']);
      const [log] = allLogObjects(audit);
      const content = gunzipSync(readFileSync(join(audit, log)));
      content[content.length - 3] ^= 1;
      writeFileSync(join(audit, log), gzipSync(content));
      const invalid = cli('validate');
      assert.equal(invalid.status, 1);
      assert.match(invalid.stdout, new RegExp(`Log file\ts3://cove-audit/${log}\tINVALID: hash value doesn't match`));
    } finally {
      await cove.stop();
      removeDirectory(join(dataDirectory, '..'));
    }
  });

  it("reads several nodes' trails as one: cove audit tail --data A --data B in time order, cove audit validate of each", async () => {
    const work = tempDirectory('cove-trails-');
    const nodes = [join(work, 'node-a'), join(work, 'node-b')];
    const coves: Awaited<ReturnType<typeof startCove>>[] = [];
    for (const dataDirectory of nodes) coves.push(await startCove({ config: config('{ deliverySeconds: 1, digestPeriodSeconds: 1 }'), dataDirectory }));
    try {
      // Each node serves its own requests, one after the other: a, then b, then a again.
      for (const [i, cove] of [coves[0], coves[1], coves[0]].entries()) {
        const client = cove.client(KEY, SECRET);
        if (i < 2) await createTable(client);
        await client.send(new PutItemCommand({ TableName: 'trail', Item: { id: { S: `item-${i}` } } }));
        await new Promise((r) => setTimeout(r, 1100)); // a second apart: eventTime has seconds
      }
      await new Promise((r) => setTimeout(r, 2500));
      for (const cove of coves) await cove.stop();
      const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'audit', ...args, '--config', coves[0].configFile!, '--data', nodes[0], '--data', nodes[1]], { encoding: 'utf8', timeout: 30_000 });
      const tail = cli('tail', '--filter', 'eventName=PutItem', '--json');
      assert.equal(tail.status, 0, tail.stderr);
      const puts = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { eventTime: string; requestParameters: { key: { id: string } } });
      assert.deepEqual(puts.map((record) => record.requestParameters.key.id), ['item-0', 'item-1', 'item-2'], 'both trails, in time order');
      const valid = cli('validate');
      assert.equal(valid.status, 0, valid.stdout + valid.stderr);
      for (const node of nodes) assert.match(valid.stdout, new RegExp(`^Trail of ${node}:$`, 'm'));
      assert.equal(valid.stdout.match(/^(\d+)\/\1 digest files valid$/gm)?.length, 2, valid.stdout);
    } finally {
      for (const cove of coves) await cove.stop();
      removeDirectory(work);
    }
  });

  it('records an item write with its key\'s values and its attribute names, never its other values; eventVersion 1.09 fields', async () => {
    const dataDirectory = join(tempDirectory('cove-trail-'), 'data');
    const cove = await startCove({ config: config('{}'), dataDirectory });
    try {
      const client = cove.client(KEY, SECRET);
      await createTable(client);
      const put = await client.send(new PutItemCommand({ TableName: 'trail', Item: { id: { S: 'k1' }, secret: { S: 'TOP-SECRET-VALUE' } } }));
      const record = await auditRecordFor(cove, put.$metadata.requestId);
      assert.deepEqual(record.requestParameters, { tableName: 'trail', key: { id: 'k1' }, item: ['id', 'secret'] });
      assert.equal(JSON.stringify(auditRecords(cove)).includes('TOP-SECRET-VALUE'), false, 'no item value but the key in the trail');
      assert.equal(record.eventVersion, '1.09');
      assert.equal(record.readOnly, false);
      assert.equal(record.managementEvent, false);
      assert.equal(record.eventCategory, 'Data');
      assert.equal(record.recipientAccountId, '123456789012');
      assert.equal(record.eventType, 'AwsApiCall');
      assert.equal(record.userIdentity.type, 'IAMUser');
      assert.equal(record.userIdentity.userName, 'trail');
      assert.deepEqual(record.resources, [{ accountId: '123456789012', type: 'AWS::DynamoDB::Table', ARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/trail' }]);
    } finally {
      await cove.stop();
      removeDirectory(join(dataDirectory, '..'));
    }
  });
});
