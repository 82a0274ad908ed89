import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, DeleteItemCommand, DescribeEndpointsCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { auditRecordFor, auditRecords } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

/**
 * Issue 5, one scenario per path rule, end to end: the real SDK (and the AWS
 * CLI where installed) sends from an attachment; each scenario asserts the
 * response, the audit record, and what `cove explain --from` prints for the
 * same place. Unreachable requests are explained (HTTP 503) so that their
 * answers can be read; the reset default is covered in reset.e2e.test.ts.
 */
const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;
const json = (value: unknown) => JSON.stringify(value);
const ALL = json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] });
const DEV = { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' };
const PRIVATE = { accessKeyId: 'AKIAPRIVATE000000001', secretAccessKey: 'private-secret' };
const READER = { accessKeyId: 'AKIAREADER0000000001', secretAccessKey: 'reader-secret' };

const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners:
  - { name: public, listen: 127.0.0.1:0 }
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${DEV.accessKeyId}, secret: ${DEV.secretAccessKey} }]
      policies: [{ name: all, document: ${ALL} }]
    - name: reader
      accessKeys: [{ id: ${READER.accessKeyId}, secret: ${READER.secretAccessKey} }]
      policies: [{ name: read, document: ${json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }] })} }]
    - name: private
      accessKeys: [{ id: ${PRIVATE.accessKeyId}, secret: ${PRIVATE.secretAccessKey} }]
      policies:
        - { name: all, document: ${ALL} }
        - name: only-through-endpoint
          document: ${json({ Version: '2012-10-17', Statement: [{ Sid: 'OnlyThroughVpce', Effect: 'Deny', Action: 'dynamodb:*', Resource: `${TABLE_ARN}/*`, Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-app' } } }] })}
network:
  unreachable: explain
  vpcs:
    - { id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }
    - { id: vpc-other, cidr: 10.1.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }
    - { id: vpc-nodns, cidr: 10.2.0.0/16, region: us-east-1, enableDnsSupport: false, enableDnsHostnames: false }
  subnets:
    - { id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }
    - { id: subnet-pub, vpc: vpc-app, cidr: 10.0.0.0/24 }
    - { id: subnet-nat, vpc: vpc-app, cidr: 10.0.2.0/24 }
    - { id: subnet-isolated, vpc: vpc-app, cidr: 10.0.3.0/24 }
    - { id: subnet-other, vpc: vpc-other, cidr: 10.1.1.0/24 }
    - { id: subnet-nodns, vpc: vpc-nodns, cidr: 10.2.1.0/24 }
  internetGateways:
    - { id: igw-app, vpc: vpc-app }
  natGateways:
    - { id: nat-app, subnet: subnet-pub, publicIp: 203.0.113.10 }
  routeTables:
    - { id: rtb-app, vpc: vpc-app, subnets: [subnet-app], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-nat, vpc: vpc-app, subnets: [subnet-nat], routes: [ { destination: 0.0.0.0/0, target: nat-app } ] }
    - { id: rtb-isolated, vpc: vpc-app, subnets: [subnet-isolated], routes: [] }
    - { id: rtb-pub, vpc: vpc-app, subnets: [subnet-pub], routes: [ { destination: 0.0.0.0/0, target: igw-app } ] }
    - { id: rtb-other, vpc: vpc-other, subnets: [subnet-other], routes: [ { destination: 3.218.182.0/24, target: pcx-1 } ] }
    - { id: rtb-nodns, vpc: vpc-nodns, subnets: [subnet-nodns], routes: [] }
  securityGroups:
    - id: sg-app
      vpc: vpc-app
      egress:
        - { protocol: tcp, fromPort: 443, toPort: 443, destination: 0.0.0.0/0 }
        - { protocol: tcp, fromPort: 80, toPort: 80, prefixList: com.amazonaws.us-east-1.dynamodb }
    - { id: sg-open, vpc: vpc-app, egress: [ { protocol: "-1", destination: 0.0.0.0/0 } ] }
    - { id: sg-db-only, vpc: vpc-app, egress: [ { protocol: tcp, fromPort: 5432, toPort: 5432, destination: 10.0.0.0/16 } ] }
    - { id: sg-other, vpc: vpc-other, egress: [ { protocol: "-1", destination: 0.0.0.0/0 } ] }
    - { id: sg-nodns, vpc: vpc-nodns, egress: [ { protocol: "-1", destination: 0.0.0.0/0 } ] }
  vpcEndpoints:
    - id: vpce-app
      vpc: vpc-app
      serviceName: com.amazonaws.us-east-1.dynamodb
      type: Gateway
      routeTables: [rtb-app]
      policy: ${json({ Version: '2012-10-17', Statement: [{ Sid: 'ReadWrite', Effect: 'Allow', Principal: '*', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable'], Resource: '*' }] })}
    - { id: vpce-nodns, vpc: vpc-nodns, serviceName: com.amazonaws.us-east-1.dynamodb, type: Gateway, routeTables: [rtb-nodns] }
  vpcPeeringConnections:
    - { id: pcx-1, requesterVpc: vpc-app, accepterVpc: vpc-other, status: active }
  vpnConnections:
    - { id: vpn-1, vpc: vpc-app, onPremisesCidrs: [192.168.0.0/16] }
  directConnectInterfaces:
    - { id: dxvif-1, vpc: vpc-app, onPremisesCidrs: [172.20.0.0/16] }
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25, securityGroups: [sg-app], listen: 127.0.0.1:0 }
  - { name: app-open, subnet: subnet-app, privateIp: 10.0.1.26, securityGroups: [sg-open], listen: 127.0.0.1:0 }
  - { name: app-db-only, subnet: subnet-app, privateIp: 10.0.1.27, securityGroups: [sg-db-only], listen: 127.0.0.1:0 }
  - { name: app-v6, subnet: subnet-app, privateIp: 10.0.1.28, ipv6: "2600:1f18:aaaa:1::28", securityGroups: [sg-open], listen: 127.0.0.1:0 }
  - { name: natted, subnet: subnet-nat, privateIp: 10.0.2.9, securityGroups: [sg-app], listen: 127.0.0.1:0 }
  - { name: isolated, subnet: subnet-isolated, privateIp: 10.0.3.7, securityGroups: [sg-app], listen: 127.0.0.1:0 }
  - { name: nodns, subnet: subnet-nodns, privateIp: 10.2.1.5, securityGroups: [sg-nodns], listen: 127.0.0.1:0 }
  - { name: peer, subnet: subnet-other, privateIp: 10.1.1.5, securityGroups: [sg-other], listen: 127.0.0.1:0 }
  - { name: office, onPremises: { via: vpn-1, ip: 192.168.10.7 }, listen: 127.0.0.1:0 }
  - { name: office-internet, onPremises: { via: vpn-1, ip: 192.168.10.8, publicIp: 198.51.100.20 }, listen: 127.0.0.1:0 }
  - { name: datacenter, onPremises: { via: dxvif-1, ip: 172.20.0.9 }, listen: 127.0.0.1:0 }
`;
const LISTENERS = 12;

const hasAwsCli = spawnSync('aws', ['--version']).status === 0;

interface Explained {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('network paths, one scenario per rule (SDK, AWS CLI, audit, explain)', () => {
  let cove: CoveProcess;
  const clients: { destroy(): void }[] = [];
  const at = (listener: string, credentials = DEV, region = 'us-east-1') => {
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${cove.ports()[listener]}`, region, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const explain = (...args: string[]): Explained => {
    const result = spawnSync(process.execPath, [MAIN, 'explain', '--config', cove.configFile!, ...args], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  /** The AWS CLI from an attachment; no retries, so an unreachable answer comes back at once. */
  const awsCli = (listener: string, ...args: string[]) => {
    const env: Record<string, string | undefined> = { ...process.env, AWS_ACCESS_KEY_ID: DEV.accessKeyId, AWS_SECRET_ACCESS_KEY: DEV.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1', AWS_RETRY_MODE: 'standard' };
    delete env.AWS_PROFILE;
    delete env.AWS_SESSION_TOKEN;
    const result = spawnSync('aws', ['dynamodb', ...args, '--endpoint-url', `http://127.0.0.1:${cove.ports()[listener]}`, '--output', 'json'], { env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const routeTrace = (record: Record<string, any>) => record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'route');

  /** An unreachable request: HTTP 503 naming the code; the audit keeps the client's own address and the hops. */
  async function assertUnreachable(listener: string, code: string, sourceIp: string, region = 'us-east-1') {
    const e = await rejection(at(listener, DEV, region).send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } })));
    assert.equal(e.$metadata?.httpStatusCode, 503);
    assert.equal(e.name, 'ServiceUnavailableException');
    assert.match(e.message, new RegExp(`unreachable from here: ${code}: `));
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'ServiceUnavailableException');
    assert.equal(record.sourceIPAddress, sourceIp);
    assert.equal(record.vpcEndpointId, undefined);
    assert.equal(routeTrace(record).code, code);
    assert.ok(routeTrace(record).explanation.some((hop: string) => hop.endsWith(`[${code}]`)), json(routeTrace(record).explanation));
    const explained = explain('--from', listener, '--region', region);
    assert.equal(explained.status, 1, `an unreachable path exits 1: ${explained.stderr}`);
    assert.match(explained.stdout, new RegExp(`^Unreachable \\[${code}\\]: `, 'm'));
    assert.match(explained.stdout, new RegExp(`^ {2}\\d+\\. .*\\[${code}\\]$`, 'm'));
    return { explained: explained.stdout, record };
  }

  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: LISTENERS });
    await at('public').send(new CreateTableCommand({ TableName: 'orders', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    await at('public').send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'a' }, total: { N: '7' } } }));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('STS is routed as STS: a DynamoDB gateway endpoint or prefix-list rule never carries it; a NAT does', async () => {
    const sts = (listener: string) => {
      const client = new STSClient({ endpoint: `http://127.0.0.1:${cove.ports()[listener]}`, region: 'us-east-1', credentials: DEV, maxAttempts: 1 });
      clients.push(client);
      return client;
    };
    const viaNat = await sts('app-open').send(new GetCallerIdentityCommand({}));
    assert.equal(viaNat.Arn, `arn:aws:iam::${ACCOUNT}:user/dev`);
    const record = await auditRecordFor(cove, viaNat.$metadata.requestId);
    assert.equal(record.eventSource, 'sts.amazonaws.com');
    assert.equal(record.sourceIPAddress, '203.0.113.10', 'through the NAT gateway, not the DynamoDB endpoint');
    assert.equal(record.vpcEndpointId, undefined);
    // sg-app lets tcp/80 out only to DynamoDB's prefix list: DynamoDB passes, STS does not.
    await at('app').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
    const blocked = await rejection(sts('app').send(new GetCallerIdentityCommand({})));
    assert.equal(blocked.$metadata?.httpStatusCode, 503);
    assert.match(blocked.message, /sts is unreachable from here: ENI_SG_RULES_MISMATCH: /);
    const isolated = await rejection(sts('isolated').send(new GetCallerIdentityCommand({})));
    assert.match(isolated.message, /sts is unreachable from here: NO_ROUTE_TO_DESTINATION: /);
    const explained = explain('--from', 'app', '--principal', `arn:aws:iam::${ACCOUNT}:user/dev`, '--action', 'sts:GetCallerIdentity', '--resource', '*');
    assert.match(explained.stdout, /ENI_SG_RULES_MISMATCH/);
  });

  it('endpoint path allowed: the item comes back through vpce-app; audit and explain agree', async () => {
    const answer = await at('app').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
    assert.deepEqual(answer.Item, { id: { S: 'a' }, total: { N: '7' } });
    const record = await auditRecordFor(cove, answer.$metadata.requestId);
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.sourceIPAddress, '10.0.1.25');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.vpcEndpointAccountId, ACCOUNT);
    const explained = explain('--from', 'app');
    assert.match(explained.stdout, /^Path from attachment app \(10\.0\.1\.25\) to dynamodb\.us-east-1\.amazonaws\.com, tcp\/80:$/m);
    assert.match(explained.stdout, /^ {2}\d\. route table rtb-app: route pl-02cd2c6b → vpce-app \(endpoint\)/m);
    assert.match(explained.stdout, /^Reaches: the service through vpce-app \(vpc-app\), source IP 10\.0\.1\.25; the endpoint policy applies$/m);
    const asJson = JSON.parse(explain('--from', 'app', '--json').stdout);
    assert.equal(asJson.path.result, 'endpoint');
    assert.equal(asJson.path.vpcEndpointId, 'vpce-app');
    // The hops explain prints are the ones the audit record carries.
    assert.deepEqual(routeTrace(record).explanation.slice(1), asJson.path.hops.map((h: { component: string; detail: string; code?: string }) => `${h.component}: ${h.detail}${h.code ? ` [${h.code}]` : ''}`));
  });

  it('endpoint policy deny: AccessDenied naming the endpoint policy; recorded as a network activity event; explain says VPCE_POLICY_DENY', async () => {
    const e = await rejection(at('app').send(new DeleteItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } })));
    assert.equal(e.name, 'AccessDeniedException');
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: dynamodb:DeleteItem on resource: ${TABLE_ARN}/orders because no VPC endpoint policy allows the dynamodb:DeleteItem action`);
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.eventType, 'AwsVpceEvent');
    assert.equal(record.eventCategory, 'NetworkActivity');
    assert.equal(record.eventVersion, '1.11');
    assert.equal(record.errorCode, 'VpceAccessDenied');
    assert.equal(record.eventName, 'DeleteItem');
    assert.equal(record.sourceIPAddress, '10.0.1.25');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.recipientAccountId, ACCOUNT);
    assert.equal(record.requestParameters, undefined);
    assert.equal(record.additionalEventData.coveTrace.at(-1).code, 'VPCE_POLICY_DENY');
    const explained = explain('--from', 'app', '--principal', 'dev', '--action', 'dynamodb:DeleteItem', '--resource', `${TABLE_ARN}/orders`);
    assert.match(explained.stdout, /^Reaches: the service through vpce-app/m);
    assert.match(explained.stdout, /^VPC endpoint policy: ImplicitDeny$/m);
    assert.match(explained.stdout, /^Result: ImplicitlyDenied \(blocked by: VPC endpoint policy\)$/m);
    assert.match(explained.stdout, /^\[VPCE_POLICY_DENY\] only the endpoint policy of vpce-app denies this request/m);
    // The item was not deleted.
    assert.ok((await at('public').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }))).Item);
  });

  it('a request IAM denies too, through the endpoint, stays an API call record (AccessDenied) naming the endpoint', async () => {
    const e = await rejection(at('app', READER).send(new DeleteItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } })));
    assert.equal(e.name, 'AccessDeniedException');
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.notEqual(record.additionalEventData.coveTrace.at(-1).code, 'VPCE_POLICY_DENY');
    const explained = explain('--from', 'app', '--principal', 'reader', '--action', 'dynamodb:DeleteItem', '--resource', `${TABLE_ARN}/orders`);
    assert.match(explained.stdout, /^Result: ImplicitlyDenied \(blocked by: VPC endpoint policy, identity-based policy\)$/m);
    assert.doesNotMatch(explained.stdout, /VPCE_POLICY_DENY/);
  });

  it('an IAM Deny on aws:SourceVpce: allowed through the endpoint, denied from the public listener; explain shows both', async () => {
    const through = await at('app', PRIVATE).send(new DescribeTableCommand({ TableName: 'orders' }));
    assert.equal(through.Table?.TableName, 'orders');
    const e = await rejection(at('public', PRIVATE).send(new DescribeTableCommand({ TableName: 'orders' })));
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/private is not authorized to perform: dynamodb:DescribeTable on resource: ${TABLE_ARN}/orders with an explicit deny in an identity-based policy`);
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.eventType, 'AwsApiCall');
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.sourceIPAddress, '127.0.0.1');
    // Leaving the VPC through the NAT is no better: no endpoint on that path either.
    const natted = await rejection(at('natted', PRIVATE).send(new DescribeTableCommand({ TableName: 'orders' })));
    assert.match(natted.message, /with an explicit deny in an identity-based policy$/);
    const args = ['--principal', 'private', '--action', 'dynamodb:DescribeTable', '--resource', `${TABLE_ARN}/orders`];
    assert.match(explain('--from', 'app', ...args).stdout, /^ {2}aws:SourceVpce = "vpce-app"$/m);
    assert.match(explain('--from', 'app', ...args).stdout, /^Result: Allowed$/m);
    assert.match(explain(...args).stdout, /^Result: ExplicitlyDenied/m);
  });

  it('DescribeEndpoints missing from the endpoint policy: denied, and recorded as VpceAccessDenied', async () => {
    const e = await rejection(at('app').send(new DescribeEndpointsCommand({})));
    assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: dynamodb:DescribeEndpoints on resource: * because no VPC endpoint policy allows the dynamodb:DescribeEndpoints action`);
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.errorCode, 'VpceAccessDenied');
    assert.equal(record.eventName, 'DescribeEndpoints');
    assert.match(explain('--from', 'app', '--principal', 'dev', '--action', 'dynamodb:DescribeEndpoints', '--resource', '*').stdout, /^\[VPCE_POLICY_DENY\]/m);
    // On the public path DynamoDB makes no IAM check for it, and explain says so.
    const natted = explain('--from', 'natted', '--principal', 'reader', '--action', 'dynamodb:DescribeEndpoints', '--resource', '*').stdout;
    assert.match(natted, /^dynamodb:DescribeEndpoints is not authorized on the public endpoint/m);
    assert.match(natted, /^Result: Allowed$/m);
  });

  it('a route table without the prefix-list route: out through the NAT, as its public address', async () => {
    const answer = await at('natted').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
    assert.ok(answer.Item);
    const record = await auditRecordFor(cove, answer.$metadata.requestId);
    assert.equal(record.sourceIPAddress, '203.0.113.10');
    assert.equal(record.vpcEndpointId, undefined);
    const explained = explain('--from', 'natted').stdout;
    assert.match(explained, /nat gateway nat-app: in subnet-pub, translates to 203\.0\.113\.10/);
    assert.match(explained, /^Reaches: the public endpoint, source IP 203\.0\.113\.10$/m);
  });

  it('no NAT and no endpoint route: unreachable (NO_ROUTE_TO_DESTINATION)', async () => {
    await assertUnreachable('isolated', 'NO_ROUTE_TO_DESTINATION', '10.0.3.7');
  });

  it('DNS resolution off in the VPC: unreachable (DNS_RESOLUTION_DISABLED), even with an endpoint', async () => {
    await assertUnreachable('nodns', 'DNS_RESOLUTION_DISABLED', '10.2.1.5');
  });

  it('no security-group egress to the service: unreachable (ENI_SG_RULES_MISMATCH)', async () => {
    await assertUnreachable('app-db-only', 'ENI_SG_RULES_MISMATCH', '10.0.1.27');
  });

  it('a request for another region never takes the endpoint (VPCE_CROSS_REGION): it goes out through the NAT', async () => {
    const e = await rejection(at('app-open', DEV, 'eu-west-1').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } })));
    // It reaches the public endpoint; this cove serves us-east-1 only, so the scope is refused there.
    assert.equal(e.name, 'InvalidSignatureException');
    assert.match(e.message, /Credential should be scoped to a valid region, not 'eu-west-1'/);
    const record = await auditRecordFor(cove, e.$metadata.requestId);
    assert.equal(record.sourceIPAddress, '203.0.113.10');
    assert.equal(record.vpcEndpointId, undefined);
    assert.ok(routeTrace(record).explanation.some((hop: string) => hop.endsWith('[VPCE_CROSS_REGION]')));
    const explained = explain('--from', 'app-open', '--region', 'eu-west-1').stdout;
    assert.match(explained, /endpoint vpce-app: serves us-east-1 only; this request is for eu-west-1 \[VPCE_CROSS_REGION\]/);
    assert.match(explained, /^Reaches: the public endpoint, source IP 203\.0\.113\.10$/m);
    const decided = explain('--from', 'app-open', '--region', 'eu-west-1', '--principal', 'dev', '--action', 'dynamodb:GetItem', '--resource', `${TABLE_ARN}/orders`).stdout;
    assert.match(decided, /^Note: this cove serves us-east-1 only; a request signed for eu-west-1 is refused there/m);
    // The same attachment's us-east-1 requests do take the endpoint.
    assert.match(explain('--from', 'app-open').stdout, /^Reaches: the service through vpce-app/m);
  });

  it('a peered VPC cannot use the other VPC\'s gateway endpoint (VPCE_NOT_TRANSITIVE)', async () => {
    const { explained } = await assertUnreachable('peer', 'VPCE_NOT_TRANSITIVE', '10.1.1.5');
    assert.match(explained, /peering pcx-1: vpc-app's gateway endpoint vpce-app does not serve traffic from a peered VPC/);
  });

  it('on premises over Site-to-Site VPN: no path into the endpoint or the NAT', async () => {
    const { explained } = await assertUnreachable('office', 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS', '192.168.10.7');
    assert.match(explained, /VPN connection vpn-1: 192\.168\.10\.7 reaches vpc-app's virtual private gateway from on premises/);
  });

  it('on premises over Direct Connect: the same', async () => {
    const { explained } = await assertUnreachable('datacenter', 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS', '172.20.0.9');
    assert.match(explained, /Direct Connect interface dxvif-1: 172\.20\.0\.9 reaches vpc-app's virtual private gateway from on premises/);
  });

  it('on premises with its own internet access: the public endpoint, as that address', async () => {
    const answer = await at('office-internet').send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'a' } } }));
    assert.ok(answer.Item);
    const record = await auditRecordFor(cove, answer.$metadata.requestId);
    assert.equal(record.sourceIPAddress, '198.51.100.20');
    assert.equal(record.vpcEndpointId, undefined);
    const explained = explain('--from', 'office-internet').stdout;
    assert.match(explained, /endpoint vpce-app: a gateway endpoint does not serve on-premises traffic \[VPCE_NOT_TRANSITIVE\]/);
    assert.match(explained, /^Reaches: the public endpoint, source IP 198\.51\.100\.20$/m);
  });

  it('IPv6 never uses a gateway endpoint (VPCE_IPV4_ONLY)', async () => {
    await assertUnreachable('app-v6', 'VPCE_IPV4_ONLY', '2600:1f18:aaaa:1::28');
  });

  it('the AWS CLI gets the same answers, scenario by scenario, and each is audited as the SDK\'s were', { skip: hasAwsCli ? false : 'aws CLI not installed (.ci/run installs it)' }, async () => {
    const getItem = ['get-item', '--table-name', 'orders', '--key', '{"id":{"S":"a"}}'];
    const scenarios: { listener: string; args?: string[]; error?: RegExp; sourceIp: string; endpoint?: string; errorCode?: string }[] = [
      { listener: 'app', sourceIp: '10.0.1.25', endpoint: 'vpce-app' },
      { listener: 'app', args: ['delete-item', '--table-name', 'orders', '--key', '{"id":{"S":"a"}}'], error: /\(AccessDeniedException\) when calling the DeleteItem operation.*: User: arn:aws:iam::123456789012:user\/dev is not authorized to perform: dynamodb:DeleteItem on resource: .* because no VPC endpoint policy allows the dynamodb:DeleteItem action/, sourceIp: '10.0.1.25', endpoint: 'vpce-app', errorCode: 'VpceAccessDenied' },
      { listener: 'app', args: ['describe-endpoints'], error: /\(AccessDeniedException\).*because no VPC endpoint policy allows the dynamodb:DescribeEndpoints action/, sourceIp: '10.0.1.25', endpoint: 'vpce-app', errorCode: 'VpceAccessDenied' },
      { listener: 'natted', sourceIp: '203.0.113.10' },
      { listener: 'office-internet', sourceIp: '198.51.100.20' },
      { listener: 'isolated', error: /ServiceUnavailable.*NO_ROUTE_TO_DESTINATION/s, sourceIp: '10.0.3.7', errorCode: 'ServiceUnavailableException' },
      { listener: 'nodns', error: /ServiceUnavailable.*DNS_RESOLUTION_DISABLED/s, sourceIp: '10.2.1.5', errorCode: 'ServiceUnavailableException' },
      { listener: 'app-db-only', error: /ServiceUnavailable.*ENI_SG_RULES_MISMATCH/s, sourceIp: '10.0.1.27', errorCode: 'ServiceUnavailableException' },
      { listener: 'peer', error: /ServiceUnavailable.*VPCE_NOT_TRANSITIVE/s, sourceIp: '10.1.1.5', errorCode: 'ServiceUnavailableException' },
      { listener: 'office', error: /ServiceUnavailable.*VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS/s, sourceIp: '192.168.10.7', errorCode: 'ServiceUnavailableException' },
      { listener: 'datacenter', error: /ServiceUnavailable.*VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS/s, sourceIp: '172.20.0.9', errorCode: 'ServiceUnavailableException' },
      { listener: 'app-v6', error: /ServiceUnavailable.*VPCE_IPV4_ONLY/s, sourceIp: '2600:1f18:aaaa:1::28', errorCode: 'ServiceUnavailableException' },
    ];
    for (const scenario of scenarios) {
      // By event ID, not position: with several workers, each journals its own records, and a new one may sort among the old.
      const recordsBefore = new Set(auditRecords(cove).map((record) => record.eventID as string));
      const result = awsCli(scenario.listener, ...(scenario.args ?? getItem));
      const label = `${scenario.listener} ${(scenario.args ?? getItem)[0]}`;
      if (scenario.error) {
        assert.notEqual(result.status, 0, label);
        assert.match(result.stderr, scenario.error, label);
      } else {
        assert.equal(result.status, 0, `${label}: ${result.stderr}`);
        assert.deepEqual(JSON.parse(result.stdout), { Item: { id: { S: 'a' }, total: { N: '7' } } }, label);
      }
      // The CLI prints no request ID: its record is the one written since it ran.
      let record: Record<string, any> | undefined;
      for (let attempt = 0; attempt < 100 && !record; attempt++) {
        const written = auditRecords(cove).filter((record) => !recordsBefore.has(record.eventID as string));
        assert.ok(written.length <= 1, `${label}: one request, one record (${written.length})`);
        record = written[0];
        if (!record) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(record, `${label}: no audit record`);
      assert.equal(record.sourceIPAddress, scenario.sourceIp, label);
      assert.equal(record.vpcEndpointId, scenario.endpoint, label);
      assert.equal(record.errorCode, scenario.errorCode, label);
    }
  });

  it('explain refuses what it cannot answer', () => {
    const unknown = explain('--from', 'nowhere');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--from nowhere: no such attachment in .* \(configured: app, app-open, /);
    const partial = explain('--from', 'app', '--principal', 'dev');
    assert.equal(partial.status, 2);
    assert.match(partial.stderr, /--principal, --action and --resource go together/);
  });
});
