import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { proxyV1, proxyV2 } from '../support/proxyProtocol.js';
import { httpsClient } from '../support/tls.js';

const ACCOUNT = '123456789012';
const EDGE = { accessKeyId: 'AKIAEDGE000000000001', secretAccessKey: 'edge-secret' };
const PRIVATE = { accessKeyId: 'AKIAPRIV000000000001', secretAccessKey: 'priv-secret' };

/**
 * Listeners behind a load balancer on loopback (trusted: 127.0.0.0/8), one whose only trusted
 * proxy is elsewhere (10.0.0.0/8: loopback peers are untrusted), and one that requires a header.
 * `edge` may only call from 203.0.113.0/24 (aws:SourceIp); `private` only through vpce-app (aws:SourceVpce).
 */
const CONFIG = `
region: us-east-1
accountId: "${ACCOUNT}"
listeners:
  - { name: public, listen: 127.0.0.1:0 }
  - { name: nlb, listen: 127.0.0.1:0, proxyProtocol: { trustedCidrs: [127.0.0.0/8] } }
  - { name: nlbtls, listen: 127.0.0.1:0, tls: auto, proxyProtocol: { trustedCidrs: [127.0.0.0/8], required: true } }
  - { name: elsewhere, listen: 127.0.0.1:0, proxyProtocol: { trustedCidrs: [10.0.0.0/8] } }
  - name: mapped
    listen: 127.0.0.1:0
    proxyProtocol: { trustedCidrs: [127.0.0.0/8] }
    sources: [{ cidr: 10.1.0.0/16, attachment: app }]
iam:
  users:
    - name: edge
      accessKeys: [{ id: ${EDGE.accessKeyId}, secret: ${EDGE.secretAccessKey} }]
      policies: [{ name: from-edge, document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:*", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": 203.0.113.0/24 } } } ] } }]
    - name: private
      accessKeys: [{ id: ${PRIVATE.accessKeyId}, secret: ${PRIVATE.secretAccessKey} }]
      policies: [{ name: via-vpce, document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:*", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": vpce-app } } } ] } }]
network:
  unreachable: explain
  vpcs: [{ id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsHostnames: true }]
  subnets: [{ id: subnet-app, vpc: vpc-app, cidr: 10.0.1.0/24 }]
  routeTables: [{ id: rtb-app, vpc: vpc-app, subnets: [subnet-app] }]
  vpcEndpoints: [{ id: vpce-app, vpc: vpc-app, serviceName: com.amazonaws.us-east-1.dynamodb, type: Gateway, routeTables: [rtb-app] }]
attachments:
  - { name: app, subnet: subnet-app, privateIp: 10.0.1.25 }
  - { name: apptls, subnet: subnet-app, privateIp: 10.0.1.26, listen: 127.0.0.1:0, tls: auto }
`;

/** A connection that sends `header` first, as a load balancer would, then speaks HTTP (or TLS, then HTTP). */
function clientBehindProxy(port: number, header: Buffer, credentials: typeof EDGE, tlsCa?: Buffer): DynamoDBClient {
  const raw = () => {
    const socket = netConnect(port, '127.0.0.1');
    socket.write(header);
    return socket;
  };
  const requestHandler = tlsCa
    ? new NodeHttpHandler({ httpsAgent: Object.assign(new HttpsAgent({ ca: tlsCa }), { createConnection: () => tlsConnect({ socket: raw(), servername: 'localhost', ca: tlsCa }) }) })
    : new NodeHttpHandler({ httpAgent: Object.assign(new HttpAgent(), { createConnection: raw }) });
  return new DynamoDBClient({ endpoint: `${tlsCa ? 'https://localhost' : 'http://127.0.0.1'}:${port}`, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler });
}

