import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ensureListenerCertificate } from '../../src/server/certificates.js';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { auditRecordFor } from '../support/audit.js';
import { removeDirectory, startCove, tempDirectory, type CoveProcess } from '../support/cove.js';
import { hasOpenssl, httpsClient, opensslHandshake, peerCertificate } from '../support/tls.js';

const KEY = { accessKeyId: 'AKIATLS0000000000001', secretAccessKey: 'tls-secret' };
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');

/**
 * A plain listener, a TLS one (`tls: auto`) and a legacy one that opts in to TLS 1.0; the user
 * may do anything in DynamoDB, except over plain HTTP (the usual aws:SecureTransport deny).
 */
const CONFIG = `
accountId: "123456789012"
listeners:
  - { name: public, listen: "127.0.0.1:0" }
  - { name: secure, listen: "127.0.0.1:0", tls: auto }
  - { name: legacy, listen: "127.0.0.1:0", tls: { mode: auto, minVersion: TLSv1 } }
iam:
  users:
    - name: tls-user
      accessKeys: [{ id: ${KEY.accessKeyId}, secret: ${KEY.secretAccessKey} }]
      policies:
        - name: tls-only
          document:
            Version: "2012-10-17"
            Statement:
              - { Effect: Allow, Action: "dynamodb:*", Resource: "*" }
              - { Effect: Deny, Action: "dynamodb:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }
`;

