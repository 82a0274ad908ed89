import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LmdbEngine } from '../../src/storage/lmdb.js';
import { liveToken, parametersHash, TOKEN_TAKEN, tokenOps } from '../../src/dynamo/clientTokens.js';
import { clientTokenKey, expiredTokensRange } from '../../src/dynamo/keys.js';
import { LIMITS } from '../../src/dynamo/limits.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';

describe('ClientRequestToken records', () => {
  const directory = tempDirectory();
  const engine = new LmdbEngine({ path: join(directory, 'db') });
  after(async () => {
    await engine.close();
    removeDirectory(directory);
  });

  it('hashes parameters whatever their key order, without the token', () => {
    assert.equal(parametersHash({ A: 1, B: { c: 2, d: [1, 2] }, ClientRequestToken: 'x' }), parametersHash({ B: { d: [1, 2], c: 2 }, A: 1, ClientRequestToken: 'y' }));
    assert.notEqual(parametersHash({ A: 1 }), parametersHash({ A: 2 }));
  });

  it('lives for the idempotency window, vetoes a twin, and is swept by a later write once expired', async () => {
    const startMs = 1_000_000;
    const ops = await tokenOps(engine, 'us-east-1', 'tok', { parametersHash: 'h' }, startMs);
    assert.equal((await engine.writeBatch(ops)).ok, true);
    assert.equal((await liveToken(engine, 'us-east-1', 'tok', startMs + 1))?.parametersHash, 'h');

    const twin = await engine.writeBatch(await tokenOps(engine, 'us-east-1', 'tok', { parametersHash: 'h' }, startMs + 2));
    assert.equal(!twin.ok && twin.error, TOKEN_TAKEN);

    const laterMs = startMs + LIMITS.clientRequestTokenLifetimeMs;
    assert.equal(await liveToken(engine, 'us-east-1', 'tok', laterMs), undefined, 'expired on read');
    assert.ok(engine.get(clientTokenKey('us-east-1\u0000tok')), 'still stored until swept');
    assert.equal((await engine.writeBatch(await tokenOps(engine, 'us-east-1', undefined, { parametersHash: '' }, laterMs))).ok, true);
    assert.equal(engine.get(clientTokenKey('us-east-1\u0000tok')), undefined, 'swept by a later transaction');
    assert.deepEqual([...engine.range(expiredTokensRange(laterMs))], []);
  });

  it('still finds, for its lifetime and in any region, a token an earlier cove stored without a region', async () => {
    const startMs = 5_000_000;
    const legacy = { expiresAtMs: startMs + LIMITS.clientRequestTokenLifetimeMs, parametersHash: 'old' };
    await engine.writeBatch([{ key: clientTokenKey('legacy-tok'), value: Buffer.from(JSON.stringify(legacy)) }]);
    assert.equal((await liveToken(engine, 'eu-west-1', 'legacy-tok', startMs + 1))?.parametersHash, 'old');
    assert.equal(await liveToken(engine, 'eu-west-1', 'legacy-tok', legacy.expiresAtMs), undefined, 'not past its lifetime');
  });
});
