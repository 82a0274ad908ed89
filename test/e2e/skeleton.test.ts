import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  type DynamoDBClient,
  type DynamoDBServiceException,
} from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';
import { auditRecordFor } from '../support/audit.js';

const ACCOUNT = '123456789012';
const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners:
  - name: public
    listen: 127.0.0.1:0
iam:
  users:
    - name: alice
      accessKeys: [{ id: AKIAALICE0000000001, secret: alice-secret }]
      policies:
        - name: rw
          document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: ["dynamodb:*"], Resource: "*" } ] }
    - name: bob
      accessKeys: [{ id: AKIABOB000000000001, secret: bob-secret }]
    - name: carol
      accessKeys: [{ id: AKIACAROL0000000001, secret: carol-secret }]
      policies:
        - name: mixed
          document:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: "dynamodb:*", Resource: "*" }
              - { Sid: NoSecrets, Effect: Deny, Action: "DynamoDB:Get*", Resource: "arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/secrets" }
`;

async function rejectsWith(promise: Promise<unknown>, name: string, message: string): Promise<DynamoDBServiceException> {
  try {
    await promise;
  } catch (error) {
    const e = error as DynamoDBServiceException;
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    assert.equal(e.message, message);
    assert.equal(e.$metadata.httpStatusCode, 400);
    return e;
  }
  assert.fail(`expected ${name}`);
}

describe('walking skeleton through the real SDK', () => {
  let cove: CoveProcess;
  let alice: DynamoDBClient;

  before(async () => {
    cove = await startCove({ config: CONFIG });
    alice = cove.client('AKIAALICE0000000001', 'alice-secret');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('runs a table through its lifecycle', async () => {
    const created = await alice.send(
      new CreateTableCommand({
        TableName: 'lifecycle',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    assert.equal(created.TableDescription?.TableStatus, 'CREATING');
    assert.equal(created.TableDescription?.TableArn, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/lifecycle`);
    assert.equal(created.TableDescription?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.ok(created.TableDescription?.CreationDateTime instanceof Date);

    const described = await alice.send(new DescribeTableCommand({ TableName: 'lifecycle' }));
    assert.equal(described.Table?.TableStatus, 'ACTIVE');
    assert.deepEqual(described.Table?.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);

    await rejectsWith(
      alice.send(new CreateTableCommand({ TableName: 'lifecycle', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' })),
      'ResourceInUseException',
      'Table already exists: lifecycle',
    );

    const deleted = await alice.send(new DeleteTableCommand({ TableName: 'lifecycle' }));
    assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
    await rejectsWith(alice.send(new DescribeTableCommand({ TableName: 'lifecycle' })), 'ResourceNotFoundException', 'Requested resource not found: Table: lifecycle not found');
    await rejectsWith(alice.send(new GetItemCommand({ TableName: 'lifecycle', Key: { pk: { S: 'a' }, sk: { N: '1' } } })), 'ResourceNotFoundException', 'Requested resource not found');
  });

  it('pages through ListTables', async () => {
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const TableName of names) {
      await alice.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }));
    }
    const seen: string[] = [];
    let start: string | undefined;
    let pages = 0;
    do {
      const page = await alice.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: start }));
      seen.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
      pages++;
    } while (start);
    assert.deepEqual(seen.filter((n) => n.startsWith('page-')), names);
    assert.equal(pages, Math.ceil(seen.length / 2));
    for (const TableName of names) await alice.send(new DeleteTableCommand({ TableName }));
  });

  it('round-trips every attribute type, numbers as DynamoDB numbers', async () => {
    for (const [TableName, type] of [['items-s', 'S'], ['items-n', 'N'], ['items-b', 'B']] as const) {
      await alice.send(new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'id', AttributeType: type }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
    const item = {
      id: { S: 'every-type' },
      s: { S: 'héllo ✓' },
      emptyString: { S: '' },
      n: { N: '12345678901234567890123456789012345678' },
      tiny: { N: '-1E-130' },
      b: { B: new Uint8Array([0, 1, 2, 255]) },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2.5'] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
      m: { M: { nested: { L: [{ S: 'x' }, { N: '1' }, { BOOL: true }, { NULL: true }] } } },
      l: { L: [{ M: {} }, { L: [] }] },
      yes: { BOOL: true },
      no: { BOOL: false },
      nothing: { NULL: true },
    };
    await alice.send(new PutItemCommand({ TableName: 'items-s', Item: item }));
    const got = await alice.send(new GetItemCommand({ TableName: 'items-s', Key: { id: { S: 'every-type' } } }));
    assert.deepEqual(got.Item, { ...item, tiny: { N: '-0.' + '0'.repeat(129) + '1' } });

    // Numeric keys are equal by value, not by spelling.
    await alice.send(new PutItemCommand({ TableName: 'items-n', Item: { id: { N: '1.50' }, v: { S: 'first' } } }));
    const byValue = await alice.send(new GetItemCommand({ TableName: 'items-n', Key: { id: { N: '15e-1' } } }));
    assert.deepEqual(byValue.Item, { id: { N: '1.5' }, v: { S: 'first' } });

    await alice.send(new PutItemCommand({ TableName: 'items-b', Item: { id: { B: new Uint8Array([9, 8, 7]) } } }));
    const byBinary = await alice.send(new GetItemCommand({ TableName: 'items-b', Key: { id: { B: new Uint8Array([9, 8, 7]) } } }));
    assert.deepEqual(byBinary.Item, { id: { B: new Uint8Array([9, 8, 7]) } });

    const old = await alice.send(new PutItemCommand({ TableName: 'items-s', Item: { id: { S: 'every-type' }, v: { N: '2' } }, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(old.Attributes, got.Item);
    assert.deepEqual(old.ConsumedCapacity, { TableName: 'items-s', CapacityUnits: 1 });

    const removed = await alice.send(new DeleteItemCommand({ TableName: 'items-s', Key: { id: { S: 'every-type' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(removed.Attributes, { id: { S: 'every-type' }, v: { N: '2' } });
    const gone = await alice.send(new GetItemCommand({ TableName: 'items-s', Key: { id: { S: 'every-type' } } }));
    assert.equal(gone.Item, undefined);
  });

  it('rejects items that do not fit the key schema, with DynamoDB texts', async () => {
    await rejectsWith(alice.send(new PutItemCommand({ TableName: 'items-s', Item: { other: { S: 'x' } } })), 'ValidationException', 'One or more parameter values were invalid: Missing the key id in the item');
    await rejectsWith(alice.send(new PutItemCommand({ TableName: 'items-s', Item: { id: { N: '1' } } })), 'ValidationException', 'One or more parameter values were invalid: Type mismatch for key id expected: S actual: N');
    await rejectsWith(alice.send(new GetItemCommand({ TableName: 'items-s', Key: { id: { S: 'a' }, extra: { S: 'b' } } })), 'ValidationException', 'The provided key element does not match the schema');
    await rejectsWith(alice.send(new PutItemCommand({ TableName: 'items-s', Item: { id: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } } })), 'ValidationException', 'Item size has exceeded the maximum allowed size');
  });

  it('validates requests against the service model before executing them', async () => {
    const e = await rejectsWith(
      alice.send(new DescribeTableCommand({ TableName: 'ab' })),
      'ValidationException',
      "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    );
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'ValidationException');
    await rejectsWith(
      alice.send(new PutItemCommand({ TableName: 'items-s', Item: { id: { S: 'x' }, bad: { N: 'twelve' } } })),
      'ValidationException',
      'The parameter cannot be converted to a numeric value: twelve',
    );
  });

  it('answers a wrong secret with InvalidSignatureException and records it', async () => {
    const e = await rejectsWith(
      cove.client('AKIAALICE0000000001', 'not-the-secret').send(new ListTablesCommand({})),
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'InvalidSignatureException');
    assert.equal(record.eventName, 'ListTables');
    assert.equal(record.userIdentity.accessKeyId, 'AKIAALICE0000000001');
  });

  it('answers an unknown key with UnrecognizedClientException and records it', async () => {
    const e = await rejectsWith(cove.client('unknownuser', 'whatever').send(new ListTablesCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'UnrecognizedClientException');
    assert.equal(record.userIdentity.accessKeyId, 'unknownuser');
  });

  it('answers a missing signature with MissingAuthenticationTokenException, on the wire as DynamoDB does', async () => {
    const response = await fetch(cove.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    assert.equal(response.status, 400);
    const requestId = response.headers.get('x-amzn-requestid');
    assert.match(requestId ?? '', /^[0-9A-Z]{52}$/);
    assert.deepEqual(await response.json(), { __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    const record = await auditRecordFor(cove, requestId ?? undefined);
    assert.equal(record.errorCode, 'MissingAuthenticationTokenException');
    assert.deepEqual(record.userIdentity, { type: 'AWSAccount', accountId: 'ANONYMOUS_PRINCIPAL' });
  });

  it('denies a user no policy allows, in AWS words, and records the denial', async () => {
    const e = await rejectsWith(
      cove.client('AKIABOB000000000001', 'bob-secret').send(new GetItemCommand({ TableName: 'items-s', Key: { id: { S: 'x' } } })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/items-s because no identity-based policy allows the dynamodb:GetItem action`,
    );
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.eventCategory, 'Data');
    assert.equal(record.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:user/bob`);
    assert.deepEqual(record.resources, [{ accountId: ACCOUNT, type: 'AWS::DynamoDB::Table', ARN: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/items-s` }]);
  });

  it('lets an explicit Deny win over an Allow, and names the statement in the audit trace', async () => {
    const carol = cove.client('AKIACAROL0000000001', 'carol-secret');
    await carol.send(new CreateTableCommand({ TableName: 'secrets', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await carol.send(new PutItemCommand({ TableName: 'secrets', Item: { id: { S: 'k' } } }));
    const e = await rejectsWith(
      carol.send(new GetItemCommand({ TableName: 'secrets', Key: { id: { S: 'k' } } })),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCOUNT}:user/carol is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/secrets with an explicit deny in an identity-based policy`,
    );
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    const stages = record.additionalEventData.coveTrace.map((t: { stage: string }) => t.stage);
    assert.deepEqual(stages, ['attribute', 'route', 'authenticate', 'interpret', 'authorize'], 'one trace line per stage reached');
    const denial = record.additionalEventData.coveTrace.find((t: { decision: string }) => t.decision === 'deny');
    assert.deepEqual(denial.rule, { policy: 'user/carol#mixed', kind: 'identity', statementIndex: 1, sid: 'NoSecrets' });
  });

  it('sends AccessDeniedException with a capital-M Message on the wire', async () => {
    const response = await signedCall({
      endpoint: cove.endpoint,
      target: 'DynamoDB_20120810.ListTables',
      body: '{}',
      accessKeyId: 'AKIABOB000000000001',
      secretAccessKey: 'bob-secret',
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.0');
    assert.deepEqual(JSON.parse(response.body), {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: dynamodb:ListTables on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/* because no identity-based policy allows the dynamodb:ListTables action`,
    });
  });

  it('answers an unknown operation and malformed JSON as DynamoDB does', async () => {
    const call = (target: string, body: string) =>
      signedCall({ endpoint: cove.endpoint, target, body, accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret' });
    const unknown = await call('DynamoDB_20120810.FlyToTheMoon', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body).__type, 'com.amazon.coral.service#UnknownOperationException');
    const malformed = await call('DynamoDB_20120810.ListTables', '{"Limit": ');
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.body).__type, 'com.amazon.coral.service#SerializationException');
  });

  it('checks the HTTP layer before the signature, in DynamoDB\'s order: method, content type, body syntax, operation', async () => {
    const raw = (method: string, headers: Record<string, string>, body?: string) => fetch(cove.endpoint + '/', { method, headers, ...(body !== undefined ? { body } : {}) });
    // No signature at all: each is answered for what is wrong on the wire, not for the missing signature.
    const get = await raw('GET', {}, undefined).then(() => fetch(cove.endpoint + '/tables'));
    assert.equal(get.status, 404);
    assert.equal(await get.text(), '<UnknownOperationException/>\n');
    const put = await raw('PUT', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{}');
    assert.equal(put.status, 404);
    const textPlain = await raw('POST', { 'content-type': 'text/plain', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{}');
    assert.equal(textPlain.status, 404);
    assert.equal(await textPlain.text(), '<UnknownOperationException/>\n');
    const malformed = await raw('POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{"Limit": ');
    assert.equal(malformed.status, 400);
    assert.deepEqual(await malformed.json(), { __type: 'com.amazon.coral.service#SerializationException' });
    const unknown = await raw('POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.FlyToTheMoon' }, '{}');
    assert.deepEqual(await unknown.json(), { __type: 'com.amazon.coral.service#UnknownOperationException' });
    const unsigned = await raw('POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '{}');
    assert.equal((await unsigned.json()).__type, 'com.amazon.coral.service#MissingAuthenticationTokenException');
    // application/json is accepted, and answered in kind.
    const json = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.ListTables', body: '{}', accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret', extraHeaders: { 'content-type': 'application/json' } });
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(json.headers.get('server'), 'Server');
  });

  it('reads gzip request bodies (Content-Encoding: gzip), and answers a bad encoding with a 500 as DynamoDB does', async () => {
    const { gzipSync } = await import('node:zlib');
    const call = (body: Buffer, encoding: string) =>
      signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.ListTables', body, accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret', extraHeaders: { 'content-encoding': encoding } });
    const json = Buffer.from('{"Limit": 5}');
    const ok = await call(gzipSync(json), 'gzip');
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(JSON.parse(ok.body).TableNames));
    // Two gzip members, one after the other, are one body (as the gzip format allows).
    const twoMembers = await call(Buffer.concat([gzipSync(json.subarray(0, 4)), gzipSync(json.subarray(4))]), 'gzip');
    assert.equal(twoMembers.status, 200);
    const notGzip = await call(json, 'gzip');
    assert.equal(notGzip.status, 500);
    assert.equal(JSON.parse(notGzip.body).__type, 'com.amazonaws.dynamodb.v20120810#InternalServerError');
    assert.equal((await call(json, 'garbage')).status, 500);
    // cove bounds what a small body may expand to: its uncompressed limit, 16 MB.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"Limit": 5'), Buffer.alloc(17 * 1024 * 1024, ' '), Buffer.from('}')]));
    assert.ok(bomb.length < 100_000);
    assert.equal((await call(bomb, 'gzip')).status, 413);
  });

  it('speaks CORS to browsers: a preflight is allowed, and answers carry Access-Control-Allow-Origin', async () => {
    const preflight = await fetch(cove.endpoint + '/', { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-amz-date, x-amz-target' } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(preflight.headers.get('access-control-allow-headers'), 'authorization, content-type, x-amz-date, x-amz-target');
    assert.equal(preflight.headers.get('access-control-max-age'), '172800');
    const answer = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.ListTables', body: '{}', accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret', extraHeaders: { origin: 'http://app.example' } });
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    assert.match(answer.headers.get('access-control-expose-headers') ?? '', /x-amzn-RequestId/);
    assert.equal(answer.headers.get('access-control-max-age'), null, 'only a preflight has a max age');
    const sameOrigin = await signedCall({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.ListTables', body: '{}', accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret' });
    assert.equal(sameOrigin.headers.get('access-control-allow-origin'), null, 'no CORS headers without an Origin');
  });

  it('answers the unsigned GET / health probe', async () => {
    const response = await fetch(cove.endpoint + '/');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), `healthy: ${new URL(cove.endpoint).host} `, 'names the host the client used, as DynamoDB names its own');
    const named = await new Promise<string>((resolve, reject) => {
      const url = new URL(cove.endpoint);
      import('node:http').then(({ request }) => {
        const req = request({ host: url.hostname, port: url.port, path: '/', headers: { host: 'dynamodb.us-east-1.amazonaws.com' } }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    assert.equal(named, 'healthy: dynamodb.us-east-1.amazonaws.com ');
  });

  it('records successful requests as CloudTrail events', async () => {
    const described = await alice.send(new DescribeTableCommand({ TableName: 'items-s' }));
    const record = await auditRecordFor(cove, described.$metadata.requestId);
    assert.equal(record.eventVersion, '1.09');
    assert.equal(record.eventSource, 'dynamodb.amazonaws.com');
    assert.equal(record.eventName, 'DescribeTable');
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.sourceIPAddress, '127.0.0.1');
    assert.equal(record.readOnly, true);
    assert.equal(record.managementEvent, true);
    assert.equal(record.recipientAccountId, ACCOUNT);
    assert.match(record.eventID, /^[0-9a-f-]{36}$/);
    assert.match(record.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(record.userAgent, /aws-sdk-js/);
    assert.equal(record.errorCode, undefined);
    assert.deepEqual(record.requestParameters, { tableName: 'items-s' });
  });
});

describe('table catalog under concurrency', () => {
  let cove: CoveProcess;
  before(async () => {
    cove = await startCove({ config: CONFIG });
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('lets exactly one of two concurrent DeleteTables succeed, and a racing CreateTable survive', async () => {
    const alice = cove.client('AKIAALICE0000000001', 'alice-secret');
    const create = () =>
      alice.send(new CreateTableCommand({ TableName: 'raced', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await create();
    const deletes = await Promise.allSettled([alice.send(new DeleteTableCommand({ TableName: 'raced' })), alice.send(new DeleteTableCommand({ TableName: 'raced' }))]);
    assert.equal(deletes.filter((d) => d.status === 'fulfilled').length, 1);
    const failure = deletes.find((d) => d.status === 'rejected') as PromiseRejectedResult;
    assert.equal((failure.reason as Error).name, 'ResourceNotFoundException');

    await create();
    const [deleted, created] = await Promise.allSettled([alice.send(new DeleteTableCommand({ TableName: 'raced' })), create()]);
    assert.equal(deleted.status, 'fulfilled');
    // Whichever order the two took, the catalog in memory and on disk agree with the answers given.
    const listed = (await alice.send(new ListTablesCommand({}))).TableNames ?? [];
    assert.equal(listed.includes('raced'), created.status === 'fulfilled');
    if (created.status === 'fulfilled') {
      await alice.send(new PutItemCommand({ TableName: 'raced', Item: { id: { S: 'still-here' } } }));
    }
  });
});

describe('hostile and unusual input', () => {
  let cove: CoveProcess;
  let alice: DynamoDBClient;
  const call = (target: string, body: string) =>
    signedCall({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body, accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret' });

  before(async () => {
    cove = await startCove({ config: CONFIG });
    alice = cove.client('AKIAALICE0000000001', 'alice-secret');
    await alice.send(new CreateTableCommand({ TableName: 'hostile', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('serves a table named by its ARN, and finds no table behind a foreign ARN', async () => {
    const arn = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/hostile`;
    await alice.send(new PutItemCommand({ TableName: arn, Item: { pk: { S: 'by-arn' } } }));
    const got = await alice.send(new GetItemCommand({ TableName: 'hostile', Key: { pk: { S: 'by-arn' } } }));
    assert.deepEqual(got.Item, { pk: { S: 'by-arn' } });
    await rejectsWith(alice.send(new GetItemCommand({ TableName: 'arn:aws:dynamodb:us-east-1:999999999999:table/hostile', Key: { pk: { S: 'x' } } })), 'ResourceNotFoundException', 'Requested resource not found');
    const listed = await alice.send(new ListTablesCommand({}));
    assert.ok(!listed.TableNames?.some((n) => n.startsWith('arn:')));
  });

  it('never writes non-key values into the audit trail', async () => {
    const e = await rejectsWith(
      alice.send(new GetItemCommand({ TableName: 'hostile', Key: { pk: { S: 'k' }, password: { S: 'hunter2' } } })),
      'ValidationException',
      'The provided key element does not match the schema',
    );
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.ok(!JSON.stringify(record).includes('hunter2'));
    assert.deepEqual(record.requestParameters.key, { pk: 'k' });
  });

  it('answers malformed bodies with 4xx, never a 500', async () => {
    for (const [target, body] of [
      ['ListTables', 'null'],
      ['ListTables', '[]'],
      ['CreateTable', JSON.stringify({ TableName: 'nulls', AttributeDefinitions: [null], KeySchema: [null], BillingMode: 'PAY_PER_REQUEST' })],
      ['PutItem', `{"TableName":"hostile","Item":{"pk":{"S":"deep"},"d":${'{"M":{"a":'.repeat(5000)}{"S":"x"}${'}}'.repeat(5000)}}}`],
    ] as const) {
      const response = await call(target, body);
      assert.equal(response.status, 400, `${target} ${body.slice(0, 60)} → ${response.body.slice(0, 200)}`);
    }
    const deep = await call('PutItem', JSON.stringify({ TableName: 'hostile', Item: { pk: { S: 'deep' }, d: JSON.parse('{"M":{"a":'.repeat(40) + '{"S":"x"}' + '}}'.repeat(40)) } }));
    assert.match(JSON.parse(deep.body).message, /Nesting Levels have exceeded supported limits/);
  });

  it('refuses CreateTable parameters it does not implement instead of dropping them', async () => {
    await rejectsWith(
      alice.send(new CreateTableCommand({ TableName: 'tagged', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST', TableClass: 'STANDARD_INFREQUENT_ACCESS' })),
      'ValidationException',
      'cove does not support TableClass on CreateTable yet',
    );
  });
});
