import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;
/** A Python that has boto3: the one on PATH, or Debian's (python3-boto3, which .ci/run installs). */
const pythonWithBoto3 = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import boto3']).status === 0);

const ACCOUNT = '123456789012';
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: alice
      accessKeys: [{ id: AKIAALICE0000000001, secret: alice-secret }]
      policies: [{ name: assume, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "sts:AssumeRole", Resource: "arn:aws:iam::${ACCOUNT}:role/reader" }] } }]
  roles:
    - name: reader
      assumeRolePolicy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::${ACCOUNT}:root" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "ext-123" } } }] }
      policies: [{ name: read, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:ListTables", Resource: "*" }] } }]
`;

/**
 * The credential chains of the AWS CLI and boto3 against cove: a profile with `role_arn`,
 * `source_profile` and `external_id`, every service's endpoint set once by AWS_ENDPOINT_URL, so
 * that the SDK's own AssumeRole call goes to cove's STS, and its DynamoDB calls to cove.
 */
describe('credential chains: role_arn + source_profile', () => {
  let cove: CoveProcess;
  let home: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    cove = await startCove({ config: CONFIG });
    home = tempDirectory('cove-profiles-');
    writeFileSync(join(home, 'config'), '[profile base]\nregion = us-east-1\n[profile app]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\nexternal_id = ext-123\nrole_session_name = chain\nregion = us-east-1\n[profile no-external-id]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\nregion = us-east-1\n');
    writeFileSync(join(home, 'credentials'), '[base]\naws_access_key_id = AKIAALICE0000000001\naws_secret_access_key = alice-secret\n', { mode: 0o600 });
    env = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
    // HOME too: the AWS CLI caches assumed-role credentials under ~/.aws/cli/cache, and another
    // run's (another cove's, whose tokens this one cannot open) would be reused.
    Object.assign(env, { HOME: home, AWS_CONFIG_FILE: join(home, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'), AWS_ENDPOINT_URL: cove.endpoint });
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
    removeDirectory(home);
  });

  it('the AWS CLI assumes the role through cove\'s STS and calls DynamoDB as the session', { skip: hasAwsCli ? false : 'aws CLI not installed (.ci/run installs it)' }, () => {
    const aws = (...args: string[]) => spawnSync('aws', [...args, '--output', 'json'], { env, encoding: 'utf8' });
    const base = JSON.parse(aws('sts', 'get-caller-identity', '--profile', 'base').stdout);
    assert.equal(base.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    const assumed = JSON.parse(aws('sts', 'get-caller-identity', '--profile', 'app').stdout);
    assert.equal(assumed.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/chain`);
    assert.deepEqual(JSON.parse(aws('dynamodb', 'list-tables', '--profile', 'app').stdout), { TableNames: [] });
    const denied = aws('dynamodb', 'describe-table', '--table-name', 'music', '--profile', 'app');
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, new RegExp(`AccessDeniedException.*User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/chain is not authorized to perform: dynamodb:DescribeTable`));
    const untrusted = aws('dynamodb', 'list-tables', '--profile', 'no-external-id');
    assert.notEqual(untrusted.status, 0);
    assert.match(untrusted.stderr, /AccessDenied.*sts:AssumeRole on resource: arn:aws:iam::123456789012:role\/reader/);
    // The explicit form: `aws sts assume-role` prints the temporary credentials.
    const explicit = JSON.parse(aws('sts', 'assume-role', '--profile', 'base', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/reader`, '--role-session-name', 'explicit', '--external-id', 'ext-123', '--duration-seconds', '900').stdout);
    assert.match(explicit.Credentials.AccessKeyId, /^ASIA/);
    assert.equal(explicit.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/explicit`);
  });

  it('boto3 does the same with its own credential chain', { skip: pythonWithBoto3 ? false : 'boto3 not installed (.ci/run installs python3-boto3)' }, () => {
    const script = [
      'import boto3, botocore.exceptions, json',
      "session = boto3.Session(profile_name='app')",
      "out = {'arn': session.client('sts').get_caller_identity()['Arn'], 'tables': session.client('dynamodb').list_tables()['TableNames']}",
      'try:',
      "    session.client('dynamodb').describe_table(TableName='music')",
      'except botocore.exceptions.ClientError as error:',
      "    out['denied'] = error.response['Error']",
      'print(json.dumps(out))',
    ].join('\n');
    const out = JSON.parse(execFileSync(pythonWithBoto3!, ['-c', script], { env, encoding: 'utf8' }));
    assert.equal(out.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/chain`);
    assert.deepEqual(out.tables, []);
    assert.equal(out.denied.Code, 'AccessDeniedException');
    assert.match(out.denied.Message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/chain is not authorized to perform: dynamodb:DescribeTable`));
  });
});
