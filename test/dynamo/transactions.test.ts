import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type TransactWriteItem,
  type TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
const json = (value: unknown) => JSON.stringify(value);
const ITEM_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'];

const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: AKIATXADMIN0000001, secret: admin-secret }]
      policies: [{ name: all, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })} }]
    - name: teller
      accessKeys: [{ id: AKIATXTELLER000001, secret: teller-secret }]
      policies:
        - name: no-vault
          document: ${json({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: [...ITEM_ACTIONS, 'dynamodb:ConditionCheckItem'], Resource: `${TABLE_ARN}/*` },
              { Effect: 'Deny', Action: 'dynamodb:UpdateItem', Resource: `${TABLE_ARN}/accounts`, Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': ['vault'] } } },
            ],
          })}
    - name: writer
      accessKeys: [{ id: AKIATXWRITER000001, secret: writer-secret }]
      policies: [{ name: items, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ITEM_ACTIONS, Resource: '*' }] })} }]
`;

const S = (value: string) => ({ S: value });
const N = (value: number) => ({ N: String(value) });

function update(TableName: string, id: string, UpdateExpression: string, values: Record<string, number>, ConditionExpression?: string, names?: Record<string, string>): TransactWriteItem {
  const ExpressionAttributeValues = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, N(value)]));
  return {
    Update: {
      TableName,
      Key: { id: S(id) },
      UpdateExpression,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues } : {}),
      ...(ConditionExpression ? { ConditionExpression } : {}),
      ...(names ? { ExpressionAttributeNames: names } : {}),
    },
  };
}

describe('TransactWriteItems and TransactGetItems', () => {
  let cove: CoveProcess;
  let admin: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    admin = cove.client('AKIATXADMIN0000001', 'admin-secret');
    for (const TableName of ['accounts', 'orders', '__proto__', 'concurrent']) {
      await admin.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const get = async (TableName: string, id: string) => (await admin.send(new GetItemCommand({ TableName, Key: { id: S(id) }, ConsistentRead: true }))).Item;

  it('commits Put, Update, Delete and ConditionCheck across tables at once, at twice the units', async () => {
    await admin.send(new PutItemCommand({ TableName: 'accounts', Item: { id: S('alice'), balance: N(100) } }));
    await admin.send(new PutItemCommand({ TableName: 'orders', Item: { id: S('stale') } }));
    const result = await admin.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          update('accounts', 'alice', 'SET balance = balance - :price', { ':price': 30 }, 'balance >= :price'),
          { Put: { TableName: 'orders', Item: { id: S('o1'), total: N(30) }, ConditionExpression: 'attribute_not_exists(id)' } },
          { Delete: { TableName: `${TABLE_ARN}/orders`, Key: { id: S('stale') } } },
          { ConditionCheck: { TableName: 'accounts', Key: { id: S('bob') }, ConditionExpression: 'attribute_not_exists(id)' } },
        ],
        ReturnConsumedCapacity: 'TOTAL',
        ReturnItemCollectionMetrics: 'SIZE',
      }),
    );
    const capacity = [...(result.ConsumedCapacity ?? [])].sort((a, b) => a.TableName!.localeCompare(b.TableName!));
    // The transaction operations name their units as write (or read) units too, as the live service answers them.
    assert.deepEqual(capacity, [{ TableName: 'accounts', CapacityUnits: 4, WriteCapacityUnits: 4 }, { TableName: 'orders', CapacityUnits: 4, WriteCapacityUnits: 4 }]);
    assert.deepEqual(await get('accounts', 'alice'), { id: S('alice'), balance: N(70) });
    assert.deepEqual(await get('orders', 'o1'), { id: S('o1'), total: N(30) });
    assert.equal(await get('orders', 'stale'), undefined);
    assert.equal(await get('accounts', 'bob'), undefined, 'a ConditionCheck writes nothing');
  });

  it('cancels the whole transaction, with a reason per action in request order', async () => {
    await admin.send(new PutItemCommand({ TableName: 'accounts', Item: { id: S('carol'), balance: N(5) } }));
    const error = (await rejection(
      admin.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { ConditionCheck: { TableName: 'accounts', Key: { id: S('carol') }, ConditionExpression: 'balance > :min', ExpressionAttributeValues: { ':min': N(10) }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            { Put: { TableName: 'orders', Item: { id: S('never') } } },
            { Delete: { TableName: 'orders', Key: { id: S('o1') }, ConditionExpression: '#t > :t', ExpressionAttributeNames: { '#t': 'total' }, ExpressionAttributeValues: { ':t': N(100) } } },
          ],
        }),
      ),
    )) as TransactionCanceledException;
    assert.equal(error.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, ConditionalCheckFailed]');
    assert.equal(error.name, 'TransactionCanceledException');
    assert.deepEqual(error.CancellationReasons, [
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: S('carol'), balance: N(5) } },
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    assert.equal(await get('orders', 'never'), undefined, 'nothing of a cancelled transaction is written');
    assert.ok(await get('orders', 'o1'));
  });

  it('reports an update that fails inside the transaction as a ValidationError reason', async () => {
    await admin.send(new PutItemCommand({ TableName: 'accounts', Item: { id: S('dave'), name: S('Dave') } }));
    const error = (await rejection(
      admin.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('o2') } } }, update('accounts', 'dave', 'ADD #n :one', { ':one': 1 }, undefined, { '#n': 'name' })] })),
    )) as TransactionCanceledException;
    assert.equal(error.name, 'TransactionCanceledException');
    assert.equal(error.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]');
    assert.equal(error.CancellationReasons?.[1].Code, 'ValidationError');
    assert.match(error.CancellationReasons?.[1].Message ?? '', /operand/i);
    assert.equal(await get('orders', 'o2'), undefined);
  });

  it('refuses two actions on one item, missing tables and entries without exactly one action', async () => {
    const twice = await rejection(
      admin.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('x') } } }, { ConditionCheck: { TableName: `${TABLE_ARN}/orders`, Key: { id: S('x') }, ConditionExpression: 'attribute_not_exists(id)' } }] })),
    );
    assert.equal(twice.name, 'ValidationException');
    assert.equal(twice.message, 'Transaction request cannot include multiple operations on one item');
    const readTwice = await rejection(admin.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'orders', Key: { id: S('x') } } }, { Get: { TableName: 'orders', Key: { id: S('x') } } }] })));
    assert.equal(readTwice.message, 'Transaction request cannot include multiple operations on one item');

    const missing = await rejection(admin.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('y') } } }, { Put: { TableName: 'nowhere', Item: { id: S('y') } } }] })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.equal(missing.message, 'Requested resource not found');
    assert.equal(await get('orders', 'y'), undefined);

    const both = await rejection(admin.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('z') } }, Delete: { TableName: 'orders', Key: { id: S('z') } } }] })));
    assert.equal(both.name, 'ValidationException');
    assert.equal(both.message, 'TransactItems can only contain one of Check, Put, Update or Delete');

    const tooMany = await rejection(admin.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: 'orders', Item: { id: S(`m${i}`) } } })) })));
    assert.equal(tooMany.name, 'ValidationException');
    assert.match(tooMany.message, /transactItems.*less than or equal to 100/);
  });

  it('reads many items from one snapshot, in request order, with projections and twice the read units', async () => {
    await admin.send(new PutItemCommand({ TableName: 'orders', Item: { id: S('big'), blob: S('x'.repeat(5000)), note: S('n') } }));
    const result = await admin.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'orders', Key: { id: S('big') }, ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': 'note' } } },
          { Get: { TableName: 'accounts', Key: { id: S('nobody') } } },
          { Get: { TableName: `${TABLE_ARN}/accounts`, Key: { id: S('alice') } } },
        ],
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    assert.deepEqual(result.Responses, [{ Item: { note: S('n') } }, {}, { Item: { id: S('alice'), balance: N(70) } }]);
    const capacity = [...(result.ConsumedCapacity ?? [])].sort((a, b) => a.TableName!.localeCompare(b.TableName!));
    // big is 5 KB: 2 units, doubled; each account read 1 unit, doubled.
    assert.deepEqual(capacity, [{ TableName: 'accounts', CapacityUnits: 4, ReadCapacityUnits: 4 }, { TableName: 'orders', CapacityUnits: 4, ReadCapacityUnits: 4 }]);
  });

  it('refuses a transaction whose items add up to more than 4 MB: written by TransactWriteItems or read by TransactGetItems', async () => {
    const big = (id: string) => ({ id: S(id), blob: S('b'.repeat(390 * 1024)) });
    const ids = Array.from({ length: 11 }, (_, i) => `big-${i}`); // 11 × 390 KB > 4 MB; 10 are not
    const tooLarge = { name: 'ValidationException', message: 'Transaction request size has exceeded the maximum allowed size of 4 MB' };
    await assert.rejects(admin.send(new TransactWriteItemsCommand({ TransactItems: ids.map((id) => ({ Put: { TableName: 'orders', Item: big(id) } })) })), tooLarge);
    assert.equal(await get('orders', 'big-0'), undefined, 'nothing of it written');
    await admin.send(new TransactWriteItemsCommand({ TransactItems: ids.slice(0, 10).map((id) => ({ Put: { TableName: 'orders', Item: big(id) } })) }));
    await admin.send(new PutItemCommand({ TableName: 'orders', Item: big('big-10') }));
    const gets = (count: number) => new TransactGetItemsCommand({ TransactItems: ids.slice(0, count).map((id) => ({ Get: { TableName: 'orders', Key: { id: S(id) }, ProjectionExpression: 'id' } })) });
    assert.equal((await admin.send(gets(10))).Responses?.length, 10);
    // The items' stored size counts, whatever the projection returns.
    await assert.rejects(admin.send(gets(11)), tooLarge);
  });

  it('runs on a table named __proto__', async () => {
    await admin.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: '__proto__', Item: { id: S('__proto__'), n: N(1) } } }, update('__proto__', 'other', 'SET n = :n', { ':n': 2 })], ReturnConsumedCapacity: 'TOTAL' }));
    const result = await admin.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: '__proto__', Key: { id: S('__proto__') } } }, { Get: { TableName: '__proto__', Key: { id: S('other') } } }], ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(result.Responses, [{ Item: { id: S('__proto__'), n: N(1) } }, { Item: { id: S('other'), n: N(2) } }]);
    assert.deepEqual(result.ConsumedCapacity, [{ TableName: '__proto__', CapacityUnits: 4, ReadCapacityUnits: 4 }]);
  });

  it('applies a ClientRequestToken once, and refuses the token with other parameters', async () => {
    await admin.send(new PutItemCommand({ TableName: 'accounts', Item: { id: S('erin'), visits: N(0) } }));
    const request = { TransactItems: [update('accounts', 'erin', 'ADD visits :one', { ':one': 1 })], ClientRequestToken: 'token-erin-1' };
    const first = await admin.send(new TransactWriteItemsCommand(request));
    const retry = await admin.send(new TransactWriteItemsCommand(request));
    assert.deepEqual([first.ConsumedCapacity, retry.ConsumedCapacity], [undefined, undefined]);
    assert.deepEqual(await get('accounts', 'erin'), { id: S('erin'), visits: N(1) }, 'the retry applied nothing');

    // Twins at once: one applies, the other answers as its retry.
    const twins = { ...request, ClientRequestToken: 'token-erin-2' };
    await Promise.all([admin.send(new TransactWriteItemsCommand(twins)), admin.send(new TransactWriteItemsCommand(twins))]);
    assert.deepEqual(await get('accounts', 'erin'), { id: S('erin'), visits: N(2) });

    const mismatch = await rejection(admin.send(new TransactWriteItemsCommand({ ...request, TransactItems: [update('accounts', 'erin', 'ADD visits :one', { ':one': 5 })] })));
    assert.equal(mismatch.name, 'IdempotentParameterMismatchException');
    assert.deepEqual(await get('accounts', 'erin'), { id: S('erin'), visits: N(2) });

    // A cancelled transaction leaves no token: its retry runs again.
    const failing = { TransactItems: [update('accounts', 'erin', 'ADD visits :one', { ':one': 1 }, 'visits > :one')], ClientRequestToken: 'token-erin-3' };
    await admin.send(new UpdateItemCommand({ TableName: 'accounts', Key: { id: S('erin') }, UpdateExpression: 'SET visits = :z', ExpressionAttributeValues: { ':z': N(0) } }));
    assert.equal((await rejection(admin.send(new TransactWriteItemsCommand(failing)))).name, 'TransactionCanceledException');
    await admin.send(new UpdateItemCommand({ TableName: 'accounts', Key: { id: S('erin') }, UpdateExpression: 'SET visits = :z', ExpressionAttributeValues: { ':z': N(5) } }));
    await admin.send(new TransactWriteItemsCommand(failing));
    assert.deepEqual(await get('accounts', 'erin'), { id: S('erin'), visits: N(6) });
  });

  it('authorizes every action: a Deny on one item denies the whole transaction, and writes nothing', async () => {
    const teller = cove.client('AKIATXTELLER000001', 'teller-secret');
    await admin.send(new PutItemCommand({ TableName: 'accounts', Item: { id: S('vault'), balance: N(1000) } }));
    const denied = await rejection(
      teller.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('heist'), secret: S('do-not-log') } } }, update('accounts', 'vault', 'SET balance = :zero', { ':zero': 0 })] })),
    );
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.message, `User: arn:aws:iam::${ACCOUNT}:user/teller is not authorized to perform: dynamodb:UpdateItem on resource: ${TABLE_ARN}/accounts with an explicit deny in an identity-based policy`);
    assert.equal(await get('orders', 'heist'), undefined);
    const record = await auditRecordFor(cove, denied.$metadata.requestId);
    assert.equal(record.eventName, 'TransactWriteItems');
    assert.equal(record.eventCategory, 'Data');
    assert.deepEqual(record.requestParameters, {
      requestItems: [
        { operation: 'Put', tableName: 'orders', key: { id: 'heist' }, items: ['id', 'secret'] },
        { operation: 'Update', tableName: 'accounts', key: { id: 'vault' } },
      ],
    });
    assert.ok(!JSON.stringify(record).includes('do-not-log'), 'no non-key attribute value in the audit');
    assert.deepEqual(record.resources.map((r: { ARN: string }) => r.ARN), [`${TABLE_ARN}/orders`, `${TABLE_ARN}/accounts`]);

    const allowed = await teller.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { id: S('fine') } } }] }));
    assert.equal((await auditRecordFor(cove, allowed.$metadata.requestId)).eventName, 'TransactWriteItems');

    const writer = cove.client('AKIATXWRITER000001', 'writer-secret');
    const noCheck = await rejection(writer.send(new TransactWriteItemsCommand({ TransactItems: [{ ConditionCheck: { TableName: 'orders', Key: { id: S('fine') }, ConditionExpression: 'attribute_exists(id)' } }] })));
    assert.equal(noCheck.message, `User: arn:aws:iam::${ACCOUNT}:user/writer is not authorized to perform: dynamodb:ConditionCheckItem on resource: ${TABLE_ARN}/orders because no identity-based policy allows the dynamodb:ConditionCheckItem action`);
  });

  it('stays serializable under 20 clients of conflicting transfers, conditional writes and snapshot reads', async () => {
    const ACCOUNTS = ['a0', 'a1', 'a2'];
    const START_BALANCE = 100;
    for (const id of ACCOUNTS) await admin.send(new PutItemCommand({ TableName: 'concurrent', Item: { id: S(id), balance: N(START_BALANCE), withdrawn: N(0) } }));
    await admin.send(new PutItemCommand({ TableName: 'concurrent', Item: { id: S('transfers'), count: N(0) } }));
    const total = START_BALANCE * ACCOUNTS.length;
    const counted = { transfers: 0, withdrawn: 0, snapshots: 0 };
    const readAll = { TransactItems: ACCOUNTS.map((id) => ({ Get: { TableName: 'concurrent', Key: { id: S(id) } } })) };
    const client = async (n: number) => {
      const c = cove.client('AKIATXADMIN0000001', 'admin-secret');
      for (let step = 0; step < 12; step++) {
        const from = ACCOUNTS[(n + step) % ACCOUNTS.length];
        const to = ACCOUNTS[(n + step + 1 + (step % 2)) % ACCOUNTS.length];
        const amount = 1 + ((n * 7 + step * 13) % 40);
        const kind = (n + step) % 4;
        if (kind === 0) {
          const result = await c.send(new TransactGetItemsCommand(readAll));
          const items = result.Responses!.map((r) => r.Item!);
          const sum = items.reduce((s, item) => s + Number(item.balance.N) + Number(item.withdrawn.N), 0);
          assert.equal(sum, total, 'a snapshot never shows part of a transaction or of a write');
          assert.ok(items.every((item) => Number(item.balance.N) >= 0));
          counted.snapshots++;
        } else if (kind === 1) {
          try {
            await c.send(new UpdateItemCommand({ TableName: 'concurrent', Key: { id: S(from) }, UpdateExpression: 'SET balance = balance - :x, withdrawn = withdrawn + :x', ConditionExpression: 'balance >= :x', ExpressionAttributeValues: { ':x': N(amount) } }));
            counted.withdrawn += amount;
          } catch (error) {
            assert.equal((error as Error).name, 'ConditionalCheckFailedException');
          }
        } else {
          try {
            await c.send(
              new TransactWriteItemsCommand({
                TransactItems: [
                  update('concurrent', from, 'SET balance = balance - :x', { ':x': amount }, 'balance >= :x'),
                  update('concurrent', to, 'SET balance = balance + :x', { ':x': amount }),
                  update('concurrent', 'transfers', 'ADD #c :one', { ':one': 1 }, undefined, { '#c': 'count' }),
                ],
              }),
            );
            counted.transfers++;
          } catch (error) {
            assert.equal((error as Error).name, 'TransactionCanceledException');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, n) => client(n)));
    const final = await admin.send(new TransactGetItemsCommand({ TransactItems: [...readAll.TransactItems, { Get: { TableName: 'concurrent', Key: { id: S('transfers') } } }] }));
    const accounts = final.Responses!.slice(0, ACCOUNTS.length).map((r) => r.Item!);
    const balances = accounts.reduce((s, item) => s + Number(item.balance.N), 0);
    const withdrawn = accounts.reduce((s, item) => s + Number(item.withdrawn.N), 0);
    assert.equal(withdrawn, counted.withdrawn, 'every acknowledged withdrawal, none lost');
    assert.equal(balances, total - counted.withdrawn, 'transfers conserve the total');
    assert.ok(accounts.every((item) => Number(item.balance.N) >= 0), 'no balance went negative');
    assert.equal(final.Responses![ACCOUNTS.length].Item!.count.N, String(counted.transfers), 'every acknowledged transfer, none lost');
    assert.ok(counted.transfers > 0 && counted.snapshots > 0);
  });
});
