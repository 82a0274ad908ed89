import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: owner
      accessKeys: [{ id: AKIAINDEXOWNER000001, secret: owner-secret }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
    - name: ann
      accessKeys: [{ id: AKIAINDEXANN00000001, secret: ann-secret }]
      policies: [{ name: own-games, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:Query", Resource: ["${ARN}/games", "${ARN}/games/index/*"], Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["\${aws:username}"] } } }] } }]
    - name: reader
      accessKeys: [{ id: AKIAINDEXREADER00001, secret: reader-secret }]
      policies: [{ name: index-only, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: ["dynamodb:Query", "dynamodb:Scan"], Resource: "${ARN}/games/index/byScore" }] } }]
`;

type Item = Record<string, AttributeValue>;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

/** games: player (hash) + game (range); byScore: a GSI on game + score (ALL); byDate: an LSI on date (KEYS_ONLY); byLevel: a GSI on level, INCLUDE score. */
const GAMES: CreateTableCommandInput = {
  TableName: 'games',
  AttributeDefinitions: [
    { AttributeName: 'player', AttributeType: 'S' },
    { AttributeName: 'game', AttributeType: 'S' },
    { AttributeName: 'score', AttributeType: 'N' },
    { AttributeName: 'date', AttributeType: 'S' },
    { AttributeName: 'level', AttributeType: 'N' },
  ],
  KeySchema: [
    { AttributeName: 'player', KeyType: 'HASH' },
    { AttributeName: 'game', KeyType: 'RANGE' },
  ],
  LocalSecondaryIndexes: [{ IndexName: 'byDate', KeySchema: [{ AttributeName: 'player', KeyType: 'HASH' }, { AttributeName: 'date', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
  GlobalSecondaryIndexes: [
    { IndexName: 'byScore', KeySchema: [{ AttributeName: 'game', KeyType: 'HASH' }, { AttributeName: 'score', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
    { IndexName: 'byLevel', KeySchema: [{ AttributeName: 'level', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['score'] } },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

describe('secondary indexes', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAINDEXOWNER000001', 'owner-secret');
    await client.send(new CreateTableCommand(GAMES));
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const put = (item: Item) => client.send(new PutItemCommand({ TableName: 'games', Item: item }));
  const byScore = async (game: string, extra: Partial<ConstructorParameters<typeof QueryCommand>[0]> = {}) =>
    client.send(new QueryCommand({ TableName: 'games', IndexName: 'byScore', KeyConditionExpression: 'game = :g', ExpressionAttributeValues: { ':g': S(game) }, ...extra }));

  it('DescribeTable shows each index with its ARN, key schema, projection and status', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'games' }));
    assert.deepEqual(
      Table?.LocalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexArn, i.Projection?.ProjectionType, i.KeySchema?.map((k) => k.AttributeName)]),
      [['byDate', `${ARN}/games/index/byDate`, 'KEYS_ONLY', ['player', 'date']]],
    );
    assert.deepEqual(
      Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexArn, i.IndexStatus, i.Projection?.ProjectionType, i.Projection?.NonKeyAttributes, typeof i.IndexSizeBytes, typeof i.ItemCount]),
      [
        ['byScore', `${ARN}/games/index/byScore`, 'ACTIVE', 'ALL', undefined, 'number', 'number'],
        ['byLevel', `${ARN}/games/index/byLevel`, 'ACTIVE', 'INCLUDE', ['score'], 'number', 'number'],
      ],
    );
  });

  it('keeps a GSI in index order through puts, updates that move an item, updates that drop its key, and deletes', async () => {
    await put({ player: S('ann'), game: S('chess'), score: N(30), date: S('2026-01-03'), level: N(2), note: S('a') });
    await put({ player: S('bob'), game: S('chess'), score: N(10), date: S('2026-01-01'), level: N(1) });
    await put({ player: S('cat'), game: S('chess'), score: N(20), date: S('2026-01-02') });
    await put({ player: S('dan'), game: S('chess') }); // no score: not in byScore (sparse)
    await put({ player: S('eve'), game: S('go'), score: N(5) });
    let result = await byScore('chess');
    assert.deepEqual(result.Items?.map((i) => i.player.S), ['bob', 'cat', 'ann']);
    assert.deepEqual(result.Items?.[2], { player: S('ann'), game: S('chess'), score: N(30), date: S('2026-01-03'), level: N(2), note: S('a') });

    await client.send(new UpdateItemCommand({ TableName: 'games', Key: { player: S('bob'), game: S('chess') }, UpdateExpression: 'SET score = :s', ExpressionAttributeValues: { ':s': N(40) } }));
    await client.send(new UpdateItemCommand({ TableName: 'games', Key: { player: S('cat'), game: S('chess') }, UpdateExpression: 'REMOVE score' }));
    await client.send(new UpdateItemCommand({ TableName: 'games', Key: { player: S('dan'), game: S('chess') }, UpdateExpression: 'SET score = :s', ExpressionAttributeValues: { ':s': N(35) } }));
    result = await byScore('chess', { ScanIndexForward: false });
    assert.deepEqual(result.Items?.map((i) => [i.player.S, i.score.N]), [['bob', '40'], ['dan', '35'], ['ann', '30']]);

    await client.send(new DeleteItemCommand({ TableName: 'games', Key: { player: S('bob'), game: S('chess') } }));
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { games: [{ PutRequest: { Item: { player: S('fay'), game: S('chess'), score: N(30) } } }, { DeleteRequest: { Key: { player: S('dan'), game: S('chess') } } }] } }),
    );
    result = await byScore('chess', { KeyConditionExpression: 'game = :g AND score BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':g': S('chess'), ':lo': N(30), ':hi': N(30) } });
    // Index keys need not be unique: both items with score 30 are there.
    assert.deepEqual(result.Items?.map((i) => i.player.S).sort(), ['ann', 'fay']);
    const all = await byScore('chess');
    assert.deepEqual(all.Items?.map((i) => i.player.S).sort(), ['ann', 'fay']);
  });

  it('answers with what the index projects, and pages with the table and index keys in LastEvaluatedKey', async () => {
    for (let i = 0; i < 6; i++) await put({ player: S(`p${i}`), game: S('golf'), score: N(100 + i), level: N(7), secret: S(`s${i}`) });
    const byLevel = await client.send(new QueryCommand({ TableName: 'games', IndexName: 'byLevel', KeyConditionExpression: '#l = :l', ExpressionAttributeNames: { '#l': 'level' }, ExpressionAttributeValues: { ':l': N(7) } }));
    assert.equal(byLevel.Count, 6);
    for (const item of byLevel.Items ?? []) assert.deepEqual(Object.keys(item).sort(), ['game', 'level', 'player', 'score']);

    const first = await byScore('golf', { Limit: 4 });
    assert.deepEqual(first.Items?.map((i) => i.player.S), ['p0', 'p1', 'p2', 'p3']);
    assert.deepEqual(first.LastEvaluatedKey, { player: S('p3'), game: S('golf'), score: N(103) });
    const rest = await byScore('golf', { ExclusiveStartKey: first.LastEvaluatedKey });
    assert.deepEqual(rest.Items?.map((i) => i.player.S), ['p4', 'p5']);
    assert.equal(rest.LastEvaluatedKey, undefined);
  });

  it('a local index fetches from the table what it does not project, when asked for ALL_ATTRIBUTES', async () => {
    const keysOnly = await client.send(new QueryCommand({ TableName: 'games', IndexName: 'byDate', KeyConditionExpression: 'player = :p', ExpressionAttributeValues: { ':p': S('ann') } }));
    assert.deepEqual(keysOnly.Items, [{ player: S('ann'), game: S('chess'), date: S('2026-01-03') }]);
    const all = await client.send(new QueryCommand({ TableName: 'games', IndexName: 'byDate', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: 'player = :p', ExpressionAttributeValues: { ':p': S('ann') } }));
    assert.deepEqual(all.Items?.[0].note, S('a'));
    // A filter on an attribute the index does not project reads the item, but the answer is what the index projects.
    const filtered = await client.send(new QueryCommand({ TableName: 'games', IndexName: 'byDate', KeyConditionExpression: 'player = :p', FilterExpression: 'attribute_exists(note)', ExpressionAttributeValues: { ':p': S('ann') } }));
    assert.deepEqual(filtered.Items, [{ player: S('ann'), game: S('chess'), date: S('2026-01-03') }]);
  });

  it('scans an index, whole or in segments, holding exactly the items with its keys', async () => {
    const whole = await client.send(new ScanCommand({ TableName: 'games', IndexName: 'byScore' }));
    const segments = await Promise.all([0, 1, 2].map((Segment) => client.send(new ScanCommand({ TableName: 'games', IndexName: 'byScore', Segment, TotalSegments: 3 }))));
    const players = (items: Item[] | undefined) => (items ?? []).map((i) => i.player.S).sort();
    assert.deepEqual(players(segments.flatMap((s) => s.Items ?? [])), players(whole.Items));
    const table = await client.send(new ScanCommand({ TableName: 'games', FilterExpression: 'attribute_exists(score)' }));
    assert.deepEqual(players(whole.Items), players(table.Items));
  });

  it("refuses what DynamoDB refuses, with its words", async () => {
    // Thunks, sent one at a time: a request sent up front and refused before the loop awaits it
    // was an unhandled rejection, which failed the test now and then.
    const cases: [() => Promise<unknown>, string][] = [
      [() => byScore('chess', { IndexName: 'nope' }), 'The table does not have the specified index: nope'],
      [() => byScore('chess', { ConsistentRead: true }), 'Consistent reads are not supported on global secondary indexes'],
      [
        () => client.send(new QueryCommand({ TableName: 'games', IndexName: 'byLevel', Select: 'ALL_ATTRIBUTES', KeyConditionExpression: '#l = :l', ExpressionAttributeNames: { '#l': 'level' }, ExpressionAttributeValues: { ':l': N(7) } })),
        'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byLevel because its projection type is not ALL',
      ],
      [() => put({ player: S('x'), game: S('chess'), score: S('high') }), 'One or more parameter values were invalid: Type mismatch for Index Key score Expected: N Actual: S IndexName: byScore'],
      [
        () => client.send(new UpdateItemCommand({ TableName: 'games', Key: { player: S('ann'), game: S('chess') }, UpdateExpression: 'SET #l = :l', ExpressionAttributeNames: { '#l': 'level' }, ExpressionAttributeValues: { ':l': S('two') } })),
        'One or more parameter values were invalid: Type mismatch for Index Key level Expected: N Actual: S IndexName: byLevel',
      ],
    ];
    for (const [request, message] of cases) {
      const error = await rejection(request());
      assert.equal(error.name, 'ValidationException', message);
      assert.equal(error.message, message);
    }
    // Refused writes changed nothing.
    const ann = await byScore('chess', { KeyConditionExpression: 'game = :g AND score = :s', ExpressionAttributeValues: { ':g': S('chess'), ':s': N(30) } });
    assert.ok(ann.Items?.some((i) => i.player.S === 'ann' && i.level.N === '2'));
  });

  it('authorizes a read of an index on the index ARN: a policy can allow the index and not its table', async () => {
    const reader = cove.client('AKIAINDEXREADER00001', 'reader-secret');
    const allowed = await reader.send(new QueryCommand({ TableName: 'games', IndexName: 'byScore', KeyConditionExpression: 'game = :g', ExpressionAttributeValues: { ':g': S('golf') } }));
    assert.equal(allowed.Count, 6);
    const denied = await rejection(reader.send(new QueryCommand({ TableName: 'games', KeyConditionExpression: 'player = :p', ExpressionAttributeValues: { ':p': S('ann') } })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, /not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/games because/);
    const otherIndex = await rejection(reader.send(new ScanCommand({ TableName: 'games', IndexName: 'byLevel' })));
    assert.match(otherIndex.message, /dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/games\/index\/byLevel because/);
  });

  it('transactions keep the indexes: a committed one moves entries, a cancelled one leaves them', async () => {
    await put({ player: S('tx1'), game: S('poker'), score: N(1) });
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'games', Item: { player: S('tx2'), game: S('poker'), score: N(2) } } },
          { Update: { TableName: 'games', Key: { player: S('tx1'), game: S('poker') }, UpdateExpression: 'SET score = :s', ExpressionAttributeValues: { ':s': N(3) } } },
        ],
      }),
    );
    const poker = async () => (await byScore('poker')).Items?.map((i) => [i.player.S, i.score.N]);
    assert.deepEqual(await poker(), [['tx2', '2'], ['tx1', '3']]);
    const cancelled = await rejection(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Delete: { TableName: 'games', Key: { player: S('tx2'), game: S('poker') } } },
            { Put: { TableName: 'games', Item: { player: S('tx3'), game: S('poker'), score: N(0) }, ConditionExpression: 'attribute_exists(player)' } },
          ],
        }),
      ),
    );
    assert.equal(cancelled.name, 'TransactionCanceledException');
    assert.deepEqual(await poker(), [['tx2', '2'], ['tx1', '3']]);
  });

  it("dynamodb:LeadingKeys of an index query is the index's partition key value: a per-user policy holds through indexes", async () => {
    const ann = cove.client('AKIAINDEXANN00000001', 'ann-secret');
    const own = await ann.send(new QueryCommand({ TableName: 'games', IndexName: 'byLevel', KeyConditionExpression: '#l = :l', ExpressionAttributeNames: { '#l': 'level' }, ExpressionAttributeValues: { ':l': N(7) } })).catch((error: Error) => error);
    // The index's partition value (7) is not ann: denied, though the table's key is never named.
    assert.equal((own as Error).name, 'AccessDeniedException');
    const table = await ann.send(new QueryCommand({ TableName: 'games', KeyConditionExpression: 'player = :p', ExpressionAttributeValues: { ':p': S('ann') } }));
    assert.ok((table.Count ?? 0) > 0);
  });

  it('a table deleted and created again has empty indexes', async () => {
    const create = { ...GAMES, TableName: 'again' };
    await client.send(new CreateTableCommand(create));
    await client.send(new PutItemCommand({ TableName: 'again', Item: { player: S('ann'), game: S('chess'), score: N(1) } }));
    await client.send(new DeleteTableCommand({ TableName: 'again' }));
    await client.send(new CreateTableCommand(create));
    const result = await client.send(new QueryCommand({ TableName: 'again', IndexName: 'byScore', KeyConditionExpression: 'game = :g', ExpressionAttributeValues: { ':g': S('chess') } }));
    assert.equal(result.Count, 0);
  });

  it('matches a model of the GSI over random puts, updates and deletes', async () => {
    await client.send(new CreateTableCommand({ ...GAMES, TableName: 'model' }));
    const model = new Map<string, { game: string; score?: number }>();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const games = ['a', 'b', 'a\u0000b', 'a\u0000'];
    for (let step = 0; step < 300; step++) {
      const player = `p${random(25)}`;
      const game = games[random(games.length)];
      const key = `${player}\u0001${game}`;
      const action = random(4);
      if (action === 0) {
        const score = random(5) - 2;
        await client.send(new PutItemCommand({ TableName: 'model', Item: { player: S(player), game: S(game), score: N(score) } }));
        model.set(key, { game, score });
      } else if (action === 1) {
        const score = random(5) - 2;
        await client.send(new UpdateItemCommand({ TableName: 'model', Key: { player: S(player), game: S(game) }, UpdateExpression: 'SET score = :s', ExpressionAttributeValues: { ':s': N(score) } }));
        model.set(key, { game, score });
      } else if (action === 2) {
        await client.send(new UpdateItemCommand({ TableName: 'model', Key: { player: S(player), game: S(game) }, UpdateExpression: 'REMOVE score' }));
        if (model.has(key)) model.set(key, { game });
      } else {
        await client.send(new DeleteItemCommand({ TableName: 'model', Key: { player: S(player), game: S(game) } }));
        model.delete(key);
      }
    }
    for (const game of games) {
      const expected = [...model.entries()]
        .filter(([, v]) => v.game === game && v.score !== undefined)
        .map(([k, v]) => [k.split('\u0001')[0], v.score!] as const)
        .sort((x, y) => x[1] - y[1]);
      const items: Item[] = [];
      let start: Item | undefined;
      do {
        const page = await client.send(new QueryCommand({ TableName: 'model', IndexName: 'byScore', KeyConditionExpression: 'game = :g', ExpressionAttributeValues: { ':g': S(game) }, Limit: 7, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      assert.deepEqual(items.map((i) => Number(i.score.N)), expected.map(([, score]) => score), `scores of ${JSON.stringify(game)}`);
      assert.deepEqual(items.map((i) => i.player.S).sort(), expected.map(([player]) => player).sort(), `players of ${JSON.stringify(game)}`);
      const below = await client.send(new QueryCommand({ TableName: 'model', IndexName: 'byScore', KeyConditionExpression: 'game = :g AND score < :z', ExpressionAttributeValues: { ':g': S(game), ':z': N(0) } }));
      assert.equal(below.Count, expected.filter(([, score]) => score < 0).length, `negative scores of ${JSON.stringify(game)}`);
    }
  });
});

describe('CreateTable with secondary indexes: DynamoDB validation', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAINDEXOWNER000001', 'owner-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const gsi = (IndexName: string, hash = 'g') => ({ IndexName, KeySchema: [{ AttributeName: hash, KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } });
  const base = (extra: Partial<CreateTableCommandInput>): CreateTableCommandInput => ({
    TableName: 'vvv',
    AttributeDefinitions: [
      { AttributeName: 'h', AttributeType: 'S' },
      { AttributeName: 'r', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'h', KeyType: 'HASH' },
      { AttributeName: 'r', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    ...extra,
  });

  it('refuses each wrong shape with its message', async () => {
    const cases: [CreateTableCommandInput, string][] = [
      [base({ GlobalSecondaryIndexes: [] }), 'One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty'],
      [base({ GlobalSecondaryIndexes: [gsi('aaa'), gsi('aaa')] }), 'One or more parameter values were invalid: Duplicate index name: aaa'],
      [base({ GlobalSecondaryIndexes: [gsi('aaa', 'zz')] }), 'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [zz], AttributeDefinitions: [h, r, g]'],
      [base({ GlobalSecondaryIndexes: [{ ...gsi('aaa'), Projection: { ProjectionType: 'ALL', NonKeyAttributes: ['x'] } }] }), 'One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified'],
      [
        base({ BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, GlobalSecondaryIndexes: [gsi('aaa')] }),
        'One or more parameter values were invalid: ProvisionedThroughput is not specified for index: aaa',
      ],
      [
        base({ GlobalSecondaryIndexes: [{ ...gsi('aaa'), ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }] }),
        'One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: aaa when BillingMode is PAY_PER_REQUEST',
      ],
      [base({ GlobalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => gsi(`idx${i}`)) }), 'One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20'],
      [base({}), 'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions'],
      [
        base({ AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }, { AttributeName: 'r', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }, { AttributeName: 'x', AttributeType: 'S' }], GlobalSecondaryIndexes: [gsi('aaa')] }),
        'One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [h, r, g, x], keys used: [h, r, g]',
      ],
      [
        base({ LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }, { AttributeName: 'r', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }] }),
        'One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi. index hash key: g, table hash key: h',
      ],
      [
        base({ LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }], AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }, { AttributeName: 'r', AttributeType: 'S' }] }),
        'One or more parameter values were invalid: Index KeySchema does not have a range key for index: lsi',
      ],
      [
        base({
          KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
          LocalSecondaryIndexes: [{ IndexName: 'lsi', KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }, { AttributeName: 'g', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
        }),
        'One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex',
      ],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(client.send(new CreateTableCommand(input)));
      assert.equal(error.name, 'ValidationException', message);
      assert.equal(error.message, message);
    }
  });

  it('answers CreateTable with the indexes CREATING, as DynamoDB does, and DescribeTable with them ACTIVE', async () => {
    const created = await client.send(new CreateTableCommand(base({ GlobalSecondaryIndexes: [gsi('aaa')] })));
    assert.equal(created.TableDescription?.GlobalSecondaryIndexes?.[0].IndexStatus, 'CREATING');
    const described = await client.send(new DescribeTableCommand({ TableName: 'vvv' }));
    assert.equal(described.Table?.GlobalSecondaryIndexes?.[0].IndexStatus, 'ACTIVE');
  });
});

describe('an index keyed on an attribute named like an Object member', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client('AKIAINDEXOWNER000001', 'owner-secret');
    await client.send(
      new CreateTableCommand({
        TableName: 'shapes',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'constructor', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byConstructor', KeySchema: [{ AttributeName: 'constructor', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('keeps items without the attribute out of the index (sparse), and items with it in', async () => {
    await client.send(new PutItemCommand({ TableName: 'shapes', Item: { id: S('plain') } }));
    await client.send(new PutItemCommand({ TableName: 'shapes', Item: { id: S('built'), constructor: S('Circle') } }));
    const scan = await client.send(new ScanCommand({ TableName: 'shapes', IndexName: 'byConstructor' }));
    assert.deepEqual(scan.Items?.map((i) => i.id.S), ['built']);
  });
});
