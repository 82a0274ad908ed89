import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { planReload, refusalLine, type ReloadChanges, type ReloadPlan } from '../../src/cli/reload.js';
import { declaredRecords } from '../../src/iam/declared.js';

/**
 * The reload planner on its own: which edits of cove.yaml a running server
 * refuses (and the words it logs), and what an accepted edit changes. The
 * swap itself is exercised end to end by network.reload.e2e and cluster.reload.
 */
const FILE = 'cove.yaml';
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] });

interface Options {
  region?: string;
  accountId?: string;
  publicListen?: string;
  /** Attachment name → its `listen`; each sits in subnet-app. */
  attachments?: Record<string, string>;
  /** User name → its access key ID. */
  users?: Record<string, string>;
}

function config(options: Options = {}): string {
  const users = Object.entries(options.users ?? { dev: 'AKIADEV0000000000001' });
  const attachments = Object.entries(options.attachments ?? { app: '127.0.0.1:8101' });
  return `
region: ${options.region ?? 'us-east-1'}
accountId: "${options.accountId ?? '123456789012'}"
listeners: [{ name: public, listen: ${options.publicListen ?? '127.0.0.1:8000'} }]
iam:
  users:
${users.map(([name, key]) => `    - { name: ${name}, accessKeys: [{ id: ${key}, secret: ${name}-secret }], policies: [{ name: all, document: ${ALLOW_ALL} }] }`).join('\n')}
network:
  vpcs: [{ id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }]
  subnets: [{ id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }]
  routeTables: [{ id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [] }]
attachments:
${attachments.map(([name, listen], i) => `  - { name: ${name}, subnet: subnet-app, privateIp: 10.0.1.${10 + i}, listen: ${listen} }`).join('\n')}
`;
}

const running = loadConfig(FILE, config());

function refusal(plan: ReloadPlan): string {
  assert.equal(plan.kind, 'refused', 'expected the edit to be refused');
  return plan.kind === 'refused' ? plan.reason : '';
}

function changes(plan: ReloadPlan): ReloadChanges {
  if (plan.kind === 'refused') assert.fail(`expected the edit to apply, refused: ${plan.reason}`);
  return plan;
}

describe('planReload refuses', () => {
  it('an empty file, or one of blanks only (an editor caught mid-save)', () => {
    assert.equal(refusal(planReload(running, FILE, '')), `${FILE}: the file is empty`);
    assert.equal(refusal(planReload(running, FILE, ' \n\n')), `${FILE}: the file is empty`);
  });

  it('a file that does not load, with the ConfigError as loadConfig words it', () => {
    const notYaml = config().replace('region: us-east-1', 'region: [us-east-1');
    const unknownSubnet = config().replace('subnet: subnet-app, privateIp', 'subnet: subnet-gone, privateIp');
    for (const broken of [notYaml, unknownSubnet]) {
      let expected = '';
      try {
        loadConfig(FILE, broken);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        expected = error.message;
      }
      assert.ok(expected.startsWith(`${FILE}:`), `loadConfig must refuse the edit: ${expected}`);
      assert.equal(refusal(planReload(running, FILE, broken)), expected);
    }
  });

  it('a region change: it needs a restart', () => {
    assert.equal(refusal(planReload(running, FILE, config({ region: 'eu-west-1' }))), `${FILE}: region changed: restart cove to apply them`);
  });

  it('a region and accountId change, naming both', () => {
    assert.equal(refusal(planReload(running, FILE, config({ region: 'eu-west-1', accountId: '210987654321' }))), `${FILE}: region, accountId changed: restart cove to apply them`);
  });

  it("a configured listener's address change", () => {
    assert.equal(refusal(planReload(running, FILE, config({ publicListen: '127.0.0.1:8001' }))), `${FILE}: listeners (names or addresses) changed: restart cove to apply them`);
  });

  it("a configured listener's tls: or proxyProtocol:", () => {
    const expected = `${FILE}: listeners' tls or proxyProtocol changed: restart cove to apply them`;
    assert.equal(refusal(planReload(running, FILE, config({ publicListen: '127.0.0.1:8000, tls: auto' }))), expected);
    assert.equal(refusal(planReload(running, FILE, config({ publicListen: '127.0.0.1:8000, proxyProtocol: { trustedCidrs: [10.0.0.0/8] }' }))), expected);
  });

  it("the listeners' timeouts (http:)", () => {
    assert.equal(refusal(planReload(running, FILE, config() + 'http: { headersTimeoutMs: 5000 }\n')), `${FILE}: http changed: restart cove to apply them`);
  });

  it('and logs the refusal in the words the reload tests wait for', () => {
    assert.equal(refusalLine({ kind: 'refused', reason: `${FILE}: the file is empty` }), `cove: configuration error; the running configuration stays in force\n${FILE}: the file is empty`);
  });
});

