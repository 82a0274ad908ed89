import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DescribeEndpointsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

const ACCOUNT = '123456789012';
const json = (value: unknown) => JSON.stringify(value);
const ALL = json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] });
const DEV = { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' };

const config = (regions: string) => `
${regions}
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${DEV.accessKeyId}, secret: ${DEV.secretAccessKey} }]
      policies: [{ name: all, document: ${ALL} }]
network:
  unreachable: explain
  vpcs:
    - { id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }
  subnets:
    - { id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }
    - { id: subnet-pub, vpc: vpc-app, cidr: 10.0.0.0/24 }
    - { id: subnet-isolated, vpc: vpc-app, cidr: 10.0.3.0/24 }
  internetGateways:
    - { id: igw-app, vpc: vpc-app }
  natGateways:
    - { id: nat-app, subnet: subnet-pub, publicIp: 203.0.113.10 }
  routeTables:
    - { id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-isolated, vpc: vpc-app, subnets: [subnet-isolated], routes: [] }
    - { id: rtb-pub, vpc: vpc-app, subnets: [subnet-pub], routes: [ { destination: 0.0.0.0/0, target: igw-app } ] }
  securityGroups:
    - { id: sg-open, vpc: vpc-app, egress: [ { protocol: "-1", destination: 0.0.0.0/0 } ] }
  vpcEndpoints:
    - { id: vpce-app, vpc: vpc-app, serviceName: com.amazonaws.us-east-1.dynamodb, type: Gateway, routeTables: [rtb-app, rtb-isolated] }
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25, securityGroups: [sg-open], listen: 127.0.0.1:0 }
  - { name: isolated, subnet: subnet-isolated, privateIp: 10.0.3.7, securityGroups: [sg-open], listen: 127.0.0.1:0 }
`;

const table = (TableName: string) =>
  new CreateTableCommand({ TableName, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } });

