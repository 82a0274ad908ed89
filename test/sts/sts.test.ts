import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SessionTokens } from '../../src/auth/sessionTokens.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { auditRecordFor } from '../support/audit.js';
import { rejectsWith } from '../support/errors.js';
import { queryCall } from '../support/signed.js';

const ACCOUNT = '123456789012';
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ALICE = { accessKeyId: 'AKIAALICE0000000001', secretAccessKey: 'alice-secret' };
const BOB = { accessKeyId: 'AKIABOB00000000001', secretAccessKey: 'bob-secret' };
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

// alice may assume roles; bob may not, but one role's trust names him by ARN.
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  policies:
    - name: list-only
      document: ${doc([{ Effect: 'Allow', Action: 'dynamodb:ListTables', Resource: '*' }])}
  users:
    - name: alice
      accessKeys: [{ id: ${ALICE.accessKeyId}, secret: ${ALICE.secretAccessKey} }]
      tags: { team: blue }
      policies: [{ name: assume, document: ${doc([{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'dynamodb:ListTables'], Resource: '*' }])} }]
    - name: bob
      accessKeys: [{ id: ${BOB.accessKeyId}, secret: ${BOB.secretAccessKey} }]
    - name: mallory
      accessKeys: [{ id: AKIAMALLORY00000001, secret: mallory-secret }]
      policies: [{ name: deny-all, document: ${doc([{ Effect: 'Deny', Action: '*', Resource: '*' }])} }]
  roles:
    - name: reader
      maxSessionDuration: 7200
      assumeRolePolicy: ${doc([
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:TagSession' },
      ])}
      tags: { tier: gold }
      policies: [{ name: read, document: ${doc([
        { Effect: 'Allow', Action: ['dynamodb:ListTables', 'dynamodb:DescribeTable'], Resource: '*' },
        { Effect: 'Allow', Action: 'dynamodb:DescribeLimits', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/project': 'atlas' } } },
      ])} }]
    - name: untagged
      assumeRolePolicy: ${doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }])}
      policies: [{ name: read, document: ${doc([{ Effect: 'Allow', Action: '*', Resource: '*' }])} }]
