import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { cipherString } from '../../src/server/tlsPolicy.js';
import { readFileSync } from 'node:fs';
import { tlsSettingsOf } from '../../src/cli/configured.js';
import { ensureListenerCertificate, listenerHostNames } from '../../src/server/certificates.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.js');
const withTls = (tls: string) => `listeners: [{ name: public, listen: "127.0.0.1:0", tls: ${tls} }]\n`;
const listenerTls = (tls: string) => loadConfig('cove.yaml', withTls(tls)).config.listeners[0].tls;

describe("cove.yaml's tls:", () => {
  it('takes auto, { mode: auto, minVersion } and { cert, key, minVersion }; minVersion defaults to TLSv1.2', () => {
    assert.deepEqual(listenerTls('auto'), { mode: 'auto', minVersion: 'TLSv1.2' });
    assert.deepEqual(listenerTls('{ mode: auto, minVersion: TLSv1.3 }'), { mode: 'auto', minVersion: 'TLSv1.3' });
    assert.deepEqual(listenerTls('{ cert: c.pem, key: k.pem }'), { mode: 'files', cert: 'c.pem', key: 'k.pem', minVersion: 'TLSv1.2' });
    assert.deepEqual(listenerTls('{ mode: auto, ciphers: [ECDHE-RSA-AES256-GCM-SHA384] }'), { mode: 'auto', minVersion: 'TLSv1.2', ciphers: ['ECDHE-RSA-AES256-GCM-SHA384'] });
  });

  it('refuses other shapes with a message that says what is expected', () => {
    assert.throws(() => listenerTls('yes'), /listeners\[0\]\.tls: expected tls: auto, \{ mode: auto/);
    assert.throws(() => listenerTls('{ cert: c.pem }'), /give both cert: and key:/);
    assert.throws(() => listenerTls('{ mode: auto, cert: c.pem, key: k.pem }'), /mode: auto makes its own certificate/);
    assert.throws(() => listenerTls('{ mode: auto, minVersion: TLSv1.4 }'), /expected minVersion: one of TLSv1, TLSv1.1, TLSv1.2, TLSv1.3/);
    assert.throws(() => listenerTls('{ mode: auto, ciphr: [] }'), /ciphr/);
  });

  it('refuses a cipher list that would allow a suite without forward secrecy, or that OpenSSL would expand', () => {
    assert.throws(() => listenerTls('{ mode: auto, ciphers: [ECDHE-RSA-AES128-GCM-SHA256, AES128-SHA256] }'), /ciphers\[1\]: AES128-SHA256 is not a forward-secret suite \(static RSA, PSK or unknown key exchange\): cove serves ECDHE suites only/);
    assert.throws(() => listenerTls('{ mode: auto, ciphers: ["HIGH:!aNULL"] }'), /OpenSSL cipher-string syntax/);
    assert.throws(() => listenerTls('{ mode: auto, ciphers: [DHE-RSA-AES128-GCM-SHA256] }'), /ECDHE key exchange only/);
    assert.throws(() => listenerTls('{ mode: auto, ciphers: [TLS_AES_128_GCM_SHA256] }'), /TLS 1.3 is always on/);
  });

  it('lowers the OpenSSL security level only for the TLS 1.0/1.1 opt-in', () => {
    assert.doesNotMatch(cipherString({ minVersion: 'TLSv1.2' }), /SECLEVEL/);
    assert.match(cipherString({ minVersion: 'TLSv1' }), /:@SECLEVEL=0$/);
    assert.match(cipherString({ minVersion: 'TLSv1.1' }), /ECDHE-RSA-AES128-SHA:.*@SECLEVEL=0$/);
  });

  it('proxyProtocol: needs trusted CIDRs', () => {
    const proxy = (value: string) => loadConfig('cove.yaml', `listeners: [{ name: public, listen: "127.0.0.1:0", proxyProtocol: ${value} }]\n`).config.listeners[0].proxyProtocol;
    assert.deepEqual(proxy('{ trustedCidrs: [10.0.0.0/8] }'), { trustedCidrs: ['10.0.0.0/8'], required: false });
    assert.throws(() => proxy('{ trustedCidrs: [] }'), /expected at least one CIDR/);
    assert.throws(() => proxy('{ trustedCidrs: [10.0.0.1/8] }'), /host bits set/);
  });

  it("resolves cert: and key: against cove.yaml's folder", () => {
    const settings = tlsSettingsOf({ configFile: '/etc/cove/cove.yaml', dataDirectory: '/var/lib/cove', region: 'us-east-1' }, 'public', '0.0.0.0:443', { mode: 'files', cert: 'tls/server.pem', key: '/keys/server-key.pem', minVersion: 'TLSv1.2' });
    assert.equal(settings.certFile, '/etc/cove/tls/server.pem');
    assert.equal(settings.keyFile, '/keys/server-key.pem');
  });

  it("auto: keeps a listener's certificate while it names the listener's hosts, reissues it when the host changes", () => {
    const directory = tempDirectory();
    try {
      const names = listenerHostNames('127.0.0.1', 'eu-west-1');
      assert.ok(names.includes('dynamodb.eu-west-1.amazonaws.com') && !names.includes('0.0.0.0'));
      const first = readFileSync(ensureListenerCertificate(directory, 'public', names).cert, 'utf8');
      assert.equal(readFileSync(ensureListenerCertificate(directory, 'public', names).cert, 'utf8'), first);
      const moved = listenerHostNames('cove.internal', 'eu-west-1');
      assert.notEqual(readFileSync(ensureListenerCertificate(directory, 'public', moved).cert, 'utf8'), first);
    } finally {
      removeDirectory(directory);
    }
  });

  it('`cove serve` refuses to start with a non-forward-secret suite, and says why', () => {
    const directory = tempDirectory();
    try {
      const file = join(directory, 'cove.yaml');
      writeFileSync(file, withTls('{ mode: auto, ciphers: [AES256-GCM-SHA384] }'));
      const run = spawnSync(process.execPath, [MAIN, 'serve', '--config', file, '--data', join(directory, 'data')], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(run.status, 2);
      assert.match(run.stderr, /AES256-GCM-SHA384 is not a forward-secret suite/);
    } finally {
      removeDirectory(directory);
    }
  });
});