describe('several regions in one cove (regions:)', () => {
  let cove: CoveProcess;
  const dataDirectory = tempDirectory();
  const client = (region: string, listener = 'public') => new DynamoDBClient({ region, endpoint: `http://127.0.0.1:${cove.ports()[listener]}`, credentials: DEV, maxAttempts: 1 });
  before(async () => {
    cove = await startCove({ config: config('regions: [us-east-1, eu-west-1]'), dataDirectory, listeners: 3, requestLog: true });
  });
  after(async () => {
    await cove.stop();
    removeDirectory(dataDirectory);
  });

  it('keeps each region\'s tables, ARNs, streams and DescribeEndpoints apart, chosen by the credential scope', async () => {
    const east = client('us-east-1');
    const west = client('eu-west-1');
    const created = await west.send(table('orders'));
    assert.equal(created.TableDescription?.TableArn, `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`);
    assert.deepEqual((await east.send(new ListTablesCommand({}))).TableNames, []);
    await east.send(table('orders'));
    await east.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'a' }, where: { S: 'east' } } }));
    await west.send(new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'a' }, where: { S: 'west' } } }));
    assert.equal((await east.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'a' } } }))).Item?.where.S, 'east');
    assert.equal((await west.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'a' } } }))).Item?.where.S, 'west');
    const byArn = await east.send(new DescribeTableCommand({ TableName: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders` })).catch((error: Error) => error);
    assert.equal((byArn as Error).name, 'ResourceNotFoundException', 'an ARN of another region names no table of this one');
    const westStream = (await west.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!.LatestStreamArn!;
    assert.match(westStream, /^arn:aws:dynamodb:eu-west-1:/);
    const streams = new DynamoDBStreamsClient({ region: 'eu-west-1', endpoint: cove.endpoint, credentials: DEV, maxAttempts: 1 });
    assert.equal((await streams.send(new DescribeStreamCommand({ StreamArn: westStream }))).StreamDescription?.TableName, 'orders');
    const endpoints = await west.send(new DescribeEndpointsCommand({}));
    assert.equal(endpoints.Endpoints?.length, 1);
    const record = await auditRecordFor(cove, created.$metadata.requestId);
    assert.equal(record.awsRegion, 'eu-west-1');
  });

  it('keeps a ClientRequestToken to its region: the same token with other parameters in another region is a new transaction', async () => {
    const east = client('us-east-1');
    const west = client('eu-west-1');
    await east.send(table('tokens'));
    await west.send(table('tokens'));
    const put = (where: string) =>
      new TransactWriteItemsCommand({ ClientRequestToken: 'same-token-both-regions', TransactItems: [{ Put: { TableName: 'tokens', Item: { pk: { S: 't' }, where: { S: where } } } }] });
    await east.send(put('east'));
    await west.send(put('west'));
    assert.equal((await east.send(new GetItemCommand({ TableName: 'tokens', Key: { pk: { S: 't' } } }))).Item?.where.S, 'east');
    assert.equal((await west.send(new GetItemCommand({ TableName: 'tokens', Key: { pk: { S: 't' } } }))).Item?.where.S, 'west');
    const mismatch = await rejection(west.send(put('elsewhere')));
    assert.equal(mismatch.name, 'IdempotentParameterMismatchException', 'within one region the token still binds its parameters');
  });

  it('refuses a region it does not serve with AWS\'s text, and logs the ones it serves', async () => {
    const error = await rejection(client('ap-south-1').send(new ListTablesCommand({})));
    assert.equal(error.name, 'InvalidSignatureException');
    assert.equal(error.message, "Credential should be scoped to a valid region, not 'ap-south-1'. ");
    await cove.waitForOutput(/refused a request signed for region ap-south-1, which this cove does not serve \(it serves us-east-1, eu-west-1; add it to regions: in cove\.yaml\)/);
  });

  it('sends a private subnet\'s request for another region out through NAT, not the gateway endpoint of its own region', async () => {
    const east = await client('us-east-1', 'app').send(new ListTablesCommand({}));
    const eastRecord = await auditRecordFor(cove, east.$metadata.requestId);
    assert.equal(eastRecord.vpcEndpointId, 'vpce-app');
    const west = await client('eu-west-1', 'app').send(new ListTablesCommand({}));
    const westRecord = await auditRecordFor(cove, west.$metadata.requestId);
    assert.equal(westRecord.vpcEndpointId, undefined);
    assert.equal(westRecord.sourceIPAddress, '203.0.113.10', 'through the NAT gateway');
    const isolated = await rejection(client('eu-west-1', 'isolated').send(new ListTablesCommand({})));
    assert.equal(isolated.name, 'ServiceUnavailableException', 'no NAT, and the endpoint serves us-east-1 only: no path at all');
    // The request log says why.
    await cove.waitForOutput(/^\S+ isolated 127\.0\.0\.1:\d+ \S+ ListTables - unreachable 503 \d+ms \[[A-Z_]+\] ServiceUnavailableException: cove: dynamodb is unreachable from here: /m);
  });
});

describe('regions: validation and the data directory\'s home region', () => {
  it('refuses a region outside regions:, and keeps the tables of the region the directory was made for', async () => {
    const refused = await startCove({ config: config('region: us-west-2\nregions: [us-east-1]') }).catch((error: Error) => error);
    assert.match(String(refused), /region: expected region to be one of regions/);
    const dataDirectory = tempDirectory();
    let cove = await startCove({ config: config('region: us-east-1'), dataDirectory, listeners: 3 });
    try {
      await new DynamoDBClient({ region: 'us-east-1', endpoint: cove.endpoint, credentials: DEV }).send(table('kept'));
    } finally {
      await cove.stop();
    }
    cove = await startCove({ config: config('regions: [eu-west-1, us-east-1]'), dataDirectory, listeners: 3 });
    try {
      const east = new DynamoDBClient({ region: 'us-east-1', endpoint: cove.endpoint, credentials: DEV });
      assert.deepEqual((await east.send(new ListTablesCommand({}))).TableNames, ['kept'], 'us-east-1 keeps its tables when it is no longer first');
      const west = new DynamoDBClient({ region: 'eu-west-1', endpoint: cove.endpoint, credentials: DEV });
      assert.deepEqual((await west.send(new ListTablesCommand({}))).TableNames, []);
      assert.doesNotMatch(cove.output(), /was created for region/, 'the home region is still served: no warning');
    } finally {
      await cove.stop();
    }
    cove = await startCove({ config: config('region: eu-west-1'), dataDirectory, listeners: 3 });
    try {
      assert.match(cove.output(), /warning: data directory \S+ was created for region us-east-1, which this configuration does not serve \(eu-west-1\): its tables are not served/);
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });
});
