import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDirectory, startCove, tempDirectory } from '../support/cove.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/GameScores`;

function cove(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const CONFIG = `
accountId: "${ACCOUNT}"
iam:
  policies:
    - name: Boundary
      document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:Get*", Resource: "*" } ] }
  users:
    - name: alice
      permissionsBoundary: Boundary
      policies:
        - name: own-items
          document:
            Version: "2012-10-17"
            Statement:
              - Sid: OwnItems
                Effect: Allow
                Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:GetItems"]
                Resource: "${TABLE}"
                Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["\${aws:username}"] } }
  roles:
    - name: reader
      assumeRolePolicy: { Version: "2012-10-17", Statement: [ { Effect: Allow, Principal: { AWS: "${ACCOUNT}" }, Action: "sts:AssumeRole" } ] }
      tags: { tier: gold }
      policies:
        - name: gold-reads
          document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:GetItem", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/tier": "gold" } } } ] }
`;

describe('cove explain', () => {
  const directory = tempDirectory();
  const config = join(directory, 'cove.yaml');
  writeFileSync(config, CONFIG);

  it('warns of an unknown action and of a request-derived condition key the question does not give', () => {
    const typo = cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:GetItme', '--resource', TABLE]);
    assert.match(typo.stderr, /^cove: warning: --action dynamodb:GetItme: dynamodb has no such action$/m);
    const noKeys = cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:GetItem', '--resource', TABLE]);
    assert.match(noKeys.stderr, /^cove: warning: a policy tests dynamodb:LeadingKeys, which the server sets from each request's content; this question has no value for it \(give --context dynamodb:LeadingKeys=VALUE/m);
    const given = cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:GetItem', '--resource', TABLE, '--context', 'dynamodb:LeadingKeys=["alice"]']);
    assert.doesNotMatch(given.stderr, /LeadingKeys/);
    assert.equal(given.status, 0, 'allowed: exit 0');
  });

  it('prints the context, every statement and the condition that decided, and the AccessDenied text', () => {
    const out = cove(['explain', '--config', config, '--principal', `arn:aws:iam::${ACCOUNT}:user/alice`, '--action', 'dynamodb:GetItem', '--resource', TABLE, '--context', 'dynamodb:LeadingKeys=["bob"]']);
    assert.equal(out.status, 1, `a denial exits 1: ${out.stderr}`);
    assert.match(out.stdout, /^ {2}aws:username = "alice"$/m);
    assert.match(out.stdout, /^ {2}dynamodb:LeadingKeys = \["bob"\]$/m);
    assert.match(out.stdout, /✗ user\/alice#own-items Statement\[0\] OwnItems Allow: Condition ForAllValues:StringEquals failed: dynamodb:LeadingKeys is \["bob"\]; ForAllValues:StringEquals \["alice"\] → false/);
    assert.match(out.stdout, /^Result: ImplicitlyDenied \(blocked by: identity-based policy\)$/m);
    assert.match(out.stdout, new RegExp(`AccessDeniedException: User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: dynamodb:GetItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:GetItem action`));
    // Unknown actions are reported from AWS's service reference, on stderr.
    assert.match(out.stderr, /warning: user\/alice#own-items Statement\[0\] \(OwnItems\) Action: "dynamodb:GetItems" matches no dynamodb action/);
  });

  it('allows by user name too, and reports the boundary when it is what blocks (JSON output)', () => {
    const allowed = cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:GetItem', '--resource', TABLE, '--context', 'dynamodb:LeadingKeys=["alice"]', '--json']);
    assert.equal(JSON.parse(allowed.stdout).result, 'Allowed');
    const put = JSON.parse(cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:PutItem', '--resource', TABLE, '--json']).stdout);
    assert.equal(put.result, 'ImplicitlyDenied');
    assert.deepEqual(put.blockedBy, ['permissionsBoundary']);
    assert.equal(put.message, `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no permissions boundary allows the dynamodb:PutItem action`);
  });

  it('explains a role\'s session, by the role\'s ARN or an assumed-role ARN', () => {
    const byRole = cove(['explain', '--config', config, '--principal', `arn:aws:iam::${ACCOUNT}:role/reader`, '--action', 'dynamodb:GetItem', '--resource', TABLE]);
    assert.equal(byRole.status, 0, byRole.stderr);
    assert.match(byRole.stdout, /^ {2}aws:PrincipalTag\/tier = "gold"$/m);
    assert.match(byRole.stdout, /^Result: Allowed$/m);
    const bySession = cove(['explain', '--config', config, '--principal', `arn:aws:sts::${ACCOUNT}:assumed-role/reader/batch-job`, '--action', 'dynamodb:PutItem', '--resource', TABLE]);
    assert.match(bySession.stdout, new RegExp(`User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/batch-job is not authorized to perform: dynamodb:PutItem`));
  });

  it('answers bad input with a message and exit code 2', () => {
    const unknown = cove(['explain', '--config', config, '--principal', 'mallory', '--action', 'dynamodb:GetItem', '--resource', TABLE]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--principal mallory: no such user/);
    const badContext = cove(['explain', '--config', config, '--principal', 'alice', '--action', 'dynamodb:GetItem', '--resource', TABLE, '--context', 'novalue']);
    assert.equal(badContext.status, 2);
    assert.match(badContext.stderr, /expected key=value/);
    removeDirectory(directory);
  });
});

describe('cove policy simulate', () => {
  const simulation = {
    request: { principal: `arn:aws:iam::${ACCOUNT}:user/alice`, action: 'dynamodb:GetItem', resource: { resource: TABLE, accountId: ACCOUNT }, contextVariables: { 'aws:SourceVpce': 'vpce-1' } },
    identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
    vpcEndpointPolicies: [{ name: 'vpce-1', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'dynamodb:PutItem', Resource: '*' }] } }],
  };

  it('evaluates one case from a file or stdin', () => {
    const directory = tempDirectory();
    const file = join(directory, 'case.json');
    writeFileSync(file, JSON.stringify(simulation));
    const fromFile = cove(['policy', 'simulate', file]);
    assert.equal(fromFile.status, 1, `a denial exits 1: ${fromFile.stderr}`);
    const verdict = JSON.parse(fromFile.stdout);
    assert.equal(verdict.result, 'ImplicitlyDenied');
    assert.deepEqual(verdict.blockedBy, ['vpcEndpoint']);
    assert.ok(Array.isArray(verdict.trace));
    const allowed = cove(['policy', 'simulate', '-'], JSON.stringify({ ...simulation, vpcEndpointPolicies: undefined }));
    assert.equal(allowed.status, 0, 'an allowed case exits 0');
    assert.equal(JSON.parse(allowed.stdout).result, 'Allowed');
    removeDirectory(directory);
  });

  it('streams cases with --json-lines; a bad line gets an error line and exit code 2', () => {
    const deny = { ...simulation, identityPolicies: [{ name: 'deny', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] } }] };
    const out = cove(['policy', 'simulate', '--json-lines', '-'], [JSON.stringify(simulation), '{"request": 1}', JSON.stringify(deny), ''].join('\n'));
    assert.equal(out.status, 2);
    const lines = out.stdout.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 3);
    assert.equal(lines[0].result, 'ImplicitlyDenied');
    assert.match(lines[1].error, /^line 2: request: /);
    assert.equal(lines[2].result, 'ExplicitlyDenied');
  });

  it('reports a malformed policy in a case', () => {
    const out = cove(['policy', 'simulate', '-'], JSON.stringify({ ...simulation, identityPolicies: [{ name: 'p', policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] } }] }));
    assert.equal(out.status, 2);
    assert.match(out.stderr, /identityPolicies\[0\] \(p\): Statement\[0\]\.Principal: an identity-based policy cannot name a principal/);
  });
});

