import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, PutItemCommand, QueryCommand, ScanCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isExpired } from '../../src/dynamo/timeToLive.js';
import { fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';

const KEY = { accessKeyId: 'AKIATTL000000000001', secretAccessKey: 'ttl-secret' };

describe('time to live: expiry', () => {
  it('an item expires when its Number of epoch seconds is past, and not more than five years past', () => {
    const now = 1_800_000_000;
    assert.equal(isExpired({ ttl: { N: String(now - 1) } }, 'ttl', now), true);
    assert.equal(isExpired({ ttl: { N: String(now + 1) } }, 'ttl', now), false);
    assert.equal(isExpired({ ttl: { S: String(now - 1) } }, 'ttl', now), false, 'only a Number counts');
    assert.equal(isExpired({ ttl: { N: String(now - 6 * 365 * 24 * 3600) } }, 'ttl', now), false, 'older than five years: taken for a mistake');
    assert.equal(isExpired({ other: { N: '1' } }, 'ttl', now), false);
    assert.equal(isExpired(Object.assign(Object.create(null), { ['__proto__']: { N: String(now - 1) } }), '__proto__', now), true);
  });

  describe('the sweeper, end to end', () => {
    let cove: CoveProcess;
    let client: DynamoDBClient;
    before(async () => {
      cove = await startCove({ config: fullAccessConfig('ttl', KEY.accessKeyId, KEY.secretAccessKey) });
      client = cove.client(KEY.accessKeyId, KEY.secretAccessKey);
      await client.send(
        new CreateTableCommand({
          TableName: 'sessions',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'user', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [{ IndexName: 'by-user', KeySchema: [{ AttributeName: 'user', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    });
    after(async () => {
      await cove.stop();
      removeDirectory(cove.dataDirectory);
    });

    it('deletes expired items (and their index entries) within seconds, and nothing else', async () => {
      const nowS = Math.floor(Date.now() / 1000);
      const items: Record<string, Record<string, { S: string } | { N: string }>> = {
        expired: { id: { S: 'expired' }, user: { S: 'ann' }, expiresAt: { N: String(nowS - 60) } },
        future: { id: { S: 'future' }, user: { S: 'ann' }, expiresAt: { N: String(nowS + 3600) } },
        text: { id: { S: 'text' }, user: { S: 'ann' }, expiresAt: { S: String(nowS - 60) } },
        ancient: { id: { S: 'ancient' }, user: { S: 'ann' }, expiresAt: { N: String(nowS - 6 * 365 * 24 * 3600) } },
        none: { id: { S: 'none' }, user: { S: 'ann' } },
      };
      for (let i = 0; i < 40; i++) items[`many-${i}`] = { id: { S: `many-${i}` }, user: { S: 'bob' }, expiresAt: { N: String(nowS - i) } };
      for (const item of Object.values(items)) await client.send(new PutItemCommand({ TableName: 'sessions', Item: item }));
      // Not swept before TTL is enabled.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await client.send(new ScanCommand({ TableName: 'sessions', Select: 'COUNT' }))).Count, 45);
      await client.send(new UpdateTimeToLiveCommand({ TableName: 'sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
      let remaining: string[] = [];
      for (let attempt = 0; attempt < 300; attempt++) {
        remaining = ((await client.send(new ScanCommand({ TableName: 'sessions' }))).Items ?? []).map((item) => item.id.S!).sort();
        if (remaining.length === 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(remaining, ['ancient', 'future', 'none', 'text']);
      const bob = await client.send(new QueryCommand({ TableName: 'sessions', IndexName: 'by-user', KeyConditionExpression: '#u = :u', ExpressionAttributeNames: { '#u': 'user' }, ExpressionAttributeValues: { ':u': { S: 'bob' } } }));
      assert.equal(bob.Count, 0, 'the index entries went with the items');
    });
  });
});
