import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { auditRecords } from '../support/audit.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rejection } from '../support/errors.js';

/**
 * The default for an unreachable request: the connection is reset, as the
 * network would drop it, and the audit still says why. Every other path rule
 * is in paths.e2e.test.ts (which answers unreachable requests with
 * `network.unreachable: explain` so that their answers can be read).
 */
const DEV = { accessKeyId: 'AKIADEV0000000000001', secretAccessKey: 'dev-secret' };

const CONFIG = `
region: us-east-1
accountId: "123456789012"
listeners:
  - { name: public, listen: 127.0.0.1:0 }
iam:
  users:
    - name: dev
      accessKeys: [{ id: ${DEV.accessKeyId}, secret: ${DEV.secretAccessKey} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "dynamodb:*", Resource: "*" } ] } }]
network:
  vpcs:
    - { id: vpc-app, cidr: 10.0.0.0/16, region: us-east-1, enableDnsSupport: true, enableDnsHostnames: true }
  vpnConnections:
    - { id: vpn-1, vpc: vpc-app, onPremisesCidrs: [192.168.0.0/16] }
attachments:
  - { name: office, onPremises: { via: vpn-1, ip: 192.168.10.7 }, listen: 127.0.0.1:0 }
`;

describe('an unreachable request, by default', () => {
  let cove: CoveProcess;
  let client: DynamoDBClient;

  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: 2 });
    client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${cove.ports().office}`, region: 'us-east-1', credentials: DEV, maxAttempts: 1 });
  });
  after(async () => {
    client.destroy();
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('on-premises traffic over VPN has no path: the connection is reset, and the audit says why', async () => {
    const e = await rejection(client.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'x' } } })));
    // A reset connection: no HTTP response at all, so no status code.
    assert.equal(e.$metadata?.httpStatusCode, undefined);
    assert.match(`${(e as Error & { code?: string }).code} ${e.message}`, /ECONNRESET|socket hang up/);
    let record: Record<string, any> | undefined;
    for (let attempt = 0; attempt < 250 && !record; attempt++) {
      record = auditRecords(cove).find((r) => r.errorCode === 'ServiceUnavailableException');
      if (!record) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(record, 'no audit record for the unreachable request');
    assert.equal(record.sourceIPAddress, '192.168.10.7');
    const route = record.additionalEventData.coveTrace.find((t: { stage: string }) => t.stage === 'route');
    assert.equal(route.decision, 'deny');
    assert.equal(route.code, 'VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS');
  });
});
