import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const CONFIG = fullAccessConfig('multikey', 'AKIAMULTIKEY00000001', 'multikey-secret');
const INVALID = 'One or more parameter values were invalid: ';

type Item = Record<string, AttributeValue>;
const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

/** matches: p (hash); byTour: HASH tour (S), region (N), RANGE round (S), seq (N), ALL; byPair: HASH a, b, KEYS_ONLY. */
const MATCHES: CreateTableCommandInput = {
  TableName: 'matches',
  AttributeDefinitions: [
    { AttributeName: 'p', AttributeType: 'S' },
    { AttributeName: 'tour', AttributeType: 'S' },
    { AttributeName: 'region', AttributeType: 'N' },
    { AttributeName: 'round', AttributeType: 'S' },
    { AttributeName: 'seq', AttributeType: 'N' },
    { AttributeName: 'a', AttributeType: 'S' },
    { AttributeName: 'b', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byTour',
      KeySchema: [
        { AttributeName: 'tour', KeyType: 'HASH' },
        { AttributeName: 'region', KeyType: 'HASH' },
        { AttributeName: 'round', KeyType: 'RANGE' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
    {
      IndexName: 'byPair',
      KeySchema: [
        { AttributeName: 'a', KeyType: 'HASH' },
        { AttributeName: 'b', KeyType: 'HASH' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

/** Rounds with shared prefixes and NUL bytes, so the escaped, terminated sort values are exercised. */
const ROUNDS = ['final', 'q', 'q\u0000', 'qa', 'semi'];

describe('GSIs with multi-attribute keys', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAMULTIKEY00000001', 'multikey-secret');
    await client.send(new CreateTableCommand(MATCHES));
    let n = 0;
    for (const round of ROUNDS) {
      for (const seq of [3, 1, 2]) await put({ p: S(`m${n++}`), tour: S('w24'), region: N(1), round: S(round), seq: N(seq) });
    }
    await put({ p: S('other-region'), tour: S('w24'), region: N(2), round: S('final'), seq: N(1) });
    await put({ p: S('no-seq'), tour: S('w24'), region: N(1), round: S('final') }); // sparse: a sort attribute missing
    await put({ p: S('no-region'), tour: S('w24'), round: S('final'), seq: N(1) }); // sparse: a partition attribute missing
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const put = (item: Item) => client.send(new PutItemCommand({ TableName: 'matches', Item: item }));
  const byTour = (condition: string, values: Record<string, AttributeValue> = {}, extra: Partial<QueryCommandInput> = {}) =>
    client.send(
      new QueryCommand({
        TableName: 'matches',
        IndexName: 'byTour',
        KeyConditionExpression: `tour = :t AND #r = :r${condition ? ` AND ${condition}` : ''}`,
        ExpressionAttributeNames: { '#r': 'region' },
        ExpressionAttributeValues: { ':t': S('w24'), ':r': N(1), ...values },
        ...extra,
      }),
    );
  const pairs = (items: Item[] | undefined) => (items ?? []).map((i) => `${i.round.S}/${i.seq.N}`);

  it('CreateTable and DescribeTable show the KeySchema as given', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'matches' }));
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((i) => i.KeySchema), MATCHES.GlobalSecondaryIndexes?.map((i) => i.KeySchema));
  });

  it('holds exactly the items with every key attribute, in tuple order', async () => {
    const all = await byTour('');
    const expected = ROUNDS.flatMap((round) => [1, 2, 3].map((seq) => `${round}/${seq}`));
    assert.deepEqual(pairs(all.Items), expected);
    const reversed = await byTour('', {}, { ScanIndexForward: false });
    assert.deepEqual(pairs(reversed.Items), [...expected].reverse());
    const scan = await client.send(new ScanCommand({ TableName: 'matches', IndexName: 'byTour' }));
    assert.deepEqual(scan.Items?.map((i) => i.p.S).sort(), [...all.Items!.map((i) => i.p.S), 'other-region'].sort());
  });

  it('answers every allowed condition shape: equality on a sort prefix, then one range condition', async () => {
    const cases: [string, Record<string, AttributeValue>, string[]][] = [
      ['round = :a', { ':a': S('q') }, ['q/1', 'q/2', 'q/3']],
      ['round = :a AND seq = :b', { ':a': S('q'), ':b': N(2) }, ['q/2']],
      ['seq < :b AND round = :a', { ':a': S('q'), ':b': N(2) }, ['q/1']],
      ['round = :a AND seq <= :b', { ':a': S('q\u0000'), ':b': N(2) }, ['q\u0000/1', 'q\u0000/2']],
      ['round = :a AND seq > :b', { ':a': S('qa'), ':b': N(2) }, ['qa/3']],
      ['round = :a AND seq >= :b', { ':a': S('qa'), ':b': N(2) }, ['qa/2', 'qa/3']],
      ['round = :a AND seq BETWEEN :b AND :c', { ':a': S('semi'), ':b': N(2), ':c': N(3) }, ['semi/2', 'semi/3']],
      ['round < :a', { ':a': S('q\u0000') }, ['final/1', 'final/2', 'final/3', 'q/1', 'q/2', 'q/3']],
      ['round <= :a', { ':a': S('q') }, ['final/1', 'final/2', 'final/3', 'q/1', 'q/2', 'q/3']],
      ['round > :a', { ':a': S('q\u0000') }, ['qa/1', 'qa/2', 'qa/3', 'semi/1', 'semi/2', 'semi/3']],
      ['round >= :a', { ':a': S('qa') }, ['qa/1', 'qa/2', 'qa/3', 'semi/1', 'semi/2', 'semi/3']],
      ['round BETWEEN :a AND :c', { ':a': S('q'), ':c': S('qa') }, ['q/1', 'q/2', 'q/3', 'q\u0000/1', 'q\u0000/2', 'q\u0000/3', 'qa/1', 'qa/2', 'qa/3']],
      ['begins_with(round, :a)', { ':a': S('q') }, ['q/1', 'q/2', 'q/3', 'q\u0000/1', 'q\u0000/2', 'q\u0000/3', 'qa/1', 'qa/2', 'qa/3']],
      ['begins_with(round, :a)', { ':a': S('q\u0000') }, ['q\u0000/1', 'q\u0000/2', 'q\u0000/3']],
    ];
    for (const [condition, values, expected] of cases) {
      const result = await byTour(condition, values);
      assert.deepEqual(pairs(result.Items), expected, condition);
    }
    const legacy = await client.send(
      new QueryCommand({
        TableName: 'matches',
        IndexName: 'byTour',
        KeyConditions: {
          tour: { ComparisonOperator: 'EQ', AttributeValueList: [S('w24')] },
          region: { ComparisonOperator: 'EQ', AttributeValueList: [N(1)] },
          round: { ComparisonOperator: 'EQ', AttributeValueList: [S('final')] },
          seq: { ComparisonOperator: 'GT', AttributeValueList: [N(1)] },
        },
      }),
    );
    assert.deepEqual(pairs(legacy.Items), ['final/2', 'final/3']);
  });

  it('refuses each other shape, with its text', async () => {
    const hashRule = (name: string) => `Query key condition not supported: an equality condition is required on every HASH key attribute of the index; missing or not an equality: ${name}`;
    const rangeRule = (name: string) =>
      `Query key condition not supported: RANGE key attributes of the index must be conditioned left to right, with an equality condition on each before the last one conditioned; out of order: ${name}`;
    const query = (expression: string, values: Record<string, AttributeValue>, extra: Partial<QueryCommandInput> = {}) =>
      client.send(
        new QueryCommand({ TableName: 'matches', IndexName: 'byTour', KeyConditionExpression: expression, ExpressionAttributeNames: { '#r': 'region' }, ExpressionAttributeValues: values, ...extra }),
      );
    // Each request is sent when its turn comes: one refused before the loop awaited it would be an
    // unhandled rejection (it failed the suite on PostgreSQL, whose answers come at other moments).
    const cases: [() => Promise<unknown>, string][] = [
      [() => query('tour = :t', { ':t': S('w24') }, { ExpressionAttributeNames: undefined }), hashRule('region')],
      [() => query('tour = :t AND #r > :r', { ':t': S('w24'), ':r': N(1) }), hashRule('region')],
      [() => query('tour = :t AND #r BETWEEN :r AND :s', { ':t': S('w24'), ':r': N(1), ':s': N(2) }), hashRule('region')],
      [() => byTour('seq = :b', { ':b': N(1) }), rangeRule('seq')],
      [() => byTour('round > :a AND seq = :b', { ':a': S('q'), ':b': N(1) }), rangeRule('seq')],
      [() => byTour('round > :a AND seq > :b', { ':a': S('q'), ':b': N(1) }), rangeRule('seq')],
      [() => byTour('begins_with(round, :a) AND seq = :b', { ':a': S('q'), ':b': N(1) }), rangeRule('seq')],
      [() => byTour('round = :a AND begins_with(seq, :b)', { ':a': S('q'), ':b': N(1) }), 'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N'],
      [() => byTour('round = :a', { ':a': N(1) }), `${INVALID}Condition parameter type does not match schema type`],
      [() => query('tour = :t AND #r = :r', { ':t': S('w24'), ':r': S('1') }), `${INVALID}Condition parameter type does not match schema type`],
      [() => byTour('round = :a', { ':a': S('') }), 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: round'],
      [() => byTour('note = :a', { ':a': S('x') }), 'Query condition missed key schema element: round'],
      [() => byTour('', { ':a': S('x') }, { FilterExpression: 'seq = :a' }), 'Filter Expression can only contain non-primary key attributes: Primary key attribute: seq'],
      [() => put({ p: S('bad'), tour: S('w24'), region: N(1), round: S('q'), seq: S('one') }), `${INVALID}Type mismatch for Index Key seq Expected: N Actual: S IndexName: byTour`],
      [() => put({ p: S('bad'), tour: S('w24'), region: S('1') }), `${INVALID}Type mismatch for Index Key region Expected: N Actual: S IndexName: byTour`],
    ];
    for (const [request, message] of cases) {
      const error = await rejection(request());
      assert.equal(error.name, 'ValidationException', message);
      assert.equal(error.message, message);
    }
  });

  it('pages with every index key and the table key in LastEvaluatedKey, and resumes from it', async () => {
    const first = await byTour('', {}, { Limit: 4 });
    assert.deepEqual(first.LastEvaluatedKey as Item, { p: first.Items![3].p, tour: S('w24'), region: N(1), round: S('q'), seq: N(1) });
    const items: Item[] = [...first.Items!];
    let start = first.LastEvaluatedKey;
    while (start) {
      const page = await byTour('', {}, { Limit: 4, ExclusiveStartKey: start });
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    }
    assert.deepEqual(pairs(items), pairs((await byTour('')).Items));
    const incomplete = await rejection(byTour('', {}, { ExclusiveStartKey: { p: S('m0'), tour: S('w24'), region: N(1), round: S('q') } }));
    assert.equal(incomplete.message, 'The provided starting key is invalid');
    const outside = await rejection(byTour('round = :a', { ':a': S('semi') }, { ExclusiveStartKey: first.LastEvaluatedKey }));
    assert.equal(outside.message, 'The provided starting key does not match the range key predicate');
  });

  it('moves an item in and out of the index as updates add and remove key attributes', async () => {
    const pair = async () =>
      (await client.send(new QueryCommand({ TableName: 'matches', IndexName: 'byPair', KeyConditionExpression: 'a = :a AND b = :b', ExpressionAttributeValues: { ':a': S('x'), ':b': S('y') } }))).Items;
    await put({ p: S('pair'), a: S('x'), extra: S('e') });
    assert.deepEqual(await pair(), []);
    await client.send(new UpdateItemCommand({ TableName: 'matches', Key: { p: S('pair') }, UpdateExpression: 'SET b = :b', ExpressionAttributeValues: { ':b': S('y') } }));
    assert.deepEqual(await pair(), [{ p: S('pair'), a: S('x'), b: S('y') }]); // KEYS_ONLY: no extra
    await client.send(new UpdateItemCommand({ TableName: 'matches', Key: { p: S('pair') }, UpdateExpression: 'REMOVE a' }));
    assert.deepEqual(await pair(), []);
  });
});

describe('CreateTable with multi-attribute GSI keys: the checks', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAMULTIKEY00000001', 'multikey-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const names = Array.from({ length: 9 }, (_, i) => `k${i}`);
  const table = (keySchema: [string, 'HASH' | 'RANGE'][], local = false): CreateTableCommandInput => ({
    TableName: 'multikey',
    AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }, { AttributeName: 's', AttributeType: 'S' }, ...names.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }))],
    KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }, { AttributeName: 's', KeyType: 'RANGE' }],
    [local ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes']: [
      { IndexName: 'idx', KeySchema: keySchema.map(([AttributeName, KeyType]) => ({ AttributeName, KeyType })), Projection: { ProjectionType: 'ALL' } },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });

  it('refuses each wrong KeySchema with its message', async () => {
    const keys = (hash: number, range: number): [string, 'HASH' | 'RANGE'][] => [
      ...names.slice(0, hash).map((n): [string, 'HASH'] => [n, 'HASH']),
      ...names.slice(hash, hash + range).map((n): [string, 'RANGE'] => [n, 'RANGE']),
    ];
    const cases: [CreateTableCommandInput, string | RegExp][] = [
      [table(keys(5, 0)), `${INVALID}Index KeySchema has more than 4 HASH key elements for index: idx`],
      [table(keys(1, 5)), `${INVALID}Index KeySchema has more than 4 RANGE key elements for index: idx`],
      [table([['k0', 'HASH'], ['k1', 'RANGE'], ['k2', 'HASH']]), 'Invalid KeySchema: HASH key elements must precede RANGE key elements'],
      [table([['k0', 'RANGE'], ['k1', 'HASH']]), 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type'],
      [table([['k0', 'HASH'], ['k1', 'HASH'], ['k0', 'RANGE']]), 'Invalid KeySchema: More than one KeySchemaElement has the same name: k0'],
      [table([['k0', 'HASH'], ['zz', 'HASH']]), `${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [k0, zz], AttributeDefinitions: [p, s, ${names.join(', ')}]`],
      [table(keys(4, 5)), /^1 validation error detected: Value .* at 'globalSecondaryIndexes\.1\.member\.keySchema' failed to satisfy constraint: Member must have length less than or equal to 8$/],
      [table([['p', 'HASH'], ['s', 'RANGE'], ['k0', 'RANGE']], true), /at 'localSecondaryIndexes\.1\.member\.keySchema' failed to satisfy constraint: Member must have length less than or equal to 2$/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(client.send(new CreateTableCommand(input)));
      assert.equal(error.name, 'ValidationException', String(message));
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
    }
  });

  it('accepts four HASH and four RANGE elements, or several HASH elements alone', async () => {
    const eight: [string, 'HASH' | 'RANGE'][] = names.slice(0, 8).map((n, i) => [n, i < 4 ? 'HASH' : 'RANGE']);
    const created = await client.send(new CreateTableCommand({ ...table(eight), AttributeDefinitions: table(eight).AttributeDefinitions!.slice(0, 10) }));
    assert.equal(created.TableDescription?.GlobalSecondaryIndexes?.[0].KeySchema?.length, 8);
    const hashOnly = { ...table([['k0', 'HASH'], ['k1', 'HASH']]), TableName: 'multikey2' };
    await client.send(new CreateTableCommand({ ...hashOnly, AttributeDefinitions: hashOnly.AttributeDefinitions!.slice(0, 4) }));
  });
});

