import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { removeDirectory, startCove, tempDirectory } from '../support/cove.js';

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;

/** README's "Principals and credentials", step by step with the AWS CLI. */
describe('IAM and STS with the AWS CLI', { skip: hasAwsCli ? false : 'aws CLI not installed (.ci/run installs it)' }, () => {
  it('creates a user, its key and policy, a role, assumes it and calls DynamoDB with the session', async () => {
    const dataDirectory = tempDirectory();
    const cove = await startCove({ dataDirectory });
    const base: Record<string, string | undefined> = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete base[name];
    Object.assign(base, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: `${dataDirectory}/credentials` });
    const admin = { ...base, AWS_PROFILE: 'cove' };
    const aws = (env: Record<string, string | undefined>, ...args: string[]) => {
      const out = execFileSync('aws', [...args, '--endpoint-url', cove.endpoint, '--output', 'json'], { env, encoding: 'utf8' });
      return out.trim() === '' ? {} : JSON.parse(out);
    };
    try {
      const user = aws(admin, 'iam', 'create-user', '--user-name', 'app');
      assert.equal(user.User.Arn, 'arn:aws:iam::000000000000:user/app');
      const key = aws(admin, 'iam', 'create-access-key', '--user-name', 'app').AccessKey;
      aws(admin, 'iam', 'put-user-policy', '--user-name', 'app', '--policy-name', 'assume', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}');
      const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}';
      const role = aws(admin, 'iam', 'create-role', '--role-name', 'reader', '--assume-role-policy-document', trust);
      // The CLI decodes IAM's URL-encoded documents.
      assert.deepEqual(role.Role.AssumeRolePolicyDocument, JSON.parse(trust));
      aws(admin, 'iam', 'attach-role-policy', '--role-name', 'reader', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess');
      const app = { ...base, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
      const assumed = aws(app, 'sts', 'assume-role', '--role-arn', role.Role.Arn, '--role-session-name', 'cli', '--external-id', 'ext-1');
      assert.equal(assumed.AssumedRoleUser.Arn, 'arn:aws:sts::000000000000:assumed-role/reader/cli');
      const session = { ...app, AWS_ACCESS_KEY_ID: assumed.Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: assumed.Credentials.SecretAccessKey, AWS_SESSION_TOKEN: assumed.Credentials.SessionToken };
      assert.deepEqual(aws(session, 'dynamodb', 'list-tables'), { TableNames: [] });
      const denied = spawnSync('aws', ['dynamodb', 'create-table', '--endpoint-url', cove.endpoint, '--table-name', 'orders', '--attribute-definitions', 'AttributeName=k,AttributeType=S', '--key-schema', 'AttributeName=k,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST'], { env: session, encoding: 'utf8' });
      assert.notEqual(denied.status, 0);
      assert.match(denied.stderr, /AccessDeniedException.*assumed-role\/reader\/cli is not authorized to perform: dynamodb:CreateTable/);
      const listed = aws(admin, 'iam', 'list-users');
      assert.deepEqual(listed.Users.map((u: { UserName: string }) => u.UserName), ['admin', 'app']);
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });
});
