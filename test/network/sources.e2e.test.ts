import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';

/**
 * Self-hosted: one listener, and the client's real address decides where it
 * is in the model. Loopback has a whole /8, so the test's clients bind
 * 127.0.0.2, 127.0.0.3 and 127.0.1.5 as their source addresses.
 */
const ACCOUNT = '123456789012';
const DEV = { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' };

const NETWORK = `
network:
  vpcs: [{ id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }]
  subnets:
    - { id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }
    - { id: subnet-pub, vpc: vpc-app, cidr: 10.0.0.0/24 }
    - { id: subnet-nat, vpc: vpc-app, cidr: 10.0.2.0/24 }
  internetGateways: [{ id: igw-app, vpc: vpc-app }]
  natGateways: [{ id: nat-app, subnet: subnet-pub, publicIp: 203.0.113.10 }]
  routeTables:
    - { id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-nat, vpc: vpc-app, subnets: [subnet-nat], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-pub, vpc: vpc-app, subnets: [subnet-pub], routes: [ { destination: 0.0.0.0/0, target: igw-app } ] }
  vpcEndpoints:
    - { id: vpce-app, vpc: vpc-app, serviceName: com.amazonaws.us-east-1.dynamodb, type: Gateway, routeTables: [rtb-app] }
`;

const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners:
  - { name: public, listen: 127.0.0.1:0 }
  - name: gateway
    listen: 127.0.0.1:0
    sources:
      - { cidr: 127.0.0.0/24, attachment: natted }
      - { cidr: 127.0.0.2/32, attachment: app }
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${DEV.accessKeyId}, secret: ${DEV.secretAccessKey} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:*", Resource: "*" } ] } }]
${NETWORK}
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25 }
  - { name: natted, subnet: subnet-nat, privateIp: 10.0.2.9 }
`;

describe('a self-hosted listener places clients by their real address', () => {
  let cove: CoveProcess;
  const clients: DynamoDBClient[] = [];
  const from = (localAddress: string, listener = 'gateway') => {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${cove.ports()[listener]}`,
      region: 'us-east-1',
      credentials: DEV,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, localAddress }) }),
    });
    clients.push(client);
    return client;
  };
  const sourceOf = async (localAddress: string) => {
    const answer = await from(localAddress).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
    return auditRecordFor(cove, answer.$metadata.requestId);
  };

  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: 2 });
    await from('127.0.0.1', 'public').send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('the longest matching CIDR names the attachment: 127.0.0.2 is the app workload, through the endpoint', async () => {
    const record = await sourceOf('127.0.0.2');
    assert.equal(record.sourceIPAddress, '10.0.1.25');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    const route = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'route');
    assert.equal(route.explanation[0], 'attachment app (peer 127.0.0.2 in 127.0.0.2/32 of listener gateway)');
  });

  it('127.0.0.3 falls in the /24: the NAT-routed workload, as the NAT address', async () => {
    const record = await sourceOf('127.0.0.3');
    assert.equal(record.sourceIPAddress, '203.0.113.10');
    assert.equal(record.vpcEndpointId, undefined);
  });

  it('an address no entry maps is on the internet, as itself', async () => {
    const record = await sourceOf('127.0.1.5');
    assert.equal(record.sourceIPAddress, '127.0.1.5');
    assert.equal(record.vpcEndpointId, undefined);
  });

  it('source maps are checked when the file loads', () => {
    const broken = CONFIG.replace('attachment: app }', 'attachment: nowhere }');
    assert.throws(() => loadConfig('cove.yaml', broken), (error: unknown) => error instanceof ConfigError && /listeners\[1\]\.sources\[1\]\.attachment: no attachment is named nowhere/.test(error.message));
    const orphan = CONFIG.replace(/ {6}- \{ cidr: 127\.0\.0\.2\/32, attachment: app \}\n/, '');
    assert.throws(() => loadConfig('cove.yaml', orphan), (error: unknown) => error instanceof ConfigError && /attachment app has no listen address and no listener's sources map clients to it/.test(error.message));
    const hostBits = CONFIG.replace('127.0.0.0/24', '127.0.0.1/24');
    assert.throws(() => loadConfig('cove.yaml', hostBits), (error: unknown) => error instanceof ConfigError && /listeners\[1\]\.sources\[0\]\.cidr: 127\.0\.0\.1\/24 has host bits set/.test(error.message));
    const mapped = CONFIG.replace('127.0.0.0/24', '::ffff:127.0.0.0/120');
    assert.throws(() => loadConfig('cove.yaml', mapped), (error: unknown) => error instanceof ConfigError && /is IPv4-mapped/.test(error.message));
    const badCidr = CONFIG.replace('127.0.0.0/24', '127.0.0.0/33');
    assert.throws(() => loadConfig('cove.yaml', badCidr), (error: unknown) => error instanceof ConfigError && /expected a CIDR such as 10\.8\.0\.0\/16 or fd00::\/8 \(got "127\.0\.0\.0\/33"\)/.test(error.message));
  });
});
