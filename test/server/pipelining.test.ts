import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { rawConnection } from '../support/rawHttp.js';
import { signedRawRequest } from '../support/signed.js';

const KEY = 'AKIAPIPELINE0000001';
const SECRET = 'pipeline-secret';

/** Writes `text` on one connection and collects the raw replies until `count` have arrived or the peer closes. */
async function exchange(port: number, text: string, count: number, halfClose = false): Promise<{ statuses: number[]; bodies: string[] }> {
  const { socket, closed } = rawConnection(port, count);
  socket.write(text, () => {
    if (halfClose) socket.end();
  });
  const replies = await closed;
  return { statuses: replies.map((reply) => reply.status), bodies: replies.map((reply) => reply.body) };
}

describe('pipelined requests on one connection', () => {
  let cove: CoveProcess;
  before(async () => {
    cove = await startCove({ config: fullAccessConfig('piper', KEY, SECRET) });
    await cove.client(KEY, SECRET).send(new CreateTableCommand({ TableName: 'pipes', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  });
  after(async () => {
    await cove.stop();
    removeDirectory(cove.dataDirectory);
  });

  const request = (target: string, body: unknown) => signedRawRequest({ endpoint: cove.endpoint, target: `DynamoDB_20120810.${target}`, body: JSON.stringify(body), accessKeyId: KEY, secretAccessKey: SECRET });

  it('run in the order they were sent: a GetItem pipelined after a PutItem of its key sees it', async () => {
    for (let i = 0; i < 10; i++) {
      const text = (await request('PutItem', { TableName: 'pipes', Item: { id: { S: `k${i}` }, v: { N: String(i) } } })) + (await request('GetItem', { TableName: 'pipes', Key: { id: { S: `k${i}` } } }));
      const { statuses, bodies } = await exchange(cove.port, text, 2);
      assert.deepEqual(statuses, [200, 200]);
      assert.deepEqual(JSON.parse(bodies[1]), { Item: { id: { S: `k${i}` }, v: { N: String(i) } } }, `round ${i}`);
    }
  });

  it('a peer that stops reading after pipelining writes is answered for what ran, and nothing runs unanswered', async () => {
    let text = '';
    for (let i = 0; i < 20; i++) text += await request('PutItem', { TableName: 'pipes', Item: { id: { S: `h${i}` } } });
    const { statuses } = await exchange(cove.port, text, 20, true);
    const client = cove.client(KEY, SECRET);
    let written = 0;
    for (let i = 0; i < 20; i++) if ((await client.send(new GetItemCommand({ TableName: 'pipes', Key: { id: { S: `h${i}` } } }))).Item) written++;
    // Every write that ran was answered (a write may only go unanswered if it never ran); cove runs
    // and answers them all, as the peer half-closed only its sending side.
    assert.equal(statuses.filter((s) => s === 200).length, written);
    assert.equal(written, 20);
  });
});
