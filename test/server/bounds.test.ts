import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { CloudTrailRecord } from '../../src/audit/record.js';
import { formatAmzDate } from '../../src/auth/sigv4.js';
import { loadConfig } from '../../src/config/load.js';
import { CredentialStore, userPrincipal } from '../../src/auth/identities.js';
import type { Decision, RequestContext, Stage } from '../../src/context.js';
import { listenerPlaces, Router } from '../../src/network/route.js';
import { emptyNetworkModel } from '../../src/network/config.js';
import { Pipeline, STAGES, type PipelineEnv } from '../../src/pipeline.js';
import { ByteBudget } from '../../src/server/byteBudget.js';
import { HttpListener, type ListenerOptions } from '../../src/server/http.js';
import { SERVER_LIMITS } from '../../src/server/limits.js';
import { ServiceRegistry } from '../../src/service.js';
import { DESCRIBED_DYNAMODB } from '../support/context.js';
import { rawConnection, type RawReply } from '../support/rawHttp.js';

const KEY = 'AKIABOUNDS000000001';
const MB = 1024 * 1024;

function environment(): PipelineEnv {
  const credentials = new CredentialStore();
  const principal = userPrincipal({ arn: 'arn:aws:iam::123456789012:user/b', accountId: '123456789012', principalId: 'AIDAB', userName: 'b', tags: {}, identityPolicies: [] });
  credentials.add({ accessKeyId: KEY, secretAccessKey: 'secret', principal });
  const router = new Router({ model: emptyNetworkModel(), places: listenerPlaces([{ name: 'public' }], [], new Map()), region: 'us-east-1', accountId: '123456789012', unreachable: 'reset' });
  return { region: 'us-east-1', accountId: '123456789012', credentials, router };
}

/** What the pipeline saw of each request: the body it got, before any stage of its own ran. */
interface Seen {
  bodyBytes: number;
}

