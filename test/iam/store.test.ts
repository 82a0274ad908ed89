import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CredentialStore } from '../../src/auth/identities.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { IamDirectory } from '../../src/iam/directory.js';
import { checkNameFree, newId } from '../../src/iam/entities.js';
import { entityAlreadyExists } from '../../src/iam/errors.js';
import { IamStore } from '../../src/iam/store.js';
import { nameKey, type IamTables } from '../../src/iam/state.js';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

/**
 * The IAM store and directory without a server: two directories on one engine (two workers)
 * agree on every change, a conflicting change fails in one of them, and cove.yaml attaches the
 * bundled AWS managed policies by ARN (and says which exist when one does not).
 */
const CONFIG = `
accountId: "123456789012"
iam:
  users:
    - name: declared
      managedPolicies: ["arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"]
`;

function createUser(name: string) {
  return (tables: IamTables) => {
    checkNameFree(tables, 'user', name, entityAlreadyExists);
    tables.users.set(nameKey(name), { name, path: '/', id: newId('AIDA'), createdAtMs: 0, origin: 'api', tags: [], inline: [], attached: [], groups: [] });
  };
}

describe('IAM store', () => {
  const directory = tempDirectory();
  const engine = new LmdbEngine({ path: join(directory, 'db') });
  after(async () => {
    await engine.close();
    removeDirectory(directory);
  });
  const open = async () => {
    const credentials = new CredentialStore();
    const logged: string[] = [];
    const iam = new IamDirectory({ accountId: '123456789012', store: await IamStore.open(engine), credentials, log: (line) => logged.push(line) }, loadConfig(undefined, CONFIG), 0);
    return { iam, credentials, logged };
  };

  it('two directories on one store: a change by one is seen by the other at its next refresh; the same name created by both fails once', async () => {
    const a = await open();
    const b = await open();
    await a.iam.update(createUser('shared'));
    assert.equal(b.iam.tables.user('shared'), undefined);
    b.iam.refresh();
    assert.equal(b.iam.tables.user('SHARED')?.name, 'shared');
    const outcomes = await Promise.allSettled([a.iam.update(createUser('racer')), b.iam.update(createUser('Racer'))]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    assert.match((failed.reason as Error).message, /^User with name [Rr]acer already exists\.$/);
    a.iam.refresh();
    b.iam.refresh();
    assert.deepEqual([...a.iam.tables.users.keys()].sort(), [...b.iam.tables.users.keys()].sort());
  });

  it('a reference the file no longer resolves denies everything, with a warning, instead of dropping a policy (it could be a Deny)', async () => {
    const withPolicy = `${CONFIG}  policies:\n    - name: guard\n      document: { Version: "2012-10-17", Statement: [ { Effect: Deny, Action: "dynamodb:DeleteTable", Resource: "*" } ] }\n`;
    const { iam, credentials, logged } = await open();
    iam.applyConfig(loadConfig(undefined, withPolicy), 0);
    await iam.update((tables) => {
      createUser('guarded')(tables);
      tables.user('guarded')!.attached.push('arn:aws:iam::123456789012:policy/guard');
    });
    assert.deepEqual(credentials.user('guarded')!.identityPolicies.map((p) => p.ref), ['policy/guard']);
    iam.applyConfig(loadConfig(undefined, CONFIG), 0);
    assert.deepEqual(credentials.user('guarded')!.identityPolicies.map((p) => p.ref), ['arn:aws:iam::123456789012:policy/guard (unresolved: denies everything)']);
    assert.ok(logged.some((line) => line.includes('user/guarded: managed policy arn:aws:iam::123456789012:policy/guard no longer exists')));
  });

  it('a declared user attaches an AWS managed policy by ARN; an unknown AWS ARN names the bundled ones', async () => {
    const { iam, credentials } = await open();
    const policies = credentials.user('declared')!.identityPolicies.map((p) => p.ref);
    assert.deepEqual(policies, ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess'], 'a user without keys is still known (its sessions stay valid)');
    assert.deepEqual(iam.tables.user('declared')?.attached, ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess']);
    assert.throws(
      () => loadConfig(undefined, CONFIG.replace('AmazonDynamoDBReadOnlyAccess', 'AmazonS3ReadOnlyAccess')),
      (error: Error) => error instanceof ConfigError && /no managed policy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess; cove bundles these AWS managed policies: AdministratorAccess, AmazonDynamoDBFullAccess, AmazonDynamoDBReadOnlyAccess/.test(error.message),
    );
  });
});
