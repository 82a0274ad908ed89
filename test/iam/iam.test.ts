import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetGroupCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeLimitsCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { auditRecordFor, auditRecords } from '../support/audit.js';
import { rejectsWith } from '../support/errors.js';

/**
 * The IAM API through the SDK v3 IAM client against a running cove: a full setup (user, key,
 * policy, DynamoDB with the key), managed policies and their versions, a role assumed through STS,
 * keys deactivated and deleted, the rules between cove.yaml and the API, and IAM's errors.
 */
const ACCOUNT = '123456789012';
const ADMIN = { accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'admin-secret' };
const READER = { accessKeyId: 'AKIAIAMREADER0000001', secretAccessKey: 'reader-secret' };
const doc = (statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource = '*') => doc([{ Effect: 'Allow', Action: action, Resource: resource }]);
const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
const AWS_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess';

// iam-admin may do anything; reader may only read IAM; declared user, group, role and policy show the file's rules.
const CONFIG = `
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
iam:
  policies:
    - name: declared-policy
      document: ${allow('dynamodb:ListTables')}
  groups:
    - name: declared-group
      managedPolicies: [declared-policy]
  users:
    - name: iam-admin
      accessKeys: [{ id: ${ADMIN.accessKeyId}, secret: ${ADMIN.secretAccessKey} }]
      policies: [{ name: all, document: ${allow('*')} }]
    - name: reader
      accessKeys: [{ id: ${READER.accessKeyId}, secret: ${READER.secretAccessKey} }]
      managedPolicies: ["${AWS_READ_ONLY}"]
      policies: [{ name: iam-read, document: ${allow(['iam:Get*', 'iam:List*'])} }]
  roles:
    - name: declared-role
      assumeRolePolicy: ${doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }])}
    - name: AWSServiceRoleForDynamoDBReplication
      path: /aws-service-role/replication.dynamodb.amazonaws.com/
      assumeRolePolicy: ${doc([{ Effect: 'Allow', Principal: { Service: 'replication.dynamodb.amazonaws.com' }, Action: 'sts:AssumeRole' }])}
`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('IAM API', () => {
  let cove: CoveProcess;
  const clients: { destroy(): void }[] = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  const iam = (credentials: Credentials = ADMIN) => track(new IAMClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));
  const sts = (credentials: Credentials) => track(new STSClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));
  const dynamo = (credentials: Credentials) => track(new DynamoDBClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }));
  /** A user with one key, created through the API. */
  const newUser = async (name: string): Promise<Credentials> => {
    await iam().send(new CreateUserCommand({ UserName: name }));
    const key = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  };

  before(async () => {
    cove = await startCove({ config: CONFIG });
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('a full setup: a user, a key, an inline policy; the key works for DynamoDB at once, within the policy', async () => {
    const created = await iam().send(new CreateUserCommand({ UserName: 'app', Path: '/services/', Tags: [{ Key: 'team', Value: 'blue' }] }));
    assert.equal(created.User!.Arn, arn('user', 'services/app'));
    assert.match(created.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.deepEqual(created.User!.Tags, [{ Key: 'team', Value: 'blue' }]);
    const key = (await iam().send(new CreateAccessKeyCommand({ UserName: 'app' }))).AccessKey!;
    assert.match(key.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(key.SecretAccessKey!.length, 40);
    assert.equal(key.Status, 'Active');
    const app = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    // No policy yet: authenticated, and denied.
    const denied = await rejectsWith(dynamo(app).send(new ListTablesCommand({})), 'AccessDeniedException');
    assert.match(denied.message, new RegExp(`^User: ${arn('user', 'services/app')} is not authorized to perform: dynamodb:ListTables`));
    await iam().send(new PutUserPolicyCommand({ UserName: 'app', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    assert.deepEqual((await dynamo(app).send(new ListTablesCommand({}))).TableNames, []);
    await rejectsWith(dynamo(app).send(new DescribeLimitsCommand({})), 'AccessDeniedException');
    const identity = await sts(app).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, arn('user', 'services/app'));
    assert.equal(identity.UserId, created.User!.UserId);
    // The policy reads back URL-encoded, as IAM answers it.
    const policy = await iam().send(new GetUserPolicyCommand({ UserName: 'app', PolicyName: 'list' }));
    assert.equal(decodeURIComponent(policy.PolicyDocument!), allow('dynamodb:ListTables'));
    assert.deepEqual((await iam().send(new ListUserPoliciesCommand({ UserName: 'app' }))).PolicyNames, ['list']);
    assert.deepEqual((await iam().send(new GetUserCommand({ UserName: 'APP' }))).User!.UserName, 'app', 'IAM names are found whatever their case');
    // Without UserName, GetUser answers the caller.
    assert.equal((await iam(app).send(new GetUserCommand({})).catch((e: Error) => e)) instanceof Error, true, 'app may not iam:GetUser');
    assert.equal((await iam().send(new GetUserCommand({}))).User!.UserName, 'iam-admin');
  });

  it('tags: TagUser merges, UntagUser removes, ListUserTags lists; __proto__ and constructor are ordinary names', async () => {
    await iam().send(new CreateUserCommand({ UserName: '__proto__' }));
    await iam().send(new TagUserCommand({ UserName: '__proto__', Tags: [{ Key: '__proto__', Value: 'a' }, { Key: 'constructor', Value: 'b' }] }));
    await iam().send(new TagUserCommand({ UserName: '__proto__', Tags: [{ Key: 'constructor', Value: 'c' }] }));
    assert.deepEqual((await iam().send(new ListUserTagsCommand({ UserName: '__proto__' }))).Tags, [{ Key: '__proto__', Value: 'a' }, { Key: 'constructor', Value: 'c' }]);
    await iam().send(new UntagUserCommand({ UserName: '__proto__', TagKeys: ['__proto__'] }));
    assert.deepEqual((await iam().send(new ListUserTagsCommand({ UserName: '__proto__' }))).Tags, [{ Key: 'constructor', Value: 'c' }]);
    await iam().send(new PutUserPolicyCommand({ UserName: '__proto__', PolicyName: 'constructor', PolicyDocument: allow('dynamodb:ListTables') }));
    const policy = await iam().send(new CreatePolicyCommand({ PolicyName: 'constructor', PolicyDocument: allow('dynamodb:ListTables') }));
    await iam().send(new AttachUserPolicyCommand({ UserName: '__proto__', PolicyArn: policy.Policy!.Arn }));
    const key = (await iam().send(new CreateAccessKeyCommand({ UserName: '__proto__' }))).AccessKey!;
    await dynamo({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).send(new ListTablesCommand({}));
    const user = await iam().send(new GetUserCommand({ UserName: '__proto__' }));
    assert.equal(user.User!.Arn, arn('user', '__proto__'));
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('a managed policy with versions: the default version is the one in force; five at most; the default cannot be deleted', async () => {
    const user = await newUser('versioned');
    const created = await iam().send(new CreatePolicyCommand({ PolicyName: 'tables', Path: '/team/', Description: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    const policyArn = created.Policy!.Arn!;
    assert.equal(policyArn, arn('policy', 'team/tables'));
    assert.equal(created.Policy!.DefaultVersionId, 'v1');
    assert.match(created.Policy!.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    await iam().send(new AttachUserPolicyCommand({ UserName: 'versioned', PolicyArn: policyArn }));
    await dynamo(user).send(new ListTablesCommand({}));
    await rejectsWith(dynamo(user).send(new DescribeLimitsCommand({})), 'AccessDeniedException');
    const v2 = await iam().send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allow(['dynamodb:ListTables', 'dynamodb:DescribeLimits']) }));
    assert.equal(v2.PolicyVersion!.VersionId, 'v2');
    assert.equal(v2.PolicyVersion!.IsDefaultVersion, false);
    await rejectsWith(dynamo(user).send(new DescribeLimitsCommand({})), 'AccessDeniedException');
    await iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' }));
    await dynamo(user).send(new DescribeLimitsCommand({}));
    const version = await iam().send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' }));
    assert.equal(version.PolicyVersion!.IsDefaultVersion, true);
    assert.equal(version.PolicyVersion!.Document, encodeURIComponent(allow(['dynamodb:ListTables', 'dynamodb:DescribeLimits'])));
    for (const n of [3, 4, 5]) await iam().send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allow('dynamodb:ListTables'), SetAsDefault: n === 5 }));
    const sixth = await rejectsWith(iam().send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allow('dynamodb:ListTables') })), 'LimitExceededException');
    assert.equal(sixth.message, 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    assert.equal(sixth.$metadata.httpStatusCode, 409);
    const versions = await iam().send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }));
    assert.deepEqual(versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v5', true], ['v4', false], ['v3', false], ['v2', false], ['v1', false]]);
    const deleteDefault = await rejectsWith(iam().send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v5' })), 'DeleteConflictException');
    assert.equal(deleteDefault.message, 'Cannot delete the default version of a policy.');
    await iam().send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
    // A deleted version's number is never reused.
    assert.equal((await iam().send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allow('dynamodb:ListTables') }))).PolicyVersion!.VersionId, 'v6');
    const attached = await rejectsWith(iam().send(new DeletePolicyCommand({ PolicyArn: policyArn })), 'DeleteConflictException');
    assert.equal(attached.message, 'Cannot delete a policy attached to entities.');
    assert.equal((await iam().send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.AttachmentCount, 1);
    assert.deepEqual((await iam().send(new ListAttachedUserPoliciesCommand({ UserName: 'versioned' }))).AttachedPolicies, [{ PolicyName: 'tables', PolicyArn: policyArn }]);
    await iam().send(new DetachUserPolicyCommand({ UserName: 'versioned', PolicyArn: policyArn }));
    const versionsLeft = await rejectsWith(iam().send(new DeletePolicyCommand({ PolicyArn: policyArn })), 'DeleteConflictException');
    assert.match(versionsLeft.message, /^This policy has more than one version\./);
    for (const v of ['v2', 'v3', 'v4', 'v6']) await iam().send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: v }));
    await iam().send(new DeletePolicyCommand({ PolicyArn: policyArn }));
    const gone = await rejectsWith(iam().send(new GetPolicyCommand({ PolicyArn: policyArn })), 'NoSuchEntityException');
    assert.equal(gone.message, `Policy ${policyArn} was not found.`);
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it('AWS managed policies: readable, attachable, listed under Scope AWS, never changeable', async () => {
    const policy = await iam().send(new GetPolicyCommand({ PolicyArn: AWS_READ_ONLY }));
    assert.equal(policy.Policy!.DefaultVersionId, 'v14');
    const version = await iam().send(new GetPolicyVersionCommand({ PolicyArn: AWS_READ_ONLY, VersionId: 'v14' }));
    assert.ok(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement[0].Action.includes('dynamodb:Describe*'));
    const aws = await iam().send(new ListPoliciesCommand({ Scope: 'AWS' }));
    assert.deepEqual(aws.Policies!.map((p) => p.PolicyName), ['AdministratorAccess', 'AmazonDynamoDBFullAccess', 'AmazonDynamoDBReadOnlyAccess']);
    const attached = await iam().send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    assert.deepEqual(attached.Policies!.map((p) => p.PolicyName), ['AmazonDynamoDBReadOnlyAccess'], 'reader (cove.yaml) attaches it');
    const local = await iam().send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.ok(local.Policies!.some((p) => p.PolicyName === 'declared-policy'));
    const change = await rejectsWith(iam().send(new CreatePolicyVersionCommand({ PolicyArn: AWS_READ_ONLY, PolicyDocument: allow('*') })), 'UnmodifiableEntityException');
    assert.match(change.message, /AWS managed policy/);
    await rejectsWith(iam().send(new DeletePolicyCommand({ PolicyArn: AWS_READ_ONLY })), 'UnmodifiableEntityException');
    // Attached to an API user, it grants what AWS's document grants.
    const user = await newUser('aws-managed');
    await iam().send(new AttachUserPolicyCommand({ UserName: 'aws-managed', PolicyArn: AWS_READ_ONLY }));
    await rejectsWith(dynamo(user).send(new DescribeTableCommand({ TableName: 'missing' })), 'ResourceNotFoundException');
    // reader got it from cove.yaml by ARN.
    await rejectsWith(dynamo(READER).send(new DescribeTableCommand({ TableName: 'missing' })), 'ResourceNotFoundException');
  });

  it('a role with a trust policy requiring an external ID, created through IAM, assumed through STS, denied by its policy with the assumed-role ARN', async () => {
    const alice = await newUser('alice');
    await iam().send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'assume', PolicyDocument: allow('sts:AssumeRole') }));
    const trust = doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-42' } } }]);
    const created = await iam().send(new CreateRoleCommand({ RoleName: 'deployer', Path: '/ci/', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200, Description: 'CI' }));
    const roleArn = arn('role', 'ci/deployer');
    assert.equal(created.Role!.Arn, roleArn);
    assert.match(created.Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
    assert.equal(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!), trust);
    await iam().send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    const withoutId = await rejectsWith(sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'build' })), 'AccessDenied');
    assert.equal(withoutId.message, `User: ${arn('user', 'alice')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const assumed = await sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'build', ExternalId: 'ext-42', DurationSeconds: 7200 }));
    assert.equal(assumed.AssumedRoleUser!.AssumedRoleId, `${created.Role!.RoleId}:build`);
    const session = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    assert.deepEqual((await dynamo(session).send(new ListTablesCommand({}))).TableNames, []);
    const denied = await rejectsWith(dynamo(session).send(new DescribeTableCommand({ TableName: 'orders' })), 'AccessDeniedException');
    assert.equal(
      denied.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/deployer/build is not authorized to perform: dynamodb:DescribeTable on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders because no identity-based policy allows the dynamodb:DescribeTable action`,
    );
    // A longer session than the role allows, then a new MaxSessionDuration.
    await rejectsWith(sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bb', ExternalId: 'ext-42', DurationSeconds: 7201 })), 'ValidationError');
    await iam().send(new UpdateRoleCommand({ RoleName: 'deployer', MaxSessionDuration: 10_800 }));
    await sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bb', ExternalId: 'ext-42', DurationSeconds: 7201 }));
    // A new trust policy decides the next AssumeRole.
    await iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: 'deployer', PolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: arn('user', 'nobody') }, Action: 'sts:AssumeRole' }]) }));
    await rejectsWith(sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cc', ExternalId: 'ext-42' })), 'AccessDenied');
    assert.equal((await iam().send(new GetRoleCommand({ RoleName: 'deployer' }))).Role!.MaxSessionDuration, 10_800);
    assert.ok((await iam().send(new ListRolesCommand({}))).Roles!.some((r) => r.RoleName === 'declared-role'));
    // Deleting the role ends its sessions.
    await rejectsWith(iam().send(new DeleteRoleCommand({ RoleName: 'deployer' })), 'DeleteConflictException');
    await iam().send(new DeleteRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'list' }));
    await iam().send(new DeleteRoleCommand({ RoleName: 'deployer' }));
    const ended = await rejectsWith(dynamo(session).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    assert.equal(ended.message, 'The security token included in the request is invalid.');
    await rejectsWith(iam().send(new GetRoleCommand({ RoleName: 'deployer' })), 'NoSuchEntityException');
    // A role created again under the name is another role: the old session stays ended.
    await iam().send(new CreateRoleCommand({ RoleName: 'deployer', Path: '/ci/', AssumeRolePolicyDocument: trust }));
    await iam().send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    await rejectsWith(dynamo(session).send(new ListTablesCommand({})), 'UnrecognizedClientException');
  });

  it('a user deleted and created again under its name does not inherit the old user\'s sessions', async () => {
    const { GetSessionTokenCommand } = await import('@aws-sdk/client-sts');
    const first = await newUser('reborn');
    await iam().send(new PutUserPolicyCommand({ UserName: 'reborn', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    const issued = (await sts(first).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials!;
    const session = { accessKeyId: issued.AccessKeyId!, secretAccessKey: issued.SecretAccessKey!, sessionToken: issued.SessionToken! };
    await dynamo(session).send(new ListTablesCommand({}));
    await iam().send(new DeleteUserPolicyCommand({ UserName: 'reborn', PolicyName: 'list' }));
    await iam().send(new DeleteAccessKeyCommand({ UserName: 'reborn', AccessKeyId: first.accessKeyId }));
    await iam().send(new DeleteUserCommand({ UserName: 'reborn' }));
    await rejectsWith(dynamo(session).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    await newUser('reborn');
    await iam().send(new PutUserPolicyCommand({ UserName: 'reborn', PolicyName: 'list', PolicyDocument: allow('dynamodb:ListTables') }));
    await rejectsWith(dynamo(session).send(new ListTablesCommand({})), 'UnrecognizedClientException');
  });

  it('keys: an Inactive key is refused exactly as an unknown one; two per user; a deleted key is gone; DeleteUser waits for keys, policies and groups', async () => {
    const key = await newUser('rotating');
    await iam().send(new PutUserPolicyCommand({ UserName: 'rotating', PolicyName: 'list', PolicyDocument: allow(['dynamodb:ListTables', 'iam:ListAccessKeys']) }));
    await dynamo(key).send(new ListTablesCommand({}));
    await iam().send(new UpdateAccessKeyCommand({ UserName: 'rotating', AccessKeyId: key.accessKeyId, Status: 'Inactive' }));
    const inactive = await rejectsWith(dynamo(key).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    const unknown = await rejectsWith(dynamo({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    assert.equal(inactive.message, unknown.message);
    assert.equal(inactive.message, 'The security token included in the request is invalid.');
    const query = await rejectsWith(iam(key).send(new ListAccessKeysCommand({})), 'InvalidClientTokenId');
    assert.equal(query.message, 'The security token included in the request is invalid.');
    assert.equal(query.$metadata.httpStatusCode, 403);
    const listed = await iam().send(new ListAccessKeysCommand({ UserName: 'rotating' }));
    assert.deepEqual(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status]), [[key.accessKeyId, 'Inactive']]);
    assert.equal(JSON.stringify(listed).includes(key.secretAccessKey), false);
    await iam().send(new UpdateAccessKeyCommand({ UserName: 'rotating', AccessKeyId: key.accessKeyId, Status: 'Active' }));
    // Without UserName, the caller's own keys.
    assert.equal((await iam(key).send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.length, 1);
    const second = (await iam().send(new CreateAccessKeyCommand({ UserName: 'rotating' }))).AccessKey!;
    const third = await rejectsWith(iam().send(new CreateAccessKeyCommand({ UserName: 'rotating' })), 'LimitExceededException');
    assert.equal(third.message, 'Cannot exceed quota for AccessKeysPerUser: 2');
    const withKeys = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: 'rotating' })), 'DeleteConflictException');
    assert.equal(withKeys.message, 'Cannot delete entity, must delete access keys first.');
    assert.equal(withKeys.$metadata.httpStatusCode, 409);
    await iam().send(new DeleteAccessKeyCommand({ UserName: 'rotating', AccessKeyId: key.accessKeyId }));
    await iam().send(new DeleteAccessKeyCommand({ UserName: 'rotating', AccessKeyId: second.AccessKeyId }));
    await rejectsWith(dynamo(key).send(new ListTablesCommand({})), 'UnrecognizedClientException');
    const noKey = await rejectsWith(iam().send(new DeleteAccessKeyCommand({ UserName: 'rotating', AccessKeyId: key.accessKeyId })), 'NoSuchEntityException');
    assert.equal(noKey.message, `The Access Key with id ${key.accessKeyId} cannot be found.`);
    const withPolicies = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: 'rotating' })), 'DeleteConflictException');
    assert.equal(withPolicies.message, 'Cannot delete entity, must delete policies first.');
    await iam().send(new DeleteUserPolicyCommand({ UserName: 'rotating', PolicyName: 'list' }));
    await iam().send(new AttachUserPolicyCommand({ UserName: 'rotating', PolicyArn: AWS_READ_ONLY }));
    const withAttached = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: 'rotating' })), 'DeleteConflictException');
    assert.equal(withAttached.message, 'Cannot delete entity, must detach all policies first.');
    await iam().send(new DetachUserPolicyCommand({ UserName: 'rotating', PolicyArn: AWS_READ_ONLY }));
    await iam().send(new AddUserToGroupCommand({ UserName: 'rotating', GroupName: 'declared-group' }));
    await rejectsWith(iam().send(new DeleteUserCommand({ UserName: 'rotating' })), 'DeleteConflictException');
    await iam().send(new RemoveUserFromGroupCommand({ UserName: 'rotating', GroupName: 'declared-group' }));
    await iam().send(new DeleteUserCommand({ UserName: 'rotating' }));
    const gone = await rejectsWith(iam().send(new GetUserCommand({ UserName: 'rotating' })), 'NoSuchEntityException');
    assert.equal(gone.message, 'The user with name rotating cannot be found.');
  });

  it('groups: members get the group\'s policies; a declared group takes API members; a group with members is not deleted', async () => {
    const member = await newUser('member');
    await iam().send(new CreateGroupCommand({ GroupName: 'ops' }));
    await iam().send(new PutGroupPolicyCommand({ GroupName: 'ops', PolicyName: 'limits', PolicyDocument: allow('dynamodb:DescribeLimits') }));
    await iam().send(new AddUserToGroupCommand({ UserName: 'member', GroupName: 'ops' }));
    await iam().send(new AddUserToGroupCommand({ UserName: 'member', GroupName: 'declared-group' }));
    await dynamo(member).send(new DescribeLimitsCommand({}));
    await dynamo(member).send(new ListTablesCommand({}));
    const group = await iam().send(new GetGroupCommand({ GroupName: 'ops' }));
    assert.deepEqual(group.Users!.map((u) => u.UserName), ['member']);
    assert.equal(group.Group!.Arn, arn('group', 'ops'));
    assert.deepEqual((await iam().send(new ListGroupsForUserCommand({ UserName: 'member' }))).Groups!.map((g) => g.GroupName), ['declared-group', 'ops']);
    const withMembers = await rejectsWith(iam().send(new DeleteGroupCommand({ GroupName: 'ops' })), 'DeleteConflictException');
    assert.equal(withMembers.message, 'Cannot delete entity, must remove users from group first.');
    await iam().send(new RemoveUserFromGroupCommand({ UserName: 'member', GroupName: 'ops' }));
    await rejectsWith(dynamo(member).send(new DescribeLimitsCommand({})), 'AccessDeniedException');
    await rejectsWith(iam().send(new DeleteGroupCommand({ GroupName: 'ops' })), 'DeleteConflictException');
    await rejectsWith(iam().send(new DeleteGroupCommand({ GroupName: 'declared-group' })), 'UnmodifiableEntityException');
    const missing = await rejectsWith(iam().send(new GetGroupCommand({ GroupName: 'nope' })), 'NoSuchEntityException');
    assert.equal(missing.message, 'The group with name nope cannot be found.');
  });

  it('cove.yaml\'s entities are visible through the API and cannot be changed through it; their names cannot be taken', async () => {
    const users = await iam().send(new ListUsersCommand({}));
    assert.ok(users.Users!.some((u) => u.UserName === 'reader'));
    assert.equal((await iam().send(new GetUserCommand({ UserName: 'reader' }))).User!.Arn, arn('user', 'reader'));
    const unmodifiable = await rejectsWith(iam().send(new DeleteUserCommand({ UserName: 'reader' })), 'UnmodifiableEntityException');
    assert.match(unmodifiable.message, /declared in cove\.yaml.*edit cove\.yaml to change it/);
    await rejectsWith(iam().send(new CreateAccessKeyCommand({ UserName: 'reader' })), 'UnmodifiableEntityException');
    await rejectsWith(iam().send(new UpdateAccessKeyCommand({ UserName: 'reader', AccessKeyId: READER.accessKeyId, Status: 'Inactive' })), 'UnmodifiableEntityException');
    await rejectsWith(iam().send(new PutRolePolicyCommand({ RoleName: 'declared-role', PolicyName: 'x', PolicyDocument: allow('*') })), 'UnmodifiableEntityException');
    await rejectsWith(iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn('policy', 'declared-policy'), PolicyDocument: allow('*') })), 'UnmodifiableEntityException');
    // A service-linked role is AWS's: IAM's own text.
    const linked = await rejectsWith(iam().send(new UpdateRoleCommand({ RoleName: 'AWSServiceRoleForDynamoDBReplication', Description: 'x' })), 'UnmodifiableEntityException');
    assert.equal(linked.message, "Cannot perform the operation on the protected role 'AWSServiceRoleForDynamoDBReplication' - this role is only modifiable by AWS");
    await rejectsWith(iam().send(new CreateRoleCommand({ RoleName: 'mine', Path: '/aws-service-role/x/', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }]) })), 'InvalidInputException');
    const taken = await rejectsWith(iam().send(new CreateUserCommand({ UserName: 'Reader' })), 'EntityAlreadyExistsException');
    assert.equal(taken.message, 'User with name Reader already exists.');
    assert.equal(taken.$metadata.httpStatusCode, 409);
    const role = await rejectsWith(iam().send(new CreateRoleCommand({ RoleName: 'declared-role', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }]) })), 'EntityAlreadyExistsException');
    assert.equal(role.message, 'Role with name declared-role already exists.');
    const policy = await rejectsWith(iam().send(new CreatePolicyCommand({ PolicyName: 'DECLARED-policy', PolicyDocument: allow('*') })), 'EntityAlreadyExistsException');
    assert.equal(policy.message, 'A policy called DECLARED-policy already exists. Duplicate names are not allowed.');
    // The declared user's keys are listed (never their secrets).
    const keys = await iam().send(new ListAccessKeysCommand({ UserName: 'reader' }));
    assert.deepEqual(keys.AccessKeyMetadata!.map((k) => k.AccessKeyId), [READER.accessKeyId]);
  });

  it('every iam: call is authorized on IAM\'s ARNs and audited with eventSource iam.amazonaws.com, no secret in the trail', async () => {
    const denied = await rejectsWith(iam(READER).send(new CreateUserCommand({ UserName: 'intruder', Path: '/x/' })), 'AccessDenied');
    assert.equal(denied.message, `User: ${arn('user', 'reader')} is not authorized to perform: iam:CreateUser on resource: ${arn('user', 'x/intruder')} because no identity-based policy allows the iam:CreateUser action`);
    assert.equal(denied.$metadata.httpStatusCode, 403);
    const deniedList = await rejectsWith(iam({ accessKeyId: 'AKIAIAMADMIN00000001', secretAccessKey: 'wrong' }).send(new ListUsersCommand({})), 'SignatureDoesNotMatch');
    assert.equal(deniedList.$metadata.httpStatusCode, 403);
    const listed = await iam(READER).send(new ListUsersCommand({ MaxItems: 1 }));
    assert.equal(listed.Users!.length, 1);
    assert.equal(listed.IsTruncated, true);
    const next = await iam(READER).send(new ListUsersCommand({ MaxItems: 1, Marker: listed.Marker }));
    assert.notEqual(next.Users![0].UserName, listed.Users![0].UserName);
    const record = await auditRecordFor(cove, denied.$metadata.requestId);
    assert.equal(record.eventSource, 'iam.amazonaws.com');
    assert.equal(record.eventName, 'CreateUser');
    assert.equal(record.errorCode, 'AccessDenied');
    assert.deepEqual(record.requestParameters, { userName: 'intruder', path: '/x/' });
    assert.deepEqual(record.resources, [{ accountId: ACCOUNT, type: 'AWS::IAM::User', ARN: arn('user', 'x/intruder') }]);
    const created = await iam().send(new CreateUserCommand({ UserName: 'audited' }));
    const key = await iam().send(new CreateAccessKeyCommand({ UserName: 'audited' }));
    const keyRecord = await auditRecordFor(cove, key.$metadata.requestId);
    assert.equal(keyRecord.readOnly, false);
    assert.equal(keyRecord.responseElements.accessKey.accessKeyId, key.AccessKey!.AccessKeyId);
    assert.equal(keyRecord.responseElements.accessKey.secretAccessKey, undefined);
    assert.ok(created.User);
    const trail = JSON.stringify(auditRecords(cove));
    assert.equal(trail.includes(key.AccessKey!.SecretAccessKey!), false, 'the secret is not in the audit trail');
    assert.equal(cove.output().includes(key.AccessKey!.SecretAccessKey!), false, 'nor in the log');
  });

  it("IAM's errors: NoSuchEntity, MalformedPolicyDocument, size limits, the model's constraints", async () => {
    await iam().send(new CreateUserCommand({ UserName: 'errors' }));
    const noUser = await rejectsWith(iam().send(new PutUserPolicyCommand({ UserName: 'ghost', PolicyName: 'p', PolicyDocument: allow('*') })), 'NoSuchEntityException');
    assert.equal(noUser.message, 'The user with name ghost cannot be found.');
    const noRole = await rejectsWith(iam().send(new GetRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntityException');
    assert.equal(noRole.message, 'The role with name ghost cannot be found.');
    const noInline = await rejectsWith(iam().send(new GetUserPolicyCommand({ UserName: 'errors', PolicyName: 'none' })), 'NoSuchEntityException');
    assert.equal(noInline.message, 'The user policy with name none cannot be found.');
    const noPolicy = await rejectsWith(iam().send(new AttachUserPolicyCommand({ UserName: 'errors', PolicyArn: arn('policy', 'ghost') })), 'NoSuchEntityException');
    assert.equal(noPolicy.message, `Policy ${arn('policy', 'ghost')} does not exist or is not attachable.`);
    const noVersion = await rejectsWith(iam().send(new GetPolicyVersionCommand({ PolicyArn: AWS_READ_ONLY, VersionId: 'v1' })), 'NoSuchEntityException');
    assert.equal(noVersion.message, `Policy ${AWS_READ_ONLY} version v1 does not exist or is not attachable.`);
    const json = await rejectsWith(iam().send(new PutUserPolicyCommand({ UserName: 'errors', PolicyName: 'p', PolicyDocument: '{"Version": ' })), 'MalformedPolicyDocumentException');
    assert.equal(json.message, 'This policy contains invalid Json');
    const principal = await rejectsWith(
      iam().send(new PutUserPolicyCommand({ UserName: 'errors', PolicyName: 'p', PolicyDocument: doc([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]) })),
      'MalformedPolicyDocumentException',
    );
    assert.equal(principal.message, 'Policy document should not specify a principal.');
    const grammar = await rejectsWith(iam().send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: doc([{ Effect: 'Maybe', Action: '*', Resource: '*' }]) })), 'MalformedPolicyDocumentException');
    assert.equal(grammar.message, 'Syntax errors in policy.');
    await rejectsWith(iam().send(new CreateRoleCommand({ RoleName: 'no-principal', AssumeRolePolicyDocument: allow('sts:AssumeRole') })), 'MalformedPolicyDocumentException');
    // Sizes count without white space: 2048 for a user's inline policies together, 6144 for a managed policy.
    const bigAction = (n: number) => doc([{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${'t'.repeat(n)}` }]);
    await iam().send(new PutUserPolicyCommand({ UserName: 'errors', PolicyName: 'a', PolicyDocument: bigAction(1000) }));
    const userSize = await rejectsWith(iam().send(new PutUserPolicyCommand({ UserName: 'errors', PolicyName: 'b', PolicyDocument: bigAction(1000) })), 'LimitExceededException');
    assert.equal(userSize.message, 'Maximum policy size of 2048 bytes exceeded for user errors');
    const managedSize = await rejectsWith(iam().send(new CreatePolicyCommand({ PolicyName: 'big', PolicyDocument: bigAction(6100) })), 'LimitExceededException');
    assert.equal(managedSize.message, 'Cannot exceed quota for PolicySize: 6144');
    // A role's inline policies: 10240 together; a group's: 5120; a trust policy: 2048 (ACLSizePerRole).
    const trust = (padding: number) => doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(padding) } } }]);
    await iam().send(new CreateRoleCommand({ RoleName: 'sized', AssumeRolePolicyDocument: trust(1000) }));
    const trustSize = await rejectsWith(iam().send(new CreateRoleCommand({ RoleName: 'oversized', AssumeRolePolicyDocument: trust(2000) })), 'LimitExceededException');
    assert.equal(trustSize.message, 'Cannot exceed quota for ACLSizePerRole: 2048');
    await iam().send(new PutRolePolicyCommand({ RoleName: 'sized', PolicyName: 'a', PolicyDocument: bigAction(6000) }));
    const roleSize = await rejectsWith(iam().send(new PutRolePolicyCommand({ RoleName: 'sized', PolicyName: 'b', PolicyDocument: bigAction(4200) })), 'LimitExceededException');
    assert.equal(roleSize.message, 'Maximum policy size of 10240 bytes exceeded for role sized');
    await iam().send(new CreateGroupCommand({ GroupName: 'sized' }));
    const groupSize = await rejectsWith(iam().send(new PutGroupPolicyCommand({ GroupName: 'sized', PolicyName: 'a', PolicyDocument: bigAction(5100) })), 'LimitExceededException');
    assert.equal(groupSize.message, 'Maximum policy size of 5120 bytes exceeded for group sized');
    const badName = await rejectsWith(iam().send(new CreateUserCommand({ UserName: 'no spaces' })), 'ValidationError');
    assert.equal(badName.message, "1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    const duration = await rejectsWith(iam().send(new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 60 })), 'ValidationError');
    assert.equal(duration.message, "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
    // IAM is global: signed for us-east-1 only.
    const elsewhere = track(new IAMClient({ endpoint: cove.endpoint, region: 'eu-west-1', credentials: ADMIN, maxAttempts: 1 }));
    const region = await rejectsWith(elsewhere.send(new ListUsersCommand({})), 'SignatureDoesNotMatch');
    assert.match(region.message, /Credential should be scoped to a valid region, not 'eu-west-1'/);
    const boundary = await rejectsWith(iam().send(new PutUserPermissionsBoundaryCommand({ UserName: 'reader', PermissionsBoundary: AWS_READ_ONLY })), 'UnmodifiableEntityException');
    assert.match(boundary.message, /cove\.yaml/);
  });
});