`;

describe('STS', () => {
  let cove: CoveProcess;
  const clients: { destroy(): void }[] = [];
  const sts = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
    const client = new STSClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const dynamo = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
    const client = new DynamoDBClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const temporary = (c: Credentials | undefined) => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
  const assume = (input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}, caller = ALICE) =>
    sts(caller).send(new AssumeRoleCommand({ RoleArn: role('reader'), RoleSessionName: 'app', ExternalId: 'ext-123', ...input }));

  before(async () => {
    cove = await startCove({ config: CONFIG });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('GetCallerIdentity names the user, and needs no permission (bob has no policy at all)', async () => {
    const alice = await sts(ALICE).send(new GetCallerIdentityCommand({}));
    assert.equal(alice.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.equal(alice.Account, ACCOUNT);
    assert.match(alice.UserId!, /^AIDA[A-Z2-7]{17}$/);
    const bob = await sts(BOB).send(new GetCallerIdentityCommand({}));
    assert.equal(bob.Arn, `arn:aws:iam::${ACCOUNT}:user/bob`);
    // Not even an explicit Deny of everything stops it (AWS's rule), nor GetSessionToken.
    const mallory = { accessKeyId: 'AKIAMALLORY00000001', secretAccessKey: 'mallory-secret' };
    assert.equal((await sts(mallory).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/mallory`);
    const session = temporary((await sts(mallory).send(new GetSessionTokenCommand({}))).Credentials);
    await rejectsWith(dynamo(session).send(new ListTablesCommand({})), 'AccessDeniedException');
  });

  it('AssumeRole issues ASIA credentials that act as the assumed role, with its policies only', async () => {
    const assumed = await assume();
    assert.match(assumed.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(assumed.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/app`);
    assert.match(assumed.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z2-7]{17}:app$/);
    const expiresInMs = assumed.Credentials!.Expiration!.getTime() - Date.now();
    assert.ok(expiresInMs > 3000_000 && expiresInMs <= 3600_000, 'an hour by default');
    const credentials = temporary(assumed.Credentials);
    const identity = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/app`);
    assert.equal(identity.UserId, assumed.AssumedRoleUser!.AssumedRoleId);
    const listed = await dynamo(credentials).send(new ListTablesCommand({}));
    assert.deepEqual(listed.TableNames, []);
    await rejectsWith(dynamo(credentials).send(new DescribeTableCommand({ TableName: 'missing' })), 'ResourceNotFoundException');
    // alice may not DescribeLimits, and neither may the role's session without the tag.
    const denied = await rejectsWith(sts(credentials).send(new AssumeRoleCommand({ RoleArn: role('untagged'), RoleSessionName: 'chain' })), 'AccessDenied');
    assert.match(denied.message, new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/app is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/untagged because no identity-based policy allows the sts:AssumeRole action$`));
  });

  it('the trust policy decides with the caller\'s policies: its conditions, and a principal named by ARN suffices', async () => {
    const noExternalId = await rejectsWith(assume({ ExternalId: undefined }), 'AccessDenied');
    assert.equal(noExternalId.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/reader`);
    assert.equal(noExternalId.$metadata.httpStatusCode, 403);
    await rejectsWith(assume({ ExternalId: 'wrong-id' }), 'AccessDenied');
    // bob has no identity policy, but the trust policy names him.
    const bob = await assume({ ExternalId: undefined }, BOB);
    assert.equal(bob.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/app`);
    // A role that does not exist is denied in the same words as one that does not trust the caller.
    const missing = await rejectsWith(assume({ RoleArn: role('nope') }), 'AccessDenied');
    assert.equal(missing.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${ACCOUNT}:role/nope`);
  });

  it('DurationSeconds: the model\'s bounds, the role\'s MaxSessionDuration, and an hour for a role chain', async () => {
    const twoHours = await assume({ DurationSeconds: 7200 });
    assert.ok(twoHours.Credentials!.Expiration!.getTime() - Date.now() > 7000_000);
    const tooLong = await rejectsWith(assume({ DurationSeconds: 7201 }), 'ValidationError');
    assert.equal(tooLong.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const tooShort = await rejectsWith(assume({ DurationSeconds: 899, RoleSessionName: 'a' }), 'ValidationError');
    assert.equal(
      tooShort.message,
      "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    const session = temporary((await assume({ RoleArn: role('untagged'), ExternalId: undefined })).Credentials);
    const chained = await rejectsWith(sts(session).send(new AssumeRoleCommand({ RoleArn: role('untagged'), RoleSessionName: 'again', DurationSeconds: 3601 })), 'ValidationError');
    assert.equal(chained.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  });

  it('session policies narrow the session: inline and by managed policy ARN', async () => {
    const inline = temporary((await assume({ Policy: doc([{ Effect: 'Allow', Action: 'dynamodb:DescribeTable', Resource: '*' }]) })).Credentials);
    const denied = await rejectsWith(dynamo(inline).send(new ListTablesCommand({})), 'AccessDeniedException');
    assert.match(denied.message, /because no session policy allows the dynamodb:ListTables action$/);
    const byArn = temporary((await assume({ PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/list-only` }] })).Credentials);
    await dynamo(byArn).send(new ListTablesCommand({}));
    await rejectsWith(dynamo(byArn).send(new DescribeTableCommand({ TableName: 'missing' })), 'AccessDeniedException');
    // The SDK names the error by its model shape; the wire code is MalformedPolicyDocument.
    await rejectsWith(assume({ Policy: '{not json' }), 'MalformedPolicyDocumentException');
    await rejectsWith(assume({ PolicyArns: [{ arn: `arn:aws:iam::${ACCOUNT}:policy/missing-policy` }] }), 'MalformedPolicyDocumentException');
  });

  it('session tags become aws:PrincipalTag, and need sts:TagSession in the trust policy', async () => {
    const tagged = temporary((await assume({ Tags: [{ Key: 'project', Value: 'atlas' }] })).Credentials);
    const { DescribeLimitsCommand } = await import('@aws-sdk/client-dynamodb');
    await dynamo(tagged).send(new DescribeLimitsCommand({}));
    const untagged = temporary((await assume()).Credentials);
    await rejectsWith(dynamo(untagged).send(new DescribeLimitsCommand({})), 'AccessDeniedException');
    const noTagSession = await rejectsWith(assume({ RoleArn: role('untagged'), ExternalId: undefined, Tags: [{ Key: 'project', Value: 'atlas' }] }), 'AccessDenied');
    assert.match(noTagSession.message, /sts:TagSession on resource: arn:aws:iam::123456789012:role\/untagged$/);
  });

  it('a tampered or foreign token is invalid; an expired one is refused as expired', async () => {
    const credentials = temporary((await assume()).Credentials);
    const flipped = credentials.sessionToken.slice(0, 20) + (credentials.sessionToken[20] === 'A' ? 'B' : 'A') + credentials.sessionToken.slice(21);
    const tampered = await rejectsWith(dynamo({ ...credentials, sessionToken: flipped }).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    assert.equal(tampered.message, 'The security token included in the request is invalid.');
    const foreign = new SessionTokens(Buffer.alloc(32, 7)).seal({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, issuedAtMs: Date.now(), expiresAtMs: Date.now() + 60_000, identity: { kind: 'role', roleName: 'reader', sessionName: 'x' } });
    await rejectsWith(dynamo({ ...credentials, sessionToken: foreign }).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    // Another session's token with this key ID: the token names its own key.
    const other = temporary((await assume({ RoleSessionName: 'other' })).Credentials);
    await rejectsWith(dynamo({ ...credentials, sessionToken: other.sessionToken }).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    await rejectsWith(sts({ ...credentials, sessionToken: other.sessionToken }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
    // The test holds the data directory's key, so it can seal a session that has already ended.
    const key = readFileSync(join(cove.dataDirectory, 'sts-session.key'));
    const expired = new SessionTokens(key).seal({ accessKeyId: 'ASIAEXPIRED000000001', secretAccessKey: 'expired-secret', issuedAtMs: Date.now() - 7200_000, expiresAtMs: Date.now() - 1000, identity: { kind: 'role', roleName: 'reader', sessionName: 'old' } });
    const stale = { accessKeyId: 'ASIAEXPIRED000000001', secretAccessKey: 'expired-secret', sessionToken: expired };
    const refused = await rejectsWith(dynamo(stale).send(new ListTablesCommand({})), 'ExpiredTokenException');
    assert.equal(refused.message, 'The security token included in the request is expired');
    await rejectsWith(sts(stale).send(new GetCallerIdentityCommand({})), 'ExpiredToken');
  });

  it('GetSessionToken: the user\'s own temporary credentials, never from session credentials', async () => {
    const session = await sts(ALICE).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const credentials = temporary(session.Credentials);
    assert.match(credentials.accessKeyId, /^ASIA/);
    const identity = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    await dynamo(credentials).send(new ListTablesCommand({}));
    const again = await rejectsWith(sts(credentials).send(new GetSessionTokenCommand({})), 'AccessDenied');
    assert.equal(again.message, 'Cannot call GetSessionToken with session credentials');
    await rejectsWith(sts(ALICE).send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })), 'ValidationError');
  });

  it('GetAccessKeyInfo: the account of a key, for a caller allowed sts:GetAccessKeyInfo', async () => {
    const { GetAccessKeyInfoCommand } = await import('@aws-sdk/client-sts');
    const denied = await rejectsWith(sts(BOB).send(new GetAccessKeyInfoCommand({ AccessKeyId: ALICE.accessKeyId })), 'AccessDenied');
    assert.equal(denied.message, `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: sts:GetAccessKeyInfo on resource: * because no identity-based policy allows the sts:GetAccessKeyInfo action`);
    const session = temporary((await assume({ RoleArn: role('untagged'), ExternalId: undefined })).Credentials);
    const info = await sts(session).send(new GetAccessKeyInfoCommand({ AccessKeyId: ALICE.accessKeyId }));
    assert.equal(info.Account, ACCOUNT);
    await rejectsWith(sts(session).send(new GetAccessKeyInfoCommand({ AccessKeyId: 'short' })), 'ValidationError');
  });

  it('speaks the Query protocol on the wire: XML answers, and errors in ErrorResponse with Query\'s codes', async () => {
    const call = (parameters: Record<string, string>, credentials = ALICE) => queryCall({ endpoint: cove.endpoint, service: 'sts', ...credentials, parameters });
    const ok = await call({ Action: 'GetCallerIdentity', Version: '2011-06-15' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'text/xml');
    const requestId = ok.headers.get('x-amzn-requestid');
    assert.equal(
      ok.body.trim(),
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>${/<UserId>(\w+)</.exec(ok.body)?.[1]}</UserId><Account>${ACCOUNT}</Account><Arn>arn:aws:iam::${ACCOUNT}:user/alice</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
    const badSignature = await call({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, { ...ALICE, secretAccessKey: 'wrong' });
    assert.equal(badSignature.status, 403);
    assert.match(badSignature.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated does not match/);
    const unknownKey = await call({ Action: 'GetCallerIdentity', Version: '2011-06-15' }, { accessKeyId: 'AKIAUNKNOWN00000001', secretAccessKey: 'x' });
    assert.equal(unknownKey.status, 403);
    assert.match(unknownKey.body, /<Code>InvalidClientTokenId<\/Code><Message>The security token included in the request is invalid\.<\/Message>/);
    const unknownAction = await call({ Action: 'GetFancyToken', Version: '2011-06-15' });
    assert.equal(unknownAction.status, 400);
    assert.match(unknownAction.body, /<Code>InvalidAction<\/Code><Message>Could not find operation GetFancyToken for version 2011-06-15<\/Message>/);
    // Signed for DynamoDB, sent to STS: the scope's service is checked as AWS checks it.
    const wrongScope = await call({ Action: 'GetCallerIdentity', Version: '2011-06-15' }).then(() => queryCall({ endpoint: cove.endpoint, service: 'dynamodb', ...ALICE, parameters: { Action: 'GetCallerIdentity', Version: '2011-06-15' } }));
    assert.equal(wrongScope.status, 403);
    assert.match(wrongScope.body, /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: 'sts'\. <\/Message>/);
  });

  it('answers a presigned GetCallerIdentity (the query-string form), until X-Amz-Expires runs out', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('../support/signed.js');
    const url = new URL(cove.endpoint);
    const presign = async (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, signingDate = new Date()) => {
      const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials, sha256: Sha256 });
      const request = await signer.presign(
        { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: url.host } },
        { expiresIn: 60, signingDate },
      );
      const query = new URLSearchParams(request.query as Record<string, string>).toString();
      return fetch(`${cove.endpoint}/?${query}`);
    };
    const answer = await presign(ALICE);
    assert.equal(answer.status, 200);
    assert.match(await answer.text(), new RegExp(`<Arn>arn:aws:iam::${ACCOUNT}:user/alice</Arn>`));
    const session = temporary((await assume()).Credentials);
    const asRole = await presign(session);
    assert.match(await asRole.text(), /<Arn>arn:aws:sts::123456789012:assumed-role\/reader\/app<\/Arn>/);
    const stale = await presign(ALICE, new Date(Date.now() - 120_000));
    assert.equal(stale.status, 403);
    assert.match(await stale.text(), /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: /);
  });

  it('the audit names the assumed role and its session', async () => {
    const credentials = temporary((await assume({ RoleSessionName: 'audited' })).Credentials);
    const listed = await dynamo(credentials).send(new ListTablesCommand({}));
    const record = await auditRecordFor(cove, listed.$metadata.requestId);
    assert.equal(record.userIdentity.type, 'AssumedRole');
    assert.equal(record.userIdentity.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/reader/audited`);
    assert.equal(record.userIdentity.accessKeyId, credentials.accessKeyId);
    assert.equal(record.userIdentity.sessionContext.sessionIssuer.arn, role('reader'));
    assert.equal(record.userIdentity.sessionContext.sessionIssuer.userName, 'reader');
    assert.equal(record.userIdentity.sessionContext.attributes.mfaAuthenticated, 'false');
    const assumeRecord = await auditRecordFor(cove, (await assume({ RoleSessionName: 'recorded' })).$metadata.requestId);
    assert.equal(assumeRecord.eventSource, 'sts.amazonaws.com');
    assert.equal(assumeRecord.eventName, 'AssumeRole');
    assert.equal(assumeRecord.requestParameters.roleSessionName, 'recorded');
    assert.equal(JSON.stringify(assumeRecord).includes('SecretAccessKey'), false, 'no secret in the audit');
  });
});