describe('policies in cove.yaml', () => {
  it('a malformed condition stops the server with the file position', () => {
    const directory = tempDirectory();
    const config = join(directory, 'bad.yaml');
    writeFileSync(config, `iam:\n  users:\n    - name: a\n      policies:\n        - name: p\n          document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "*", Resource: "*", Condition: { StringEqual: { "aws:username": a } } } ] }\n`);
    const out = cove(['serve', '--config', config, '--data', directory]);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /bad\.yaml:6:\d+: iam\.users\[0\]\.policies\[0\]\.document\.Statement\[0\]\.Condition\.StringEqual: is not a condition operator/);
    removeDirectory(directory);
  });

  it('unknown group, managed policy and boundary references are configuration errors', () => {
    const directory = tempDirectory();
    const config = join(directory, 'bad.yaml');
    writeFileSync(config, `iam:\n  users:\n    - name: a\n      groups: [nope]\n`);
    assert.match(cove(['serve', '--config', config, '--data', directory]).stderr, /iam\.users\[0\]\.groups\[0\]: no group nope; declare it under iam\.groups/);
    // AWS managed policies cove bundles are attachable by ARN; another is refused, naming those it bundles.
    writeFileSync(config, `iam:\n  users:\n    - name: a\n      permissionsBoundary: arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n`);
    assert.match(cove(['serve', '--config', config, '--data', directory]).stderr, /no managed policy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess; cove bundles these AWS managed policies: AdministratorAccess, AmazonDynamoDBFullAccess, AmazonDynamoDBReadOnlyAccess/);
    removeDirectory(directory);
  });

  it('the server starts with warnings for names AWS does not have', async () => {
    const server = await startCove({
      config: `listeners: [{ name: public, listen: 127.0.0.1:0 }]\niam:\n  users:\n    - name: a\n      policies:\n        - name: p\n          document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:*:*:tabel/T", Condition: { StringEquals: { "aws:SourceVpc3": x } } } ] }\n`,
    });
    try {
      assert.match(server.output(), /warning: user\/a#p Statement\[0\] Resource: "arn:aws:dynamodb:\*:\*:tabel\/T" matches no dynamodb resource type/);
      assert.match(server.output(), /warning: user\/a#p Statement\[0\] Condition StringEquals: "aws:SourceVpc3" is not a known condition key/);
    } finally {
      await server.stop();
      removeDirectory(server.dataDirectory);
    }
  });
});
