/**
 * The partition rule of src/storage/keyspace.ts: a key splits into (part, rest) whose pairs sort
 * as the keys do (the PostgreSQL engine's primary key relies on it), and an item's or index
 * entry's part is exactly its partition prefix as src/dynamo/keys.ts lays it out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { partitionOf, PARTITION_PREFIX_BYTES, successor } from '../../src/storage/keyspace.js';
import { rangePageQuery } from '../../src/storage/postgres.js';
import { COLLECTION_TAG, INDEX_TAG, ITEM_PARTITION_PREFIX_BYTES, itemKey, partitionPrefix, STREAM_TAG, TABLE_ID_BYTES } from '../../src/dynamo/keys.js';
import { seededRandom } from '../support/random.js';

function comparePairs(a: Buffer, b: Buffer): number {
  const x = partitionOf(a);
  const y = partitionOf(b);
  return Buffer.compare(x.part, y.part) || Buffer.compare(x.rest, y.rest);
}

describe('keyspace: partition prefixes', () => {
  it('splits every key into part and rest whose pairs sort as the keys themselves', () => {
    const random = seededRandom(11);
    const tags = [0x00, 0x01, 0x04, 0x05, 0x10, 0x11, 0x20, 0xfe, 0xff];
    const keys = Array.from({ length: 3000 }, () => {
      const length = random.pick([1, 2, 9, 10, 24, 25, 26, 40]);
      const bytes = Array.from({ length: length - 1 }, () => random.pick([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]));
      return Buffer.from([random.pick(tags), ...bytes]);
    });
    for (const key of keys) {
      const { part, rest } = partitionOf(key);
      assert.ok(Buffer.concat([part, rest]).equals(key));
    }
    const byKey = [...keys].sort(Buffer.compare).map((key) => key.toString('hex'));
    const byPair = [...keys].sort(comparePairs).map((key) => key.toString('hex'));
    assert.deepEqual(byPair, byKey);
  });

  it('gives an item, an index entry and a collection size their table (or index) id and partition hash as part, a stream its id', () => {
    const tableId = Buffer.alloc(TABLE_ID_BYTES, 7);
    const hashKey = { name: 'pk', type: 'S' as const };
    const rangeKey = { name: 'sk', type: 'N' as const };
    const key = itemKey(tableId, hashKey, { S: 'user#1' }, rangeKey, { N: '42' });
    const prefix = partitionPrefix(tableId, hashKey, { S: 'user#1' });
    assert.ok(partitionOf(key).part.equals(prefix));
    assert.equal(partitionOf(key).fullPrefix, true);
    assert.equal(PARTITION_PREFIX_BYTES.get(INDEX_TAG), prefix.length);
    assert.equal(PARTITION_PREFIX_BYTES.get(COLLECTION_TAG), ITEM_PARTITION_PREFIX_BYTES);
    assert.equal(ITEM_PARTITION_PREFIX_BYTES, prefix.length);
    assert.equal(PARTITION_PREFIX_BYTES.get(STREAM_TAG), 1 + TABLE_ID_BYTES);
  });
});

describe('PostgreSQL range statements', () => {
  const partition = Buffer.concat([Buffer.of(0x01), Buffer.alloc(24, 9)]);

  it('name the partition of a range inside one (a Query), so that a distributed database reads one node', () => {
    const whole = rangePageQuery(partition, successor(partition), false, undefined, 64);
    assert.match(whole.text, /WHERE part = \$2 AND rest >= \$3 ORDER BY rest ASC LIMIT \$1$/);
    assert.ok((whole.values as Buffer[])[1].equals(partition));
    const bounded = rangePageQuery(Buffer.concat([partition, Buffer.from('a')]), Buffer.concat([partition, Buffer.from('m')]), true, Buffer.concat([partition, Buffer.from('k')]), 64);
    assert.match(bounded.text, /WHERE part = \$2 AND rest >= \$3 AND rest < \$4 AND rest < \$5 ORDER BY rest DESC LIMIT \$1$/);
  });

  it('compare (part, rest) pairs for a range across partitions (a Scan)', () => {
    const scan = rangePageQuery(Buffer.concat([Buffer.of(0x01), Buffer.alloc(8, 9)]), Buffer.concat([Buffer.of(0x01), Buffer.alloc(7, 9), Buffer.of(10)]), false, undefined, 64);
    assert.match(scan.text, /WHERE \(part, rest\) >= \(\$2, \$3\) AND \(part, rest\) < \(\$4, \$5\) ORDER BY part ASC, rest ASC LIMIT \$1$/);
  });
});
