/**
 * Protocol probes against a real `cove serve`, over raw sockets: slowloris, mid-body resets,
 * pipelining, oversized headers and bodies, a crowd of large unauthenticated uploads (memory),
 * and a signed deeply nested body (the event loop). Counts are scaled: `npm test` runs the short
 * form, `npm run torture` the long one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { MSG_NESTING } from '../../src/dynamo/attributeValue.js';
import { LIMITS } from '../../src/dynamo/limits.js';
import { SERVER_LIMITS } from '../../src/server/limits.js';
import { removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { reportFigures, scaled } from '../support/reliability.js';
import { rawConnection as connection, type RawReply as Reply } from '../support/rawHttp.js';
import { signedRawRequest } from '../support/signed.js';

const KEY = 'AKIAPROTOCOL0000001';
const SECRET = 'protocol-secret';
const MB = 1024 * 1024;
const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;

const CONFIG = `
accountId: "123456789012"
listeners: [{ name: public, listen: "127.0.0.1:0" }]
http: { headersTimeoutMs: ${HEADERS_TIMEOUT_MS}, requestTimeoutMs: ${REQUEST_TIMEOUT_MS} }
iam:
  users:
    - name: prober
      accessKeys: [{ id: ${KEY}, secret: ${SECRET} }]
      policies: [{ name: all, document: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "dynamodb:*", Resource: "*" }] } }]
`;

const errorType = (reply: Reply | undefined) => (reply === undefined ? 'no reply' : ((JSON.parse(reply.body) as { __type?: string }).__type ?? '').split('#')[1]);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unsignedHead = (contentLength: number) => `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: ${contentLength}\r\n\r\n`;

/** The resident memory of the serving processes (the workers when there are any; each has its own budget). */
function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
  return total;
}

