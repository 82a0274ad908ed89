import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeEndpointsCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

/**
 * The AWS documentation's DynamoDB policy examples, end to end through the
 * server with the real SDK: fine-grained access (LeadingKeys, Attributes,
 * Select, ReturnValues), source restrictions, boundaries, groups and managed
 * policies. Each denial is checked for AWS's message and the audit's reason.
 */
const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;

const json = (value: unknown) => JSON.stringify(value);

const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
iam:
  policies:
    - name: TableAdmin
      document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'], Resource: '*' }] })}
    - name: ReadOnlyBoundary
      document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'], Resource: '*' }] })}
  groups:
    - name: admins
      managedPolicies: [TableAdmin]
      policies:
        - name: everything
          document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })}
  users:
    - name: admin
      groups: [admins]
      accessKeys: [{ id: AKIAADMIN000000001, secret: admin-secret }]
    # FGAC example 2 (limit access to items with a specific partition key value), with \${aws:username}.
    - name: alice
      accessKeys: [{ id: AKIAALICE000000001, secret: alice-secret }]
      managedPolicies: [TableAdmin]
      policies:
        - name: own-items
          document: ${json({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'FullAccessToUserItems',
                Effect: 'Allow',
                Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
                Resource: [`${TABLE_ARN}/GameScores`],
                Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['\${aws:username}'] } },
              },
            ],
          })}
    # FGAC example 3 (limit access to specific attributes), listing the sort key too, as the guide
    # requires of every key attribute.
    - name: scorer
      accessKeys: [{ id: AKIASCORER00000001, secret: scorer-secret }]
      policies:
        - name: attributes
          document: ${json({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'LimitAccessToSpecificAttributes',
                Effect: 'Allow',
                Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:Scan'],
                Resource: [`${TABLE_ARN}/GameScores`],
                Condition: {
                  'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['UserId', 'GameTitle', 'TopScore'] },
                  StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES', 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
                },
              },
            ],
          })}
    # FGAC example 7 (deny access to sensitive attributes).
    - name: analyst
      accessKeys: [{ id: AKIAANALYST0000001, secret: analyst-secret }]
      policies:
        - name: no-sensitive
          document: ${json({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], Resource: `${TABLE_ARN}/GameScores` },
              { Sid: 'NoSensitive', Effect: 'Deny', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], Resource: `${TABLE_ARN}/GameScores`, Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['SSN', 'CreditCardNumber'] } } },
              { Sid: 'MustProject', Effect: 'Deny', Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], Resource: `${TABLE_ARN}/GameScores`, Condition: { StringNotEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } } },
            ],
          })}
    # VPC endpoint guide: deny unless through vpce-11aa22bb (no endpoint on the public listener).
    - name: private
      accessKeys: [{ id: AKIAPRIVATE0000001, secret: private-secret }]
      policies:
        - name: all
          document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })}
        - name: only-through-endpoint
          document: ${json({ Version: '2012-10-17', Statement: [{ Sid: 'AccessFromSpecificEndpoint', Action: 'dynamodb:*', Effect: 'Deny', Resource: `${TABLE_ARN}/*`, Condition: { StringNotEquals: { 'aws:sourceVpce': 'vpce-11aa22bb' } } }] })}
    - name: bounded
      accessKeys: [{ id: AKIABOUNDED0000001, secret: bounded-secret }]
      groups: [admins]
      permissionsBoundary: ReadOnlyBoundary
    - name: tagged
      accessKeys: [{ id: AKIATAGGED00000001, secret: tagged-secret }]
      tags: { team: blue }
      policies:
        - name: team-tables
          document: ${json({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `${TABLE_ARN}/\${aws:PrincipalTag/team}-*`, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'false' } } },
              { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
            ],
          })}