describe('a 2+2-attribute GSI agrees with a model over random writes and queries', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAMULTIKEY00000001', 'multikey-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  interface Row { h1?: string; h2?: number; r1?: string; r2?: number }
  // Prefixes and NUL bytes make the escaping and the terminators matter.
  const H1 = ['x', 'y'];
  const H2 = [1, 2];
  const R1 = ['a', 'a\u0000', 'a\u0000b', 'ab', 'b'];
  const R2 = [-1, 0, 1, 2];
  const compareRows = (x: Row, y: Row) => Buffer.compare(Buffer.from(x.r1!), Buffer.from(y.r1!)) || x.r2! - y.r2!;
  const byteCompare = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));

  type Shape = { expression: string; values: Record<string, AttributeValue>; matches: (row: Row) => boolean };
  /** A random allowed condition on the sort attributes: none, r1 alone, or r1 = v and one condition on r2. */
  function randomShape(random: (n: number) => number): Shape {
    const r1 = R1[random(R1.length)];
    const [lo, hi] = [R2[random(R2.length)], R2[random(R2.length)]].sort((a, b) => a - b);
    const [r1lo, r1hi] = [r1, R1[random(R1.length)]].sort(byteCompare);
    const shapes: Shape[] = [
      { expression: '', values: {}, matches: () => true },
      { expression: 'r1 = :a', values: { ':a': S(r1) }, matches: (row) => row.r1 === r1 },
      { expression: 'r1 < :a', values: { ':a': S(r1) }, matches: (row) => byteCompare(row.r1!, r1) < 0 },
      { expression: 'r1 >= :a', values: { ':a': S(r1) }, matches: (row) => byteCompare(row.r1!, r1) >= 0 },
      { expression: 'r1 BETWEEN :a AND :b', values: { ':a': S(r1lo), ':b': S(r1hi) }, matches: (row) => byteCompare(row.r1!, r1lo) >= 0 && byteCompare(row.r1!, r1hi) <= 0 },
      { expression: 'begins_with(r1, :a)', values: { ':a': S(r1) }, matches: (row) => row.r1!.startsWith(r1) },
      { expression: 'r1 = :a AND r2 = :c', values: { ':a': S(r1), ':c': N(lo) }, matches: (row) => row.r1 === r1 && row.r2 === lo },
      { expression: 'r1 = :a AND r2 <= :c', values: { ':a': S(r1), ':c': N(lo) }, matches: (row) => row.r1 === r1 && row.r2! <= lo },
      { expression: 'r2 > :c AND r1 = :a', values: { ':a': S(r1), ':c': N(lo) }, matches: (row) => row.r1 === r1 && row.r2! > lo },
      { expression: 'r1 = :a AND r2 BETWEEN :c AND :d', values: { ':a': S(r1), ':c': N(lo), ':d': N(hi) }, matches: (row) => row.r1 === r1 && row.r2! >= lo && row.r2! <= hi },
    ];
    return shapes[random(shapes.length)];
  }

  async function randomWrites(random: (n: number) => number, model: Map<string, Row>): Promise<void> {
    const pick = <T>(values: readonly T[]) => values[random(values.length)];
    for (let step = 0; step < 400; step++) {
      const p = `p${random(60)}`;
      const action = random(5);
      if (action <= 1) {
        const row: Row = { h1: pick(H1), h2: pick(H2), r1: pick(R1), r2: pick(R2) };
        // Now and then an item lacks one key attribute: it must stay out of the index.
        if (random(5) === 0) delete row[(['h1', 'h2', 'r1', 'r2'] as const)[random(4)]];
        const item: Item = { p: S(p) };
        if (row.h1 !== undefined) item.h1 = S(row.h1);
        if (row.h2 !== undefined) item.h2 = N(row.h2);
        if (row.r1 !== undefined) item.r1 = S(row.r1);
        if (row.r2 !== undefined) item.r2 = N(row.r2);
        await client.send(new PutItemCommand({ TableName: 'model', Item: item }));
        model.set(p, row);
      } else if (action === 2) {
        const r2 = pick(R2);
        await client.send(new UpdateItemCommand({ TableName: 'model', Key: { p: S(p) }, UpdateExpression: 'SET r2 = :v', ExpressionAttributeValues: { ':v': N(r2) } }));
        model.set(p, { ...(model.get(p) ?? {}), r2 });
      } else if (action === 3) {
        await client.send(new UpdateItemCommand({ TableName: 'model', Key: { p: S(p) }, UpdateExpression: 'REMOVE r1' }));
        const row = model.get(p);
        if (row) delete row.r1;
      } else {
        await client.send(new DeleteItemCommand({ TableName: 'model', Key: { p: S(p) } }));
        model.delete(p);
      }
    }
  }

  it('returns exactly the model\'s rows, in tuple order, across pages and in both directions', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'model',
        AttributeDefinitions: [
          { AttributeName: 'p', AttributeType: 'S' },
          { AttributeName: 'h1', AttributeType: 'S' },
          { AttributeName: 'h2', AttributeType: 'N' },
          { AttributeName: 'r1', AttributeType: 'S' },
          { AttributeName: 'r2', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi',
            KeySchema: [
              { AttributeName: 'h1', KeyType: 'HASH' },
              { AttributeName: 'h2', KeyType: 'HASH' },
              { AttributeName: 'r1', KeyType: 'RANGE' },
              { AttributeName: 'r2', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    let seed = 11;
    // The high bits: an LCG's low bits cycle quickly (its lowest alternates).
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const model = new Map<string, Row>();
    await randomWrites(random, model);
    let rowsCompared = 0;
    for (let round = 0; round < 60; round++) {
      const [h1, h2] = [H1[random(H1.length)], H2[random(H2.length)]];
      const shape = randomShape(random);
      const forward = random(2) === 0;
      const expected = [...model.entries()]
        .filter(([, row]) => row.h1 === h1 && row.h2 === h2 && row.r1 !== undefined && row.r2 !== undefined && shape.matches(row))
        .sort(([, x], [, y]) => compareRows(x, y));
      if (!forward) expected.reverse();
      const items: Item[] = [];
      let start: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: 'model',
            IndexName: 'gsi',
            KeyConditionExpression: `h1 = :h1 AND h2 = :h2${shape.expression ? ` AND ${shape.expression}` : ''}`,
            ExpressionAttributeValues: { ':h1': S(h1), ':h2': N(h2), ...shape.values },
            ScanIndexForward: forward,
            Limit: 1 + random(5),
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      const label = `${h1}/${h2} ${JSON.stringify(shape.expression)} ${JSON.stringify(shape.values)} forward=${forward}`;
      // Rows with equal index keys come in table-key-hash order: compare keys in order, table keys as a set.
      assert.deepEqual(items.map((i) => `${i.r1.S}/${i.r2.N}`), expected.map(([, row]) => `${row.r1}/${row.r2}`), label);
      assert.deepEqual(items.map((i) => i.p.S).sort(), expected.map(([p]) => p).sort(), label);
      rowsCompared += expected.length;
    }
    assert.ok(rowsCompared > 60, `only ${rowsCompared} rows compared: the random data should fill the partitions`);
  });
});
