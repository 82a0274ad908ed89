import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, tempDirectory } from '../support/cove.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

function credentialsOf(file: string): { id: string; secret: string; region: string } {
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\[cove\]$/m);
  return {
    id: /^aws_access_key_id = (.+)$/m.exec(text)![1],
    secret: /^aws_secret_access_key = (.+)$/m.exec(text)![1],
    region: /^region = (.+)$/m.exec(text)![1],
  };
}

describe('cove serve with the built-in default', () => {
  it('creates an admin key once, prints it once, and keeps it across restarts', async () => {
    const dataDirectory = tempDirectory();
    try {
      const first = await startCove({ dataDirectory });
      const credentials = credentialsOf(join(dataDirectory, 'credentials'));
      assert.match(credentials.id, /^AKIA[A-Z2-7]{16}$/);
      assert.equal(credentials.secret.length, 40);
      assert.equal(credentials.region, 'us-east-1');
      assert.ok(first.output().includes(credentials.secret), 'the secret is printed on first start');
      const tables = await first.client(credentials.id, credentials.secret).send(new ListTablesCommand({}));
      assert.deepEqual(tables.TableNames, []);
      await first.stop();

      const second = await startCove({ dataDirectory });
      assert.deepEqual(credentialsOf(join(dataDirectory, 'credentials')), credentials);
      assert.ok(!second.output().includes(credentials.secret), 'the secret is printed only once');
      assert.match(second.output(), /public listening on http:\/\/127\.0\.0\.1:\d+/);
      await second.client(credentials.id, credentials.secret).send(new ListTablesCommand({}));
      await second.stop();
    } finally {
      removeDirectory(dataDirectory);
    }
  });
});

describe('configuration errors', () => {
  function startWith(yaml: string): { status: number | null; stderr: string } {
    const directory = tempDirectory();
    const file = join(directory, 'cove.yaml');
    writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, [MAIN, 'serve', '--config', file, '--data', join(directory, 'data')], { encoding: 'utf8', timeout: 10_000 });
    removeDirectory(directory);
    return { status: result.status, stderr: result.stderr.replaceAll(file, 'cove.yaml') };
  }

  it('names file, line, path and what was expected', () => {
    const result = startWith('accountId: 12345\nlisteners:\n  - name: public\n    listen: nowhere\n');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cove\.yaml:1:12: accountId: expected a 12-digit account ID/);
    assert.match(result.stderr, /cove\.yaml:4:13: listeners\[0\]\.listen: expected HOST:PORT/);
  });

  it('rejects unknown keys and malformed policies', () => {
    const unknown = startWith('regoin: us-east-1\n');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /regoin/);
    const policy = startWith(
      'iam:\n  users:\n    - name: a\n      policies:\n        - name: p\n          document: { Version: "2012-10-17", Statement: [{ Effect: Maybe, Action: "*", Resource: "*" }] }\n',
    );
    assert.equal(policy.status, 2);
    assert.match(policy.stderr, /iam\.users\[0\]\.policies\[0\]\.document\.Statement\[0\]\.Effect: expected "Allow" or "Deny"/);
  });

  it('rejects an access key ID outside 3-128 of [A-Za-z0-9_]', () => {
    const result = startWith('iam:\n  users:\n    - name: a\n      accessKeys: [{ id: "no-dashes", secret: s }]\n');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /iam\.users\[0\]\.accessKeys\[0\]\.id: expected an access key ID/);
  });

  it('rejects a workers count outside 1..64 or auto, in cove.yaml and on the command line', () => {
    const zero = startWith('workers: 0\n');
    assert.equal(zero.status, 2);
    assert.match(zero.stderr, /cove\.yaml:1:10: workers: expected 1\.\.64 or auto/);
    const word = startWith('workers: many\n');
    assert.equal(word.status, 2);
    assert.match(word.stderr, /workers: expected a number of worker processes 1\.\.64, or auto/);
    const option = spawnSync(process.execPath, [MAIN, 'serve', '--workers', '-3'], { encoding: 'utf8', timeout: 10_000 });
    assert.notEqual(option.status, 0);
    assert.match(option.stderr, /--workers <n>.*expected 1\.\.64 or auto/);
  });

  it('rejects one access key given to two users', () => {
    const result = startWith('iam:\n  users:\n    - name: a\n      accessKeys: [{ id: SHAREDKEY, secret: s }]\n    - name: b\n      accessKeys: [{ id: SHAREDKEY, secret: t }]\n');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /cove\.yaml:6:\d+: iam\.users\[1\]\.accessKeys\[0\]\.id: access key SHAREDKEY is already used by user a/);
  });
});
