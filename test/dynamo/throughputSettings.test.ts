import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { openTestStore, removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: owner
      accessKeys: [{ id: AKIATHROUGHPUT000001, secret: owner-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
`;

const INVALID = 'One or more parameter values were invalid: ';
const ON_DEMAND_DOC = 'See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial';
const units = (r: number, w: number) => ({ ReadCapacityUnits: r, WriteCapacityUnits: w });
const warm = (r: number, w: number, Status = 'ACTIVE') => ({ ReadUnitsPerSecond: r, WriteUnitsPerSecond: w, Status });

const onDemandTable = (TableName: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput => ({
  TableName,
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(extra.GlobalSecondaryIndexes ? [{ AttributeName: 'g', AttributeType: 'S' as const }] : [])],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
  ...extra,
});
const provisionedTable = (TableName: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput =>
  onDemandTable(TableName, { BillingMode: 'PROVISIONED', ProvisionedThroughput: units(1, 1), ...extra });
const gsi = (IndexName: string, extra: Partial<GlobalSecondaryIndex> = {}): GlobalSecondaryIndex => ({
  IndexName,
  KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'KEYS_ONLY' },
  ...extra,
});

describe('OnDemandThroughput and WarmThroughput', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  const dataDirectory = tempDirectory();

  before(async () => {
    cove = await startCove({ config: CONFIG, dataDirectory });
    db = cove.client('AKIATHROUGHPUT000001', 'owner-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(dataDirectory);
  });

  const create = (input: CreateTableCommandInput) => db.send(new CreateTableCommand(input));
  const update = (TableName: string, input: Omit<UpdateTableCommandInput, 'TableName'>) => db.send(new UpdateTableCommand({ TableName, ...input }));
  const describeTable = async (TableName: string) => (await db.send(new DescribeTableCommand({ TableName }))).Table!;
  const describeIndex = async (table: string, name: string) => (await describeTable(table)).GlobalSecondaryIndexes!.find((index) => index.IndexName === name)!;
  async function assertRefused(promise: Promise<unknown>, name: string, message: string): Promise<void> {
    const error = await rejection(promise);
    assert.deepEqual([error.name, error.message], [name, message]);
  }

  describe('OnDemandThroughput', () => {
    it('refuses at CreateTable a limit below 1, -1 included, for the table and for an index', async () => {
      for (const value of [0, -2, -1]) {
        await assertRefused(
          create(onDemandTable('od-range', { OnDemandThroughput: { MaxReadRequestUnits: value } })),
          'ValidationException',
          `${INVALID}Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range`,
        );
        await assertRefused(
          create(onDemandTable('od-range', { OnDemandThroughput: { MaxWriteRequestUnits: value } })),
          'ValidationException',
          `${INVALID}Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range`,
        );
      }
      await assertRefused(
        create(onDemandTable('od-range', { GlobalSecondaryIndexes: [gsi('g-a', { OnDemandThroughput: { MaxReadRequestUnits: 0 } })] })),
        'ValidationException',
        `${INVALID}Requested MaxReadRequestUnits for OnDemandThroughput for index : g-a is outside of valid range`,
      );
    });

    it('sets limits at CreateTable, shows them, and accepts an empty struct as nothing set', async () => {
      const created = await create(onDemandTable('od-set', { OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 }, GlobalSecondaryIndexes: [gsi('g-a', { OnDemandThroughput: { MaxWriteRequestUnits: 7 } })] }));
      assert.deepEqual(created.TableDescription?.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 });
      const described = await describeTable('od-set');
      assert.deepEqual(described.OnDemandThroughput, { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 });
      assert.deepEqual(described.GlobalSecondaryIndexes![0].OnDemandThroughput, { MaxWriteRequestUnits: 7 });
      await create(onDemandTable('od-empty', { OnDemandThroughput: {} }));
      assert.equal((await describeTable('od-empty')).OnDemandThroughput, undefined, 'DescribeTable omits OnDemandThroughput while no limit is set');
    });

    it('merges an UpdateTable member by member, at once, and -1 removes a limit (echoed, then omitted)', async () => {
      await create(onDemandTable('od-update'));
      const first = await update('od-update', { OnDemandThroughput: { MaxReadRequestUnits: 10 } });
      assert.equal(first.TableDescription?.TableStatus, 'ACTIVE');
      await update('od-update', { OnDemandThroughput: { MaxWriteRequestUnits: 20 } });
      let described = await describeTable('od-update');
      assert.equal(described.TableStatus, 'ACTIVE');
      assert.deepEqual(described.OnDemandThroughput, { MaxReadRequestUnits: 10, MaxWriteRequestUnits: 20 });
      const cleared = await update('od-update', { OnDemandThroughput: { MaxReadRequestUnits: -1 } });
      assert.deepEqual(cleared.TableDescription?.OnDemandThroughput, { MaxReadRequestUnits: -1, MaxWriteRequestUnits: 20 });
      assert.deepEqual((await describeTable('od-update')).OnDemandThroughput, { MaxWriteRequestUnits: 20 });
      await update('od-update', { OnDemandThroughput: { MaxWriteRequestUnits: -1 } });
      described = await describeTable('od-update');
      assert.equal(described.OnDemandThroughput, undefined);
      for (const value of [0, -2]) {
        await assertRefused(
          update('od-update', { OnDemandThroughput: { MaxWriteRequestUnits: value } }),
          'ValidationException',
          `${INVALID}Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range`,
        );
      }
    });

    it('takes an empty struct alone as a no-op (DynamoDB answers a 500) and ignores it beside another member', async () => {
      await create(onDemandTable('od-noop', { OnDemandThroughput: { MaxReadRequestUnits: 5 } }));
      const answer = await update('od-noop', { OnDemandThroughput: {} });
      assert.deepEqual(answer.TableDescription?.OnDemandThroughput, { MaxReadRequestUnits: 5 });
      await update('od-noop', { OnDemandThroughput: {}, DeletionProtectionEnabled: true });
      const described = await describeTable('od-noop');
      assert.equal(described.DeletionProtectionEnabled, true);
      assert.deepEqual(described.OnDemandThroughput, { MaxReadRequestUnits: 5 });
      await update('od-noop', { DeletionProtectionEnabled: false });
    });

    it('is refused on a provisioned table, at CreateTable and UpdateTable, naming the first member given', async () => {
      await assertRefused(
        create(provisionedTable('od-provisioned', { OnDemandThroughput: { MaxReadRequestUnits: 5, MaxWriteRequestUnits: 5 } })),
        'ValidationException',
        `${INVALID}MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.`,
      );
      await assertRefused(
        create(provisionedTable('od-provisioned', { OnDemandThroughput: { MaxWriteRequestUnits: 5 } })),
        'ValidationException',
        `${INVALID}MaxWriteRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.`,
      );
      await create(provisionedTable('od-provisioned'));
      await assertRefused(
        update('od-provisioned', { OnDemandThroughput: { MaxReadRequestUnits: 5 } }),
        'ValidationException',
        `${INVALID}MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED`,
      );
      // Switching to on-demand in the same request is accepted.
      await update('od-provisioned', { BillingMode: 'PAY_PER_REQUEST', OnDemandThroughput: { MaxReadRequestUnits: 5 } });
      const described = await describeTable('od-provisioned');
      assert.deepEqual([described.BillingModeSummary?.BillingMode, described.OnDemandThroughput], ['PAY_PER_REQUEST', { MaxReadRequestUnits: 5 }]);
    });

    it('is refused above the per-table quota with LimitExceededException', async () => {
      const quota = 'exceeds TableMaxReadCapacityUnits of the account in region us-east-1';
      await assertRefused(
        create(onDemandTable('od-quota', { OnDemandThroughput: { MaxReadRequestUnits: 40_001 } })),
        'LimitExceededException',
        `Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput for table ${quota}`,
      );
      await create(onDemandTable('od-quota', { OnDemandThroughput: { MaxReadRequestUnits: 40_000, MaxWriteRequestUnits: 40_000 } }));
      await assertRefused(
        update('od-quota', { OnDemandThroughput: { MaxWriteRequestUnits: 40_001 } }),
        'LimitExceededException',
        'Subscriber limit exceeded: Requested MaxWriteRequestUnits for OnDemandThroughput for table exceeds TableMaxWriteCapacityUnits of the account in region us-east-1',
      );
    });

    it('combines at UpdateTable with BillingMode only', async () => {
      await create(onDemandTable('od-combined'));
      const message = `${INVALID}OnDemandThroughput can only be combined with BillingMode in an UpdateTable request`;
      await assertRefused(update('od-combined', { OnDemandThroughput: { MaxReadRequestUnits: 5 }, DeletionProtectionEnabled: true }), 'ValidationException', message);
      await assertRefused(update('od-combined', { OnDemandThroughput: { MaxReadRequestUnits: 5 }, StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }), 'ValidationException', message);
      await update('od-combined', { OnDemandThroughput: { MaxReadRequestUnits: 5 }, BillingMode: 'PAY_PER_REQUEST' });
      assert.deepEqual((await describeTable('od-combined')).OnDemandThroughput, { MaxReadRequestUnits: 5 });
    });

    it('is dropped when the table switches to provisioned', async () => {
      await create(onDemandTable('od-switch', { OnDemandThroughput: { MaxReadRequestUnits: 5 }, GlobalSecondaryIndexes: [gsi('g-a', { OnDemandThroughput: { MaxReadRequestUnits: 6 } })] }));
      await update('od-switch', { BillingMode: 'PROVISIONED', ProvisionedThroughput: units(2, 2), GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g-a', ProvisionedThroughput: units(2, 2) } }] });
      const described = await describeTable('od-switch');
      assert.equal(described.OnDemandThroughput, undefined);
      assert.equal(described.GlobalSecondaryIndexes![0].OnDemandThroughput, undefined);
    });
  });

  describe('WarmThroughput', () => {
    it('is always shown: 12000/4000 for an on-demand table and its indexes', async () => {
      await create(onDemandTable('warm-od', { GlobalSecondaryIndexes: [gsi('g-a')] }));
      const described = await describeTable('warm-od');
      assert.deepEqual(described.WarmThroughput, warm(12_000, 4_000));
      assert.deepEqual(described.GlobalSecondaryIndexes![0].WarmThroughput, warm(12_000, 4_000));
    });

    it('keeps the highest throughput a provisioned table and its indexes have had, on-demand included', async () => {
      await create(provisionedTable('warm-prov', { GlobalSecondaryIndexes: [gsi('g-a', { ProvisionedThroughput: units(2, 1) })] }));
      assert.deepEqual((await describeTable('warm-prov')).WarmThroughput, warm(1, 1));
      assert.deepEqual((await describeIndex('warm-prov', 'g-a')).WarmThroughput, warm(2, 1));
      await update('warm-prov', { ProvisionedThroughput: units(3, 3) });
      await update('warm-prov', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g-a', ProvisionedThroughput: units(5, 6) } }] });
      await update('warm-prov', { ProvisionedThroughput: units(1, 1) });
      await update('warm-prov', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g-a', ProvisionedThroughput: units(1, 1) } }] });
      assert.deepEqual((await describeTable('warm-prov')).WarmThroughput, warm(3, 3));
      assert.deepEqual((await describeIndex('warm-prov', 'g-a')).WarmThroughput, warm(5, 6));
      await update('warm-prov', { BillingMode: 'PAY_PER_REQUEST' });
      assert.deepEqual((await describeTable('warm-prov')).WarmThroughput, warm(12_000, 4_000));
      assert.deepEqual((await describeIndex('warm-prov', 'g-a')).WarmThroughput, warm(12_000, 4_000));
      await update('warm-prov', { BillingMode: 'PROVISIONED', ProvisionedThroughput: units(1, 1), GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g-a', ProvisionedThroughput: units(1, 1) } }] });
      assert.deepEqual((await describeTable('warm-prov')).WarmThroughput, warm(12_000, 4_000));
      assert.deepEqual((await describeIndex('warm-prov', 'g-a')).WarmThroughput, warm(12_000, 4_000));
    });

    it('is answered by CreateTable only when requested, then UPDATING; DescribeTable shows it ACTIVE', async () => {
      const plain = await create(onDemandTable('warm-plain', { GlobalSecondaryIndexes: [gsi('g-a')] }));
      assert.equal(plain.TableDescription?.WarmThroughput, undefined);
      assert.equal(plain.TableDescription?.GlobalSecondaryIndexes![0].WarmThroughput, undefined);
      const requested = await create(onDemandTable('warm-requested', { WarmThroughput: { ReadUnitsPerSecond: 15_000, WriteUnitsPerSecond: 5_000 }, GlobalSecondaryIndexes: [gsi('g-a', { WarmThroughput: { ReadUnitsPerSecond: 13_000 } })] }));
      assert.deepEqual(requested.TableDescription?.WarmThroughput, warm(15_000, 5_000, 'UPDATING'));
      assert.deepEqual(requested.TableDescription?.GlobalSecondaryIndexes![0].WarmThroughput, warm(13_000, 4_000, 'UPDATING'));
      const described = await describeTable('warm-requested');
      assert.deepEqual(described.WarmThroughput, warm(15_000, 5_000));
      assert.deepEqual(described.GlobalSecondaryIndexes![0].WarmThroughput, warm(13_000, 4_000));
      await create(provisionedTable('warm-requested-prov', { WarmThroughput: { ReadUnitsPerSecond: 1, WriteUnitsPerSecond: 9 } }));
      assert.deepEqual((await describeTable('warm-requested-prov')).WarmThroughput, warm(1, 9));
    });

    it('is refused at CreateTable below on-demand\'s initial throughput or the provisioned units', async () => {
      const low = (member: string, owner: string) => `${INVALID}Requested ${member} for WarmThroughput for ${owner} is lower than initial throughput for OnDemand. ${ON_DEMAND_DOC}`;
      await assertRefused(create(onDemandTable('warm-low', { WarmThroughput: { ReadUnitsPerSecond: 11_999 } })), 'ValidationException', low('ReadUnitsPerSecond', 'table'));
      await assertRefused(create(onDemandTable('warm-low', { WarmThroughput: { ReadUnitsPerSecond: 12_000, WriteUnitsPerSecond: 3_999 } })), 'ValidationException', low('WriteUnitsPerSecond', 'table'));
      await assertRefused(create(onDemandTable('warm-low', { GlobalSecondaryIndexes: [gsi('g-a', { WarmThroughput: { ReadUnitsPerSecond: 100 } })] })), 'ValidationException', low('ReadUnitsPerSecond', 'index g-a'));
      await assertRefused(
        create(provisionedTable('warm-low', { ProvisionedThroughput: units(5, 5), WarmThroughput: { ReadUnitsPerSecond: 4, WriteUnitsPerSecond: 5 } })),
        'ValidationException',
        `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput`,
      );
      await assertRefused(
        create(provisionedTable('warm-low', { ProvisionedThroughput: units(5, 5), WarmThroughput: { WriteUnitsPerSecond: 4 } })),
        'ValidationException',
        `${INVALID}Requested WriteUnitsPerSecond for WarmThroughput for table is lower than WriteCapacityUnits of ProvisionedThroughput`,
      );
    });

    it('rises by UpdateTable, never falls; the answer shows the old values UPDATING', async () => {
      await create(onDemandTable('warm-raise'));
      await assertRefused(
        update('warm-raise', { WarmThroughput: { ReadUnitsPerSecond: 11_000 } }),
        'ValidationException',
        `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
      );
      const answer = await update('warm-raise', { WarmThroughput: { ReadUnitsPerSecond: 20_000 } });
      assert.deepEqual(answer.TableDescription?.WarmThroughput, warm(12_000, 4_000, 'UPDATING'));
      assert.deepEqual((await describeTable('warm-raise')).WarmThroughput, warm(20_000, 4_000));
      await update('warm-raise', { WarmThroughput: { ReadUnitsPerSecond: 20_000, WriteUnitsPerSecond: 4_000 } });
      await update('warm-raise', { WarmThroughput: { WriteUnitsPerSecond: 6_000 } });
      assert.deepEqual((await describeTable('warm-raise')).WarmThroughput, warm(20_000, 6_000));
      await assertRefused(
        update('warm-raise', { WarmThroughput: { WriteUnitsPerSecond: 5_999 } }),
        'ValidationException',
        `${INVALID}Requested WriteUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
      );
    });

    it('must be the only operation of an UpdateTable', async () => {
      await create(onDemandTable('warm-alone'));
      const message = `${INVALID}WarmThroughput must be the only operation in the request`;
      await assertRefused(update('warm-alone', { WarmThroughput: { ReadUnitsPerSecond: 20_000 }, BillingMode: 'PAY_PER_REQUEST' }), 'ValidationException', message);
      await assertRefused(update('warm-alone', { WarmThroughput: { ReadUnitsPerSecond: 20_000 }, DeletionProtectionEnabled: true }), 'ValidationException', message);
      assert.deepEqual((await describeTable('warm-alone')).WarmThroughput, warm(12_000, 4_000));
    });
  });

  describe('on global indexes', () => {
    it('changes an index\'s OnDemandThroughput and WarmThroughput with GlobalSecondaryIndexUpdates Update', async () => {
      await create(onDemandTable('gsi-settings', { GlobalSecondaryIndexes: [gsi('gsi1')] }));
      const limited = await update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', OnDemandThroughput: { MaxReadRequestUnits: 30 } } }] });
      assert.deepEqual(limited.TableDescription?.GlobalSecondaryIndexes![0].OnDemandThroughput, { MaxReadRequestUnits: 30 });
      assert.deepEqual((await describeIndex('gsi-settings', 'gsi1')).OnDemandThroughput, { MaxReadRequestUnits: 30 });
      await update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', OnDemandThroughput: { MaxReadRequestUnits: -1 } } }] });
      assert.equal((await describeIndex('gsi-settings', 'gsi1')).OnDemandThroughput, undefined);

      const warmed = await update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', WarmThroughput: { WriteUnitsPerSecond: 4_500 } } }] });
      assert.deepEqual(warmed.TableDescription?.GlobalSecondaryIndexes![0].WarmThroughput, warm(12_000, 4_000, 'UPDATING'));
      assert.deepEqual((await describeIndex('gsi-settings', 'gsi1')).WarmThroughput, warm(12_000, 4_500));
      await assertRefused(
        update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', WarmThroughput: { ReadUnitsPerSecond: 100 } } }] }),
        'ValidationException',
        `${INVALID}Requested ReadUnitsPerSecond for WarmThroughput for index gsi1 is lower than current WarmThroughput, decreasing WarmThroughput is not supported`,
      );
      await assertRefused(
        update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', WarmThroughput: {} } }] }),
        'ValidationException',
        `${INVALID}WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: gsi1`,
      );
      await assertRefused(
        update('gsi-settings', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'gsi1', OnDemandThroughput: { MaxWriteRequestUnits: 0 } } }] }),
        'ValidationException',
        `${INVALID}Requested MaxWriteRequestUnits for OnDemandThroughput for index : gsi1 is outside of valid range`,
      );
    });

    it('creates an index with OnDemandThroughput and WarmThroughput, and without ProvisionedThroughput on an on-demand table', async () => {
      await create(onDemandTable('gsi-create'));
      const created = {
        IndexName: 'gsi2',
        KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' as const }],
        Projection: { ProjectionType: 'KEYS_ONLY' as const },
        OnDemandThroughput: { MaxReadRequestUnits: 40, MaxWriteRequestUnits: 20 },
        WarmThroughput: { ReadUnitsPerSecond: 14_000, WriteUnitsPerSecond: 4_000 },
      };
      const definitions = [{ AttributeName: 'g', AttributeType: 'S' as const }];
      await assertRefused(
        update('gsi-create', { AttributeDefinitions: definitions, GlobalSecondaryIndexUpdates: [{ Create: { ...created, WarmThroughput: { WriteUnitsPerSecond: 10 } } }] }),
        'ValidationException',
        `${INVALID}Requested WriteUnitsPerSecond for WarmThroughput for index gsi2 is lower than initial throughput for OnDemand. ${ON_DEMAND_DOC}`,
      );
      await update('gsi-create', { AttributeDefinitions: definitions, GlobalSecondaryIndexUpdates: [{ Create: created }] });
      const index = await describeIndex('gsi-create', 'gsi2');
      assert.deepEqual(index.OnDemandThroughput, { MaxReadRequestUnits: 40, MaxWriteRequestUnits: 20 });
      assert.deepEqual([index.WarmThroughput?.ReadUnitsPerSecond, index.WarmThroughput?.WriteUnitsPerSecond], [14_000, 4_000]);
    });
  });

  it('records the settings in CloudTrail\'s request parameters', async () => {
    await create(onDemandTable('audited', { GlobalSecondaryIndexes: [gsi('g-a')] }));
    const table = await update('audited', { WarmThroughput: { ReadUnitsPerSecond: 12_500 } });
    assert.deepEqual((await auditRecordFor(cove, table.$metadata.requestId)).requestParameters, { tableName: 'audited', warmThroughput: { readUnitsPerSecond: 12_500 } });
    const index = await update('audited', { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g-a', OnDemandThroughput: { MaxReadRequestUnits: 9 } } }] });
    assert.deepEqual((await auditRecordFor(cove, index.$metadata.requestId)).requestParameters, {
      tableName: 'audited',
      globalSecondaryIndexUpdates: [{ update: { indexName: 'g-a', onDemandThroughput: { maxReadRequestUnits: 9 } } }],
    });
  });

  it('answers for tables recorded before warm throughput was kept, and keeps it from their next change', async () => {
    await create(provisionedTable('warm-legacy', { ProvisionedThroughput: units(4, 2), GlobalSecondaryIndexes: [gsi('g-a', { ProvisionedThroughput: units(3, 3) })] }));
    await create(onDemandTable('warm-legacy-od'));
    await cove.stop();
    await rewriteWithoutWarmThroughput(dataDirectory, ['warm-legacy', 'warm-legacy-od']);
    cove = await startCove({ config: CONFIG, dataDirectory });
    db = cove.client('AKIATHROUGHPUT000001', 'owner-secret');

    assert.deepEqual((await describeTable('warm-legacy')).WarmThroughput, warm(4, 2));
    assert.deepEqual((await describeIndex('warm-legacy', 'g-a')).WarmThroughput, warm(3, 3));
    assert.deepEqual((await describeTable('warm-legacy-od')).WarmThroughput, warm(12_000, 4_000));
    await update('warm-legacy', { ProvisionedThroughput: units(1, 1) });
    assert.deepEqual((await describeTable('warm-legacy')).WarmThroughput, warm(4, 2), 'the derived value is the high-water mark from then on');
  });
});

/** Rewrites tables' catalog records as cove wrote them before it kept warm throughputs. */
async function rewriteWithoutWarmThroughput(dataDirectory: string, names: string[]): Promise<void> {
  const { catalogKey } = await import('../../src/dynamo/keys.js');
  const engine = await openTestStore(dataDirectory);
  try {
    for (const name of names) {
      const stored = await engine.get(catalogKey(name));
      assert.ok(stored, `${name} is in the catalog`);
      const record = JSON.parse(stored.toString('utf8')) as { description: { WarmThroughput?: unknown; GlobalSecondaryIndexes?: { WarmThroughput?: unknown }[] } };
      delete record.description.WarmThroughput;
      for (const index of record.description.GlobalSecondaryIndexes ?? []) delete index.WarmThroughput;
      const outcome = await engine.writeBatch([{ key: catalogKey(name), value: Buffer.from(JSON.stringify(record)) }]);
      assert.ok(outcome.ok);
    }
  } finally {
    await engine.close();
  }
}
