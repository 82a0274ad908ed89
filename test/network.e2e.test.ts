import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, DescribeEndpointsCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from './support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from './support/cove.js';
import { rejection } from './support/errors.js';

/**
 * Issue 5's sample network, end to end with the real SDK: each attachment's
 * listener sends from its place in the model; the route decides the path,
 * the endpoint policy joins IAM, the audit names the private source and the
 * endpoint.
 */
const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
const json = (value: unknown) => JSON.stringify(value);

const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners:
  - { name: public, listen: 127.0.0.1:0 }
iam:
  users:
    - name: dev
      accessKeys: [{ id: AKIADEV0000000000001, secret: dev-secret }]
      policies:
        - name: all
          document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })}
    - name: private
      accessKeys: [{ id: AKIAPRIVATE000000001, secret: private-secret }]
      policies:
        - name: all
          document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] })}
        - name: only-through-endpoint
          document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'dynamodb:*', Resource: `${TABLE_ARN}/*`, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-app' } } }] })}
network:
  vpcs:
    - { id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }
  subnets:
    - { id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }
    - { id: subnet-pub, vpc: vpc-app, cidr: 10.0.0.0/24 }
    - { id: subnet-nat, vpc: vpc-app, cidr: 10.0.2.0/24 }
  internetGateways:
    - { id: igw-app, vpc: vpc-app }
  natGateways:
    - { id: nat-app, subnet: subnet-pub, publicIp: 203.0.113.10 }
  routeTables:
    - { id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-nat, vpc: vpc-app, subnets: [subnet-nat], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-pub, vpc: vpc-app, subnets: [subnet-pub], routes: [ { destination: 0.0.0.0/0, target: igw-app } ] }
  securityGroups:
    - id: sg-app
      vpc: vpc-app
      egress:
        - { protocol: tcp, fromPort: 443, toPort: 443, destination: 0.0.0.0/0 }
        - { protocol: tcp, fromPort: 80, toPort: 80, prefixList: com.amazonaws.us-east-1.dynamodb }
  vpcEndpoints:
    - id: vpce-app
      vpc: vpc-app
      serviceName: com.amazonaws.us-east-1.dynamodb
      type: Gateway
      routeTables: [rtb-app]
      policy: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['dynamodb:GetItem', 'dynamodb:DescribeTable', 'dynamodb:CreateTable'], Resource: '*' }] })}
  vpnConnections:
    - { id: vpn-1, vpc: vpc-app, onPremisesCidrs: [192.168.0.0/16] }
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25, securityGroups: [sg-app], listen: 127.0.0.1:0 }
  - { name: natted, subnet: subnet-nat, privateIp: 10.0.2.9, securityGroups: [sg-app], listen: 127.0.0.1:0 }
  - { name: office, onPremises: { via: vpn-1, ip: 192.168.10.7 }, listen: 127.0.0.1:0 }
`;

describe('private connectivity through attachments (issue 5 sample)', () => {
  let cove: CoveProcess;
  const clients: DynamoDBClient[] = [];
  const at = (listener: string, user: 'dev' | 'private') => {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${cove.ports()[listener]}`,
      region: 'us-east-1',
      credentials: user === 'dev' ? { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' } : { accessKeyId: 'AKIAPRIVATE000000001', secretAccessKey: 'private-secret' },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: 4 });
    await at('public', 'dev').send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('a subnet routed to the endpoint reaches the table through it; the audit names the private IP and the endpoint', async () => {
    const answer = await at('app', 'dev').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'none' } } }));
    const record = await auditRecordFor(cove, answer.$metadata.requestId);
    assert.equal(record.sourceIPAddress, '10.0.1.25');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.vpcEndpointAccountId, ACCOUNT);
    const route = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'route');
    assert.match(route.detail, /through vpce-app as 10\.0\.1\.25/);
  });

  it('the endpoint policy joins authorization: what it does not allow is denied', async () => {
    const e = await rejection(at('app', 'dev').send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'x' } } })));
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: dynamodb:PutItem on resource: ${TABLE_ARN}/orders because no VPC endpoint policy allows the dynamodb:PutItem action`);
    // From the public listener the same request is allowed (no endpoint on that path).
    await at('public', 'dev').send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'x' } } }));
  });

  it('DescribeEndpoints through the endpoint needs the endpoint policy to allow it; on the public endpoint it is not authorized', async () => {
    const e = await rejection(at('app', 'dev').send(new DescribeEndpointsCommand({})));
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: dynamodb:DescribeEndpoints on resource: * because no VPC endpoint policy allows the dynamodb:DescribeEndpoints action`);
    const open = await at('public', 'dev').send(new DescribeEndpointsCommand({}));
    assert.equal(open.Endpoints?.[0]?.CachePeriodInMinutes, 1440);
  });

  it('an IAM Deny on aws:SourceVpce admits only requests through the endpoint', async () => {
    const through = await at('app', 'private').send(new DescribeTableCommand({ TableName: 'orders' }));
    assert.equal(through.Table?.TableName, 'orders');
    const e = await rejection(at('public', 'private').send(new DescribeTableCommand({ TableName: 'orders' })));
    assert.match(e.message, /with an explicit deny in an identity-based policy$/);
    const natted = await rejection(at('natted', 'private').send(new DescribeTableCommand({ TableName: 'orders' })));
    assert.match(natted.message, /with an explicit deny in an identity-based policy$/);
  });

  it('a subnet without the endpoint route goes out through the NAT: the public path, as the NAT address', async () => {
    const answer = await at('natted', 'dev').send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'y' } } }));
    const record = await auditRecordFor(cove, answer.$metadata.requestId);
    assert.equal(record.sourceIPAddress, '203.0.113.10');
    assert.equal(record.vpcEndpointId, undefined);
  });

  it('on-premises traffic over VPN has no path: the connection is reset, and the audit says why', async () => {
    const e = await rejection(at('office', 'dev').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'x' } } })));
    // A reset connection: no HTTP response at all, so no status code.
    assert.equal(e.$metadata?.httpStatusCode, undefined);
    assert.match(`${(e as Error & { code?: string }).code} ${e.message}`, /ECONNRESET|socket hang up/);
    const record = await (async () => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const { auditRecords } = await import('./support/audit.js');
        const found = auditRecords(cove).find((r) => r.errorCode === 'ServiceUnavailableException' && r.sourceIPAddress === '192.168.10.7');
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail('no audit record for the unreachable request');
    })();
    const route = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'route');
    assert.equal(route.decision, 'deny');
    assert.equal(route.code, 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
  });
});
