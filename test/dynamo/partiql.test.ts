import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchExecuteStatementCommand, CreateTableCommand, DynamoDBClient, ExecuteStatementCommand, ExecuteTransactionCommand, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseStatement } from '../../src/dynamo/partiql/parser.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejectsWith } from '../support/errors.js';

const ACCOUNT = '123456789012';
const ADMIN = { accessKeyId: 'AKIAPARTIQL00000001', secretAccessKey: 'partiql-secret' };
const READER = { accessKeyId: 'AKIAPQREADER0000001', secretAccessKey: 'reader-secret' };
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: ${ADMIN.accessKeyId}, secret: ${ADMIN.secretAccessKey} }]
      policies: [{ name: all, document: ${doc([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }])} }]
    - name: reader
      accessKeys: [{ id: ${READER.accessKeyId}, secret: ${READER.secretAccessKey} }]
      policies: [{ name: select, document: ${doc([{ Effect: 'Allow', Action: 'dynamodb:PartiQLSelect', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/music/index/by-year` }])} }]
`;

describe('PartiQL: the parser', () => {
  it('reads the statements DynamoDB takes, and refuses what it refuses with its texts', () => {
    assert.deepEqual(parseStatement(`SELECT a.b[2], "c" FROM "t.x"."idx" WHERE k = ? AND NOT (n BETWEEN 1 AND 2)`, [{ S: 'v' }]).kind, 'select');
    const insert = parseStatement(`INSERT INTO t VALUE {'k': 'it''s', 'n': -1.5e3, 'l': [1, 'x', TRUE, NULL], 'm': {'deep': <<1, 2>>}}`);
    assert.ok(insert.kind === 'insert');
    assert.deepEqual(insert.item.value, { M: Object.assign(Object.create(null), { k: { S: "it's" }, n: { N: '-1.5e3' }, l: { L: [{ N: '1' }, { S: 'x' }, { BOOL: true }, { NULL: true }] }, m: { M: Object.assign(Object.create(null), { deep: { NS: ['1', '2'] } }) } }) });
    const prototypeNames = parseStatement(`INSERT INTO t VALUE {'__proto__': 'a', 'constructor': 'b'}`);
    assert.ok(prototypeNames.kind === 'insert' && 'M' in prototypeNames.item.value);
    assert.deepEqual(Object.keys(prototypeNames.item.value.M), ['__proto__', 'constructor']);
    const refuses = (statement: string, message: string, parameters: AttributeValue[] = []) =>
      assert.throws(() => parseStatement(statement, parameters as never), (error: Error) => error.message === message, statement);
    refuses('SHOW TABLES', "Statement wasn't well formed, can't be processed: Expected data manipulation");
    refuses('SELECT * FROM t WHERE k = 1 garbage', "Statement wasn't well formed, can't be processed: Unexpected token after expression");
    refuses('SELECT * FROM t WHERE k = ?', "Number of parameters in request and statement don't match.");
    refuses('SELECT * FROM t', "Number of parameters in request and statement don't match.", [{ S: 'x' }]);
    refuses(`INSERT INTO t VALUES {'k': 1}`, 'Unsupported operation: Inserting multiple items in a single statement is not supported, use "INSERT INTO tableName VALUE item" instead');
    refuses(`INSERT INTO t VALUE {'k': 1, 'k': 2}`, 'Duplicate keys in tuple. Key: k under struct');
    refuses('SELECT * FROM t WHERE k = MISSING', 'MISSING must be compared using IS operator');
    refuses('SELECT * FROM t WHERE k IN []', 'IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member');
    refuses(`DELETE FROM t WHERE k = 1 RETURNING ALL NEW *`, 'Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.');
    refuses(`SELECT * FROM t WHERE k = <<>>`, 'Empty bags are not supported');
    // Deep nesting is refused before the recursion could exhaust the stack (a 500 otherwise).
    refuses(`SELECT * FROM t WHERE ${'('.repeat(4000)}a = 1${')'.repeat(4000)}`, "Statement wasn't well formed, can't be processed: Expression nesting is too deep");
    refuses(`INSERT INTO t VALUE ${'['.repeat(4000)}${']'.repeat(4000)}`, "Statement wasn't well formed, can't be processed: Expression nesting is too deep");
  });
});

describe('PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;
  const run = async (Statement: string, Parameters?: AttributeValue[], extra: Record<string, unknown> = {}) => client.send(new ExecuteStatementCommand({ Statement, Parameters, ...extra }));

  before(async () => {
    cove = await startCove({ config: CONFIG });
    client = cove.client(ADMIN.accessKeyId, ADMIN.secretAccessKey);
    await client.send(
      new CreateTableCommand({
        TableName: 'music',
        AttributeDefinitions: [{ AttributeName: 'artist', AttributeType: 'S' }, { AttributeName: 'song', AttributeType: 'S' }, { AttributeName: 'year', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'artist', KeyType: 'HASH' }, { AttributeName: 'song', KeyType: 'RANGE' }],
        GlobalSecondaryIndexes: [{ IndexName: 'by-year', KeySchema: [{ AttributeName: 'year', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('INSERT, SELECT (Query by key, Scan otherwise, on an index), UPDATE, DELETE, with RETURNING', async () => {
    assert.deepEqual((await run(`INSERT INTO "music" VALUE {'artist': 'Nina', 'song': 'Feeling Good', 'year': 1965, 'tags': <<'jazz', 'soul'>>}`)).Items, []);
    await run(`INSERT INTO music VALUE {'artist': ?, 'song': ?, 'year': ?}`, [{ S: 'Nina' }, { S: 'Sinnerman' }, { N: '1965' }]);
    await run(`INSERT INTO music VALUE {'artist': 'Miles', 'song': 'So What', 'year': 1959}`);
    const duplicate = await rejectsWith(run(`INSERT INTO "music" VALUE {'artist': 'Nina', 'song': 'Feeling Good'}`), 'DuplicateItemException');
    assert.equal(duplicate.message, 'Duplicate primary key exists in table');

    const nina = await run(`SELECT song FROM "music" WHERE artist = 'Nina'`);
    assert.deepEqual(nina.Items, [{ song: { S: 'Feeling Good' } }, { song: { S: 'Sinnerman' } }]);
    const later = await run(`SELECT song, "year" FROM music WHERE artist = ? AND song > 'G'`, [{ S: 'Nina' }]);
    assert.deepEqual(later.Items, [{ song: { S: 'Sinnerman' }, year: { N: '1965' } }]);
    const scanned = await run(`SELECT artist FROM "music" WHERE "year" < 1960`);
    assert.deepEqual(scanned.Items, [{ artist: { S: 'Miles' } }]);
    const byYear = await run(`SELECT song FROM "music"."by-year" WHERE "year" = 1965`);
    assert.deepEqual(byYear.Items!.map((item) => item.song.S).sort(), ['Feeling Good', 'Sinnerman']);
    const tagged = await run(`SELECT song FROM music WHERE artist = 'Nina' AND contains(tags, 'jazz')`);
    assert.deepEqual(tagged.Items, [{ song: { S: 'Feeling Good' } }]);
    const untagged = await run(`SELECT song FROM music WHERE tags IS MISSING`);
    assert.deepEqual(untagged.Items!.map((item) => item.song.S).sort(), ['Sinnerman', 'So What']);

    const updated = await run(`UPDATE "music" SET plays = 1 SET "year" = "year" + 1 REMOVE tags WHERE artist = 'Nina' AND song = 'Feeling Good' RETURNING ALL NEW *`);
    assert.deepEqual(updated.Items, [{ artist: { S: 'Nina' }, song: { S: 'Feeling Good' }, year: { N: '1966' }, plays: { N: '1' } }]);
    await rejectsWith(run(`UPDATE music SET plays = 2 WHERE artist = 'Nina' AND song = 'Missing Song'`), 'ConditionalCheckFailedException');
    await rejectsWith(run(`UPDATE music SET plays = 2 WHERE artist = 'Nina' AND song = 'Feeling Good' AND plays = 5`), 'ConditionalCheckFailedException');
    const incomplete = await rejectsWith(run(`UPDATE music SET plays = 2 WHERE artist = 'Nina'`), 'ValidationException');
    assert.equal(incomplete.message, 'Where clause does not contain a mandatory equality on all key attributes');

    // The audit keeps the statement's shape, never its string values.
    const { auditRecordFor } = await import('../support/audit.js');
    const inserted = await run(`INSERT INTO music VALUE {'artist': 'Secret Artist', 'song': 'Hidden'}`);
    const record = await auditRecordFor(cove, inserted.$metadata.requestId);
    assert.equal(record.requestParameters.statement, `INSERT INTO music VALUE {'***': '***', '***': '***'}`);
    const deleted = await run(`DELETE FROM music WHERE artist = 'Miles' AND song = 'So What' RETURNING ALL OLD *`);
    assert.deepEqual(deleted.Items, [{ artist: { S: 'Miles' }, song: { S: 'So What' }, year: { N: '1959' } }]);
    assert.equal((await client.send(new GetItemCommand({ TableName: 'music', Key: { artist: { S: 'Miles' }, song: { S: 'So What' } } }))).Item, undefined);
  });

  it('pages a SELECT with Limit and NextToken, bound to its statement', async () => {
    for (let i = 0; i < 5; i++) await run(`INSERT INTO music VALUE {'artist': 'Paged', 'song': ?}`, [{ S: `song-${i}` }]);
    const songs: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await run(`SELECT song FROM music WHERE artist = 'Paged'`, undefined, { Limit: 2, NextToken });
      songs.push(...page.Items!.map((item) => item.song.S!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(songs, ['song-0', 'song-1', 'song-2', 'song-3', 'song-4']);
    const first = await run(`SELECT song FROM music WHERE artist = 'Paged'`, undefined, { Limit: 2 });
    const mismatch = await rejectsWith(run(`SELECT * FROM music WHERE artist = 'Paged'`, undefined, { NextToken: first.NextToken }), 'ValidationException');
    assert.equal(mismatch.message, 'NextToken does not match request');
    await rejectsWith(run(`SELECT * FROM music WHERE artist = 'Paged'`, undefined, { NextToken: 'not-a-token' }), 'ValidationException');
  });

  it('answers malformed statements and missing tables as DynamoDB does', async () => {
    const notDml = await rejectsWith(run('SELEC * FROM music'), 'ValidationException');
    assert.equal(notDml.message, "Statement wasn't well formed, can't be processed: Expected data manipulation");
    const badName = await rejectsWith(run(`SELECT * FROM "mu" WHERE artist = 'x'`), 'ValidationException');
    assert.equal(badName.message, "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.");
    await rejectsWith(run(`SELECT * FROM "nothere" WHERE artist = 'x'`), 'ResourceNotFoundException');
    await rejectsWith(run(`SELECT * FROM music WHERE artist = ?`, [{ S: 'a' }, { S: 'b' }]), 'ValidationException');
  });

  it('is authorized as PartiQLSelect/PartiQLInsert on the table or the index read', async () => {
    const reader = cove.client(READER.accessKeyId, READER.secretAccessKey);
    const fromIndex = await reader.send(new ExecuteStatementCommand({ Statement: `SELECT song FROM music."by-year" WHERE "year" = 1966` }));
    assert.deepEqual(fromIndex.Items, [{ song: { S: 'Feeling Good' } }]);
    const fromTable = await rejectsWith(reader.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM music WHERE artist = 'Nina'` })), 'AccessDeniedException');
    assert.equal(fromTable.message, `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: dynamodb:PartiQLSelect on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/music because no identity-based policy allows the dynamodb:PartiQLSelect action`);
    const insert = await rejectsWith(reader.send(new ExecuteStatementCommand({ Statement: `INSERT INTO music VALUE {'artist': 'x', 'song': 'y'}` })), 'AccessDeniedException');
    assert.match(insert.message, /dynamodb:PartiQLInsert on resource: arn:aws:dynamodb:us-east-1:123456789012:table\/music /);
  });

  it('BatchExecuteStatement answers each statement on its own', async () => {
    const writes = await client.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `INSERT INTO music VALUE {'artist': 'Batch', 'song': 'one'}` },
          { Statement: `INSERT INTO music VALUE {'artist': 'Nina', 'song': 'Sinnerman'}` },
          { Statement: 'NOT A STATEMENT' },
          { Statement: `UPDATE music SET plays = 9 WHERE artist = 'Batch' AND song = 'missing'` },
        ],
      }),
    );
    assert.deepEqual(writes.Responses![0], { TableName: 'music' });
    assert.deepEqual(writes.Responses![1].Error, { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' });
    assert.deepEqual(writes.Responses![2].Error, { Code: 'ValidationError', Message: "Statement wasn't well formed, can't be processed: Expected data manipulation" });
    assert.equal(writes.Responses![3].Error?.Code, 'ConditionalCheckFailed');
    const reads = await client.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `SELECT * FROM music WHERE artist = ? AND song = ?`, Parameters: [{ S: 'Batch' }, { S: 'one' }] },
          { Statement: `SELECT * FROM music WHERE artist = 'Batch' AND song = 'absent'` },
          { Statement: `SELECT * FROM music WHERE artist = 'Batch'` },
        ],
      }),
    );
    assert.deepEqual(reads.Responses![0], { TableName: 'music', Item: { artist: { S: 'Batch' }, song: { S: 'one' } } });
    assert.deepEqual(reads.Responses![1], { TableName: 'music' });
    assert.equal(reads.Responses![2].Error?.Code, 'ValidationError');
  });

  it('ExecuteTransaction: all writes or all reads, all or nothing, EXISTS checks, DuplicateItem reasons', async () => {
    await client.send(
      new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `INSERT INTO music VALUE {'artist': 'Tx', 'song': 'a', 'n': 1}` },
          { Statement: `UPDATE music SET n = 2 WHERE artist = 'Nina' AND song = 'Sinnerman'` },
          { Statement: `EXISTS(SELECT * FROM music WHERE artist = 'Batch' AND song = 'one')` },
        ],
      }),
    );
    const read = await client.send(
      new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT n FROM music WHERE artist = 'Tx' AND song = 'a'` }, { Statement: `SELECT n FROM music WHERE artist = 'Nina' AND song = 'Sinnerman'` }] }),
    );
    assert.deepEqual(read.Responses, [{ Item: { n: { N: '1' } } }, { Item: { n: { N: '2' } } }]);
    const canceled = await rejectsWith(
      client.send(
        new ExecuteTransactionCommand({
          TransactStatements: [
            { Statement: `UPDATE music SET n = 3 WHERE artist = 'Nina' AND song = 'Sinnerman'` },
            { Statement: `INSERT INTO music VALUE {'artist': 'Tx', 'song': 'a'}` },
            { Statement: `EXISTS(SELECT * FROM music WHERE artist = 'Batch' AND song = 'one' AND plays = 1)` },
          ],
        }),
      ),
      'TransactionCanceledException',
    );
    assert.deepEqual((canceled as unknown as { CancellationReasons: { Code: string }[] }).CancellationReasons.map((r) => r.Code), ['None', 'DuplicateItem', 'ConditionalCheckFailed']);
    assert.equal(canceled.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, DuplicateItem, ConditionalCheckFailed]');
    const unchanged = await run(`SELECT n FROM music WHERE artist = 'Nina' AND song = 'Sinnerman'`);
    assert.deepEqual(unchanged.Items, [{ n: { N: '2' } }], 'nothing of a cancelled transaction is written');
    const mixed = await rejectsWith(client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `SELECT * FROM music WHERE artist = 'Tx' AND song = 'a'` }, { Statement: `DELETE FROM music WHERE artist = 'Tx' AND song = 'a'` }] })), 'ValidationException');
    assert.equal(mixed.message, 'Unsupported operation in transaction.');
    const bad = await rejectsWith(client.send(new ExecuteTransactionCommand({ TransactStatements: [{ Statement: `DELETE FROM music WHERE artist = 'Tx' AND song = 'a'` }, { Statement: 'NOPE' }] })), 'ValidationException');
    assert.equal(bad.message, "Validation failed in statements[1]: Statement wasn't well formed, can't be processed: Expected data manipulation");
  });
});
