import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedMessage } from '../../src/policy/authorize.js';
import { contextFromRecord, type ContextValue } from '../../src/policy/conditionContext.js';
import { compilePolicy, PolicyDocumentError, type PolicyKind } from '../../src/policy/document.js';
import { evaluateAuthorization, type PolicySets } from '../../src/policy/evaluate.js';
import { principalFromArn } from '../../src/policy/principals.js';

const ACCOUNT = '123456789012';
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/T`;

function allows(statement: Record<string, unknown>, context: Record<string, ContextValue> = {}, options: { version?: string; resource?: string; action?: string; principal?: string } = {}): boolean {
  const policy = compilePolicy('p', { Version: options.version ?? '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', ...statement }] });
  const decision = evaluateAuthorization({ identity: [policy] }, { action: options.action ?? 'dynamodb:GetItem', resource: options.resource ?? TABLE, principal: principalFromArn(options.principal ?? USER), context: contextFromRecord(context) });
  return decision.result === 'Allowed';
}

const when = (condition: Record<string, unknown>, context: Record<string, ContextValue> = {}) => allows({ Condition: condition }, context);

describe('condition operators', () => {
  it('String operators: exact, case-insensitive, wildcard; negated ones hold when no value matches', () => {
    assert.equal(when({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'alice' }), true);
    assert.equal(when({ StringEquals: { 'aws:username': 'Alice' } }, { 'aws:username': 'alice' }), false);
    assert.equal(when({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' }), true);
    assert.equal(when({ StringLike: { 'aws:username': 'al?c*' } }, { 'aws:username': 'alice-2' }), true);
    assert.equal(when({ StringLike: { 'aws:username': 'AL*' } }, { 'aws:username': 'alice' }), false);
    assert.equal(when({ StringNotEquals: { 'aws:username': ['bob', 'carol'] } }, { 'aws:username': 'alice' }), true);
    assert.equal(when({ StringNotEquals: { 'aws:username': ['bob', 'alice'] } }, { 'aws:username': 'alice' }), false);
    assert.equal(when({ StringNotLike: { 'aws:username': 'a*' } }, { 'aws:username': 'alice' }), false);
  });

  it('condition key names are case-insensitive, values case-sensitive', () => {
    assert.equal(when({ StringEquals: { 'AWS:UserName': 'alice' } }, { 'aws:username': 'alice' }), true);
  });

  it('a missing key fails positive operators and satisfies negated ones and IfExists', () => {
    assert.equal(when({ StringEquals: { 'aws:SourceVpce': 'vpce-1' } }), false);
    assert.equal(when({ StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } }), true);
    assert.equal(when({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), true);
    assert.equal(when({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }), true);
    assert.equal(when({ StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, { 'aws:SourceVpce': 'vpce-2' }), false);
  });

  it('Null tests presence only', () => {
    assert.equal(when({ Null: { 'aws:TokenIssueTime': 'true' } }), true);
    assert.equal(when({ Null: { 'aws:TokenIssueTime': 'false' } }), false);
    assert.equal(when({ Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' }), true);
  });

  it('Numeric and Date operators compare values, Date takes ISO 8601 and epoch seconds', () => {
    assert.equal(when({ NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '9.5' }), true);
    assert.equal(when({ NumericGreaterThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '1e1' }), true);
    assert.equal(when({ NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 'ten' }), false);
    assert.equal(when({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-11-23T12:00:00Z' }), true);
    assert.equal(when({ DateGreaterThan: { 'aws:EpochTime': '2026-01-01T00:00:00Z' } }, { 'aws:EpochTime': '1795435200' }), true);
    assert.equal(when({ DateEquals: { 'aws:CurrentTime': '1795435200' } }, { 'aws:CurrentTime': '2026-11-23T12:00:00Z' }), true);
  });

  it('Bool, BinaryEquals, IpAddress (IPv4 and IPv6 CIDRs), Arn operators part by part', () => {
    assert.equal(when({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }), true);
    assert.equal(when({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'false' }), true, 'YAML/JSON booleans are accepted');
    assert.equal(when({ Bool: { 'aws:SecureTransport': 'yes' } }, { 'aws:SecureTransport': 'true' }), false);
    assert.equal(when({ BinaryEquals: { 'k:bin': 'QmluYXJ5' } }, { 'k:bin': 'QmluYXJ5' }), true);
    assert.equal(when({ IpAddress: { 'aws:SourceIp': ['192.168.0.0/16', '203.0.113.0/24'] } }, { 'aws:SourceIp': '203.0.113.9' }), true);
    assert.equal(when({ IpAddress: { 'aws:SourceIp': '203.0.113.9' } }, { 'aws:SourceIp': '203.0.113.9' }), true, 'a bare address is /32');
    assert.equal(when({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8:1::5' }), true);
    assert.equal(when({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '2001:db8::1' }), false);
    const arn = 'arn:aws:iam::123456789012:role/app';
    assert.equal(when({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, { 'aws:PrincipalArn': arn }), true);
    assert.equal(when({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } }, { 'aws:PrincipalArn': arn }), true, 'ArnEquals behaves as ArnLike');
    // The doc's example: StringLike matches across colons, ArnLike does not.
    const odd = 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt';
    assert.equal(when({ StringLike: { 'aws:PrincipalArn': 'arn:aws:someservice:*:111122223333:finance/*' } }, { 'aws:PrincipalArn': odd }), true);
    assert.equal(when({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:someservice:*:111122223333:finance/*' } }, { 'aws:PrincipalArn': odd }), false);
  });

  it('set operators: ForAllValues holds on an empty or missing set, ForAnyValue needs a member', () => {
    const keys = (values: string[] | undefined): Record<string, ContextValue> => (values ? { 'dynamodb:LeadingKeys': values } : {});
    const forAll = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['alice', 'shared'] } };
    assert.equal(when(forAll, keys(['alice', 'shared'])), true);
    assert.equal(when(forAll, keys(['alice', 'bob'])), false);
    assert.equal(when(forAll, keys([])), true);
    assert.equal(when(forAll, keys(undefined)), true);
    const forAny = { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['SSN'] } };
    assert.equal(when(forAny, { 'dynamodb:Attributes': ['Name', 'SSN'] }), true);
    assert.equal(when(forAny, { 'dynamodb:Attributes': ['Name'] }), false);
    assert.equal(when(forAny, {}), false);
    assert.equal(when({ 'ForAllValues:StringNotEquals': { 'dynamodb:Attributes': ['SSN'] } }, { 'dynamodb:Attributes': ['Name', 'Age'] }), true);
    assert.equal(when({ 'ForAnyValue:StringNotEquals': { 'dynamodb:Attributes': ['SSN'] } }, { 'dynamodb:Attributes': ['SSN'] }), false);
  });

  it('a plain operator never matches a multi-valued key', () => {
    assert.equal(when({ StringEquals: { 'dynamodb:LeadingKeys': 'alice' } }, { 'dynamodb:LeadingKeys': ['alice'] }), false);
    assert.equal(when({ StringNotEquals: { 'dynamodb:LeadingKeys': 'bob' } }, { 'dynamodb:LeadingKeys': ['alice'] }), false);
  });

  it('keys AND, values OR, blocks AND', () => {
    const both = { StringEquals: { 'aws:username': ['alice', 'bob'], 'aws:PrincipalType': 'User' }, Bool: { 'aws:SecureTransport': 'true' } };
    assert.equal(when(both, { 'aws:username': 'bob', 'aws:PrincipalType': 'User', 'aws:SecureTransport': 'true' }), true);
    assert.equal(when(both, { 'aws:username': 'bob', 'aws:PrincipalType': 'User', 'aws:SecureTransport': 'false' }), false);
    assert.equal(when(both, { 'aws:username': 'bob', 'aws:PrincipalType': 'Role', 'aws:SecureTransport': 'true' }), false);
  });
});

describe('policy variables', () => {
  const resource = (pattern: string, context: Record<string, ContextValue>, version?: string) => allows({ Resource: pattern }, context, { version, resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/alice-data` });

  it('resolve in Resource, with defaults; an unresolvable one matches nothing', () => {
    assert.equal(resource('arn:aws:dynamodb:*:*:table/${aws:username}-*', { 'aws:username': 'alice' }), true);
    assert.equal(resource('arn:aws:dynamodb:*:*:table/${aws:username}-*', {}), false);
    assert.equal(resource("arn:aws:dynamodb:*:*:table/${aws:username, 'alice'}-data", {}), true);
    assert.equal(resource('arn:aws:dynamodb:*:*:table/${aws:PrincipalTag/owner}-data', { 'aws:PrincipalTag/owner': 'alice' }), true);
  });

  it('a value from a variable never acts as a wildcard; ${*} is a literal star', () => {
    assert.equal(resource('arn:aws:dynamodb:*:*:table/${aws:username}', { 'aws:username': 'alice-*' }), false);
    assert.equal(allows({ Condition: { StringLike: { 's3:prefix': 'home/${*}' } } }, { 's3:prefix': 'home/*' }), true);
    assert.equal(allows({ Condition: { StringLike: { 's3:prefix': 'home/${*}' } } }, { 's3:prefix': 'home/x' }), false);
  });

  it('are text under Version 2008-10-17', () => {
    assert.equal(resource('arn:aws:dynamodb:*:*:table/${aws:username}-*', { 'aws:username': 'alice' }, '2008-10-17'), false);
  });

  it('resolve in condition values; unresolvable values fail positive and satisfy negated operators', () => {
    assert.equal(when({ StringEquals: { 'dynamodb:LeadingKeys': '${aws:username}' } }, { 'dynamodb:LeadingKeys': 'alice', 'aws:username': 'alice' }), true);
    assert.equal(when({ StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } }, { 'aws:PrincipalTag/team': 'alice' }), false);
    assert.equal(when({ StringNotEquals: { 'aws:PrincipalTag/team': '${aws:username}' } }, { 'aws:PrincipalTag/team': 'alice' }), true);
  });
});

