import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { dynamoError } from '../../src/dynamo/errors.js';
import type { RequestContext } from '../../src/context.js';
import type { Pipeline } from '../../src/pipeline.js';
import { HttpListener } from '../../src/server/http.js';
import { newEventId, newRequestId } from '../../src/server/ids.js';
import { ServiceRegistry } from '../../src/service.js';
import { DESCRIBED_DYNAMODB } from '../support/context.js';
import { rawConnection, type RawReply } from '../support/rawHttp.js';

const REQUEST_ID = /^[0-9A-V]{52}$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request and event IDs', () => {
  it('keep their formats and never repeat', () => {
    const requestIds = new Set<string>();
    const eventIds = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const requestId = newRequestId();
      const eventId = newEventId();
      if (i % 997 === 0) {
        assert.match(requestId, REQUEST_ID);
        assert.match(eventId, EVENT_ID);
      }
      requestIds.add(requestId);
      eventIds.add(eventId);
    }
    assert.equal(requestIds.size, 100_000);
    assert.equal(eventIds.size, 100_000);
  });
});

/** Sends raw HTTP/1.1 requests on one keep-alive connection, each once the previous one is answered. */
function exchange(port: number, requests: string[]): Promise<RawReply[]> {
  let sent = 1;
  const { socket, closed } = rawConnection(port, requests.length, (_, connection) => connection.write(requests[sent++]));
  socket.write(requests[0]);
  return closed;
}

function post(target: string, body: string): string {
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: ${target}\r\nUser-Agent: listener-test\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('HTTP listener: DynamoDB response shape on the wire', () => {
  const seen: RequestContext[] = [];
  // Stands in for the pipeline: answers with an item whose text is not ASCII, or with an error.
  const pipeline = {
    async handle(ctx: RequestContext): Promise<void> {
      seen.push(ctx);
      if (ctx.target === 'DynamoDB_20120810.GetItem') ctx.response = { Item: { id: { S: 'k' }, text: { S: 'héllo wörld ✓ 😀' } } };
      else ctx.error = dynamoError('ResourceNotFoundException', 'Requested resource not found');
    },
  } as unknown as Pipeline;
  const listener = new HttpListener({ name: 'public', host: '127.0.0.1', port: 0 }, pipeline, new ServiceRegistry([DESCRIBED_DYNAMODB]), 'us-east-1');
  let port = 0;
  before(async () => {
    port = (await listener.listen()).port;
  });
  after(() => listener.close());

  it('sends the headers in DynamoDB order, the byte length, and the CRC32 of the UTF-8 body', async () => {
    const [ok, failed] = await exchange(port, [post('DynamoDB_20120810.GetItem', '{}'), post('DynamoDB_20120810.DescribeTable', '{}')]);

    assert.equal(ok.statusLine, 'HTTP/1.1 200 OK');
    assert.deepEqual(
      ok.headerList.map(([name]) => name),
      ['Content-Type', 'Content-Length', 'x-amzn-RequestId', 'x-amz-crc32', 'Date', 'Connection', 'Keep-Alive'],
    );
    const header = (reply: RawReply, name: string) => reply.headerList.find(([n]) => n === name)?.[1];
    const expected = Buffer.from(JSON.stringify({ Item: { id: { S: 'k' }, text: { S: 'héllo wörld ✓ 😀' } } }), 'utf8');
    assert.deepEqual(ok.bodyBytes, expected);
    assert.equal(header(ok, 'Content-Type'), 'application/x-amz-json-1.0');
    assert.equal(header(ok, 'Content-Length'), String(expected.length));
    assert.equal(header(ok, 'x-amz-crc32'), String(crc32(expected)));
    assert.equal(header(ok, 'Connection'), 'keep-alive');

    assert.equal(failed.statusLine, 'HTTP/1.1 400 Bad Request');
    const errorBody = '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}';
    assert.equal(failed.body, errorBody);
    assert.equal(header(failed, 'x-amz-crc32'), String(crc32(errorBody)));

    // The request ID on the wire is the one the pipeline (and so the audit record) saw.
    const contexts = seen.slice(-2);
    assert.equal(header(ok, 'x-amzn-RequestId'), contexts[0].requestId);
    assert.equal(header(failed, 'x-amzn-RequestId'), contexts[1].requestId);
    for (const ctx of contexts) {
      assert.match(ctx.requestId, REQUEST_ID);
      assert.match(ctx.eventId, EVENT_ID);
      assert.equal(ctx.userAgent, 'listener-test');
    }
    assert.notEqual(contexts[0].requestId, contexts[1].requestId);
  });
});