/** Sends `bytes` and collects what comes back until the server closes the connection. */
function sendAndWaitForClose(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = netConnect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

const LIST_TABLES = Buffer.from('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');

describe('PROXY protocol listeners', () => {
  let cove: CoveProcess;
  let ports: Record<string, number>;
  let ca: Buffer;
  const clients: DynamoDBClient[] = [];
  const via = (port: number, header: Buffer, credentials: typeof EDGE, tlsCa?: Buffer) => {
    const client = clientBehindProxy(port, header, credentials, tlsCa);
    clients.push(client);
    return client;
  };
  const recordOf = async (client: DynamoDBClient) => auditRecordFor(cove, (await client.send(new ListTablesCommand({}))).$metadata.requestId);

  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: 6 });
    ports = cove.ports();
    ca = readFileSync(join(cove.dataDirectory, 'tls', 'ca.pem'));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('v1 from a trusted peer: the true client address is sourceIPAddress and aws:SourceIp', async () => {
    const record = await recordOf(via(ports.nlb, proxyV1('203.0.113.7', 51000, '10.0.0.5', 80), EDGE));
    assert.equal(record.sourceIPAddress, '203.0.113.7');
    assert.equal(record.errorCode, undefined);
    // Without the header the same user, from 127.0.0.1, is outside 203.0.113.0/24.
    await assert.rejects(cove.client(EDGE.accessKeyId, EDGE.secretAccessKey).send(new ListTablesCommand({})), { name: 'AccessDeniedException' });
  });

  it("v2 with AWS's VPC endpoint TLV before TLS: the endpoint is aws:SourceVpce and vpcEndpointId, with tlsDetails", async () => {
    const header = proxyV2({ source: '10.0.1.77', sourcePort: 40000, destination: '10.0.0.5', destinationPort: 443, vpceId: 'vpce-app' });
    const record = await recordOf(via(ports.nlbtls, header, PRIVATE, ca));
    assert.equal(record.errorCode, undefined);
    assert.equal(record.sourceIPAddress, '10.0.1.77');
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.tlsDetails.tlsVersion, 'TLSv1.3');
    assert.equal(record.tlsDetails.clientProvidedHostHeader, `localhost:${ports.nlbtls}`);
  });

  it('v2 naming an endpoint the model does not declare: recorded as that endpoint, under the default full-access endpoint policy', async () => {
    const header = proxyV2({ source: '172.16.0.9', sourcePort: 1, destination: '10.0.0.5', destinationPort: 443, vpceId: 'vpce-0a1b2c3d4e5f60718' });
    const denied = await via(ports.nlbtls, header, PRIVATE, ca).send(new ListTablesCommand({})).then(
      () => assert.fail('aws:SourceVpce is vpce-0a1b…, not vpce-app'),
      (error: { name: string; $metadata: { requestId: string } }) => error,
    );
    assert.equal(denied.name, 'AccessDeniedException');
    const record = await auditRecordFor(cove, denied.$metadata.requestId);
    assert.equal(record.vpcEndpointId, 'vpce-0a1b2c3d4e5f60718');
    assert.equal(record.sourceIPAddress, '172.16.0.9');
  });

  it("the true address feeds the listener's source map", async () => {
    const record = await recordOf(via(ports.mapped, proxyV1('10.1.4.4', 3000, '10.0.0.5', 80), PRIVATE));
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.sourceIPAddress, '10.0.1.25', "the attachment's private address");
  });

  it('an attachment listener serves TLS too: its path, its private address and tlsDetails', async () => {
    const client = httpsClient(ports.apptls, join(cove.dataDirectory, 'tls', 'ca.pem'), PRIVATE);
    clients.push(client);
    const record = await recordOf(client);
    assert.equal(record.vpcEndpointId, 'vpce-app');
    assert.equal(record.sourceIPAddress, '10.0.1.26');
    assert.equal(record.tlsDetails.tlsVersion, 'TLSv1.3');
  });

  it('a header from an untrusted peer closes the connection unanswered; the same peer without one is served', async () => {
    assert.equal(await sendAndWaitForClose(ports.elsewhere, Buffer.concat([proxyV1('203.0.113.7', 1, '10.0.0.5', 80), LIST_TABLES])), '');
    assert.equal(await sendAndWaitForClose(ports.elsewhere, Buffer.concat([proxyV2({ source: '10.0.1.77', sourcePort: 1, destination: '10.0.0.5', destinationPort: 443, vpceId: 'vpce-app' }), LIST_TABLES])), '');
    assert.match(await sendAndWaitForClose(ports.elsewhere, LIST_TABLES), /^HTTP\/1\.1 400 /); // unsigned, but answered
  });

  it('a malformed header, or none where one is required, closes the connection unanswered', async () => {
    assert.equal(await sendAndWaitForClose(ports.nlb, Buffer.concat([Buffer.from('PROXY TCP4 1.2.3.4\r\n'), LIST_TABLES])), '');
    assert.equal(await sendAndWaitForClose(ports.nlbtls, LIST_TABLES), '');
    assert.match(cove.output(), /nlbtls: closed a connection from 127\.0\.0\.1: no PROXY header, and proxyProtocol\.required/);
  });

  it('LOCAL (a load balancer health check) keeps the peer as the source', async () => {
    const record = await recordOf(via(ports.nlb, proxyV2({ local: true }), PRIVATE)).catch(() => undefined);
    // PRIVATE may only come through vpce-app, so the request is refused: what matters is who it came from.
    if (record) assert.fail('allowed without the endpoint');
    const answer = await sendAndWaitForClose(ports.nlb, Buffer.concat([proxyV2({ local: true }), LIST_TABLES]));
    assert.match(answer, /^HTTP\/1\.1 400 /);
  });
});
