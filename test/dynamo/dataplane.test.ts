import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess, fullAccessConfig } from '../support/cove.js';
import { rejection } from '../support/errors.js';
import { signedCall } from '../support/signed.js';

const CONFIG = fullAccessConfig('app', 'AKIAAPP000000000001', 'app-secret');

describe('the DynamoDB data plane', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  const createTable = (TableName: string, sortType?: 'S' | 'N' | 'B') =>
    db.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(sortType ? [{ AttributeName: 'sk', AttributeType: sortType }] : [])],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(sortType ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

  before(async () => {
    cove = await startCove({ config: CONFIG });
    db = cove.client('AKIAAPP000000000001', 'app-secret');
    await createTable('items');
    await createTable('ranged', 'N');
    await createTable('texts', 'S');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('refuses a body that is not UTF-8 with a SerializationException, storing nothing (two such keys never become one item)', async () => {
    const json = (key: string) => Buffer.concat([Buffer.from('{"TableName":"texts","Item":{"pk":{"S":"'), Buffer.from(key, 'latin1'), Buffer.from('"},"sk":{"S":"bytes"}}}')]);
    for (const key of ['k\xFFb', 'k\xE2\x82b']) {
      const reply = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.PutItem', body: json(key), accessKeyId: 'AKIAAPP000000000001', secretAccessKey: 'app-secret' });
      assert.equal(reply.status, 400);
      assert.deepEqual(JSON.parse(reply.body), { __type: 'com.amazon.coral.service#SerializationException' });
    }
    const stored = await db.send(new ScanCommand({ TableName: 'texts', FilterExpression: 'sk = :s', ExpressionAttributeValues: { ':s': { S: 'bytes' } } }));
    assert.equal(stored.Count, 0);
  });

  it('refuses an attribute name of no characters, or over 64 KB, in an item, a nested map, a key and AttributesToGet, writing nothing', async () => {
    const refusals = [
      new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'named' }, '': { S: 'x' } } }),
      new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'named' }, m: { M: { inner: { M: { '': { N: '1' } } } } } } }),
      new GetItemCommand({ TableName: 'items', Key: { '': { S: 'named' } } }),
      new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'named' } }, AttributesToGet: ['pk', ''] }),
    ];
    for (const command of refusals) {
      const error = await rejection(db.send(command as PutItemCommand));
      assert.deepEqual([error.name, error.message], ['ValidationException', 'Empty attribute name']);
    }
    for (const item of [{ ['n'.repeat(65_536)]: { S: 'x' } }, { m: { M: { ['n'.repeat(65_536)]: { S: 'x' } } } }] as Record<string, AttributeValue>[]) {
      const tooLarge = await rejection(db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'named' }, ...item } })));
      assert.equal(tooLarge.name, 'ValidationException', 'the model bounds names at every depth');
    }
    await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'named' }, ['n'.repeat(65_535)]: { S: 'x' } } }));
    const stored = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'named' } } }));
    assert.deepEqual(Object.keys(stored.Item ?? {}).map((name) => name.length).sort((a, b) => a - b), [2, 65_535], 'only the valid item was written');
  });

  describe('conditional writes', () => {
    it('puts only when the condition holds, and returns the old item on failure when asked', async () => {
      await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'c1' }, v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
      const failed = await rejection(
        db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'c1' }, v: { N: '2' } }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
      );
      assert.equal(failed.name, 'ConditionalCheckFailedException');
      assert.equal(failed.message, 'The conditional request failed');
      assert.deepEqual((failed as unknown as { Item?: Record<string, AttributeValue> }).Item, { pk: { S: 'c1' }, v: { N: '1' } });
      await db.send(
        new DeleteItemCommand({ TableName: 'items', Key: { pk: { S: 'c1' } }, ConditionExpression: '#v = :one', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':one': { N: '1' } } }),
      );
      assert.equal((await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'c1' } } }))).Item, undefined);
    });

    it('serialises concurrent conditional writes: exactly one wins', async () => {
      const attempts = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'race' }, who: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(pk)' }))),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
    });
  });

  describe('UpdateItem', () => {
    it('applies SET, REMOVE, ADD and DELETE, with every ReturnValues mode', async () => {
      await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'u1' }, count: { N: '10' }, tags: { SS: ['a', 'b', 'c'] }, list: { L: [{ S: 'x' }, { S: 'y' }] }, gone: { S: 'bye' } } }));
      const updatedNew = await db.send(
        new UpdateItemCommand({
          TableName: 'items',
          Key: { pk: { S: 'u1' } },
          UpdateExpression: 'SET #c = #c + :five, fresh = if_not_exists(fresh, :zero) REMOVE gone ADD hits :one DELETE tags :b',
          ExpressionAttributeNames: { '#c': 'count' },
          ExpressionAttributeValues: { ':five': { N: '5' }, ':zero': { N: '0' }, ':one': { N: '1' }, ':b': { SS: ['b'] } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      assert.deepEqual(updatedNew.Attributes, { count: { N: '15' }, fresh: { N: '0' }, hits: { N: '1' }, tags: { SS: ['a', 'c'] } });
      const appended = await db.send(
        new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'SET #l = list_append(#l, :more)', ExpressionAttributeNames: { '#l': 'list' }, ExpressionAttributeValues: { ':more': { L: [{ S: 'z' }] } }, ReturnValues: 'UPDATED_NEW' }),
      );
      assert.deepEqual(appended.Attributes, { list: { L: [{ S: 'x' }, { S: 'y' }, { S: 'z' }] } });
      await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'REMOVE #l[0]', ExpressionAttributeNames: { '#l': 'list' } }));
      const item = (await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } } }))).Item;
      assert.equal(item?.gone, undefined);
      assert.deepEqual(item?.list, { L: [{ S: 'y' }, { S: 'z' }] });

      const allOld = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'SET #c = :v', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':v': { N: '1' } }, ReturnValues: 'ALL_OLD' }));
      assert.equal(allOld.Attributes?.count?.N, '15');
      assert.equal(allOld.Attributes?.pk?.S, 'u1');
      const updatedOld = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'SET #c = :v', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':v': { N: '2' } }, ReturnValues: 'UPDATED_OLD' }));
      assert.deepEqual(updatedOld.Attributes, { count: { N: '1' } });
      const allNew = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'SET #c = :v', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':v': { N: '3' } }, ReturnValues: 'ALL_NEW' }));
      assert.equal(allNew.Attributes?.count?.N, '3');
      assert.equal(allNew.Attributes?.pk?.S, 'u1');
      const none = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u1' } }, UpdateExpression: 'SET #c = :v', ExpressionAttributeNames: { '#c': 'count' }, ExpressionAttributeValues: { ':v': { N: '4' } } }));
      assert.equal(none.Attributes, undefined);
    });

    it('creates the item when absent, adds exactly with 38 digits, and refuses key updates', async () => {
      const created = await db.send(
        new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u2' } }, UpdateExpression: 'ADD n :a', ExpressionAttributeValues: { ':a': { N: '0.1' } }, ReturnValues: 'ALL_NEW' }),
      );
      assert.deepEqual(created.Attributes, { pk: { S: 'u2' }, n: { N: '0.1' } });
      const sum = await db.send(
        new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u2' } }, UpdateExpression: 'ADD n :a', ExpressionAttributeValues: { ':a': { N: '0.2' } }, ReturnValues: 'UPDATED_NEW' }),
      );
      assert.deepEqual(sum.Attributes, { n: { N: '0.3' } }, 'decimal, not binary floating point');
      const big = await db.send(
        new UpdateItemCommand({
          TableName: 'items',
          Key: { pk: { S: 'u2' } },
          UpdateExpression: 'SET big = :a + :b',
          ExpressionAttributeValues: { ':a': { N: '99999999999999999999999999999999999998' }, ':b': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      assert.deepEqual(big.Attributes, { big: { N: '99999999999999999999999999999999999999' } });
      const keyUpdate = await rejection(db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'u2' } }, UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': { S: 'other' } } })));
      assert.equal(keyUpdate.name, 'ValidationException');
      assert.equal(keyUpdate.message, 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key');
    });
  });

  describe('UpdateItem edge cases', () => {
    it('creates nothing when removing from an item that does not exist', async () => {
      const removed = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'never' } }, UpdateExpression: 'REMOVE a', ReturnValues: 'ALL_NEW' }));
      assert.equal(removed.Attributes, undefined);
      assert.equal((await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'never' } } }))).Item, undefined);
    });

    it('serialises concurrent read-modify-writes: 50 ADDs add up to 50', async () => {
      await Promise.all(Array.from({ length: 50 }, () => db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'counter' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }))));
      const got = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'counter' } } }));
      assert.equal(got.Item?.n?.N, '50');
    });

    it('charges capacity as DynamoDB does: reads by 4 KB (half when eventual), writes by 1 KB of the larger image', async () => {
      const kb6 = 'x'.repeat(6 * 1024);
      const put = await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'cap' }, v: { S: kb6 } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(put.ConsumedCapacity?.CapacityUnits, 7);
      const eventual = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'cap' } }, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(eventual.ConsumedCapacity?.CapacityUnits, 1);
      const strong = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'cap' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(strong.ConsumedCapacity?.CapacityUnits, 2);
      const shrink = await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'cap' } }, UpdateExpression: 'REMOVE v', ReturnConsumedCapacity: 'TOTAL' }));
      assert.equal(shrink.ConsumedCapacity?.CapacityUnits, 7, 'the larger of old and new image');
    });
  });

  describe('Query', () => {
    before(async () => {
      for (let start = 0; start < 50; start += 25) {
        await db.send(
          new BatchWriteItemCommand({
            RequestItems: {
              ranged: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: 'q' }, sk: { N: String((start + i - 25) * 1.5) }, odd: { BOOL: (start + i) % 2 === 1 } } } })),
            },
          }),
        );
      }
    });
    const numbers = (items?: Record<string, AttributeValue>[]) => (items ?? []).map((i) => Number(i.sk.N));

    it('orders numeric sort keys numerically, negatives included, both directions', async () => {
      const forward = await db.send(new QueryCommand({ TableName: 'ranged', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } } }));
      const expected = Array.from({ length: 50 }, (_, i) => (i - 25) * 1.5);
      assert.deepEqual(numbers(forward.Items), expected);
      const backward = await db.send(new QueryCommand({ TableName: 'ranged', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } }, ScanIndexForward: false }));
      assert.deepEqual(numbers(backward.Items), [...expected].reverse());
    });

    it('applies every sort-key operator', async () => {
      const q = async (condition: string, values: Record<string, AttributeValue>) =>
        numbers((await db.send(new QueryCommand({ TableName: 'ranged', KeyConditionExpression: `pk = :p AND ${condition}`, ExpressionAttributeValues: { ':p': { S: 'q' }, ...values } }))).Items);
      assert.deepEqual(await q('sk = :v', { ':v': { N: '3' } }), [3]);
      assert.deepEqual(await q('sk < :v', { ':v': { N: '-33' } }), [-37.5, -36, -34.5]);
      assert.deepEqual(await q('sk <= :v', { ':v': { N: '-34.5' } }), [-37.5, -36, -34.5]);
      assert.deepEqual(await q('sk > :v', { ':v': { N: '34.5' } }), [36]);
      assert.deepEqual(await q('sk >= :v', { ':v': { N: '34.5' } }), [34.5, 36]);
      assert.deepEqual(await q('sk BETWEEN :a AND :b', { ':a': { N: '-1.5' }, ':b': { N: '1.5' } }), [-1.5, 0, 1.5]);
    });

    it('pages with Limit and ExclusiveStartKey, filters after the read, and counts', async () => {
      const seen: number[] = [];
      let start: Record<string, AttributeValue> | undefined;
      let pages = 0;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: 'ranged',
            KeyConditionExpression: 'pk = :p',
            FilterExpression: 'odd = :t',
            ExpressionAttributeValues: { ':p': { S: 'q' }, ':t': { BOOL: true } },
            Limit: 10,
            ExclusiveStartKey: start,
          }),
        );
        assert.equal(page.ScannedCount, pages < 5 ? 10 : 0, 'Limit counts items read; the page after the last full one reads none');
        assert.equal(page.Count, page.Items?.length);
        seen.push(...numbers(page.Items));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start && pages < 10);
      assert.equal(seen.length, 25);
      const count = await db.send(new QueryCommand({ TableName: 'ranged', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'q' } }, Select: 'COUNT' }));
      assert.equal(count.Count, 50);
      assert.equal(count.Items, undefined);
    });

    it('refuses a start key outside the key condition', async () => {
      const cases: [Record<string, AttributeValue>, string, string][] = [
        [{ pk: { S: 'elsewhere' }, sk: { N: '0' } }, 'pk = :p', 'The provided starting key is outside query boundaries based on provided conditions'],
        [{ pk: { S: 'q' }, sk: { N: '-99' } }, 'pk = :p AND sk > :z', 'The provided starting key does not match the range key predicate'],
        [{ pk: { S: 'elsewhere' }, sk: { N: '-99' } }, 'pk = :p AND sk > :z', 'The provided starting key does not match the range key predicate'],
      ];
      for (const [ExclusiveStartKey, KeyConditionExpression, message] of cases) {
        const values: Record<string, AttributeValue> = { ':p': { S: 'q' } };
        if (KeyConditionExpression.includes(':z')) values[':z'] = { N: '-10' };
        const e = await rejection(db.send(new QueryCommand({ TableName: 'ranged', KeyConditionExpression, ExpressionAttributeValues: values, ExclusiveStartKey })));
        assert.equal(e.name, 'ValidationException');
        assert.equal(e.message, message);
      }
    });

    it('orders string sort keys by UTF-8 bytes and supports begins_with', async () => {
      const keys = ['a', 'ab', 'b', 'Z', '\uffff', '\u{10000}', 'é'];
      for (const sk of keys) await db.send(new PutItemCommand({ TableName: 'texts', Item: { pk: { S: 't' }, sk: { S: sk } } }));
      const all = await db.send(new QueryCommand({ TableName: 'texts', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 't' } } }));
      const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      assert.deepEqual(all.Items?.map((i) => i.sk.S), byBytes);
      const prefixed = await db.send(new QueryCommand({ TableName: 'texts', KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)', ExpressionAttributeValues: { ':p': { S: 't' }, ':a': { S: 'a' } } }));
      assert.deepEqual(prefixed.Items?.map((i) => i.sk.S), ['a', 'ab']);
    });

    it('projects nested paths and list elements', async () => {
      await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'p1' }, a: { M: { b: { L: [{ S: 'zero' }, { M: { c: { N: '7' }, d: { S: 'no' } } }] } } }, other: { S: 'no' } } }));
      const got = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'p1' } }, ProjectionExpression: 'a.b[1].c, pk' }));
      assert.deepEqual(got.Item, { pk: { S: 'p1' }, a: { M: { b: { L: [{ M: { c: { N: '7' } } }] } } } });
    });
  });

  describe('Scan', () => {
    before(async () => {
      await createTable('scanned');
      const pad = 'p'.repeat(10_000);
      for (let start = 0; start < 300; start += 25) {
        await db.send(new BatchWriteItemCommand({ RequestItems: { scanned: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `s${start + i}` }, pad: { S: pad }, n: { N: String(start + i) } } } })) } }));
      }
    });

    async function scanAll(extra: Record<string, unknown> = {}): Promise<{ keys: string[]; pages: number }> {
      const keys: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      let pages = 0;
      do {
        const page = await db.send(new ScanCommand({ TableName: 'scanned', ExclusiveStartKey: start, ...extra }));
        keys.push(...(page.Items ?? []).map((i) => i.pk.S!));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start);
      return { keys, pages };
    }

    it('pages through 3 MB in 1 MB pages, with and without a filter', async () => {
      const all = await scanAll();
      assert.equal(all.keys.length, 300);
      assert.equal(new Set(all.keys).size, 300);
      assert.ok(all.pages >= 3, `3 MB needs at least 3 pages, got ${all.pages}`);
      const filtered = await scanAll({ FilterExpression: 'n < :ten', ExpressionAttributeValues: { ':ten': { N: '10' } } });
      assert.deepEqual(filtered.keys.sort(), Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
      assert.equal(filtered.pages, all.pages, 'the filter runs after the read, so paging is unchanged');
    });

    it('truncates fractional integers as DynamoDB does, so no segment loses items', async () => {
      const keys = (await scanAll({ Segment: 0.9, TotalSegments: 1.5, ProjectionExpression: 'pk' })).keys;
      assert.equal(keys.length, 300);
    });

    it('charges Query and Scan by bytes read, not per item', async () => {
      const page = await db.send(new ScanCommand({ TableName: 'scanned', Limit: 4, ReturnConsumedCapacity: 'TOTAL' }));
      // 4 items of ~10 KB = ~40 KB read → 10 strongly consistent units, 5 eventual.
      assert.equal(page.ConsumedCapacity?.CapacityUnits, 5);
    });

    it('covers every item exactly once across parallel segments', async () => {
      for (const totalSegments of [1, 3, 7]) {
        const keys: string[] = [];
        for (let segment = 0; segment < totalSegments; segment++) {
          keys.push(...(await scanAll({ Segment: segment, TotalSegments: totalSegments, ProjectionExpression: 'pk' })).keys);
        }
        assert.equal(keys.length, 300);
        assert.equal(new Set(keys).size, 300);
      }
    });
  });

  describe('BatchGetItem', () => {
    it('reads keys across tables with projections, and refuses duplicates', async () => {
      await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'bg1' }, a: { S: 'x' }, b: { S: 'y' } } }));
      const result = await db.send(
        new BatchGetItemCommand({
          RequestItems: {
            items: { Keys: [{ pk: { S: 'bg1' } }, { pk: { S: 'missing' } }], ProjectionExpression: 'a' },
            ranged: { Keys: [{ pk: { S: 'q' }, sk: { N: '0' } }] },
          },
        }),
      );
      assert.deepEqual(result.Responses?.items, [{ a: { S: 'x' } }]);
      assert.equal(result.Responses?.ranged?.length, 1);
      assert.deepEqual(result.UnprocessedKeys, {});
      const duplicate = await rejection(db.send(new BatchGetItemCommand({ RequestItems: { items: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'a' } }] } } })));
      assert.equal(duplicate.message, 'Provided list of item keys contains duplicates');
    });
  });

  describe('numbers', () => {
    it('stores edge values exactly, in canonical form, and refuses what DynamoDB refuses', async () => {
      const cases: [string, string][] = [
        ['12345678901234567890123456789012345678', '12345678901234567890123456789012345678'],
        ['1e125', '1' + '0'.repeat(125)],
        ['-1e-130', '-0.' + '0'.repeat(129) + '1'],
        ['0', '0'],
        ['-0', '0'],
        ['000123.4500', '123.45'],
      ];
      for (const [given, canonical] of cases) {
        await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: `num-${given}` }, n: { N: given } } }));
        const got = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: `num-${given}` } } }));
        assert.equal(got.Item?.n?.N, canonical, given);
      }
      const refused: [string, string][] = [
        ['1e126', 'Number overflow. Attempting to store a number with magnitude larger than supported range'],
        ['1e-131', 'Number underflow. Attempting to store a number with magnitude smaller than supported range'],
        ['1234567890123456789012345678901234567891', 'Attempting to store more than 38 significant digits in a Number'],
        ['twelve', 'The parameter cannot be converted to a numeric value: twelve'],
      ];
      for (const [given, message] of refused) {
        const e = await rejection(db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'bad' }, n: { N: given } } })));
        assert.equal(e.name, 'ValidationException');
        assert.equal(e.message, message);
      }
    });
  });

  describe('BatchGetItem size limit', () => {
    it('returns at most 16 MB and hands the rest back as UnprocessedKeys', async () => {
      await createTable('heavy');
      const big = 'h'.repeat(390 * 1024);
      for (let i = 0; i < 50; i += 5) {
        await db.send(new BatchWriteItemCommand({ RequestItems: { heavy: Array.from({ length: 5 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `h${i + j}` }, big: { S: big } } } })) } }));
      }
      const keys = Array.from({ length: 50 }, (_, i) => ({ pk: { S: `h${i}` } }));
      const first = await db.send(new BatchGetItemCommand({ RequestItems: { heavy: { Keys: keys } } }));
      const returned = first.Responses?.heavy ?? [];
      const unprocessed = first.UnprocessedKeys?.heavy?.Keys ?? [];
      assert.ok(returned.length > 0 && unprocessed.length > 0, `split: ${returned.length} + ${unprocessed.length}`);
      const itemBytes = 390 * 1024 + 'big'.length + 'pk'.length + 3;
      assert.equal(returned.length, Math.floor((16 * 1024 * 1024) / itemBytes), 'as many items as fit in 16 MB, never more');
      const all = new Set([...returned.map((i) => i.pk.S), ...unprocessed.map((k) => k.pk.S)]);
      assert.equal(all.size, 50, 'every key is either returned or unprocessed');
      const second = await db.send(new BatchGetItemCommand({ RequestItems: { heavy: { Keys: unprocessed } } }));
      assert.equal((second.Responses?.heavy ?? []).length, unprocessed.length);
    });
  });

  describe('legacy parameters', () => {
    it('accepts Expected, AttributesToGet, KeyConditions, QueryFilter and AttributeUpdates', async () => {
      await db.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'legacy' }, v: { N: '1' } }, Expected: { pk: { Exists: false } } }));
      const got = await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'legacy' } }, AttributesToGet: ['v'] }));
      assert.deepEqual(got.Item, { v: { N: '1' } });
      await db.send(new UpdateItemCommand({ TableName: 'items', Key: { pk: { S: 'legacy' } }, AttributeUpdates: { v: { Action: 'ADD', Value: { N: '2' } } } }));
      const q = await db.send(
        new QueryCommand({
          TableName: 'ranged',
          KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'q' }] }, sk: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '30' }] } },
          QueryFilter: { odd: { ComparisonOperator: 'EQ', AttributeValueList: [{ BOOL: true }] } },
        }),
      );
      assert.deepEqual((q.Items ?? []).map((i) => Number(i.sk.N)), [33, 36], 'sk > 30 and odd (items 47 and 49)');
      assert.equal((await db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'legacy' } } }))).Item?.v?.N, '3');
    });

    it('refuses to mix legacy and expression parameters', async () => {
      const mixed = await rejection(db.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'legacy' } }, AttributesToGet: ['v'], ProjectionExpression: 'v' })));
      assert.equal(mixed.name, 'ValidationException');
      assert.match(mixed.message, /Can not use both expression and non-expression parameters in the same request/);
    });
  });
});
