import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  UpdateTableCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const json = (value: unknown) => JSON.stringify(value);
/** Long enough that the checks made right after CreateTable or DeleteTable all fall inside it, on a slow machine too. */
const DELAY_MS = 6000;

const config = (tables: string) => `
region: us-east-1
accountId: "123456789012"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
${tables}
iam:
  users:
    - name: admin
      accessKeys: [{ id: AKIAADMIN000000001, secret: admin-secret }]
      policies: [{ name: all, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })} }]
`;

const tableInput = (TableName: string): CreateTableCommandInput => ({
  TableName,
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'g', AttributeType: 'S' },
    { AttributeName: 'l', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'l', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
  GlobalSecondaryIndexes: [{ IndexName: 'gsi', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
  BillingMode: 'PAY_PER_REQUEST',
});

async function assertRejects(promise: Promise<unknown>, name: string, message: string): Promise<void> {
  const error = await rejection(promise);
  assert.equal(error.name, name);
  assert.equal(error.message, message);
}

const waiter = (client: DynamoDBClient) => ({ client, minDelay: 1, maxDelay: 1, maxWaitTime: 60 });

describe('tables.createDelayMs: DynamoDB\'s asynchronous table lifecycle', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  const dataDirectory = tempDirectory();
  before(async () => {
    cove = await startCove({ config: config(`tables: { createDelayMs: ${DELAY_MS} }`), dataDirectory });
    db = cove.client('AKIAADMIN000000001', 'admin-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(dataDirectory);
  });

  it('keeps a new table CREATING, listed but unusable, then ACTIVE for the SDK waiter', async () => {
    const created = await db.send(new CreateTableCommand(tableInput('slow')));
    assert.equal(created.TableDescription?.TableStatus, 'CREATING');
    const described = (await db.send(new DescribeTableCommand({ TableName: 'slow' }))).Table!;
    assert.equal(described.TableStatus, 'CREATING');
    assert.deepEqual(described.GlobalSecondaryIndexes?.map((index) => index.IndexStatus), ['CREATING']);
    assert.ok((await db.send(new ListTablesCommand({}))).TableNames?.includes('slow'));
    const item = { pk: { S: 'a' }, sk: { S: '1' } };
    const notFound = ['ResourceNotFoundException', 'Requested resource not found'] as const;
    await assertRejects(db.send(new PutItemCommand({ TableName: 'slow', Item: item })), ...notFound);
    await assertRejects(db.send(new GetItemCommand({ TableName: 'slow', Key: item })), ...notFound);
    await assertRejects(db.send(new QueryCommand({ TableName: 'slow', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'a' } } })), ...notFound);
    await assertRejects(db.send(new BatchWriteItemCommand({ RequestItems: { slow: [{ PutRequest: { Item: item } }] } })), ...notFound);
    const beingCreated = 'Attempt to change a resource which is still in use: Table is being created: slow';
    await assertRejects(db.send(new DeleteTableCommand({ TableName: 'slow' })), 'ResourceInUseException', beingCreated);
    await assertRejects(db.send(new UpdateTableCommand({ TableName: 'slow', DeletionProtectionEnabled: true })), 'ResourceInUseException', beingCreated);

    await waitUntilTableExists(waiter(db), { TableName: 'slow' });
    const active = (await db.send(new DescribeTableCommand({ TableName: 'slow' }))).Table!;
    assert.equal(active.TableStatus, 'ACTIVE');
    assert.deepEqual(active.GlobalSecondaryIndexes?.map((index) => index.IndexStatus), ['ACTIVE']);
    await db.send(new PutItemCommand({ TableName: 'slow', Item: item }));
    assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'slow', Key: item }))).Item, item);
  });

  it('keeps a deleted table DELETING, listed, described and unusable; a second DeleteTable is no error; then the name is free', async () => {
    await db.send(new CreateTableCommand(tableInput('leaving')));
    await waitUntilTableExists(waiter(db), { TableName: 'leaving' });
    const item = { pk: { S: 'a' }, sk: { S: '1' }, g: { S: 'x' } };
    await db.send(new PutItemCommand({ TableName: 'leaving', Item: item }));

    const deleted = (await db.send(new DeleteTableCommand({ TableName: 'leaving' }))).TableDescription!;
    assert.equal(deleted.TableStatus, 'DELETING');
    assert.equal(deleted.GlobalSecondaryIndexes, undefined, 'DeleteTable describes the table without its global indexes');
    assert.deepEqual(deleted.LocalSecondaryIndexes?.map((index) => index.IndexName), ['lsi']);
    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'leaving' }))).Table?.TableStatus, 'DELETING');
    assert.ok((await db.send(new ListTablesCommand({}))).TableNames?.includes('leaving'));
    assert.equal((await db.send(new DeleteTableCommand({ TableName: 'leaving' }))).TableDescription?.TableStatus, 'DELETING');
    await assertRejects(db.send(new GetItemCommand({ TableName: 'leaving', Key: { pk: item.pk, sk: item.sk } })), 'ResourceNotFoundException', 'Requested resource not found');
    await assertRejects(db.send(new PutItemCommand({ TableName: 'leaving', Item: item })), 'ResourceNotFoundException', 'Requested resource not found');
    await assertRejects(db.send(new CreateTableCommand(tableInput('leaving'))), 'ResourceInUseException', 'Table already exists: leaving');
    await assertRejects(
      db.send(new UpdateTableCommand({ TableName: 'leaving', DeletionProtectionEnabled: true })),
      'ResourceInUseException',
      'Attempt to change a resource which is still in use: Table is being deleted: leaving',
    );

    await waitUntilTableNotExists(waiter(db), { TableName: 'leaving' });
    assert.ok(!(await db.send(new ListTablesCommand({}))).TableNames?.includes('leaving'));
    await assertRejects(db.send(new DeleteTableCommand({ TableName: 'leaving' })), 'ResourceNotFoundException', 'Requested resource not found: Table: leaving not found');
    await db.send(new CreateTableCommand(tableInput('leaving')));
    await waitUntilTableExists(waiter(db), { TableName: 'leaving' });
    assert.equal((await db.send(new GetItemCommand({ TableName: 'leaving', Key: { pk: item.pk, sk: item.sk } }))).Item, undefined, 'the new table has none of the old one\'s items');
  });
});

describe('tables: defaults', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  const dataDirectory = tempDirectory();
  before(async () => {
    cove = await startCove({ config: config(''), dataDirectory });
    db = cove.client('AKIAADMIN000000001', 'admin-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(dataDirectory);
  });

  it('makes a table ACTIVE at once and gone at once, DeleteTable describing it DELETING without its global indexes', async () => {
    assert.equal((await db.send(new CreateTableCommand(tableInput('quick')))).TableDescription?.TableStatus, 'CREATING');
    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'quick' }))).Table?.TableStatus, 'ACTIVE');
    const deleted = (await db.send(new DeleteTableCommand({ TableName: 'quick' }))).TableDescription!;
    assert.equal(deleted.TableStatus, 'DELETING');
    assert.equal(deleted.GlobalSecondaryIndexes, undefined);
    assert.equal(deleted.TableName, 'quick');
    await assertRejects(db.send(new DescribeTableCommand({ TableName: 'quick' })), 'ResourceNotFoundException', 'Requested resource not found: Table: quick not found');
  });

  it('refuses a tables: section with a wrong delay at start', async () => {
    await assert.rejects(startCove({ config: config('tables: { createDelayMs: -1 }'), dataDirectory: tempDirectory() }), /tables\.createDelayMs: expected at least 0 ms/);
  });
});
