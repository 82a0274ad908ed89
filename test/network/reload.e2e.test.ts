import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

/**
 * The model is applied live: editing cove.yaml changes the path of the next
 * request, starts and stops attachment listeners, swaps policies; a file that
 * does not load leaves the running configuration in force.
 */
const ACCOUNT = '123456789012';
const json = (value: unknown) => JSON.stringify(value);
const DEV = { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' };

function config(options: { endpointRouteTables: string[]; endpointActions: string[]; extraAttachment?: boolean; userActions?: string; accessKeyId?: string; region?: string }): string {
  return `
region: ${options.region ?? 'us-east-1'}
accountId: "${ACCOUNT}"
listeners: [{ name: public, listen: 127.0.0.1:0 }]
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${options.accessKeyId ?? DEV.accessKeyId}, secret: ${DEV.secretAccessKey} }]
      policies: [{ name: all, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: options.userActions ?? 'dynamodb:*', Resource: '*' }] })} }]
network:
  vpcs: [{ id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }]
  subnets:
    - { id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }
    - { id: subnet-pub, vpc: vpc-app, cidr: 10.0.0.0/24 }
  internetGateways: [{ id: igw-app, vpc: vpc-app }]
  natGateways: [{ id: nat-app, subnet: subnet-pub, publicIp: 203.0.113.10 }]
  routeTables:
    - { id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-pub, vpc: vpc-app, subnets: [subnet-pub], routes: [ { destination: 0.0.0.0/0, target: igw-app } ] }
  vpcEndpoints:
    - id: vpce-app
      vpc: vpc-app
      serviceName: com.amazonaws.us-east-1.dynamodb
      type: Gateway
      routeTables: ${json(options.endpointRouteTables)}
      policy: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: options.endpointActions, Resource: '*' }] })}
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25, listen: 127.0.0.1:0 }
${options.extraAttachment ? '  - { name: web, subnet: subnet-pub, privateIp: 10.0.0.40, publicIp: 198.51.100.40, listen: 127.0.0.1:0 }' : ''}
`;
}

describe('cove.yaml applied live', () => {
  let cove: CoveProcess;
  const clients: DynamoDBClient[] = [];
  const at = (port: number, credentials = DEV) => {
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const get = (port: number) => at(port).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
  /** Rewrites the file and waits for the server to say it applied it (or refused it). */
  const edit = async (text: string, expect: RegExp) => {
    const from = cove.output().length;
    writeFileSync(cove.configFile!, text);
    await cove.waitForOutput(expect, from);
  };

  before(async () => {
    cove = await startCove({ config: config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'] }), listeners: 2 });
    const admin = at(cove.ports().public);
    await admin.send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await admin.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'a' } } }));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('removing the route table from the endpoint sends the next request out through the NAT', async () => {
    const app = cove.ports().app;
    const before = await auditRecordFor(cove, (await get(app)).$metadata.requestId);
    assert.equal(before.vpcEndpointId, 'vpce-app');
    await edit(config({ endpointRouteTables: [], endpointActions: ['dynamodb:*'] }), /cove: reloaded .*: users, policies, network model and attachments applied/);
    const after = await auditRecordFor(cove, (await get(app)).$metadata.requestId);
    assert.equal(after.vpcEndpointId, undefined);
    assert.equal(after.sourceIPAddress, '203.0.113.10');
  });

  it('a changed endpoint policy and a changed user policy apply to the next request', async () => {
    const app = cove.ports().app;
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:PutItem'] }), /cove: reloaded /);
    const e = await rejection(get(app));
    assert.match(e.message, /because no VPC endpoint policy allows the dynamodb:GetItem action$/);
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'], userActions: 'dynamodb:PutItem' }), /cove: reloaded /);
    const denied = await rejection(get(cove.ports().public));
    assert.match(denied.message, /because no identity-based policy allows the dynamodb:GetItem action$/);
  });

  it('a new attachment gets its listener; a removed one stops listening', async () => {
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'], extraAttachment: true }), /cove: web listening on http:\/\/127\.0\.0\.1:\d+/);
    const web = cove.ports().web;
    const record = await auditRecordFor(cove, (await get(web)).$metadata.requestId);
    assert.equal(record.sourceIPAddress, '198.51.100.40');
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'] }), /cove: reloaded /);
    const gone = await rejection(get(web));
    assert.match(`${(gone as Error & { code?: string }).code} ${gone.message}`, /ECONNREFUSED/);
  });

  it('a rotated access key: the old one is refused from the next request on, the new one works', async () => {
    const rotated = { accessKeyId: 'AKIADEV0000000000002', secretAccessKey: DEV.secretAccessKey };
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'], accessKeyId: rotated.accessKeyId }), /cove: reloaded /);
    const old = await rejection(get(cove.ports().public));
    assert.equal(old.name, 'UnrecognizedClientException');
    assert.ok((await at(cove.ports().public, rotated).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }))).Item);
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'] }), /cove: reloaded /);
  });

  it('a change that needs a restart (region, accountId, listeners) is refused whole', async () => {
    await edit(config({ endpointRouteTables: [], endpointActions: ['dynamodb:*'], region: 'eu-west-1' }), /the running configuration stays in force\n.*region changed: restart cove to apply them/);
    // The route-table change in the same file was not applied either.
    const record = await auditRecordFor(cove, (await get(cove.ports().app)).$metadata.requestId);
    assert.equal(record.vpcEndpointId, 'vpce-app');
  });

  it('an empty file (an editor mid-save) changes nothing', async () => {
    await edit('', /the running configuration stays in force\n.*the file is empty/);
    const record = await auditRecordFor(cove, (await get(cove.ports().app)).$metadata.requestId);
    assert.equal(record.vpcEndpointId, 'vpce-app');
    await edit(config({ endpointRouteTables: ['rtb-app'], endpointActions: ['dynamodb:*'] }), /cove: reloaded /);
  });

  it('a file that does not load changes nothing, and says why', async () => {
    await edit('region: us-east-1\nattachments:\n  - { name: app, subnet: subnet-nowhere, privateIp: 10.0.1.25, listen: 127.0.0.1:0 }\n', /configuration error; the running configuration stays in force\n.*attachments\[0\]\.subnet/);
    const record = await auditRecordFor(cove, (await get(cove.ports().app)).$metadata.requestId);
    assert.equal(record.vpcEndpointId, 'vpce-app');
  });
});