/** A real pipeline (so real authentication) behind a stage that notes each request's body and may hold it. */
function server(options: ListenerOptions = {}) {
  const records: CloudTrailRecord[] = [];
  const seen: Seen[] = [];
  let gate: Promise<void> | undefined;
  const spy: Stage<PipelineEnv> = {
    name: 'attribute',
    async run(ctx: RequestContext): Promise<Decision> {
      // A request the listener refuses unparsed has no method: neither noted nor held.
      if (ctx.raw.method === '') return { findings: [] };
      seen.push({ bodyBytes: ctx.raw.body.length });
      if (gate) await gate;
      return { findings: [] };
    },
  };
  const pipeline = new Pipeline(environment(), { append: (record) => void records.push(record) }, [spy, ...STAGES]);
  const listener = new HttpListener({ name: 'public', host: '127.0.0.1', port: 0 }, pipeline, new ServiceRegistry([DESCRIBED_DYNAMODB]), 'us-east-1', options);
  return {
    listener,
    records,
    seen,
    hold(): () => void {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

/** Opens a connection, writes `head` (and `body` when given); `reply` is the first answer. */
function request(port: number, head: string, body?: Buffer | string): { reply: Promise<RawReply>; socket: Socket } {
  const { socket, closed } = rawConnection(port, 1);
  socket.write(head);
  if (body !== undefined) socket.write(body);
  const reply = closed.then((replies) => replies[0] ?? Promise.reject(new Error('closed before a reply')));
  return { reply, socket };
}

function head(contentLength: number | 'chunked', authorization?: string): string {
  const lines = ['POST / HTTP/1.1', 'Host: 127.0.0.1', 'X-Amz-Target: DynamoDB_20120810.PutItem', 'Content-Type: application/x-amz-json-1.0', `X-Amz-Date: ${formatAmzDate(Date.now())}`];
  if (authorization !== undefined) lines.push(`Authorization: ${authorization}`);
  lines.push(contentLength === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${contentLength}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/** A well-formed Authorization header for `keyId` whose signature is wrong: only the body's hash can tell. */
function authorization(keyId: string): string {
  const day = formatAmzDate(Date.now()).slice(0, 8);
  return `AWS4-HMAC-SHA256 Credential=${keyId}/${day}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
}

const type = (reply: RawReply) => (JSON.parse(reply.body) as { __type: string }).__type.split('#')[1];
const waitFor = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
};

describe('bodies of requests that cannot be authenticated are not buffered', () => {
  const s = server();
  let port = 0;
  before(async () => (port = (await s.listener.listen()).port));
  after(() => s.listener.close());

  it('answers a large body without an Authorization header before it is sent, with the answer it would get anyway', async () => {
    const { reply, socket } = request(port, head(10 * MB), '{"TableName":');
    const answer = await reply;
    socket.destroy();
    assert.equal(answer.status, 400);
    assert.equal(type(answer), 'MissingAuthenticationTokenException');
    assert.equal(s.seen.at(-1)?.bodyBytes, 0, 'not a byte of the body kept');
    const record = s.records.find((r) => r.requestID === answer.headers.get('x-amzn-requestid'));
    assert.equal(record?.errorCode, 'MissingAuthenticationTokenException');
  });

  it('does the same for an unknown access key and a malformed header', async () => {
    for (const [auth, code] of [
      [authorization('AKIAUNKNOWN00000001'), 'UnrecognizedClientException'],
      ['AWS4-HMAC-SHA256 Credential', 'IncompleteSignatureException'],
    ]) {
      const { reply, socket } = request(port, head(10 * MB, auth), 'x');
      const answer = await reply;
      socket.destroy();
      assert.equal(type(answer), code);
      assert.equal(s.seen.at(-1)?.bodyBytes, 0);
    }
  });

  it('cuts a chunked body without authentication after a small share, and drains the rest', async () => {
    const chunk = 'x'.repeat(32 * 1024);
    const chunked = Array.from({ length: 8 }, () => `${(chunk.length).toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const { reply, socket } = request(port, head('chunked'), chunked);
    const answer = await reply;
    socket.destroy();
    assert.equal(type(answer), 'MissingAuthenticationTokenException');
    assert.equal(s.seen.at(-1)?.bodyBytes, 0);
  });

  it('with Expect: 100-continue, invites the body only when it will be read', async () => {
    const expecting = (text: string) => text.replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n');
    const refused = rawConnection(port, 1);
    refused.socket.write(expecting(head(10 * MB)));
    const [answer] = await refused.closed;
    assert.equal(answer.status, 400, 'the final answer, never a 100: the body would not be read');
    assert.equal(type(answer), 'MissingAuthenticationTokenException');
    const invited = rawConnection(port, 2, (reply, socket) => {
      if (reply.status === 100) socket.write('{}');
    });
    invited.socket.write(expecting(head(2, authorization(KEY))));
    const replies = await invited.closed;
    assert.deepEqual(replies.map((reply) => reply.status), [100, 400]);
    assert.equal(type(replies[1]), 'InvalidSignatureException');
  });

  it('reads a small body whole first, as before: the checks keep their order', async () => {
    const body = '{"TableName": "t"'.padEnd(SERVER_LIMITS.unauthenticatedBodyBytesMax, ' ');
    const { reply, socket } = request(port, head(body.length), body);
    const answer = await reply;
    socket.destroy();
    assert.equal(type(answer), 'MissingAuthenticationTokenException');
    assert.equal(s.seen.at(-1)?.bodyBytes, body.length);
  });

  it('reads the whole body of a request whose key is known: only the body can prove the signature wrong', async () => {
    const body = Buffer.alloc(MB, 'x');
    const { reply, socket } = request(port, head(body.length, authorization(KEY)), body);
    const answer = await reply;
    socket.destroy();
    assert.equal(type(answer), 'InvalidSignatureException');
    assert.equal(s.seen.at(-1)?.bodyBytes, MB);
  });
});

describe('the process-wide budget of buffered body bytes', () => {
  const budget = new ByteBudget(16 * MB);
  const s = server({ budget });
  let port = 0;
  before(async () => (port = (await s.listener.listen()).port));
  after(() => s.listener.close());

  it('makes a body that does not fit wait, unread, until an earlier request is answered', async () => {
    const open = s.hold();
    const body = Buffer.alloc(10 * MB, 'x');
    const first = request(port, head(body.length, authorization(KEY)), body);
    await waitFor(() => s.seen.length === 1, 'the first request reaches the pipeline');
    const second = request(port, head(body.length, authorization(KEY)), body);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.seen.length, 1, 'the second body waits for the budget');
    assert.equal(budget.inUseBytes, 10 * MB);
    open();
    const answers = await Promise.all([first.reply, second.reply]);
    assert.deepEqual(answers.map(type), ['InvalidSignatureException', 'InvalidSignatureException']);
    assert.deepEqual(s.seen.map((seen) => seen.bodyBytes), [10 * MB, 10 * MB]);
    await waitFor(() => budget.inUseBytes === 0, 'every byte given back');
    first.socket.destroy();
    second.socket.destroy();
  });

  it('gets its bytes back from a client that goes away mid-body or while waiting, and keeps serving', async () => {
    const open = s.hold();
    const holder = request(port, head(10 * MB, authorization(KEY)), Buffer.alloc(10 * MB, 'x'));
    await waitFor(() => s.seen.length === 3, 'the holder reaches the pipeline');
    const waiting = request(port, head(10 * MB, authorization(KEY)), 'partial');
    waiting.reply.catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    waiting.socket.destroy();
    open();
    await holder.reply;
    holder.socket.destroy();
    const midBody = request(port, head(4 * MB, authorization(KEY)), Buffer.alloc(MB, 'x'));
    midBody.reply.catch(() => {});
    await waitFor(() => budget.inUseBytes === 4 * MB, 'the mid-body request holds its length');
    midBody.socket.destroy();
    await waitFor(() => budget.inUseBytes === 0, 'every byte given back');
    const after = request(port, head(2, authorization(KEY)), '{}');
    assert.equal(type(await after.reply), 'InvalidSignatureException');
    after.socket.destroy();
  });
});

describe('requests node:http cannot parse get an AWS-shaped answer and an audit record', () => {
  const s = server({ settings: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
  let port = 0;
  before(async () => (port = (await s.listener.listen()).port));
  after(() => s.listener.close());

  const cases: [string, string, number, string][] = [
    ['two Content-Length headers', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'BadRequestException'],
    ['Transfer-Encoding with Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}', 400, 'BadRequestException'],
    ['a header name with a space', 'POST / HTTP/1.1\r\nHo st: x\r\nContent-Length: 2\r\n\r\n{}', 400, 'BadRequestException'],
    ['a control byte in a header value', 'POST / HTTP/1.1\r\nHost: x\u0001y\r\nContent-Length: 2\r\n\r\n{}', 400, 'BadRequestException'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'BadRequestException'],
    ['headers over 16 KB (a 400 as DynamoDB answers, not 431)', `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(SERVER_LIMITS.headerBytesMax)}\r\n\r\n`, 400, 'BadRequestException'],
    ['a request line over 16 KB', `POST /${'a'.repeat(SERVER_LIMITS.headerBytesMax)} HTTP/1.1\r\nHost: x\r\n\r\n`, 400, 'BadRequestException'],
  ];
  for (const [what, text, status, code] of cases) {
    it(`${what}: ${status} ${code}`, async () => {
      const { reply, socket } = request(port, text);
      const answer = await reply;
      socket.destroy();
      assert.equal(answer.status, status);
      assert.equal(type(answer), code);
      assert.equal(answer.headers.get('content-type'), 'application/x-amz-json-1.0');
      assert.equal(answer.headers.get('connection'), 'close');
      const requestId = answer.headers.get('x-amzn-requestid');
      assert.match(requestId ?? '', /^[0-9A-V]{52}$/);
      const record = s.records.find((r) => r.requestID === requestId);
      assert.ok(record, 'recorded');
      assert.equal(record.errorCode, code);
      assert.equal(record.sourceIPAddress, '127.0.0.1');
      assert.equal(record.eventName, 'Unknown');
      assert.deepEqual(record.userIdentity, { type: 'AWSAccount', accountId: 'ANONYMOUS_PRINCIPAL' });
    });
  }

  it('a malformed request pipelined after one still running is answered after it, in order', { timeout: 10_000 }, async () => {
    const open = s.hold();
    const connection = rawConnection(port, 2);
    connection.socket.write(head(2, authorization(KEY)) + '{}' + 'POST / HTTP/1.1\r\nHo st: x\r\n\r\n');
    await waitFor(() => s.seen.length > 0 && connection.replies.length === 0, 'the first request is held');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(connection.replies.length, 0, 'nothing answered before the first request');
    open();
    const replies = await connection.closed;
    assert.deepEqual(replies.map(type), ['InvalidSignatureException', 'BadRequestException']);
  });

  it('cuts a client that sends its headers or its body too slowly with a 408, and serves others meanwhile', async () => {
    const trickle = (text: string) => {
      const { reply, socket } = request(port, text.slice(0, 1));
      let i = 1;
      const timer = setInterval(() => (i < text.length ? socket.write(text[i++]) : undefined), 200);
      return reply.finally(() => {
        clearInterval(timer);
        socket.destroy();
      });
    };
    const started = Date.now();
    const slowHeaders = trickle(head(2, authorization(KEY)) + '{}');
    const slowBody = request(port, head(100, authorization(KEY)), '{');
    const trickledBody = slowBody.reply.finally(() => slowBody.socket.destroy());
    const other = request(port, head(2, authorization(KEY)), '{}');
    assert.equal(type(await other.reply), 'InvalidSignatureException', 'another client is answered meanwhile');
    other.socket.destroy();
    const answers = await Promise.all([slowHeaders, trickledBody]);
    for (const answer of answers) {
      assert.equal(answer.status, 408);
      assert.equal(type(answer), 'RequestTimeoutException');
    }
    console.log(`# timeouts cut both slow clients after ${Date.now() - started} ms (headersTimeout 1000, requestTimeout 2000)`);
  });
});

describe("cove.yaml's http: the listeners' timeouts", () => {
  it('default to the server limits, take whole milliseconds, and keep headers within the request', () => {
    const rest = { keepAliveTimeoutMs: SERVER_LIMITS.keepAliveTimeoutMs, maxConnections: SERVER_LIMITS.connectionsMax, maxRequestsPerConnection: SERVER_LIMITS.requestsPerConnectionMax };
    assert.deepEqual(loadConfig(undefined).config.http, { headersTimeoutMs: SERVER_LIMITS.headersTimeoutMs, requestTimeoutMs: SERVER_LIMITS.requestTimeoutMs, ...rest });
    assert.deepEqual(loadConfig('cove.yaml', 'http: { headersTimeoutMs: 2000, requestTimeoutMs: 5000 }\n').config.http, { headersTimeoutMs: 2000, requestTimeoutMs: 5000, ...rest });
    assert.throws(() => loadConfig('cove.yaml', 'http: { headersTimeoutMs: 10 }\n'), /http\.headersTimeoutMs: expected at least 1000 ms/);
    assert.throws(() => loadConfig('cove.yaml', 'http: { headersTimeoutMs: 9000, requestTimeoutMs: 5000 }\n'), /expected headersTimeoutMs no longer than requestTimeoutMs/);
  });
});