describe('TLS listeners (tls: auto)', () => {
  let cove: CoveProcess;
  let ca = '';
  let securePort = 0;
  let legacyPort = 0;
  before(async () => {
    cove = await startCove({ config: CONFIG, listeners: 3 });
    ({ secure: securePort, legacy: legacyPort } = cove.ports());
    ca = join(cove.dataDirectory, 'tls', 'ca.pem');
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('print https:// in their listening lines, and `cove cert ca` prints the CA file', () => {
    assert.match(cove.output(), /cove: secure listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.match(cove.output(), /cove: public listening on http:\/\/127\.0\.0\.1:\d+/);
    const printed = execFileSync(process.execPath, [MAIN, 'cert', 'ca', '--data', cove.dataDirectory], { encoding: 'utf8' }).trim();
    assert.equal(printed, ca);
    assert.match(readFileSync(printed, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  });

  it('keep private keys 0600 and name localhost, the loopback addresses and the DynamoDB hostname', async () => {
    for (const file of ['ca-key.pem', 'secure-key.pem', 'legacy-key.pem']) assert.equal(statSync(join(cove.dataDirectory, 'tls', file)).mode & 0o777, 0o600, file);
    const certificate = await peerCertificate(securePort, ca);
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1', 'DNS:dynamodb.us-east-1.amazonaws.com']) assert.ok((certificate.subjectaltname ?? "").includes(name), `${name} in ${certificate.subjectaltname}`);
  });

  it('serve the SDK v3 over HTTPS with the generated CA; the audit record carries tlsDetails', async () => {
    const client = httpsClient(securePort, ca, KEY);
    try {
      await client.send(new CreateTableCommand({ TableName: 'secure', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      await client.send(new PutItemCommand({ TableName: 'secure', Item: { id: { S: 'a' } } }));
      const got = await client.send(new GetItemCommand({ TableName: 'secure', Key: { id: { S: 'a' } } }));
      assert.deepEqual(got.Item, { id: { S: 'a' } });
      const record = await auditRecordFor(cove, got.$metadata.requestId);
      assert.deepEqual(record.tlsDetails, { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `localhost:${securePort}` });
      assert.equal(record.sourceIPAddress, '127.0.0.1');
    } finally {
      client.destroy();
    }
  });

  it('name a TLS 1.2 suite as OpenSSL (and CloudTrail) do', async () => {
    const client = httpsClient(securePort, ca, KEY, { maxVersion: 'TLSv1.2' });
    try {
      const listed = await client.send(new ListTablesCommand({}));
      const record = await auditRecordFor(cove, listed.$metadata.requestId);
      assert.deepEqual(record.tlsDetails, { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: `localhost:${securePort}` });
    } finally {
      client.destroy();
    }
  });

  it('make aws:SecureTransport true exactly on TLS: the deny-unless-TLS policy refuses plain HTTP, whose record has no tlsDetails', async () => {
    const plain = cove.client(KEY.accessKeyId, KEY.secretAccessKey);
    const refused = await plain.send(new ListTablesCommand({})).then(
      () => assert.fail('plain HTTP was allowed'),
      (error: { name: string; $metadata: { requestId?: string } }) => error,
    );
    assert.equal(refused.name, 'AccessDeniedException');
    const record = await auditRecordFor(cove, refused.$metadata.requestId);
    assert.equal(record.errorCode, 'AccessDenied');
    assert.equal(record.tlsDetails, undefined);
  });

  it('serve the AWS CLI over HTTPS with --ca-bundle', { skip: spawnSync('aws', ['--version']).status === 0 ? false : 'aws CLI not installed (.ci/run installs it)' }, () => {
    const env: Record<string, string | undefined> = { ...process.env, AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_CA_BUNDLE']) delete env[name];
    const output = execFileSync('aws', ['dynamodb', 'list-tables', '--endpoint-url', `https://localhost:${securePort}`, '--ca-bundle', ca, '--output', 'json'], { env, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(output).TableNames, ['secure']);
  });

  describe('the policy, seen by openssl s_client', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
    // The client lowers its own security level: OpenSSL 3 refuses TLS 1.0 on the client side too.
    const legacyClient = ['-cipher', 'DEFAULT:@SECLEVEL=0'];

    it('negotiates TLS 1.3', () => {
      const { protocol, cipher, output } = opensslHandshake(securePort, ['-CAfile', ca]);
      assert.equal(protocol, 'TLSv1.3', output);
      assert.match(cipher, /^TLS_/);
    });

    it('refuses TLS 1.0 and 1.1 by default', () => {
      assert.equal(opensslHandshake(securePort, ['-tls1', ...legacyClient]).cipher, '(NONE)');
      assert.equal(opensslHandshake(securePort, ['-tls1_1', ...legacyClient]).cipher, '(NONE)');
    });

    it('accepts TLS 1.0 and 1.1 on the listener that opts in, with ECDHE only', () => {
      const tls10 = opensslHandshake(legacyPort, ['-tls1', ...legacyClient]);
      assert.equal(tls10.protocol, 'TLSv1', tls10.output); // OpenSSL's name for TLS 1.0
      assert.match(tls10.cipher, /^ECDHE-RSA-/);
      assert.equal(opensslHandshake(legacyPort, ['-tls1_1', ...legacyClient]).protocol, 'TLSv1.1');
      assert.equal(opensslHandshake(legacyPort, ['-tls1', '-cipher', 'AES128-SHA:@SECLEVEL=0']).cipher, '(NONE)');
    });

    it('refuses a static-RSA suite', () => {
      assert.equal(opensslHandshake(securePort, ['-tls1_2', '-cipher', 'AES128-SHA256']).cipher, '(NONE)');
      assert.equal(opensslHandshake(securePort, ['-tls1_2', '-cipher', 'AES256-GCM-SHA384']).cipher, '(NONE)');
      assert.equal(opensslHandshake(securePort, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384']).cipher, 'ECDHE-RSA-AES256-GCM-SHA384');
    });
  });

  it("sslscan's report lists only forward-secret suites", { skip: spawnSync('sslscan', ['--version']).status === 0 ? false : 'sslscan not installed (.ci/run installs it: apt-get install sslscan)' }, () => {
    const report = execFileSync('sslscan', ['--no-colour', `127.0.0.1:${securePort}`], { encoding: 'utf8' });
    const suites = [...report.matchAll(/^(?:Preferred|Accepted)\s+(TLSv\S+)\s+\d+ bits\s+(\S+)/gm)].map((m) => [m[1], m[2]]);
    assert.ok(suites.some(([version]) => version === 'TLSv1.2'), report);
    assert.ok(suites.some(([version]) => version === 'TLSv1.3'), report);
    for (const [version, suite] of suites) assert.ok(version === 'TLSv1.3' ? suite.startsWith('TLS_') : suite.startsWith('ECDHE-'), `${version} ${suite} is not forward-secret`);
    assert.match(report, /TLSv1\.0\s+disabled/);
    assert.match(report, /TLSv1\.1\s+disabled/);
  });

  it('keep the limits of plain listeners: headers over 16 KB are a 400', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: securePort, servername: 'localhost', ca: readFileSync(ca) }, () => {
        socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /BadRequestException/);
  });

  it('reload a certificate replaced on disk, without a restart', async () => {
    const before = await peerCertificate(securePort, ca);
    const tlsDirectory = join(cove.dataDirectory, 'tls');
    rmSync(join(tlsDirectory, 'secure.pem'));
    const mark = cove.output().length;
    // `cove cert ca --config` issues the missing certificate, as at a first start.
    execFileSync(process.execPath, [MAIN, 'cert', 'ca', '--config', cove.configFile!, '--data', cove.dataDirectory]);
    await cove.waitForOutput(/reloaded the TLS certificate .*secure\.pem/, mark);
    // With workers, each reloads on its own and a connection may land on either: every answer,
    // several in a row, must carry the new certificate (soon after the first worker's line).
    const deadline = Date.now() + 10_000;
    for (let fresh = 0; fresh < 6; ) {
      const after = await peerCertificate(securePort, ca);
      fresh = after.serialNumber !== before.serialNumber ? fresh + 1 : 0;
      assert.ok(fresh > 0 || Date.now() < deadline, 'the old certificate is still served');
      if (fresh === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});

describe('tls: auto across restarts, workers and own files', () => {
  it('serves HTTPS from every worker of a cluster, with the certificate the primary made', async () => {
    const dataDirectory = tempDirectory();
    const config = 'listeners: [{ name: public, listen: "127.0.0.1:0", tls: auto }]\n';
    const cove = await startCove({ config, dataDirectory, workers: 2 });
    try {
      const ca = join(dataDirectory, 'tls', 'ca.pem');
      const serials = new Set<string>();
      for (let i = 0; i < 6; i++) serials.add((await peerCertificate(cove.port, ca)).serialNumber);
      assert.equal(serials.size, 1, 'one certificate, whichever worker answers');
    } finally {
      await cove.stop();
      removeDirectory(dataDirectory);
    }
  });

  it('serves its own certificate and key files (tls: { cert, key })', async () => {
    const issuer = tempDirectory();
    const dataDirectory = tempDirectory();
    try {
      // Files from another CA: cove's tls: auto of another data directory stands in for the operator's.
      const { cert, key } = ensureListenerCertificate(issuer, 'own', ['localhost', '127.0.0.1']);
      const cove = await startCove({ config: `listeners: [{ name: public, listen: "127.0.0.1:0", tls: { cert: ${cert}, key: ${key} } }]\n`, dataDirectory });
      const certificate = await peerCertificate(cove.port, join(issuer, 'tls', 'ca.pem'));
      assert.equal(certificate.fingerprint256, new X509Certificate(readFileSync(cert)).fingerprint256);
      await cove.stop();
    } finally {
      removeDirectory(issuer);
      removeDirectory(dataDirectory);
    }
  });

  it('reuses the CA and the certificate it made on the first start', async () => {
    const dataDirectory = tempDirectory();
    const config = 'listeners: [{ name: public, listen: "127.0.0.1:0", tls: auto }]\n';
    const files = () => ['ca.pem', 'public.pem', 'public-key.pem'].map((f) => readFileSync(join(dataDirectory, 'tls', f), 'utf8'));
    try {
      const first = await startCove({ config, dataDirectory });
      const made = files();
      await first.stop();
      const second = await startCove({ config, dataDirectory });
      assert.deepEqual(files(), made);
      const certificate = await peerCertificate(second.port, join(dataDirectory, 'tls', 'ca.pem'));
      assert.ok((certificate.subjectaltname ?? "").includes('DNS:localhost'));
      await second.stop();
    } finally {
      removeDirectory(dataDirectory);
    }
  });
});
