import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LMDB_ONLY, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejectsWith } from '../support/errors.js';

/**
 * What the IAM API creates lives in the data directory: it survives a restart, every worker sees
 * it at its next request, and cove.yaml's declarations win over it when a reload adds a name the
 * store holds (the stored entity is hidden, with a logged warning, and comes back when the file
 * drops the name).
 */
const ACCOUNT = '123456789012';
const ADMIN = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'admin-secret' };
const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const config = (extraUsers = '') => `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: iam-admin
      accessKeys: [{ id: ${ADMIN.accessKeyId}, secret: ${ADMIN.secretAccessKey} }]
      policies: [{ name: all, document: ${allow('*')} }]
${extraUsers}`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('IAM persistence', () => {
  const clients: { destroy(): void }[] = [];
  const running: CoveProcess[] = [];
  const directories: string[] = [];
  const iam = (cove: CoveProcess, credentials: Credentials = ADMIN) => {
    const client = new IAMClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const dynamo = (cove: CoveProcess, credentials: Credentials) => {
    const client = new DynamoDBClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const start = async (options: Parameters<typeof startCove>[0]) => {
    const cove = await startCove(options);
    running.push(cove);
    return cove;
  };
  const userWithKey = async (cove: CoveProcess, name: string): Promise<Credentials> => {
    await iam(cove).send(new CreateUserCommand({ UserName: name }));
    await iam(cove).send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    const key = (await iam(cove).send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  };
  after(async () => {
    for (const client of clients) client.destroy();
    for (const cove of running) await cove.stop();
    for (const directory of directories) removeDirectory(directory);
  });

  it('survives a restart: users, keys, policies and roles created through the API', async () => {
    const dataDirectory = tempDirectory();
    directories.push(dataDirectory);
    const first = await start({ config: config(), dataDirectory });
    const key = await userWithKey(first, 'durable');
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/durable` }, Action: 'sts:AssumeRole' }] });
    await iam(first).send(new CreateRoleCommand({ RoleName: 'kept', AssumeRolePolicyDocument: trust }));
    await iam(first).send(new PutRolePolicyCommand({ RoleName: 'kept', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    await first.stop();
    const second = await start({ config: readFileSync(first.configFile!, 'utf8'), dataDirectory });
    assert.deepEqual((await dynamo(second, key).send(new ListTablesCommand({}))).TableNames, []);
    assert.ok((await iam(second).send(new ListUsersCommand({}))).Users!.some((u) => u.UserName === 'durable'));
    const sts = new STSClient({ endpoint: second.endpoint, region: 'us-east-1', credentials: key, maxAttempts: 1 });
    clients.push(sts);
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/kept`, RoleSessionName: 'after-restart' }));
    await dynamo(second, { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! }).send(new ListTablesCommand({}));
    // Secrets are in the engine's files, which only their owner may read (on PostgreSQL: the database's access control).
    if (!LMDB_ONLY) {
      assert.equal(statSync(join(dataDirectory, 'db')).mode & 0o777, 0o700);
      assert.equal(statSync(join(dataDirectory, 'db', 'data.mdb')).mode & 0o777, 0o600);
    }
    assert.equal(second.output().includes(key.secretAccessKey), false);
  });

  it('two workers: a key created or deactivated through one authenticates, or not, through the other at once', async () => {
    const cove = await start({ config: config(), workers: 2 });
    assert.equal(cove.workerPids().length, 2);
    const key = await userWithKey(cove, 'shared');
    // node:cluster hands connections to the workers in turn: fresh clients reach both of them.
    for (let i = 0; i < 8; i++) {
      const client = dynamo(cove, key);
      assert.deepEqual((await client.send(new ListTablesCommand({}))).TableNames, []);
      client.destroy();
    }
    await iam(cove).send(new UpdateAccessKeyCommand({ UserName: 'shared', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    for (let i = 0; i < 8; i++) {
      const client = dynamo(cove, key);
      await rejectsWith(client.send(new ListTablesCommand({})), 'UnrecognizedClientException');
      client.destroy();
    }
  });

  it('cove.yaml wins: a reload that declares a stored name hides the stored entity (logged), and dropping it brings it back', async () => {
    const cove = await start({ config: config() });
    const stored = await userWithKey(cove, 'dave');
    const fileKey = { accessKeyId: 'AKIADAVEFILE00000001', secretAccessKey: 'dave-file-secret' };
    const davesDeclaration = `    - name: dave
      accessKeys: [{ id: ${fileKey.accessKeyId}, secret: ${fileKey.secretAccessKey} }]
      policies: [{ name: list, document: ${allow('dynamodb:ListTables')} }]
`;
    let from = cove.output().length;
    writeFileSync(cove.configFile!, config(davesDeclaration));
    await cove.waitForOutput(/cove: reloaded/, from);
    assert.match(cove.output().slice(from), /cove: warning: user dave, created through the IAM API, is hidden: cove\.yaml now declares the same name, and the file wins/);
    await dynamo(cove, fileKey).send(new ListTablesCommand({}));
    await rejectsWith(dynamo(cove, stored).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    // The hidden user's name stays taken for the API.
    await rejectsWith(iam(cove).send(new CreateUserCommand({ UserName: 'dave' })), 'EntityAlreadyExistsException');
    from = cove.output().length;
    writeFileSync(cove.configFile!, config());
    await cove.waitForOutput(/cove: reloaded/, from);
    await dynamo(cove, stored).send(new ListTablesCommand({}));
    await rejectsWith(dynamo(cove, fileKey).send(new ListTablesCommand({})), 'UnrecognizedClientException');
  });
});