describe('combining policy kinds', () => {
  const allowAll = (kind: PolicyKind) => compilePolicy(kind, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...(kind === 'vpcEndpoint' ? { Principal: '*' } : {}), Action: '*', Resource: '*' }] }, kind);
  const allowOnly = (kind: PolicyKind, action: string) => compilePolicy(kind, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...(kind === 'vpcEndpoint' ? { Principal: '*' } : {}), Action: action, Resource: '*' }] }, kind);
  const denyAll = (kind: PolicyKind) => compilePolicy(kind, { Version: '2012-10-17', Statement: [{ Effect: 'Deny', ...(kind === 'vpcEndpoint' ? { Principal: '*' } : {}), Action: '*', Resource: '*' }] }, kind);
  const request = { action: 'dynamodb:PutItem', resource: TABLE, principal: principalFromArn(USER), context: contextFromRecord({}) };
  const message = (sets: PolicySets) => accessDeniedMessage(USER, request.action, TABLE, evaluateAuthorization(sets, request));
  const prefix = `User: ${USER} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE}`;

  it('each kind must allow; the message names the one that did not, in AWS wording', () => {
    assert.equal(evaluateAuthorization({ identity: [allowAll('identity')], permissionsBoundary: [allowAll('permissionsBoundary')], session: [allowAll('session')], vpcEndpoint: [allowAll('vpcEndpoint')] }, request).result, 'Allowed');
    assert.equal(message({ identity: [] }), `${prefix} because no identity-based policy allows the dynamodb:PutItem action`);
    assert.equal(message({ identity: [allowAll('identity')], permissionsBoundary: [allowOnly('permissionsBoundary', 'dynamodb:GetItem')] }), `${prefix} because no permissions boundary allows the dynamodb:PutItem action`);
    assert.equal(message({ identity: [allowAll('identity')], session: [allowOnly('session', 'dynamodb:GetItem')] }), `${prefix} because no session policy allows the dynamodb:PutItem action`);
    assert.equal(message({ identity: [allowAll('identity')], vpcEndpoint: [allowOnly('vpcEndpoint', 'dynamodb:GetItem')] }), `${prefix} because no VPC endpoint policy allows the dynamodb:PutItem action`);
  });

  it('an explicit Deny anywhere wins, and is named before any implicit denial', () => {
    assert.equal(message({ identity: [allowAll('identity'), denyAll('identity')] }), `${prefix} with an explicit deny in an identity-based policy`);
    assert.equal(message({ identity: [], vpcEndpoint: [denyAll('vpcEndpoint')] }), `${prefix} with an explicit deny in a VPC endpoint policy`);
    assert.equal(message({ identity: [allowAll('identity')], permissionsBoundary: [denyAll('permissionsBoundary')] }), `${prefix} with an explicit deny in a permissions boundary`);
    const both = evaluateAuthorization({ identity: [denyAll('identity')], permissionsBoundary: [denyAll('permissionsBoundary')] }, request);
    assert.equal(both.result, 'ExplicitlyDenied');
    assert.deepEqual(both.blockedBy, ['identity', 'permissionsBoundary']);
  });

  it('endpoint policies match principals by ARN and role of a session; an account means its root user only', () => {
    const endpoint = (principal: unknown, effect = 'Allow', element = 'Principal') =>
      compilePolicy('e', { Version: '2012-10-17', Statement: [{ Effect: effect, [element]: principal, Action: '*', Resource: '*' }] }, 'vpcEndpoint');
    const result = (policy: ReturnType<typeof endpoint>, arn: string) => evaluateAuthorization({ identity: [allowAll('identity')], vpcEndpoint: [policy, ...(policy.statements[0].effect === 'Deny' ? [allowAll('vpcEndpoint')] : [])] }, { ...request, principal: principalFromArn(arn) }).result;
    assert.equal(result(endpoint({ AWS: ACCOUNT }), USER), 'ImplicitlyDenied');
    assert.equal(result(endpoint({ AWS: ACCOUNT }), ACCOUNT), 'Allowed');
    assert.equal(result(endpoint({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), `arn:aws:iam::${ACCOUNT}:root`), 'Allowed');
    assert.equal(result(endpoint({ AWS: USER }), USER), 'Allowed');
    assert.equal(result(endpoint({ AWS: '111122223333' }), USER), 'ImplicitlyDenied');
    assert.equal(result(endpoint({ AWS: [`arn:aws:iam::${ACCOUNT}:user/bob`] }), USER), 'ImplicitlyDenied');
    assert.equal(result(endpoint({ AWS: `arn:aws:iam::${ACCOUNT}:role/app` }), `arn:aws:sts::${ACCOUNT}:assumed-role/app/session-1`), 'Allowed');
    assert.equal(result(endpoint({ Service: 'ec2.amazonaws.com' }), USER), 'ImplicitlyDenied');
    assert.equal(result(endpoint({ AWS: USER }, 'Deny', 'NotPrincipal'), USER), 'Allowed');
    assert.equal(result(endpoint({ AWS: USER }, 'Deny', 'NotPrincipal'), `arn:aws:iam::${ACCOUNT}:user/bob`), 'ExplicitlyDenied');
    // NotPrincipal must name the session: the role's ARN does not exempt its sessions.
    assert.equal(result(endpoint({ AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, 'Deny', 'NotPrincipal'), `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`), 'ExplicitlyDenied');
  });
});

