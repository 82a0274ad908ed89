import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, GetItemCommand, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, tempDirectory } from './support/cove.js';

const CONFIG = `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: writer
      accessKeys: [{ id: AKIAWRITER000000001, secret: writer-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
`;

describe('durability', () => {
  it('keeps every acknowledged write across kill -9', async () => {
    const dataDirectory = tempDirectory();
    const first = await startCove({ config: CONFIG, dataDirectory });
    const client = first.client('AKIAWRITER000000001', 'writer-secret');
    await client.send(new CreateTableCommand({ TableName: 'durable', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    const count = 300;
    // Concurrent writes, so that several share one group commit.
    await Promise.all(
      Array.from({ length: count }, (_, i) => client.send(new PutItemCommand({ TableName: 'durable', Item: { id: { N: String(i) }, payload: { S: `value-${i}` } } }))),
    );
    await first.kill9();

    const second = await startCove({ config: CONFIG, dataDirectory });
    try {
      const reader = second.client('AKIAWRITER000000001', 'writer-secret');
      const table = await reader.send(new DescribeTableCommand({ TableName: 'durable' }));
      assert.equal(table.Table?.TableStatus, 'ACTIVE');
      for (let i = 0; i < count; i++) {
        const got = await reader.send(new GetItemCommand({ TableName: 'durable', Key: { id: { N: String(i) } } }));
        assert.deepEqual(got.Item, { id: { N: String(i) }, payload: { S: `value-${i}` } }, `item ${i} survived`);
      }
    } finally {
      await second.stop();
      removeDirectory(dataDirectory);
    }
  });
});
