import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync, inflateSync, crc32 } from 'node:zlib';
import { PutItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { chooseEncoding, encodeBody, COMPRESSION_THRESHOLD_BYTES } from '../../src/server/compression.js';
import { fullAccessConfig, removeDirectory, startCove } from '../support/cove.js';
import { signedHeaders } from '../support/signed.js';

describe('compressed answers', () => {
  it('chooses gzip or deflate from Accept-Encoding as DynamoDB does (Alternator\'s recorded cases)', () => {
    const cases: [string | undefined, string | undefined][] = [
      [undefined, undefined],
      ['identity', undefined],
      ['', undefined],
      ['br', undefined],
      ['zstd', undefined],
      ['x-gzip', undefined],
      ['gzip', 'gzip'],
      ['deflate', 'deflate'],
      ['gzip, deflate', 'gzip'],
      ['br, identity, deflate, gzip', 'deflate'],
      ['GZIP, identity', 'gzip'],
      ['dog, gzip ,, cat', 'gzip'],
      ['gzip;q=0.8, deflate;q=0.5', 'gzip'],
      ['br, gzip;q=0, deflate; q = 0.5 , identity;q=0', 'deflate'],
      ['*', 'gzip'],
      ['*, deflate;q=0.5', 'gzip'],
      ['*, deflate', 'deflate'],
      ['*, identity', 'gzip'],
      ['*, gzip;q=0.5', 'deflate'],
      ['gzip ;q=0', undefined],
    ];
    for (const [header, expected] of cases) assert.equal(chooseEncoding(header), expected, String(header));
  });

  it('compresses only answers of 4 KB and more', () => {
    assert.equal(encodeBody('x'.repeat(COMPRESSION_THRESHOLD_BYTES - 1), 'gzip').encoding, undefined);
    const big = encodeBody('x'.repeat(COMPRESSION_THRESHOLD_BYTES), 'gzip');
    assert.equal(big.encoding, 'gzip');
    assert.equal(gunzipSync(big.bytes as Buffer).toString(), 'x'.repeat(COMPRESSION_THRESHOLD_BYTES));
  });

  it('answers a large GetItem compressed, with the CRC32 of the bytes sent, and a small one as it is', async () => {
    const cove = await startCove({ config: fullAccessConfig('zip', 'AKIAZIP000000000001', 'zip-secret') });
    try {
      const client = cove.client('AKIAZIP000000000001', 'zip-secret');
      await client.send(new CreateTableCommand({ TableName: 'zipped', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
      await client.send(new PutItemCommand({ TableName: 'zipped', Item: { id: { S: 'big' }, text: { S: 'y'.repeat(8000) } } }));
      await client.send(new PutItemCommand({ TableName: 'zipped', Item: { id: { S: 'small' } } }));
      const get = async (id: string, acceptEncoding: string) => {
        const body = JSON.stringify({ TableName: 'zipped', Key: { id: { S: id } } });
        const headers = await signedHeaders({ endpoint: cove.endpoint, target: 'DynamoDB_20120810.GetItem', body, accessKeyId: 'AKIAZIP000000000001', secretAccessKey: 'zip-secret', extraHeaders: { 'accept-encoding': acceptEncoding } });
        return new Promise<{ headers: Record<string, unknown>; bytes: Buffer }>((resolve, reject) => {
          const req = request(cove.endpoint, { method: 'POST', headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(chunks) }));
          });
          req.on('error', reject);
          req.end(body);
        });
      };
      const gzipped = await get('big', 'gzip');
      assert.equal(gzipped.headers['content-encoding'], 'gzip');
      assert.equal(gzipped.headers['x-amz-crc32'], String(crc32(gzipped.bytes)));
      assert.equal(JSON.parse(gunzipSync(gzipped.bytes).toString()).Item.text.S.length, 8000);
      const deflated = await get('big', 'deflate');
      assert.equal(deflated.headers['content-encoding'], 'deflate');
      assert.equal(JSON.parse(inflateSync(deflated.bytes).toString()).Item.id.S, 'big');
      const small = await get('small', 'gzip');
      assert.equal(small.headers['content-encoding'], undefined);
      assert.deepEqual(JSON.parse(small.bytes.toString()), { Item: { id: { S: 'small' } } });
    } finally {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    }
  });
});
