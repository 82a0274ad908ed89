import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CredentialStore } from '../../src/auth/identities.js';
import type { Decision, RequestContext, Stage } from '../../src/context.js';
import { emptyNetworkModel } from '../../src/network/config.js';
import { listenerPlaces, Router } from '../../src/network/route.js';
import { Pipeline, STAGES, type PipelineEnv } from '../../src/pipeline.js';
import { ensureListenerCertificate } from '../../src/server/certificates.js';
import { HttpListener } from '../../src/server/http.js';
import type { HttpSettings } from '../../src/server/limits.js';
import type { TlsSettings } from '../../src/server/tls.js';
import { ServiceRegistry } from '../../src/service.js';
import { DESCRIBED_DYNAMODB } from '../support/context.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

/** The health probe: answered by the listener itself, so these tests need no credentials. */
const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';
/** An unsigned ListTables, which goes through the pipeline (authentication refuses it). */
const PIPELINE_REQUEST = 'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\r\n{}';

/** A listener (plain or TLS) with a real pipeline behind a stage that can hold requests. */
function listener(tls: TlsSettings | undefined, settings: Partial<HttpSettings>) {
  let gate: Promise<void> | undefined;
  let arrived = 0;
  const holder: Stage<PipelineEnv> = {
    name: 'attribute',
    async run(ctx: RequestContext): Promise<Decision> {
      if (ctx.raw.method !== '') arrived++;
      if (gate) await gate;
      return { findings: [] };
    },
  };
  const router = new Router({ model: emptyNetworkModel(), places: listenerPlaces([{ name: 'public' }], [], new Map()), region: 'us-east-1', accountId: '123456789012', unreachable: 'reset' });
  const pipeline = new Pipeline({ region: 'us-east-1', accountId: '123456789012', credentials: new CredentialStore(), router }, { append: () => undefined }, [holder, ...STAGES]);
  const http = new HttpListener({ name: 'public', host: '127.0.0.1', port: 0, ...(tls ? { tls } : {}) }, pipeline, new ServiceRegistry([DESCRIBED_DYNAMODB]), 'us-east-1', { settings });
  return {
    http,
    arrived: () => arrived,
    hold(): () => void {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      return open;
    },
  };
}

/** A client connection (TLS when `ca` is given) that collects what the server sends until it closes. */
function connection(port: number, ca?: Buffer): { socket: Socket; text: () => string; closed: Promise<string>; ready: Promise<void> } {
  const socket = ca ? tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca }) : netConnect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  const ready = new Promise<void>((resolve) => socket.once(ca ? 'secureConnect' : 'connect', () => resolve()));
  return { socket, text: () => text, closed, ready };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

const answers = (text: string) => text.match(/^HTTP\/1\.1 \d+/gm) ?? [];

let directory = '';
let tlsSettings: TlsSettings;
let ca: Buffer;
before(() => {
  directory = tempDirectory();
  const files = ensureListenerCertificate(directory, 'public', ['localhost', '127.0.0.1']);
  tlsSettings = { policy: { minVersion: 'TLSv1.2' }, certFile: files.cert, keyFile: files.key };
  ca = readFileSync(`${directory}/tls/ca.pem`);
});
after(() => removeDirectory(directory));

for (const kind of ['plain', 'TLS'] as const) {
  describe(`HTTP hygiene on a ${kind} listener`, () => {
    const withTls = () => (kind === 'TLS' ? tlsSettings : undefined);
    const clientCa = () => (kind === 'TLS' ? ca : undefined);

    it('caps open connections (http.maxConnections): one over is closed unanswered, the others still served', async () => {
      const { http } = listener(withTls(), { maxConnections: 2 });
      const { port } = await http.listen();
      try {
        const open = [connection(port, clientCa()), connection(port, clientCa())];
        for (const c of open) {
          await c.ready;
          c.socket.write(REQUEST);
        }
        await until(() => open.every((c) => answers(c.text()).length === 1), 'both connections answered');
        const third = connection(port, clientCa());
        third.socket.on('connect', () => third.socket.write(REQUEST));
        assert.deepEqual(answers(await third.closed), []);
        open[0].socket.write(REQUEST);
        await until(() => answers(open[0].text()).length === 2, 'a connection under the cap is still served');
        for (const c of open) c.socket.destroy();
      } finally {
        await http.close();
      }
    });

    it('closes an idle keep-alive connection (http.keepAliveTimeoutMs), and one past http.maxRequestsPerConnection', async () => {
      const { http } = listener(withTls(), { keepAliveTimeoutMs: 1000, maxRequestsPerConnection: 2 });
      const { port } = await http.listen();
      try {
        const idle = connection(port, clientCa());
        await idle.ready;
        idle.socket.write(REQUEST);
        assert.equal(answers(await idle.closed).length, 1, 'answered, then closed once idle');
        const busy = connection(port, clientCa());
        await busy.ready;
        busy.socket.write(REQUEST + REQUEST);
        const text = await busy.closed;
        assert.equal(answers(text).length, 2);
        assert.match(text.slice(text.lastIndexOf('HTTP/1.1')), /\r\nConnection: close\r\n/i);
      } finally {
        await http.close();
      }
    });

    it('answers a client too slow to send its headers with a 408 (http.headersTimeoutMs)', async () => {
      const { http } = listener(withTls(), { headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
      const { port } = await http.listen();
      try {
        const slow = connection(port, clientCa());
        await slow.ready;
        slow.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\n');
        assert.match(await slow.closed, /^HTTP\/1\.1 408 .*RequestTimeoutException/s);
      } finally {
        await http.close();
      }
    });

    it('shuts down gracefully: a request in flight is answered, with Connection: close', async () => {
      const { http, hold, arrived } = listener(withTls(), {});
      const { port } = await http.listen();
      const release = hold();
      const busy = connection(port, clientCa());
      await busy.ready;
      busy.socket.write(PIPELINE_REQUEST);
      await until(() => arrived() === 1, 'the request reached the pipeline');
      const closed = http.close();
      release();
      const text = await busy.closed;
      assert.equal(answers(text).length, 1);
      assert.match(text, /\r\nConnection: close\r\n/i);
      await closed;
    });
  });
}
