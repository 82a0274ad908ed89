import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeLimitsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type Tag,
} from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { openTestStore, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
const json = (value: unknown) => JSON.stringify(value);

const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: AKIAADMIN000000001, secret: admin-secret }]
      policies: [{ name: all, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })} }]
    - name: creator
      accessKeys: [{ id: AKIACREATOR0000001, secret: creator-secret }]
      policies: [{ name: create, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'], Resource: '*' }] })} }]
`;

const tableInput = (TableName: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput => ({
  TableName,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
  ...extra,
});

async function assertRejects(promise: Promise<unknown>, name: string, message: string): Promise<void> {
  const error = await rejection(promise);
  assert.equal(error.name, name);
  assert.equal(error.message, message);
}

describe('table lifecycle', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  const dataDirectory = tempDirectory();
  const listTags = async (name: string) => (await db.send(new ListTagsOfResourceCommand({ ResourceArn: `${ARN}/${name}` }))).Tags;

  before(async () => {
    cove = await startCove({ config: CONFIG, dataDirectory });
    db = cove.client('AKIAADMIN000000001', 'admin-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(dataDirectory);
  });

  describe('tags', () => {
    it('sets tags at CreateTable and through TagResource, prototype-named keys included, and removes them', async () => {
      await db.send(new CreateTableCommand(tableInput('tagged', { Tags: [{ Key: '__proto__', Value: 'p' }, { Key: 'team', Value: 'blue' }] })));
      assert.deepEqual(await listTags('tagged'), [{ Key: '__proto__', Value: 'p' }, { Key: 'team', Value: 'blue' }]);
      await db.send(new TagResourceCommand({ ResourceArn: `${ARN}/tagged`, Tags: [{ Key: 'constructor', Value: '' }, { Key: 'team', Value: 'red' }, { Key: 'prototype', Value: 'x y' }] }));
      assert.deepEqual(await listTags('tagged'), [
        { Key: '__proto__', Value: 'p' },
        { Key: 'team', Value: 'red' },
        { Key: 'constructor', Value: '' },
        { Key: 'prototype', Value: 'x y' },
      ]);
      await db.send(new UntagResourceCommand({ ResourceArn: `${ARN}/tagged`, TagKeys: ['__proto__', 'constructor', 'absent'] }));
      assert.deepEqual(await listTags('tagged'), [{ Key: 'team', Value: 'red' }, { Key: 'prototype', Value: 'x y' }]);
    });

    it('answers TagResource and UntagResource with an empty body, as the model has no output for them', async () => {
      const { signedCall } = await import('../support/signed.js');
      await db.send(new CreateTableCommand(tableInput('empty-answers')));
      const call = (target: string, body: unknown) => signedCall({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: JSON.stringify(body), accessKeyId: 'AKIAADMIN000000001', secretAccessKey: 'admin-secret' });
      const tagged = await call('TagResource', { ResourceArn: `${ARN}/empty-answers`, Tags: [{ Key: 'k', Value: 'v' }] });
      assert.equal(tagged.status, 200);
      assert.equal(tagged.body, '');
      assert.equal(tagged.headers.get('x-amz-crc32'), '0');
      const untagged = await call('UntagResource', { ResourceArn: `${ARN}/empty-answers`, TagKeys: ['k'] });
      assert.equal(untagged.body, '');
      const listed = await call('ListTagsOfResource', { ResourceArn: `${ARN}/empty-answers` });
      assert.equal(listed.body, '{"Tags":[]}');
    });

    it('refuses invalid tags with DynamoDB\'s texts, all or nothing', async () => {
      await db.send(new CreateTableCommand(tableInput('tagchecks')));
      const tag = (Tags: Tag[]) => db.send(new TagResourceCommand({ ResourceArn: `${ARN}/tagchecks`, Tags }));
      await assertRejects(tag([]), 'ValidationException', 'Atleast one Tag needs to be provided as Input.');
      await assertRejects(tag([{ Key: 'ok', Value: '1' }, { Key: 'a,b', Value: '1' }]), 'ValidationException', 'The Tag Key provided is invalid, Key: a,b');
      await assertRejects(tag([{ Key: 'ok', Value: '100%' }]), 'ValidationException', 'The Tag Value provided is invalid, Value: 100%');
      await assertRejects(tag([{ Key: 'ok', Value: '1' }, { Key: 'aws:zzz', Value: '1' }]), 'ValidationException', 'Tag Key cannot be prefixed with aws:, Key: aws:zzz');
      await assertRejects(tag([{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }]), 'ValidationException', 'Duplicate Tag Keys provided as input: Duplicate Tag Key found dup');
      assert.deepEqual(await listTags('tagchecks'), [], 'no tag of a refused request is set');
      await tag(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })));
      await tag([{ Key: 'k0', Value: 'again' }]);
      await assertRejects(tag([{ Key: 'k50', Value: 'v' }]), 'ValidationException', 'Number of Tags exceed the current limit for the provided ResourceArn');
      const listed = await db.send(new ListTagsOfResourceCommand({ ResourceArn: `${ARN}/tagchecks` }));
      assert.equal(listed.Tags?.length, 50);
      assert.equal(listed.NextToken, undefined, 'DynamoDB answers 50 tags in one page');
      await assertRejects(
        db.send(new UntagResourceCommand({ ResourceArn: `${ARN}/tagchecks`, TagKeys: [] })),
        'ValidationException',
        'Atleast one Tag Key needs to be provided as Input.',
      );
      await assertRejects(
        db.send(new CreateTableCommand(tableInput('badtags', { Tags: [{ Key: 'aws:x', Value: '1' }] }))),
        'ValidationException',
        'Tag Key cannot be prefixed with aws:, Key: aws:x',
      );
    });

    it('answers DynamoDB\'s errors for an ARN that names no table here', async () => {
      const list = (ResourceArn: string) => db.send(new ListTagsOfResourceCommand({ ResourceArn }));
      await assertRejects(list(`${ARN}/nosuch`), 'ResourceNotFoundException', `Requested resource not found: ResourcArn: ${ARN}/nosuch not found`);
      await assertRejects(
        db.send(new UntagResourceCommand({ ResourceArn: `${ARN}/nosuch`, TagKeys: ['a'] })),
        'ResourceNotFoundException',
        'Requested resource not found',
      );
      const elsewhere = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/tagged`;
      await assertRejects(list(elsewhere), 'ValidationException', `Invalid TableArn: Invalid ResourceArn provided as input ${elsewhere}`);
      await assertRejects(list('tagged'), 'ValidationException', "One or more parameter values were invalid: ARNs must start with 'arn:': tagged");
      await assertRejects(list(`${ARN}/tagged/index/i1`), 'ValidationException', `One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: ${ARN}/tagged/index/i1`);
      await assertRejects(list('arn:aws:s3:::bucket'), 'ValidationException', 'One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket');
    });

    it('needs dynamodb:TagResource to create a table with tags', async () => {
      const creator = cove.client('AKIACREATOR0000001', 'creator-secret');
      const denied = await rejection(creator.send(new CreateTableCommand(tableInput('creatortags', { Tags: [{ Key: 'team', Value: 'blue' }] }))));
      assert.equal(denied.name, 'AccessDeniedException');
      assert.equal(
        denied.message,
        `User: arn:aws:iam::${ACCOUNT}:user/creator is not authorized to perform: dynamodb:TagResource on resource: ${ARN}/creatortags because no identity-based policy allows the dynamodb:TagResource action`,
      );
      await assertRejects(creator.send(new DescribeTableCommand({ TableName: 'creatortags' })), 'ResourceNotFoundException', 'Requested resource not found: Table: creatortags not found');
      await creator.send(new CreateTableCommand(tableInput('creatortags')));
    });

    it('records TagResource as a Management event with its tags', async () => {
      const response = await db.send(new TagResourceCommand({ ResourceArn: `${ARN}/tagged`, Tags: [{ Key: 'audited', Value: 'yes' }] }));
      const record = await auditRecordFor(cove, response.$metadata.requestId);
      assert.equal(record.eventName, 'TagResource');
      assert.equal(record.eventCategory, 'Management');
      assert.deepEqual(record.requestParameters, { resourceArn: `${ARN}/tagged`, tags: [{ key: 'audited', value: 'yes' }] });
    });
  });

  describe('time to live', () => {
    it('is disabled by default, enabled on one attribute, and not changed again within the hour', async () => {
      await db.send(new CreateTableCommand(tableInput('ttl')));
      const describeTtl = async () => (await db.send(new DescribeTimeToLiveCommand({ TableName: 'ttl' }))).TimeToLiveDescription;
      const update = (Enabled: boolean, AttributeName: string) => db.send(new UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { Enabled, AttributeName } }));
      assert.deepEqual(await describeTtl(), { TimeToLiveStatus: 'DISABLED' });
      await assertRejects(update(false, 'expires'), 'ValidationException', 'TimeToLive is already disabled');
      assert.deepEqual((await update(true, 'expires')).TimeToLiveSpecification, { Enabled: true, AttributeName: 'expires' });
      assert.deepEqual(await describeTtl(), { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
      await assertRejects(update(true, 'expires'), 'ValidationException', 'TimeToLive is already enabled');
      await assertRejects(update(true, 'other'), 'ValidationException', 'TimeToLive is active on a different AttributeName: current AttributeName is expires');
      // A second change within the hour is refused (after the checks of the request's content); applyTimeToLive's test covers the hour after.
      await assertRejects(update(false, 'expires'), 'ValidationException', 'Time to live has been modified multiple times within a fixed interval');
      assert.deepEqual(await describeTtl(), { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
      await assertRejects(
        db.send(new UpdateTimeToLiveCommand({ TableName: 'nosuch', TimeToLiveSpecification: { Enabled: true, AttributeName: 'x' } })),
        'ResourceNotFoundException',
        'Requested resource not found: Table: nosuch not found',
      );
    });
  });

  describe('continuous backups', () => {
    it('reports point-in-time recovery off by default, then its window and period', async () => {
      await db.send(new CreateTableCommand(tableInput('pitr')));
      const describeBackups = async () => (await db.send(new DescribeContinuousBackupsCommand({ TableName: 'pitr' }))).ContinuousBackupsDescription;
      assert.deepEqual(await describeBackups(), { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } });
      const before = Date.now() / 1000;
      const enabled = await db.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 } }));
      const pitr = enabled.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
      assert.equal(pitr?.PointInTimeRecoveryStatus, 'ENABLED');
      assert.equal(pitr?.RecoveryPeriodInDays, 7);
      assert.ok(pitr?.EarliestRestorableDateTime && pitr.EarliestRestorableDateTime.getTime() / 1000 >= before - 1);
      assert.ok(pitr?.LatestRestorableDateTime && pitr.LatestRestorableDateTime >= pitr.EarliestRestorableDateTime);
      assert.equal((await describeBackups())?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 7);
      await db.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      assert.equal((await describeBackups())?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 7, 'enabling again keeps the period');
      await assertRejects(
        db.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 36 } })),
        'ValidationException',
        "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35",
      );
      await assertRejects(
        db.send(new UpdateContinuousBackupsCommand({ TableName: 'pitr', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false, RecoveryPeriodInDays: 3 } })),
        'ValidationException',
        'Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.',
      );
      await assertRejects(db.send(new DescribeContinuousBackupsCommand({ TableName: 'nosuch' })), 'TableNotFoundException', 'Table not found: nosuch');
    });
  });

  describe('wire fidelity of CreateTable and PutItem', () => {
    it('accepts a specification that only turns a feature off, and refuses one that turns it on', async () => {
      await db.send(new CreateTableCommand(tableInput('streams-off', { StreamSpecification: { StreamEnabled: false }, SSESpecification: { Enabled: false } })));
      const described = await db.send(new DescribeTableCommand({ TableName: 'streams-off' }));
      assert.equal(described.Table?.StreamSpecification, undefined);
      assert.equal(described.Table?.SSEDescription, undefined);
      await assertRejects(db.send(new CreateTableCommand(tableInput('streams-on', { SSESpecification: { Enabled: true } }))), 'ValidationException', 'cove does not support SSESpecification on CreateTable yet');
    });

    it('refuses an attribute defined twice, in DynamoDB\'s words', async () => {
      await assertRejects(
        db.send(new CreateTableCommand(tableInput('twice', { AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'pk', AttributeType: 'N' }] }))),
        'ValidationException',
        'Attribute Name is duplicated: pk',
      );
    });

    it('checks an item\'s size before looking the table up', async () => {
      const { PutItemCommand } = await import('@aws-sdk/client-dynamodb');
      await assertRejects(db.send(new PutItemCommand({ TableName: 'no-such-table', Item: { pk: { S: 'a' }, big: { S: 'x'.repeat(500_000) } } })), 'ValidationException', 'Item size has exceeded the maximum allowed size');
    });
  });

  it('answers DescribeLimits with the default quotas', async () => {
    const limits = await db.send(new DescribeLimitsCommand({}));
    assert.deepEqual(
      { ...limits, $metadata: undefined },
      { $metadata: undefined, AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000, TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000 },
    );
  });

  describe('UpdateTable', () => {
    const update = (input: Omit<ConstructorParameters<typeof UpdateTableCommand>[0], 'TableName'>) => db.send(new UpdateTableCommand({ TableName: 'billing', ...input }));
    const describeTable = async () => (await db.send(new DescribeTableCommand({ TableName: 'billing' }))).Table!;

    it('switches billing modes with DynamoDB\'s rules and texts', async () => {
      await db.send(new CreateTableCommand(tableInput('billing')));
      await assertRejects(
        update({}),
        'ValidationException',
        'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required',
      );
      await assertRejects(update({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }), 'ValidationException', 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
      await assertRejects(update({ BillingMode: 'PROVISIONED' }), 'ValidationException', 'One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED');
      assert.equal((await update({ BillingMode: 'PAY_PER_REQUEST' })).TableDescription?.TableStatus, 'UPDATING', 'the same mode again is no error');
      const created = (await describeTable()).BillingModeSummary?.LastUpdateToPayPerRequestDateTime;
      await update({ BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } });
      const provisioned = await describeTable();
      assert.equal(provisioned.TableStatus, 'ACTIVE');
      assert.deepEqual(provisioned.BillingModeSummary, { BillingMode: 'PROVISIONED', LastUpdateToPayPerRequestDateTime: created });
      assert.equal(provisioned.ProvisionedThroughput?.ReadCapacityUnits, 5);
      await assertRejects(
        update({ ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
        'ValidationException',
        'The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
      );
      await update({ ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 } });
      await update({ ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 5 } });
      const throughput = (await describeTable()).ProvisionedThroughput!;
      assert.deepEqual([throughput.ReadCapacityUnits, throughput.WriteCapacityUnits, throughput.NumberOfDecreasesToday], [2, 5, 1]);
      assert.ok(throughput.LastIncreaseDateTime && throughput.LastDecreaseDateTime && throughput.LastDecreaseDateTime >= throughput.LastIncreaseDateTime);
      // Four decreases a UTC day at any time, then one an hour: the fifth within the hour is refused, and not counted.
      for (const units of [{ ReadCapacityUnits: 1, WriteCapacityUnits: 5 }, { ReadCapacityUnits: 1, WriteCapacityUnits: 4 }, { ReadCapacityUnits: 1, WriteCapacityUnits: 3 }]) await update({ ProvisionedThroughput: units });
      const fifth = await rejection(update({ ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 2 } }));
      assert.equal(fifth.name, 'LimitExceededException');
      assert.match(
        fifth.message,
        /^Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day\. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds\. Number of decreases today: 4\. Last decrease at \w+day, \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}:\d{2} [AP]M Coordinated Universal Time\. Next decrease can be made at \w+day, .+ Coordinated Universal Time\.$/,
      );
      assert.equal((await describeTable()).ProvisionedThroughput?.NumberOfDecreasesToday, 4);
      await update({ ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 5 } });
      await assertRejects(
        update({ BillingMode: 'PAY_PER_REQUEST', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }),
        'ValidationException',
        'One or more parameter values were invalid: ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST',
      );
      const before = Date.now() / 1000;
      await update({ BillingMode: 'PAY_PER_REQUEST' });
      const onDemand = await describeTable();
      assert.equal(onDemand.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
      assert.ok(onDemand.BillingModeSummary!.LastUpdateToPayPerRequestDateTime!.getTime() / 1000 >= before - 1);
      assert.deepEqual([onDemand.ProvisionedThroughput?.ReadCapacityUnits, onDemand.ProvisionedThroughput?.WriteCapacityUnits], [0, 0]);
    });

    it('switches an on-demand table with global indexes to provisioned only when each index is given throughput', async () => {
      const indexed = (IndexName: string) => ({ IndexName, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'KEYS_ONLY' as const } });
      await db.send(new CreateTableCommand(tableInput('switching', { GlobalSecondaryIndexes: [indexed('gsi1'), indexed('gsi2')] })));
      const units = { ReadCapacityUnits: 3, WriteCapacityUnits: 4 };
      const toProvisioned = (updates: { Update: { IndexName: string; ProvisionedThroughput: typeof units } }[]) =>
        db.send(new UpdateTableCommand({ TableName: 'switching', BillingMode: 'PROVISIONED', ProvisionedThroughput: units, ...(updates.length > 0 ? { GlobalSecondaryIndexUpdates: updates } : {}) }));
      await assertRejects(toProvisioned([]), 'ValidationException', 'One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsi1,gsi2');
      await assertRejects(toProvisioned([{ Update: { IndexName: 'gsi2', ProvisionedThroughput: units } }]), 'ValidationException', 'One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsi1');
      assert.equal((await db.send(new DescribeTableCommand({ TableName: 'switching' }))).Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST', 'a refused switch changes nothing');
    });

    it('switches a table to on-demand four times within 24 hours, then refuses (back to provisioned: any time)', async () => {
      await db.send(new CreateTableCommand(tableInput('switchy')));
      const to = (BillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED') =>
        db.send(new UpdateTableCommand({ TableName: 'switchy', BillingMode, ...(BillingMode === 'PROVISIONED' ? { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } : {}) }));
      for (let i = 0; i < 4; i++) {
        await to('PROVISIONED');
        await to('PAY_PER_REQUEST');
      }
      await to('PROVISIONED');
      const refused = await rejection(to('PAY_PER_REQUEST'));
      assert.equal(refused.name, 'LimitExceededException');
      assert.match(refused.message, /^Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day\(s\)\. Last update at \w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}\. Next update can be made at /);
      assert.equal((await db.send(new DescribeTableCommand({ TableName: 'switchy' }))).Table?.BillingModeSummary?.BillingMode, 'PROVISIONED');
    });

    it('sets deletion protection, which DeleteTable honours, and refuses what it does not do yet', async () => {
      await assertRejects(
        update({ DeletionProtectionEnabled: true, BillingMode: 'PAY_PER_REQUEST' }),
        'ValidationException',
        'One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request',
      );
      await update({ DeletionProtectionEnabled: true });
      assert.equal((await describeTable()).DeletionProtectionEnabled, true);
      await assertRejects(
        db.send(new DeleteTableCommand({ TableName: 'billing' })),
        'ValidationException',
        'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.',
      );
      await assertRejects(update({ TableClass: 'STANDARD' }), 'ValidationException', 'cove does not support TableClass on UpdateTable yet');
      await assertRejects(update({ StreamSpecification: { StreamEnabled: false } }), 'ValidationException', 'Table has no stream to disable: TableName: billing');
      await assertRejects(
        db.send(new UpdateTableCommand({ TableName: 'nosuch', DeletionProtectionEnabled: true })),
        'ResourceNotFoundException',
        'Requested resource not found: Table: nosuch not found',
      );
      await update({ DeletionProtectionEnabled: false });
      await db.send(new DeleteTableCommand({ TableName: 'billing' }));
    });
  });

  it('keeps every setting across a restart, and answers for tables recorded before settings existed', async () => {
    await db.send(new CreateTableCommand(tableInput('durable', { Tags: [{ Key: 'constructor', Value: 'kept' }] })));
    await db.send(new UpdateTimeToLiveCommand({ TableName: 'durable', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }));
    await db.send(new UpdateContinuousBackupsCommand({ TableName: 'durable', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await db.send(new UpdateTableCommand({ TableName: 'durable', DeletionProtectionEnabled: true }));
    await db.send(new CreateTableCommand(tableInput('legacy', { Tags: [{ Key: 'gone', Value: 'soon' }] })));
    await cove.stop();
    await rewriteAsOldRecord(dataDirectory, 'legacy');

    cove = await startCove({ config: CONFIG, dataDirectory });
    db = cove.client('AKIAADMIN000000001', 'admin-secret');
    assert.deepEqual(await listTags('durable'), [{ Key: 'constructor', Value: 'kept' }]);
    assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'durable' }))).TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    const backups = (await db.send(new DescribeContinuousBackupsCommand({ TableName: 'durable' }))).ContinuousBackupsDescription;
    assert.equal(backups?.PointInTimeRecoveryDescription?.RecoveryPeriodInDays, 35);
    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'durable' }))).Table?.DeletionProtectionEnabled, true);

    assert.equal((await db.send(new DescribeTableCommand({ TableName: 'legacy' }))).Table?.TableName, 'legacy');
    assert.deepEqual(await listTags('legacy'), []);
    assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'legacy' }))).TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' });
    assert.equal((await db.send(new DescribeContinuousBackupsCommand({ TableName: 'legacy' }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus, 'DISABLED');
  });
});

/** Rewrites a table's catalog record as cove wrote it before tables had settings. */
async function rewriteAsOldRecord(dataDirectory: string, name: string): Promise<void> {
  const { catalogKey } = await import('../../src/dynamo/keys.js');
  const engine = await openTestStore(dataDirectory);
  try {
    const stored = await engine.get(catalogKey(name));
    assert.ok(stored, `${name} is in the catalog`);
    const { settings: _settings, ...old } = JSON.parse(stored.toString('utf8')) as Record<string, unknown>;
    const outcome = await engine.writeBatch([{ key: catalogKey(name), value: Buffer.from(JSON.stringify(old)) }]);
    assert.ok(outcome.ok);
  } finally {
    await engine.close();
  }
}
