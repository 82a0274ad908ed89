/**
 * The CloudTrail API (JSON 1.1, signed as `cloudtrail`): LookupEvents over the trail this server
 * writes, and ListPublicKeys, through the AWS CLI and raw signed HTTP; authorized by IAM as
 * `cloudtrail:*` actions and audited like every call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { signedCall } from '../support/signed.js';
import { auditRecordFor } from '../support/audit.js';

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;
const ADMIN = { key: 'AKIACTADMIN00000001', secret: 'ct-admin-secret' };
const READER = { key: 'AKIACTREADER0000001', secret: 'ct-reader-secret' };
const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

const CONFIG = `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  users:
    - name: admin
      accessKeys: [{ id: ${ADMIN.key}, secret: ${ADMIN.secret} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: ["dynamodb:*", "cloudtrail:*"], Resource: "*" }] } }]
    - name: reader
      accessKeys: [{ id: ${READER.key}, secret: ${READER.secret} }]
      policies: [{ name: items, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: ["dynamodb:GetItem"], Resource: "*" }] } }]
`;

describe('CloudTrail API', () => {
  let cove: CoveProcess;
  let work: string;
  const call = (who: { key: string; secret: string }, operation: string, body: object) =>
    signedCall({ endpoint: cove.endpoint, target: `${TARGET}.${operation}`, body: JSON.stringify(body), accessKeyId: who.key, secretAccessKey: who.secret, service: 'cloudtrail', extraHeaders: { 'content-type': 'application/x-amz-json-1.1' } });
  let createTableRequestId: string;

  before(async () => {
    work = tempDirectory('cove-cloudtrail-');
    cove = await startCove({ config: CONFIG, dataDirectory: join(work, 'data') });
    const admin = cove.client(ADMIN.key, ADMIN.secret);
    const created = await admin.send(new CreateTableCommand({ TableName: 'songs', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    createTableRequestId = created.$metadata.requestId!;
    await admin.send(new PutItemCommand({ TableName: 'songs', Item: { id: { S: 'a' } } }));
    await cove.client(READER.key, READER.secret).send(new GetItemCommand({ TableName: 'songs', Key: { id: { S: 'a' } } }));
    await auditRecordFor(cove, createTableRequestId);
  });
  after(async () => {
    await cove.stop();
    removeDirectory(work);
  });

  it('LookupEvents answers management events only, newest first, as CloudTrail events', async () => {
    const answer = await call(ADMIN, 'LookupEvents', {});
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers.get('content-type'), 'application/x-amz-json-1.1');
    const { Events } = JSON.parse(answer.body) as { Events: Record<string, unknown>[] };
    assert.deepEqual(Events.map((e) => e.EventName), ['CreateTable'], 'PutItem and GetItem are data events');
    const [created] = Events;
    const record = JSON.parse(created.CloudTrailEvent as string) as Record<string, unknown>;
    assert.equal(record.requestID, createTableRequestId);
    assert.equal(created.EventId, record.eventID);
    assert.equal(created.ReadOnly, 'false');
    assert.equal(created.Username, 'admin');
    assert.equal(created.AccessKeyId, ADMIN.key);
    assert.equal(created.EventSource, 'dynamodb.amazonaws.com');
    assert.equal(typeof created.EventTime, 'number');
    assert.deepEqual(created.Resources, [{ ResourceType: 'AWS::DynamoDB::Table', ResourceName: 'arn:aws:dynamodb:us-east-1:123456789012:table/songs' }]);
  });

  it('answers from the trails of the other nodes named in audit.peerDataDirectories too, each event once', async () => {
    const peerData = join(work, 'peer-data');
    const own = join(work, 'data');
    const missing = join(work, 'node-not-started');
    const peer = await startCove({ config: `${CONFIG}\naudit:\n  peerDataDirectories: [${JSON.stringify(own)}, ${JSON.stringify(peerData)}, ${JSON.stringify(missing)}]\n`, dataDirectory: peerData });
    try {
      await peer.waitForOutput(new RegExp(`warning: audit.peerDataDirectories: no readable audit trail at ${missing}/audit \\(yet\\)`));
      const created = await peer.client(ADMIN.key, ADMIN.secret).send(new CreateTableCommand({ TableName: 'albums', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      await auditRecordFor(peer, created.$metadata.requestId!);
      const lookup = (endpoint: string) =>
        signedCall({ endpoint, target: `${TARGET}.LookupEvents`, body: '{}', accessKeyId: ADMIN.key, secretAccessKey: ADMIN.secret, service: 'cloudtrail', extraHeaders: { 'content-type': 'application/x-amz-json-1.1' } });
      const names = async (endpoint: string) => {
        const answer = await lookup(endpoint);
        assert.equal(answer.status, 200, answer.body);
        return (JSON.parse(answer.body) as { Events: { EventName: string; Resources: { ResourceName: string }[] }[] }).Events.filter((e) => e.EventName === 'CreateTable').map((e) => e.Resources[0].ResourceName.split('/')[1]);
      };
      assert.deepEqual(await names(peer.endpoint), ['albums', 'songs'], 'its own event and the other node\'s, newest first; its own directory among the peers counts once');
      assert.deepEqual(await names(cove.endpoint), ['songs'], 'a node without peers answers from its own trail');
    } finally {
      await peer.stop();
    }
  });

  it('filters by one lookup attribute, pages with NextToken, and refuses what CloudTrail refuses', async () => {
    const lookups = await Promise.all([1, 2, 3].map(() => call(ADMIN, 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'cloudtrail.amazonaws.com' }] })));
    assert.ok(lookups.every((answer) => answer.status === 200));
    // Its own calls are management events too, recorded like any other.
    await auditRecordFor(cove, lookups[2].headers.get('x-amzn-requestid') ?? undefined);
    const all: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(ADMIN, 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }], MaxResults: 1, ...(token ? { NextToken: token } : {}) });
      assert.equal(page.status, 200, page.body);
      const parsed = JSON.parse(page.body) as { Events: { EventId: string; EventName: string }[]; NextToken?: string };
      assert.ok(parsed.Events.length <= 1);
      all.push(...parsed.Events.map((e) => e.EventId));
      token = parsed.NextToken;
    } while (token !== undefined && all.length < 50);
    assert.ok(all.length >= 4, `every LookupEvents found once: ${all.length}`);
    assert.equal(new Set(all).size, all.length, 'no event on two pages');
    const byName = JSON.parse((await call(ADMIN, 'LookupEvents', { LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'songs' }] })).body) as { Events: { EventName: string }[] };
    assert.deepEqual(byName.Events.map((e) => e.EventName), ['CreateTable']);
    const refusals: [object, string][] = [
      [{ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'A' }, { AttributeKey: 'EventName', AttributeValue: 'B' }] }, 'InvalidLookupAttributesException'],
      [{ LookupAttributes: [{ AttributeKey: 'Color', AttributeValue: 'A' }] }, 'InvalidLookupAttributesException'],
      [{ MaxResults: 51 }, 'InvalidMaxResultsException'],
      [{ StartTime: 2000, EndTime: 1000 }, 'InvalidTimeRangeException'],
      [{ NextToken: 'bogus' }, 'InvalidNextTokenException'],
      [{ EventCategory: 'data' }, 'InvalidEventCategoryException'],
    ];
    for (const [body, code] of refusals) {
      const answer = await call(ADMIN, 'LookupEvents', body);
      assert.equal(answer.status, 400, answer.body);
      assert.equal((JSON.parse(answer.body) as { __type: string }).__type, `com.amazonaws.cloudtrail.v20131101#${code}`);
    }
  });

  it('is authorized as cloudtrail:LookupEvents: a user without it is denied, and the denial audited', async () => {
    const answer = await call(READER, 'LookupEvents', {});
    assert.equal(answer.status, 400);
    const error = JSON.parse(answer.body) as { __type: string; Message?: string; message?: string };
    assert.match(error.__type, /AccessDeniedException$/);
    assert.match(error.Message ?? error.message ?? '', /not authorized to perform: cloudtrail:LookupEvents on resource: \*/);
    const record = await auditRecordFor(cove, answer.headers.get('x-amzn-requestid') ?? undefined);
    assert.equal(record.eventSource, 'cloudtrail.amazonaws.com');
    assert.equal(record.errorCode, 'AccessDenied');
  });

  it('ListPublicKeys lists the key whose fingerprint the digests carry', async () => {
    const answer = await call(ADMIN, 'ListPublicKeys', {});
    assert.equal(answer.status, 200, answer.body);
    const [key] = (JSON.parse(answer.body) as { PublicKeyList: { Value: string; Fingerprint: string; ValidityStartTime: number; ValidityEndTime: number }[] }).PublicKeyList;
    assert.equal(key.Fingerprint, createHash('md5').update(Buffer.from(key.Value, 'base64')).digest('hex'));
    assert.ok(key.ValidityStartTime <= key.ValidityEndTime);
  });

  it('works with the AWS CLI: aws cloudtrail lookup-events', { skip: hasAwsCli ? false : 'aws CLI not installed' }, () => {
    const credentials = join(work, 'aws-credentials');
    writeFileSync(credentials, `[ct]\naws_access_key_id = ${ADMIN.key}\naws_secret_access_key = ${ADMIN.secret}\n`);
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete env[name];
    Object.assign(env, { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'ct', AWS_CONFIG_FILE: '/dev/null', AWS_DEFAULT_REGION: 'us-east-1' });
    const aws = (...args: string[]) => JSON.parse(execFileSync('aws', ['cloudtrail', ...args, '--endpoint-url', cove.endpoint, '--output', 'json'], { env, encoding: 'utf8' })) as Record<string, unknown>;
    const found = aws('lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=CreateTable') as { Events: { EventName: string; Username: string; CloudTrailEvent: string }[] };
    assert.deepEqual(found.Events.map((e) => [e.EventName, e.Username]), [['CreateTable', 'admin']]);
    assert.equal((JSON.parse(found.Events[0].CloudTrailEvent) as { requestID: string }).requestID, createTableRequestId);
    const paged = aws('lookup-events', '--max-items', '1', '--start-time', new Date(Date.now() - 3600_000).toISOString()) as { Events: unknown[]; NextToken?: string };
    assert.equal(paged.Events.length, 1);
    assert.ok(paged.NextToken, 'more to page');
    const keys = aws('list-public-keys') as { PublicKeyList: { Fingerprint: string }[] };
    assert.equal(keys.PublicKeyList.length, 1);
  });
});