describe('policy documents are checked when stored', () => {
  const fault = (document: unknown, kind: PolicyKind = 'identity') => {
    try {
      compilePolicy('p', document, kind);
    } catch (error) {
      assert.ok(error instanceof PolicyDocumentError);
      return error.message;
    }
    assert.fail('expected a PolicyDocumentError');
  };
  const statement = (extra: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', ...extra }] });

  it('reports structural faults with their path', () => {
    assert.equal(fault(statement({ Condition: { StringEqual: { 'aws:username': 'a' } } })), 'Statement[0].Condition.StringEqual: is not a condition operator (expected one of StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals, DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals, Bool, BinaryEquals, IpAddress, NotIpAddress, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Null, optionally with IfExists and a ForAllValues:/ForAnyValue: prefix)');
    assert.equal(fault(statement({ Condition: { NullIfExists: { 'aws:username': 'true' } } })), 'Statement[0].Condition.NullIfExists: is not a condition operator (expected one of StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals, DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals, Bool, BinaryEquals, IpAddress, NotIpAddress, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Null, optionally with IfExists and a ForAllValues:/ForAnyValue: prefix)');
    assert.equal(fault(statement({ Principal: '*' })), 'Statement[0].Principal: an identity-based policy cannot name a principal');
    assert.equal(fault(statement({ Resource: 'table/T' })), 'Statement[0].Resource: "table/T" must be "*" or an ARN (arn:partition:service:region:account:resource)');
    assert.equal(fault({ Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: '*', Resource: '*' }] }), 'Statement: Sid "A" is used twice; Sids must be unique in a policy');
    assert.equal(fault(statement({}), 'vpcEndpoint'), 'Statement[0]: requires Principal in a VPC endpoint policy');
    assert.equal(fault({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotPrincipal: { AWS: USER }, Action: '*', Resource: '*' }] }, 'vpcEndpoint'), 'Statement[0].NotPrincipal: NotPrincipal may be used only with "Effect": "Deny"');
    assert.equal(fault({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/*` }, Action: '*', Resource: '*' }] }, 'vpcEndpoint'), `Statement[0].Principal.AWS: "arn:aws:iam::${ACCOUNT}:user/*": a principal ARN cannot contain wildcards (use "*" with a condition on aws:PrincipalArn)`);
  });
});
