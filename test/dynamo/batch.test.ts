import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';
import { signedCall } from '../support/signed.js';

const ACCOUNT = '123456789012';
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: batcher
      accessKeys: [{ id: AKIABATCHER00000001, secret: batch-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }, { Effect: Deny, Action: "dynamodb:BatchWriteItem", Resource: "arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/locked" }] } }]
    - name: namer
      accessKeys: [{ id: AKIANAMER0000000001, secret: namer-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }, { Effect: Deny, Action: ["dynamodb:BatchWriteItem", "dynamodb:BatchGetItem"], Resource: "arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/__proto__", Condition: { StringEquals: { "aws:username": "namer" } } }] } }]
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

describe('batches on tables named like Object.prototype members', () => {
  const NAMES = ['__proto__', 'constructor', 'prototype'];
  let cove: CoveProcess;
  let client: DynamoDBClient;
  let denied: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIABATCHER00000001', 'batch-secret');
    denied = cove.client('AKIANAMER0000000001', 'namer-secret');
    for (const TableName of NAMES) {
      await client.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('writes and reads every one of them: nothing acknowledged is lost', async () => {
    const RequestItems = Object.fromEntries(NAMES.map((name) => [name, [{ PutRequest: { Item: { id: { S: `in-${name}` } } } }]]));
    const written = await client.send(new BatchWriteItemCommand({ RequestItems }));
    assert.deepEqual(written.UnprocessedItems, {});
    for (const TableName of NAMES) {
      const got = await client.send(new GetItemCommand({ TableName, Key: { id: { S: `in-${TableName}` } } }));
      assert.deepEqual(got.Item, { id: { S: `in-${TableName}` } }, TableName);
    }
    // Read on the wire: the SDK's own deserializer drops a `__proto__` member of Responses.
    const body = JSON.stringify({ RequestItems: Object.fromEntries(NAMES.map((name) => [name, { Keys: [{ id: { S: `in-${name}` } }] }])) });
    const read = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.BatchGetItem', body, accessKeyId: 'AKIABATCHER00000001', secretAccessKey: 'batch-secret' });
    assert.equal(read.status, 200, read.body);
    const responses = (JSON.parse(read.body) as { Responses: Record<string, unknown> }).Responses;
    for (const name of NAMES) assert.deepEqual(Object.hasOwn(responses, name) ? responses[name] : undefined, [{ id: { S: `in-${name}` } }], name);
  });

  it('authorizes each of them: a Deny on table/__proto__ denies the batch', async () => {
    const put = await rejection(denied.send(new BatchWriteItemCommand({ RequestItems: { ['__proto__']: [{ PutRequest: { Item: { id: { S: 'sneaky' } } } }] } })));
    assert.equal(put.name, 'AccessDeniedException');
    assert.match(put.message, /dynamodb:BatchWriteItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/__proto__ with an explicit deny/);
    const get = await rejection(denied.send(new BatchGetItemCommand({ RequestItems: { ['__proto__']: { Keys: [{ id: { S: 'in-__proto__' } }] } } })));
    assert.equal(get.name, 'AccessDeniedException');
    const got = await client.send(new GetItemCommand({ TableName: '__proto__', Key: { id: { S: 'sneaky' } } }));
    assert.equal(got.Item, undefined);
  });
});
