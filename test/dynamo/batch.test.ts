import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchWriteItemCommand, CreateTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: batcher
      accessKeys: [{ id: AKIABATCHER00000001, secret: batch-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }, { Effect: Deny, Action: "dynamodb:BatchWriteItem", Resource: "arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/locked" }] } }]
`;

describe('BatchWriteItem', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIABATCHER00000001', 'batch-secret');
    for (const TableName of ['left', 'right', 'locked']) {
      await client.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('puts and deletes across tables in one call, with per-table capacity', async () => {
    const puts = Array.from({ length: 20 }, (_, i) => ({ PutRequest: { Item: { id: { S: `l${i}` }, n: { N: String(i) } } } }));
    const result = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { left: puts, [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/right`]: [{ PutRequest: { Item: { id: { S: 'r0' } } } }] },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    assert.deepEqual(result.UnprocessedItems, {});
    assert.deepEqual(
      [...(result.ConsumedCapacity ?? [])].sort((a, b) => a.TableName!.localeCompare(b.TableName!)),
      [{ TableName: 'left', CapacityUnits: 20 }, { TableName: 'right', CapacityUnits: 1 }],
    );
    const got = await client.send(new GetItemCommand({ TableName: 'right', Key: { id: { S: 'r0' } } }));
    assert.deepEqual(got.Item, { id: { S: 'r0' } });

    await client.send(new BatchWriteItemCommand({ RequestItems: { left: [{ DeleteRequest: { Key: { id: { S: 'l3' } } } }] } }));
    const gone = await client.send(new GetItemCommand({ TableName: 'left', Key: { id: { S: 'l3' } } }));
    assert.equal(gone.Item, undefined);
  });

  it('rejects more than 25 requests, duplicate keys and missing tables, writing nothing', async () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { id: { S: `${prefix}${i}` } } } }));
    const tooMany = await rejection(client.send(new BatchWriteItemCommand({ RequestItems: { left: many('a', 13), right: many('b', 13) } })));
    assert.equal(tooMany.name, 'ValidationException');
    assert.equal(tooMany.message, 'Too many items requested for the BatchWriteItem call');

    const duplicate = await rejection(
      client.send(new BatchWriteItemCommand({ RequestItems: { left: [{ PutRequest: { Item: { id: { S: 'dup' } } } }, { DeleteRequest: { Key: { id: { S: 'dup' } } } }] } })),
    );
    assert.equal(duplicate.message, 'Provided list of item keys contains duplicates');

    const missing = await rejection(client.send(new BatchWriteItemCommand({ RequestItems: { left: many('m', 1), nowhere: many('n', 1) } })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    const notWritten = await client.send(new GetItemCommand({ TableName: 'left', Key: { id: { S: 'm0' } } }));
    assert.equal(notWritten.Item, undefined, 'a rejected batch writes nothing');
  });

  it('checks IAM per table', async () => {
    const denied = await rejection(client.send(new BatchWriteItemCommand({ RequestItems: { left: [{ PutRequest: { Item: { id: { S: 'x' } } } }], locked: [{ PutRequest: { Item: { id: { S: 'y' } } } }] } })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, /dynamodb:BatchWriteItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/locked with an explicit deny/);
    const notWritten = await client.send(new GetItemCommand({ TableName: 'left', Key: { id: { S: 'x' } } }));
    assert.equal(notWritten.Item, undefined);
  });
});