`;

describe('IAM policies through the server (AWS documentation examples)', () => {
  let cove: CoveProcess;
  const clients: Record<string, DynamoDBClient> = {};

  before(async () => {
    cove = await startCove({ config: CONFIG });
    for (const name of ['admin', 'alice', 'scorer', 'analyst', 'private', 'bounded', 'tagged']) {
      clients[name] = cove.client(`AKIA${name.toUpperCase().padEnd(13, '0')}1`, `${name}-secret`);
    }
    const admin = clients.admin;
    await admin.send(
      new CreateTableCommand({
        TableName: 'GameScores',
        AttributeDefinitions: [
          { AttributeName: 'UserId', AttributeType: 'S' },
          { AttributeName: 'GameTitle', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'UserId', KeyType: 'HASH' },
          { AttributeName: 'GameTitle', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await admin.send(new CreateTableCommand({ TableName: 'blue-scores', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await admin.send(new CreateTableCommand({ TableName: 'red-scores', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    for (const user of ['alice', 'bob']) {
      await admin.send(new PutItemCommand({ TableName: 'GameScores', Item: { UserId: { S: user }, GameTitle: { S: 'Meteor Blasters' }, TopScore: { N: '100' }, SSN: { S: '000-00-0000' } } }));
    }
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const aliceItem = { UserId: { S: 'alice' }, GameTitle: { S: 'Meteor Blasters' } };
  const bobItem = { UserId: { S: 'bob' }, GameTitle: { S: 'Meteor Blasters' } };

  it('LeadingKeys with ${aws:username}: each user reaches only the items under their own partition key', async () => {
    const alice = clients.alice;
    const own = await alice.send(new GetItemCommand({ TableName: 'GameScores', Key: aliceItem }));
    assert.equal(own.Item?.TopScore?.N, '100');
    await alice.send(new PutItemCommand({ TableName: 'GameScores', Item: { ...aliceItem, Wins: { N: '3' } } }));
    const queried = await alice.send(new QueryCommand({ TableName: 'GameScores', KeyConditionExpression: 'UserId = :u', ExpressionAttributeValues: { ':u': { S: 'alice' } } }));
    assert.equal(queried.Count, 1);

    const denied = await rejection(alice.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.equal(denied.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: dynamodb:GetItem on resource: ${TABLE_ARN}/GameScores because no identity-based policy allows the dynamodb:GetItem action`);
    const record = await auditRecordFor(cove, denied.$metadata.requestId);
    assert.equal(record.errorCode, 'AccessDenied');
    const decision = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'authorize');
    assert.match(decision.explanation.join('\n'), /ForAllValues:StringEquals failed: dynamodb:LeadingKeys is \["bob"\]; ForAllValues:StringEquals \["alice"\] → false/);

    // A query for someone else's partition, and a batch that mixes partitions, are denied whole.
    assert.equal((await rejection(alice.send(new QueryCommand({ TableName: 'GameScores', KeyConditionExpression: 'UserId = :u', ExpressionAttributeValues: { ':u': { S: 'bob' } } })))).name, 'AccessDeniedException');
    const batch = await rejection(alice.send(new BatchWriteItemCommand({ RequestItems: { GameScores: [{ PutRequest: { Item: { ...aliceItem, GameTitle: { S: 'x' } } } }, { DeleteRequest: { Key: bobItem } }] } })));
    assert.equal(batch.name, 'AccessDeniedException');
    const stillThere = await clients.admin.send(new GetItemCommand({ TableName: 'GameScores', Key: { ...aliceItem, GameTitle: { S: 'x' } } }));
    assert.equal(stillThere.Item, undefined, 'nothing of a denied batch is written');
    // Scan names no leading key; the policy does not list it, so it is denied as AWS's example intends.
    assert.equal((await rejection(alice.send(new ScanCommand({ TableName: 'GameScores' })))).name, 'AccessDeniedException');
  });

  it('Attributes with Select and ReturnValues: only the listed attributes, and only when asked for by name', async () => {
    const scorer = clients.scorer;
    const projected = await scorer.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem, ProjectionExpression: 'TopScore' }));
    assert.deepEqual(projected.Item, { TopScore: { N: '100' } });

    // Without a projection Select is ALL_ATTRIBUTES, which the StringEqualsIfExists refuses.
    const all = await rejection(scorer.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem })));
    assert.equal(all.name, 'AccessDeniedException');
    // SSN is not listed.
    assert.equal((await rejection(scorer.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem, ProjectionExpression: 'SSN' })))).name, 'AccessDeniedException');

    const scanned = await scorer.send(new ScanCommand({ TableName: 'GameScores', ProjectionExpression: 'UserId, TopScore' }));
    assert.ok((scanned.Count ?? 0) >= 2);
    await scorer.send(new UpdateItemCommand({ TableName: 'GameScores', Key: bobItem, UpdateExpression: 'SET TopScore = :s', ExpressionAttributeValues: { ':s': { N: '5' } }, ReturnValues: 'UPDATED_NEW' }));
    // ALL_NEW would return unlisted attributes; writing an unlisted attribute is refused too.
    const allNew = await rejection(scorer.send(new UpdateItemCommand({ TableName: 'GameScores', Key: bobItem, UpdateExpression: 'SET TopScore = :s', ExpressionAttributeValues: { ':s': { N: '6' } }, ReturnValues: 'ALL_NEW' })));
    assert.equal(allNew.name, 'AccessDeniedException');
    const unlisted = await rejection(scorer.send(new UpdateItemCommand({ TableName: 'GameScores', Key: bobItem, UpdateExpression: 'SET Wins = :s', ExpressionAttributeValues: { ':s': { N: '6' } } })));
    assert.equal(unlisted.name, 'AccessDeniedException');
    const after = await clients.admin.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem }));
    assert.equal(after.Item?.TopScore?.N, '5');
    assert.equal(after.Item?.Wins, undefined);
  });

  it('an explicit Deny on sensitive attributes wins, and a read must name its attributes', async () => {
    const analyst = clients.analyst;
    const ok = await analyst.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem, ProjectionExpression: 'TopScore' }));
    assert.ok(ok.Item?.TopScore?.N);
    const sensitive = await rejection(analyst.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem, ProjectionExpression: 'TopScore, SSN' })));
    assert.equal(sensitive.message, `User: arn:aws:iam::${ACCOUNT}:user/analyst is not authorized to perform: dynamodb:GetItem on resource: ${TABLE_ARN}/GameScores with an explicit deny in an identity-based policy`);
    const record = await auditRecordFor(cove, sensitive.$metadata.requestId);
    const decision = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'authorize');
    assert.deepEqual(decision.rule, { policy: 'user/analyst#no-sensitive', kind: 'identity', statementIndex: 1, sid: 'NoSensitive' });
    const unprojected = await rejection(analyst.send(new ScanCommand({ TableName: 'GameScores' })));
    assert.match(unprojected.message, /with an explicit deny in an identity-based policy$/);
  });

  it('aws:SourceVpce is absent on the public endpoint, so a StringNotEquals Deny applies there', async () => {
    const e = await rejection(clients.private.send(new DescribeTableCommand({ TableName: 'GameScores' })));
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/private is not authorized to perform: dynamodb:DescribeTable on resource: ${TABLE_ARN}/GameScores with an explicit deny in an identity-based policy`);
  });

  it('DescribeEndpoints answers on the public endpoint whatever the policies say', async () => {
    const answer = await clients.private.send(new DescribeEndpointsCommand({}));
    // The address the client reached, so that endpoint discovery stays on cove.
    assert.deepEqual(answer.Endpoints, [{ Address: new URL(cove.endpoint).host, CachePeriodInMinutes: 1440 }]);
    const nobody = await clients.bounded.send(new DescribeEndpointsCommand({}));
    assert.equal(nobody.Endpoints?.length, 1);
  });

  it('a permissions boundary caps what group policies grant', async () => {
    const bounded = clients.bounded;
    const read = await bounded.send(new GetItemCommand({ TableName: 'GameScores', Key: bobItem }));
    assert.equal(read.Item?.UserId?.S, 'bob');
    const write = await rejection(bounded.send(new PutItemCommand({ TableName: 'GameScores', Item: bobItem })));
    assert.equal(write.message, `User: arn:aws:iam::${ACCOUNT}:user/bounded is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN}/GameScores because no permissions boundary allows the dynamodb:PutItem action`);
  });

  it('principal tags as policy variables, and source address and transport conditions', async () => {
    const tagged = clients.tagged;
    const blue = await tagged.send(new GetItemCommand({ TableName: 'blue-scores', Key: { id: { S: 'none' } } }));
    assert.equal(blue.Item, undefined);
    assert.equal((await rejection(tagged.send(new GetItemCommand({ TableName: 'red-scores', Key: { id: { S: 'none' } } })))).name, 'AccessDeniedException');
    // The only PutItem grant requires a source outside 127.0.0.0/8.
    assert.equal((await rejection(tagged.send(new PutItemCommand({ TableName: 'blue-scores', Item: { id: { S: 'x' } } })))).name, 'AccessDeniedException');
  });
});
