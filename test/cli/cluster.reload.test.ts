import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const KEY_ID = 'AKIARELOAD000000001';
const SECRET = 'reload-secret';

function config(actions: string): string {
  return `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${KEY_ID}, secret: ${SECRET} }]
      policies: [{ name: p, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: ${JSON.stringify(actions)}, Resource: "*" }] } }]
`;
}

describe('cove serve --workers 2 applies cove.yaml edits in every worker', () => {
  it('once the primary says it reloaded, every worker answers with the new policies; the outcome is logged once', async () => {
    const cove = await startCove({ config: config('dynamodb:*'), workers: 2 });
    // A new connection per request, so consecutive requests land on both workers.
    const client = new DynamoDBClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, maxAttempts: 1, requestHandler: { httpAgent: new Agent({ keepAlive: false }) } });
    try {
      await client.send(new CreateTableCommand({ TableName: 'tbl', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      for (let i = 0; i < 6; i++) await client.send(new GetItemCommand({ TableName: 'tbl', Key: { id: { S: 'a' } } }));
      const from = cove.output().length;
      writeFileSync(cove.configFile!, config('dynamodb:PutItem'));
      await cove.waitForOutput(/cove: reloaded /, from);
      for (let i = 0; i < 6; i++) {
        const denied = await rejection(client.send(new GetItemCommand({ TableName: 'tbl', Key: { id: { S: 'a' } } })));
        assert.match(denied.message, /because no identity-based policy allows the dynamodb:GetItem action$/);
      }
      assert.equal([...cove.output().slice(from).matchAll(/cove: reloaded /g)].length, 1);
    } finally {
      client.destroy();
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  });
});