describe('planReload plans', () => {
  it("to retire an attachment listener whose listen changed and start it on the new address; an unchanged one stays", () => {
    const before = loadConfig(FILE, config({ attachments: { app: '127.0.0.1:8101', office: '127.0.0.1:8102' } }));
    const plan = changes(planReload(before, FILE, config({ attachments: { app: '127.0.0.1:8201', office: '127.0.0.1:8102' } })));
    assert.deepEqual(plan.retire, ['app']);
    assert.deepEqual(plan.start, [{ name: 'app', listen: '127.0.0.1:8201', transport: {} }]);
  });

  it('to retire a removed attachment and start an added one', () => {
    const plan = changes(planReload(running, FILE, config({ attachments: { web: '127.0.0.1:8103' } })));
    assert.deepEqual(plan.retire, ['app']);
    assert.deepEqual(plan.start, [{ name: 'web', listen: '127.0.0.1:8103', transport: {} }]);
  });

  it('to restart an attachment listener whose tls: changed', () => {
    const withTls = config().replace(/(listen: "?127\.0\.0\.1:8101"?)/, '$1, tls: auto');
    assert.notEqual(withTls, config(), 'the fixture names app on 127.0.0.1:8101');
    const plan = changes(planReload(running, FILE, withTls));
    assert.deepEqual(plan.retire, ['app']);
    assert.deepEqual(plan.start, [{ name: 'app', listen: '127.0.0.1:8101', transport: { tls: { mode: 'auto', minVersion: 'TLSv1.2' } } }]);
  });

  it('no listener change for an edit that leaves the attachments as they are', () => {
    const plan = changes(planReload(running, FILE, config({ users: { ops: 'AKIAOPS0000000000001' } })));
    assert.deepEqual(plan.retire, []);
    assert.deepEqual(plan.start, []);
  });

  it('to start again an attachment listener that is not bound now (it failed to start on an earlier reload)', () => {
    const plan = changes(planReload(running, FILE, config(), new Map()));
    assert.deepEqual(plan.retire, []);
    assert.deepEqual(plan.start, [{ name: 'app', listen: '127.0.0.1:8101', transport: {} }]);
  });

  it("the next file's credentials, whole: a removed user's key is gone", () => {
    const text = config({ users: { ops: 'AKIAOPS0000000000001', audit: 'AKIAAUD0000000000001' } });
    const plan = changes(planReload(running, FILE, text));
    assert.deepEqual(
      declaredRecords(plan.next, 0).accessKeys.map((k) => [k.id, k.secret, k.userName]),
      [
        ['AKIAOPS0000000000001', 'ops-secret', 'ops'],
        ['AKIAAUD0000000000001', 'audit-secret', 'audit'],
      ],
    );
    assert.equal(plan.next.text, text);
    assert.deepEqual([...plan.next.users.keys()], ['ops', 'audit']);
  });

  it('without touching the running configuration', () => {
    const text = config({ attachments: { web: '127.0.0.1:8103' }, users: { ops: 'AKIAOPS0000000000001' } });
    changes(planReload(running, FILE, text));
    assert.deepEqual(running.attachments.map((a) => a.name), ['app']);
    assert.deepEqual([...running.users.keys()], ['dev']);
  });
});
