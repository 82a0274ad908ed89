import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';
import { auditRecords } from '../support/audit.js';

const KEY = 'AKIAPROTO0000000001';
const SECRET = 'proto-secret';

/**
 * Attribute names are the user's: `__proto__`, `constructor` and `prototype` are valid key and
 * index attribute names, and every place that builds an object from them must keep them as data.
 */
describe('key and index attributes named like Object.prototype members', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: fullAccessConfig('proto', KEY, SECRET) });
    db = cove.client(KEY, SECRET);
    await db.send(
      new CreateTableCommand({
        TableName: 'protos',
        AttributeDefinitions: [
          { AttributeName: '__proto__', AttributeType: 'S' },
          { AttributeName: 'constructor', AttributeType: 'S' },
          { AttributeName: 'prototype', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: '__proto__', KeyType: 'HASH' },
          { AttributeName: 'constructor', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [{ IndexName: 'byPrototype', KeySchema: [{ AttributeName: 'prototype', KeyType: 'HASH' }, { AttributeName: 'constructor', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  /** On the wire: the SDK's own deserializer drops `__proto__` members. */
  async function raw(target: string, body: unknown): Promise<Record<string, unknown>> {
    const reply = await signedCall({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: JSON.stringify(body), accessKeyId: KEY, secretAccessKey: SECRET });
    assert.equal(reply.status, 200, reply.body);
    return JSON.parse(reply.body) as Record<string, unknown>;
  }
  const item = (p: string, c: string) => JSON.parse(`{"__proto__":{"S":"${p}"},"constructor":{"S":"${c}"},"prototype":{"S":"x"}}`) as Record<string, unknown>;
  const key = (p: string, c: string) => JSON.parse(`{"__proto__":{"S":"${p}"},"constructor":{"S":"${c}"}}`) as Record<string, unknown>;

  it('writes, reads, pages and updates them', async () => {
    for (const c of ['a', 'b', 'c']) await raw('PutItem', { TableName: 'protos', Item: item('p', c) });
    const got = await raw('GetItem', { TableName: 'protos', Key: key('p', 'b') });
    assert.equal(JSON.stringify(got.Item), JSON.stringify(item('p', 'b')));
    const page = await raw('Query', { TableName: 'protos', KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': '__proto__' }, ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 2 });
    assert.equal(JSON.stringify(page.LastEvaluatedKey), JSON.stringify(key('p', 'b')));
    const rest = await raw('Query', { TableName: 'protos', KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': '__proto__' }, ExpressionAttributeValues: { ':p': { S: 'p' } }, ExclusiveStartKey: page.LastEvaluatedKey });
    assert.equal((rest.Items as unknown[]).length, 1);
    const index = await raw('Query', { TableName: 'protos', IndexName: 'byPrototype', KeyConditionExpression: 'prototype = :x', ExpressionAttributeValues: { ':x': { S: 'x' } }, Limit: 1 });
    assert.equal(JSON.stringify(index.LastEvaluatedKey), JSON.stringify({ ...JSON.parse('{"__proto__":{"S":"p"}}'), constructor: { S: 'a' }, prototype: { S: 'x' } }));
    const updated = await raw('UpdateItem', { TableName: 'protos', Key: key('p', 'c'), UpdateExpression: 'SET extra = :e', ExpressionAttributeValues: { ':e': { S: 'e' } }, ReturnValues: 'ALL_NEW' });
    assert.equal((updated.Attributes as Record<string, unknown>).extra !== undefined && Object.hasOwn(updated.Attributes as object, '__proto__'), true);
    await db.send(new DeleteItemCommand({ TableName: 'protos', Key: { constructor: { S: 'a' }, ...JSON.parse('{"__proto__":{"S":"p"}}') } }));
    const scan = await db.send(new ScanCommand({ TableName: 'protos' }));
    assert.equal(scan.Count, 2);
  });

  it('records their key values in the audit trail', async () => {
    await raw('GetItem', { TableName: 'protos', Key: key('p', 'b') });
    const records = auditRecords(cove) as { eventName: string; requestParameters: { key?: unknown } | null }[];
    const last = records.filter((r) => r.eventName === 'GetItem').at(-1);
    assert.equal(JSON.stringify(last?.requestParameters?.key), '{"__proto__":"p","constructor":"b"}');
  });
});
