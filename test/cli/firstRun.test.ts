import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, tempDirectory } from '../support/cove.js';
import { schemaNameFor, urlWithSchema } from '../support/postgres.js';
import { rejection } from '../support/errors.js';
import { signedCall } from '../support/signed.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const json = (value: unknown) => JSON.stringify(value);
const READ_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }] };
const CONFIG = `
region: us-east-1
accountId: "123456789012"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
iam:
  users:
    - name: alice
      accessKeys: [{ id: AKIAALICE000000001, secret: alice-secret }]
      policies: [{ name: read, document: ${json(READ_ONLY)} }]
`;
const table = (TableName: string) => new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' });

describe('first run: a fixed admin key', () => {
  it('serves the key given by --admin-key, and again after the data directory is removed', async () => {
    const dataDirectory = tempDirectory();
    let cove = await startCove({ dataDirectory, args: ['--admin-key', 'AKIAFIXED00000001:fixed-secret'] });
    try {
      await cove.client('AKIAFIXED00000001', 'fixed-secret').send(table('kept'));
      assert.match(readFileSync(join(dataDirectory, 'credentials'), 'utf8'), /aws_access_key_id = AKIAFIXED00000001\naws_secret_access_key = fixed-secret/);
      assert.doesNotMatch(cove.output(), /fixed-secret/, 'a given secret is not echoed to the log');
    } finally {
      await cove.stop();
    }
    removeDirectory(dataDirectory);
    cove = await startCove({ dataDirectory, env: { COVE_ADMIN_KEY: 'AKIAFIXED00000001:fixed-secret' } });
    try {
      const listed = await cove.client('AKIAFIXED00000001', 'fixed-secret').send(new ListTablesCommand({}));
      assert.deepEqual(listed.TableNames, [], 'a fresh data directory, the same key');
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });

  it('adds the admin user beside cove.yaml\'s users, and refuses a key or name cove.yaml has', async () => {
    const cove = await startCove({ config: CONFIG, args: ['--admin-key', 'dummy:dummy'] });
    try {
      await cove.client('dummy', 'dummy').send(table('by-admin'));
      await assert.rejects(cove.client('AKIAALICE000000001', 'alice-secret').send(table('by-alice')), { name: 'AccessDeniedException' });
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
    const directory = tempDirectory();
    const file = join(directory, 'cove.yaml');
    writeFileSync(file, CONFIG);
    const taken = spawnSync(process.execPath, [MAIN, 'serve', '--config', file, '--data', join(directory, 'data'), '--admin-key', 'AKIAALICE000000001:other'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(taken.status, 2);
    assert.match(taken.stderr, /--admin-key: cove.yaml gives access key AKIAALICE000000001 to another user/);
    const malformed = spawnSync(process.execPath, [MAIN, 'serve', '--data', join(directory, 'data'), '--admin-key', 'no-colon'], { encoding: 'utf8', timeout: 10_000 });
    assert.notEqual(malformed.status, 0);
    assert.match(malformed.stderr, /expected ACCESS_KEY_ID:SECRET/);
    removeDirectory(directory);
  });
});

describe('first run: open mode', () => {
  it('acts as the admin user for any well-formed SigV4 request, says so loudly, and records it as unauthenticated', async () => {
    const cove = await startCove({ config: CONFIG, args: ['--open'] });
    try {
      assert.match(cove.output(), /OPEN MODE: requests are NOT authenticated/);
      const created = await cove.client('dummy', 'whatever').send(table('opened'));
      assert.equal(created.TableDescription?.TableStatus, 'CREATING');
      // A configured key with a wrong secret is no different: nothing is verified.
      await cove.client('AKIAALICE000000001', 'wrong-secret').send(table('opened-too'));
      const record = await auditRecordFor(cove, created.$metadata.requestId);
      assert.equal(record.additionalEventData.authenticated, false);
      assert.equal(record.userIdentity.arn, 'arn:aws:iam::123456789012:user/admin');
      assert.equal(record.userIdentity.accessKeyId, 'dummy');
      // Still SigV4: an unsigned request is refused as DynamoDB refuses it.
      const unsigned = await fetch(cove.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, body: '{}' });
      assert.equal(unsigned.status, 400);
      assert.match(await unsigned.text(), /MissingAuthenticationTokenException/);
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  });

  it('is off by default: an unknown key is refused with AWS\'s answer, and the log says where the valid keys are (with workers too)', async () => {
    for (const workers of [1, 2]) await unknownKeyIsLogged(workers);
  });

  /** A worker's own log lines (about a request it served) are printed at once, not held for the primary. */
  async function unknownKeyIsLogged(workers: number): Promise<void> {
    const cove = await startCove({ config: CONFIG, workers });
    try {
      const error = await rejection(cove.client('dummy', 'dummy').send(new ListTablesCommand({})));
      assert.equal(error.name, 'UnrecognizedClientException');
      assert.equal(error.message, 'The security token included in the request is invalid.');
      await cove.waitForOutput(/refused a request signed with unknown access key dummy .*valid keys: the users' accessKeys in .*cove-.*\.yaml.*--admin-key ID:SECRET, or --open/);
      const forged = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.ListTables', body: '{}', accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'not-hers' });
      assert.match(forged.body, /InvalidSignatureException/);
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  }

  it('is named by cove explain when cove.yaml turns it on', () => {
    const directory = tempDirectory();
    const file = join(directory, 'cove.yaml');
    writeFileSync(file, `${CONFIG}open: true\n`);
    const explained = spawnSync(process.execPath, [MAIN, 'explain', '--config', file, '--principal', 'alice', '--action', 'dynamodb:ListTables', '--resource', '*'], { encoding: 'utf8', timeout: 10_000 });
    assert.match(explained.stdout, /open mode \(open: true\): requests are not authenticated; the server acts for every request as the user "admin"/);
    removeDirectory(directory);
  });
});

describe('first run: an ephemeral store and CLI manners', () => {
  it('--in-memory serves a fresh store in a temporary directory and removes it at stop, leaving --data untouched', async () => {
    const untouched = join(tempDirectory(), 'never-created');
    const cove = await startCove({ dataDirectory: untouched, args: ['--in-memory', '--admin-key', 'dummy:dummy'] });
    const [, directory] = /in-memory: a fresh store in (\S+), not synced to disk, removed at stop/.exec(cove.output()) ?? [];
    assert.ok(directory && existsSync(directory), cove.output());
    await cove.client('dummy', 'dummy').send(table('scratch'));
    await cove.stop();
    assert.equal(existsSync(directory), false, 'the temporary store is gone');
    assert.equal(existsSync(untouched), false, '--data is ignored');
  });

  it('--host sets the first listener\'s address; --version prints the package\'s', async () => {
    const cove = await startCove({ config: CONFIG.replace('listen: 127.0.0.1:0', 'listen: 0.0.0.0:0'), args: ['--host', '127.0.0.1'] });
    try {
      assert.match(cove.output(), /public listening on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
    const version = spawnSync(process.execPath, [MAIN, '--version'], { encoding: 'utf8' });
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(dirname(MAIN), '..', '..', '..', 'package.json'), 'utf8')).version);
  });

  it('reports each start error in one line with exit code 2, never a stack trace', async () => {
    const directory = tempDirectory();
    const serve = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'serve', ...args], { encoding: 'utf8', timeout: 10_000 });
    const expectLine = (result: ReturnType<typeof serve>, line: string) => {
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr.trim(), line);
    };
    expectLine(serve('--config', join(directory, 'missing.yaml')), `cove: cannot read ${join(directory, 'missing.yaml')}: no such file`);
    writeFileSync(join(directory, 'a-file'), '');
    expectLine(serve('--data', join(directory, 'a-file'), '--port', '0'), `cove: cannot use ${join(directory, 'a-file')} as a data directory: it is a file (choose another with --data DIR)`);
    writeFileSync(join(directory, 'typo.yaml'), 'regoin: us-east-1\n');
    expectLine(serve('--config', join(directory, 'typo.yaml'), '--data', join(directory, 'd1')), `cove: configuration error\n${join(directory, 'typo.yaml')}:1:1: (top level): Unrecognized key: "regoin"; did you mean "region"?`);
    const busy = await startCove({ dataDirectory: join(directory, 'd2') });
    try {
      expectLine(serve('--data', join(directory, 'd3'), '--port', String(busy.port)), `cove: cannot listen on 127.0.0.1:${busy.port}: the address is in use (another cove?); choose another port with --port N (0: any free port), or listen: in cove.yaml`);
    } finally {
      await busy.stop();
    }
    writeFileSync(join(directory, 'other.yaml'), 'accountId: "111111111111"\n');
    expectLine(
      serve('--config', join(directory, 'other.yaml'), '--data', join(directory, 'd2'), '--port', '0'),
      `cove: data directory ${join(directory, 'd2')} holds account 000000000000's data, and this configuration is for account 111111111111: choose another directory with --data DIR (or remove this one)`,
    );
    expectLine(serve('--workers', 'many'), "error: option '--workers <n>' argument 'many' is invalid. expected 1..64 or auto");
    removeDirectory(directory);
  });

  it('reports a data directory it may not write to in one line with exit code 2', (t) => {
    // root writes anywhere: the server then runs as nobody (65534), for whom the directory is read-only.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(MAIN)}, require('fs').constants.R_OK)`], asUser);
    if (probe.status !== 0) {
      t.skip(`the checkout is not readable by uid ${asUser.uid ?? process.getuid?.()}, which this test runs cove as`);
      return;
    }
    const directory = tempDirectory();
    chmodSync(directory, 0o755);
    const readOnly = join(directory, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    try {
      const result = spawnSync(process.execPath, [MAIN, 'serve', '--data', readOnly, '--port', '0', '--admin-key', 'AKIAADMIN0000000001:admin-secret'], { encoding: 'utf8', timeout: 10_000, ...asUser });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr.trim(), `cove: cannot write ${readOnly}: permission denied (choose another data directory with --data DIR)`);
    } finally {
      removeDirectory(directory);
    }
  });

  it('warns when cove.yaml declares nobody who could make a request', async () => {
    const cove = await startCove({ config: 'listeners: [{ name: public, listen: 127.0.0.1:0 }]\n' });
    try {
      assert.match(cove.output(), /warning: .*\.yaml declares no IAM users or roles: every request will be refused \(add iam\.users, or run with --admin-key ID:SECRET or --open\)/);
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  });
});

describe('cove reset', () => {
  it('empties the tables under a running server (on either engine), and on LMDB with --all the whole store once it is stopped, keeping the keys', async () => {
    const dataDirectory = tempDirectory();
    // Under COVE_TEST_STORAGE_URL the server stores in the directory's schema: reset is told the same.
    const storage = process.env.COVE_TEST_STORAGE_URL ? ['--storage-url', urlWithSchema(process.env.COVE_TEST_STORAGE_URL, schemaNameFor(dataDirectory))] : [];
    const reset = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'reset', '--data', dataDirectory, ...storage, ...args], { encoding: 'utf8', timeout: 30_000 });
    let cove = await startCove({ dataDirectory, args: ['--admin-key', 'dummy:dummy'] });
    try {
      const db = cove.client('dummy', 'dummy');
      await db.send(table('one'));
      await db.send(table('__proto__'));
      const emptied = reset();
      assert.equal(emptied.status, 0, emptied.stderr);
      assert.match(emptied.stdout, /deleted 2 tables \(__proto__, one\)/);
      assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, []);
      const refused = reset('--all');
      assert.equal(refused.status, 2);
      if (storage.length > 0) assert.match(refused.stderr, /reset --all: not on a PostgreSQL store, which other nodes may be serving/);
      else assert.match(refused.stderr, new RegExp(`reset --all: a cove \\(pid ${cove.pid}\\) is serving`));
      await db.send(table('two'));
    } finally {
      await cove.stop();
    }
    if (storage.length > 0) return removeDirectory(dataDirectory);
    const wiped = reset('--all');
    assert.equal(wiped.status, 0, wiped.stderr);
    cove = await startCove({ dataDirectory });
    try {
      assert.deepEqual((await cove.client('dummy', 'dummy').send(new ListTablesCommand({}))).TableNames, [], 'the key kept in the data directory still works');
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });
});

describe('the request log', () => {
  it('prints one line per request: time, listener, source, principal, operation, table, decision, status, milliseconds', async () => {
    const cove = await startCove({ config: CONFIG, requestLog: true });
    try {
      const alice = cove.client('AKIAALICE000000001', 'alice-secret');
      await alice.send(new ListTablesCommand({}));
      await assert.rejects(alice.send(table('denied')), { name: 'AccessDeniedException' });
      await cove.waitForOutput(/^\d{4}-\d\d-\d\dT[\d:.]+Z public 127\.0\.0\.1:\d+ arn:aws:iam::123456789012:user\/alice ListTables - allow 200 \d+ms$/m);
      await cove.waitForOutput(/^\S+ public 127\.0\.0\.1:\d+ arn:aws:iam::123456789012:user\/alice CreateTable denied deny 400 \d+ms AccessDeniedException: User: arn:aws:iam::123456789012:user\/alice is not authorized to perform: dynamodb:CreateTable/m);
      await rejection(cove.client('dummy', 'dummy').send(new ListTablesCommand({})));
      await cove.waitForOutput(/^\S+ public 127\.0\.0\.1:\d+ - ListTables - deny 400 \d+ms UnrecognizedClientException: /m);
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  });

  it('is JSON with --log-format json, and off with --quiet', async () => {
    const cove = await startCove({ config: CONFIG, requestLog: true, args: ['--log-format', 'json'] });
    try {
      await cove.client('AKIAALICE000000001', 'alice-secret').send(new ListTablesCommand({}));
      const [line] = await cove.waitForOutput(/^\{"time":.*"operation":"ListTables".*\}$/m);
      const entry = JSON.parse(line);
      assert.deepEqual({ ...entry, time: undefined, source: undefined, ms: undefined }, { time: undefined, listener: 'public', source: undefined, principal: 'arn:aws:iam::123456789012:user/alice', operation: 'ListTables', table: '-', decision: 'allow', status: 200, ms: undefined });
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
    const quiet = await startCove({ config: CONFIG });
    try {
      await quiet.client('AKIAALICE000000001', 'alice-secret').send(new ListTablesCommand({}));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.doesNotMatch(quiet.output(), /ListTables/);
    } finally {
      await quiet.stop();
      removeDirectory(quiet.dataDirectory);
    }
  });
});
