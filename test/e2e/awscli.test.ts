import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { removeDirectory, startCove, tempDirectory } from '../support/cove.js';

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;

describe('the README works with the AWS CLI', { skip: hasAwsCli ? false : 'aws CLI not installed (.ci/run installs it)' }, () => {
  it('lists, creates, writes and reads with the generated profile', async () => {
    const dataDirectory = tempDirectory();
    const cove = await startCove({ dataDirectory });
    // Only the generated profile may supply credentials and region.
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[name];
    Object.assign(env, { AWS_SHARED_CREDENTIALS_FILE: `${dataDirectory}/credentials`, AWS_PROFILE: 'cove', AWS_CONFIG_FILE: '/dev/null' });
    const aws = (...args: string[]) => JSON.parse(execFileSync('aws', ['dynamodb', ...args, '--endpoint-url', cove.endpoint, '--output', 'json'], { env, encoding: 'utf8' }));
    try {
      assert.deepEqual(aws('list-tables'), { TableNames: [] });
      aws('create-table', '--table-name', 'music', '--attribute-definitions', 'AttributeName=artist,AttributeType=S', '--key-schema', 'AttributeName=artist,KeyType=HASH', '--billing-mode', 'PAY_PER_REQUEST');
      execFileSync('aws', ['dynamodb', 'put-item', '--endpoint-url', cove.endpoint, '--table-name', 'music', '--item', '{"artist":{"S":"Nina"},"plays":{"N":"1.50"}}'], { env });
      assert.deepEqual(aws('get-item', '--table-name', 'music', '--key', '{"artist":{"S":"Nina"}}'), { Item: { artist: { S: 'Nina' }, plays: { N: '1.5' } } });
      assert.deepEqual(aws('list-tables'), { TableNames: ['music'] });
      // Infrastructure tools ask every table for its time to live setting.
      assert.deepEqual(aws('describe-time-to-live', '--table-name', 'music'), { TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });
});