describe('protocol probes', () => {
  let cove: CoveProcess;
  const figures = { requests: 0, fiveXX: 0, crashes: 0 };
  const count = (replies: readonly Reply[]) => {
    figures.requests += replies.length;
    figures.fiveXX += replies.filter((reply) => reply.status >= 500).length;
  };
  const signed = (target: string, body: unknown) => signedRawRequest({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: typeof body === 'string' ? body : JSON.stringify(body), accessKeyId: KEY, secretAccessKey: SECRET });
  /** The server still answers a signed GetItem: the probe left it serving. */
  const stillServing = async () => {
    const reply = await cove.client(KEY, SECRET).send(new GetItemCommand({ TableName: 'probes', Key: { id: { S: 'absent' } } }));
    assert.equal(reply.Item, undefined);
  };

  before(async () => {
    cove = await startCove({ config: CONFIG });
    await cove.client(KEY, SECRET).send(new CreateTableCommand({ TableName: 'probes', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  });
  after(async () => {
    let alive = true;
    try {
      process.kill(cove.pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) figures.crashes++;
    reportFigures('protocol', figures);
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  it('slowloris: headers or a body trickled a byte at a time are cut by the timeouts, and others are served meanwhile', async () => {
    const clients = scaled(8, 200);
    const request = await signed('PutItem', { TableName: 'probes', Item: { id: { S: 'slow' } } });
    const slow = Array.from({ length: clients }, (_, i) => {
      const { socket, closed } = connection(cove.port);
      // Half trickle their headers, half send their headers and trickle the body.
      let at = i % 2 === 0 ? 0 : request.indexOf('\r\n\r\n') + 4;
      if (at > 0) socket.write(request.slice(0, at));
      const timer = setInterval(() => (at < request.length - 1 && !socket.destroyed ? socket.write(request[at++]) : undefined), 100);
      return closed.finally(() => clearInterval(timer));
    });
    const started = Date.now();
    await stillServing();
    const servedMs = Date.now() - started;
    const replies = await Promise.all(slow);
    const cutMs = Date.now() - started;
    for (const reply of replies) count(reply);
    console.log(`# slowloris: ${clients} slow clients cut after ${cutMs} ms; a GetItem was answered in ${servedMs} ms meanwhile`);
    for (const reply of replies) {
      assert.equal(reply.length, 1, 'each slow client gets one answer, then the connection closes');
      assert.equal(reply[0].status, 408);
      assert.equal(errorType(reply[0]), 'RequestTimeoutException');
    }
  });

  it('mid-body resets and closes never crash the server and leave it serving', async () => {
    const rounds = scaled(30, 2000);
    const body = JSON.stringify({ TableName: 'probes', Item: { id: { S: 'reset' }, pad: { S: 'x'.repeat(64 * 1024) } } });
    const request = await signed('PutItem', body);
    for (let i = 0; i < rounds; i++) {
      const { socket, closed } = connection(cove.port);
      const cutAt = request.indexOf('\r\n\r\n') + 4 + ((i * 7919) % body.length);
      socket.write(request.slice(0, cutAt), () => (i % 2 === 0 ? socket.resetAndDestroy() : socket.end()));
      count(await closed);
    }
    await stillServing();
  });

  it('pipelining: N PutItems then their GetItems on one connection are answered in order, each Get seeing its Put', async () => {
    const n = scaled(20, 200);
    let text = '';
    for (let i = 0; i < n; i++) text += await signed('PutItem', { TableName: 'probes', Item: { id: { S: `p${i}` }, v: { N: String(i) } } });
    for (let i = 0; i < n; i++) text += await signed('GetItem', { TableName: 'probes', Key: { id: { S: `p${i}` } } });
    const { socket, closed } = connection(cove.port, 2 * n);
    socket.write(text);
    const replies = await closed;
    count(replies);
    assert.deepEqual(replies.map((reply) => reply.status), Array(2 * n).fill(200));
    for (let i = 0; i < n; i++) assert.deepEqual(JSON.parse(replies[n + i].body), { Item: { id: { S: `p${i}` }, v: { N: String(i) } } }, `GetItem ${i}`);
  });

  it('pipelining with a half-close: every request that ran is answered', async () => {
    const n = scaled(20, 200);
    let text = '';
    for (let i = 0; i < n; i++) text += await signed('PutItem', { TableName: 'probes', Item: { id: { S: `h${i}` } } });
    const { socket, closed } = connection(cove.port, n);
    socket.write(text, () => socket.end());
    const replies = await closed;
    count(replies);
    const client = cove.client(KEY, SECRET);
    let written = 0;
    for (let i = 0; i < n; i++) if ((await client.send(new GetItemCommand({ TableName: 'probes', Key: { id: { S: `h${i}` } } }))).Item) written++;
    assert.equal(replies.filter((reply) => reply.status === 200).length, written, 'nothing ran unanswered');
    assert.equal(written, n);
  });

  it('oversized headers and bodies get AWS-shaped errors', async () => {
    const cases: [string, string, number, string][] = [
      ['headers over 16 KB', `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'a'.repeat(SERVER_LIMITS.headerBytesMax)}\r\nContent-Length: 2\r\n\r\n{}`, 400, 'BadRequestException'],
      ['a declared body over 16 MB', unsignedHead(LIMITS.maxRequestBytes + 1), 413, 'RequestEntityTooLarge'],
      ['duplicate Content-Length', 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'BadRequestException'],
      ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'BadRequestException'],
    ];
    for (const [what, text, status, code] of cases) {
      const { socket, closed } = connection(cove.port, 1);
      socket.write(text);
      const replies = await closed;
      count(replies);
      assert.equal(replies[0]?.status, status, what);
      assert.equal(errorType(replies[0]), code, what);
    }
    await stillServing();
  });

  it('a large body whose key is unknown is answered unread, by the service its credential scope names', async () => {
    const day = new Date().toISOString().replace(/[-:]/g, '').slice(0, 8);
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const bodyBytes = 8 * MB;
    const head = (service: string, contentType: string) =>
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nX-Amz-Date: ${amzDate}\r\n` +
      `Authorization: AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN00000001/${day}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}\r\n` +
      `Content-Length: ${bodyBytes}\r\n\r\n`;
    // STS names its operation in the (form) body, which is never read: the scope says it is STS's.
    const sts = connection(cove.port, 1);
    sts.socket.write(head('sts', 'application/x-www-form-urlencoded') + 'Action=GetCallerIdentity&Version=2011-06-15&Pad=');
    const [stsReply] = await sts.closed;
    count([stsReply]);
    assert.equal(stsReply.status, 403);
    assert.match(stsReply.body, /<ErrorResponse[\s\S]*<Code>InvalidClientTokenId<\/Code>/);
    const dynamo = connection(cove.port, 1);
    dynamo.socket.write(head('dynamodb', 'application/x-amz-json-1.0').replace('\r\n\r\n', '\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\r\n') + '{');
    const [dynamoReply] = await dynamo.closed;
    count([dynamoReply]);
    assert.equal(errorType(dynamoReply), 'UnrecognizedClientException');
  });

  it('many concurrent 16 MB uploads that cannot be authenticated leave the memory bounded', async () => {
    const body = Buffer.alloc(LIMITS.maxRequestBytes, 'x');
    const serving = cove.workerPids().length > 0 ? cove.workerPids() : [cove.pid];
    const upload = (authorization: string) => {
      const { socket, closed } = connection(cove.port, 1);
      socket.write(unsignedHead(body.length).replace('\r\n\r\n', authorization));
      socket.write(body);
      return closed;
    };
    // Without an Authorization header, a body is not read at all: the memory stays where it was,
    // where buffering them would cost every upload's 16 MB (and more).
    const unsigned = scaled(12, 40);
    const baselineBytes = rssBytes(serving);
    let peakBytes = baselineBytes;
    const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, rssBytes(serving))), 25);
    const unread = await Promise.all(Array.from({ length: unsigned }, () => upload('\r\n\r\n')));
    clearInterval(sampler);
    for (const reply of unread) count(reply);
    const growthBytes = peakBytes - baselineBytes;
    console.log(`# ${unsigned} concurrent unauthenticated 16 MB uploads: RSS ${Math.round(baselineBytes / MB)} MB → peak ${Math.round(peakBytes / MB)} MB (+${Math.round(growthBytes / MB)} MB; budget ${SERVER_LIMITS.bufferedBodyBytesMax / MB} MB)`);
    assert.deepEqual(unread.map((reply) => errorType(reply[0])), Array(unsigned).fill('MissingAuthenticationTokenException'));
    assert.ok(growthBytes < serving.length * SERVER_LIMITS.bufferedBodyBytesMax, `RSS grew by ${Math.round(growthBytes / MB)} MB`);
    // A known key with a wrong signature is read whole (only the body proves the signature wrong),
    // within the byte budget (byteBudget.test.ts bounds that), and refused for its body's syntax
    // first, in DynamoDB's order. Their memory is not asserted: freed bodies wait for the collector.
    const day = new Date().toISOString().replace(/[-:]/g, '').slice(0, 8);
    const badlySigned = `AWS4-HMAC-SHA256 Credential=${KEY}/${day}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const read = await Promise.all(Array.from({ length: scaled(6, 20) }, () => upload(`\r\nX-Amz-Date: ${amzDate}\r\nAuthorization: ${badlySigned}\r\n\r\n`)));
    for (const reply of read) count(reply);
    assert.deepEqual(read.map((reply) => errorType(reply[0])), Array(read.length).fill('SerializationException'));
    await stillServing();
  });

  it('a signed, deeply nested 13 MB body is refused without holding up a concurrent GetItem', async () => {
    const depth = 6_500_000;
    const body = `{"TableName":"probes","Item":{"id":{"S":"deep"},"a":{"L":${'['.repeat(depth)}${']'.repeat(depth)}}}}`;
    const request = await signed('PutItem', body);
    const { socket, closed } = connection(cove.port, 1);
    socket.write(request);
    const client = cove.client(KEY, SECRET);
    await client.send(new PutItemCommand({ TableName: 'probes', Item: { id: { S: 'near' } } }));
    const started = Date.now();
    const near = await client.send(new GetItemCommand({ TableName: 'probes', Key: { id: { S: 'near' } } }));
    const getMs = Date.now() - started;
    const replies = await closed;
    count(replies);
    console.log(`# a GetItem beside the nested body took ${getMs} ms`);
    assert.equal(errorType(replies[0]), 'ValidationException');
    assert.equal((JSON.parse(replies[0].body) as { message: string }).message, MSG_NESTING);
    assert.deepEqual(near.Item, { id: { S: 'near' } });
    await pause(0);
  });
});
