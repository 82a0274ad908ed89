import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess, fullAccessConfig } from '../support/cove.js';

const CONFIG = fullAccessConfig('prop', 'AKIAPROP00000000001', 'prop-secret');

type Op = '=' | '<' | '<=' | '>' | '>=' | 'BETWEEN' | 'begins_with';

/** The model: what Query must return, computed the obvious way. */
function modelQuery(keys: string[], op: Op | undefined, a: string, b: string, forward: boolean): string[] {
  const cmp = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
  const matches = (k: string): boolean => {
    switch (op) {
      case undefined: return true;
      case '=': return cmp(k, a) === 0;
      case '<': return cmp(k, a) < 0;
      case '<=': return cmp(k, a) <= 0;
      case '>': return cmp(k, a) > 0;
      case '>=': return cmp(k, a) >= 0;
      case 'BETWEEN': return cmp(k, a) >= 0 && cmp(k, b) <= 0;
      case 'begins_with': return Buffer.from(k).subarray(0, Buffer.byteLength(a)).equals(Buffer.from(a));
    }
  };
  const sorted = [...new Set(keys)].filter(matches).sort(cmp);
  return forward ? sorted : sorted.reverse();
}

describe('Query agrees with a model over random items and key conditions', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    db = cove.client('AKIAPROP00000000001', 'prop-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('returns exactly the model\'s keys, in order, across pages', async () => {
    // Small alphabets make equal prefixes, equal keys and boundary cases common.
    const sortKey = fc.string({ unit: fc.constantFrom('a', 'b', 'é', 'Z', '\uffff', '\u{10000}', '0'), minLength: 1, maxLength: 4 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Bounds are often stored keys or their prefixes, so the edges of each operator are hit.
        fc.array(sortKey, { minLength: 1, maxLength: 40 }).chain((keys) => {
          const bound = fc.oneof(sortKey, fc.constantFrom(...keys), fc.constantFrom(...keys).map((k) => [...k].slice(0, -1).join('') || k));
          return fc.tuple(fc.constant(keys), bound, bound);
        }),
        fc.option(fc.constantFrom<Op>('=', '<', '<=', '>', '>=', 'BETWEEN', 'begins_with'), { nil: undefined }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }),
        async ([keys, x, y], op, forward, limit) => {
          const [a, b] = Buffer.compare(Buffer.from(x), Buffer.from(y)) <= 0 ? [x, y] : [y, x];
          const table = `prop-${run++}`;
          await db.send(new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], BillingMode: 'PAY_PER_REQUEST' }));
          const unique = [...new Set(keys)];
          for (let i = 0; i < unique.length; i += 25) {
            const chunk = unique.slice(i, i + 25).flatMap((sk) => [
              { PutRequest: { Item: { pk: { S: 'p' }, sk: { S: sk } } } },
              { PutRequest: { Item: { pk: { S: 'other' }, sk: { S: sk } } } },
            ]);
            for (let j = 0; j < chunk.length; j += 25) await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: chunk.slice(j, j + 25) } }));
          }
          const condition =
            op === undefined ? '' : op === 'BETWEEN' ? ' AND sk BETWEEN :a AND :b' : op === 'begins_with' ? ' AND begins_with(sk, :a)' : ` AND sk ${op} :a`;
          const values: Record<string, AttributeValue> = { ':p': { S: 'p' } };
          if (op !== undefined) values[':a'] = { S: a };
          if (op === 'BETWEEN') values[':b'] = { S: b };
          const got: string[] = [];
          let start: Record<string, AttributeValue> | undefined;
          let pages = 0;
          do {
            const page = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: `pk = :p${condition}`, ExpressionAttributeValues: values, ScanIndexForward: forward, Limit: limit, ExclusiveStartKey: start }));
            got.push(...(page.Items ?? []).map((item) => item.sk.S!));
            start = page.LastEvaluatedKey;
            assert.ok(++pages < 100, 'paging terminates');
          } while (start);
          await db.send(new DeleteTableCommand({ TableName: table }));
          assert.deepEqual(got, modelQuery(keys, op, a, b, forward));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('Query agrees with a model over numeric sort keys', () => {
  let cove: CoveProcess;
  let db: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    db = cove.client('AKIAPROP00000000001', 'prop-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('orders and bounds numbers by value, whatever their spelling', async () => {
    // Values across signs and magnitudes, spelled in several ways DynamoDB treats as equal.
    const value = fc.tuple(fc.integer({ min: -999, max: 999 }), fc.integer({ min: -40, max: 40 })).map(([m, e]) => ({ m, e }));
    const spell = (v: { m: number; e: number }, style: number) => (style === 0 ? `${v.m}e${v.e}` : style === 1 ? `${v.m}E${v.e}` : `${v.m}.000e${v.e}`);
    // Parsed from the decimal spelling, so the model compares the same doubles the responses parse to.
    const exact = (v: { m: number; e: number }) => Number(`${v.m}e${v.e}`);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(value, { minLength: 1, maxLength: 30 }).chain((values) => fc.tuple(fc.constant(values), fc.oneof(value, fc.constantFrom(...values)), fc.integer({ min: 0, max: 2 }))),
        fc.constantFrom('<', '<=', '>', '>=', '=') as fc.Arbitrary<'<' | '<=' | '>' | '>=' | '='>,
        fc.boolean(),
        async ([values, bound, style], op, forward) => {
          const table = `num-${run++}`;
          await db.send(new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], BillingMode: 'PAY_PER_REQUEST' }));
          const byValue = new Map<number, { m: number; e: number }>();
          for (const v of values) if (!byValue.has(exact(v))) byValue.set(exact(v), v);
          const unique = [...byValue.values()];
          for (let i = 0; i < unique.length; i += 25) {
            await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: unique.slice(i, i + 25).map((v) => ({ PutRequest: { Item: { pk: { S: 'p' }, sk: { N: spell(v, style) } } } })) } }));
          }
          const result = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: `pk = :p AND sk ${op} :b`, ExpressionAttributeValues: { ':p': { S: 'p' }, ':b': { N: spell(bound, (style + 1) % 3) } }, ScanIndexForward: forward }));
          await db.send(new DeleteTableCommand({ TableName: table }));
          const b = exact(bound);
          const test = { '<': (x: number) => x < b, '<=': (x: number) => x <= b, '>': (x: number) => x > b, '>=': (x: number) => x >= b, '=': (x: number) => x === b }[op];
          const expected = [...byValue.keys()].filter(test).sort((x, y) => x - y);
          if (!forward) expected.reverse();
          assert.deepEqual((result.Items ?? []).map((item) => Number(item.sk.N)), expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
