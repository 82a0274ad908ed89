import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { itemSizeBytes } from '../../src/dynamo/attributeValue.js';
import { decodeItem, encodeItem, itemJson, StoredItem, storedItemSize } from '../../src/dynamo/items.js';
import { RawJson, serializeResponse } from '../../src/server/protocols/rawJson.js';
import type { Item } from '../../src/dynamo/types.js';

const ITEM: Item = { id: { S: 'k1' }, n: { N: '-12.5' }, m: { M: { 'ü': { L: [{ BOOL: true }, { NULL: true }] } } }, b: { B: 'AAEC' } };

describe('stored items', () => {
  it('carry their size and JSON text, and read back as written', () => {
    const stored = encodeItem(ITEM);
    assert.deepEqual(decodeItem(stored), ITEM);
    assert.equal(storedItemSize(stored), itemSizeBytes(ITEM));
    assert.equal(itemJson(stored), JSON.stringify(ITEM));
    const read = new StoredItem(stored);
    assert.equal(read.sizeBytes, itemSizeBytes(ITEM));
    assert.deepEqual(read.item, ITEM);
  });

  it('still read in the format written before sizes were stored (bare JSON)', () => {
    const legacy = Buffer.from(JSON.stringify(ITEM), 'utf8');
    assert.deepEqual(decodeItem(legacy), ITEM);
    assert.equal(storedItemSize(legacy), itemSizeBytes(ITEM));
    assert.equal(itemJson(legacy), JSON.stringify(ITEM));
    assert.equal(new StoredItem(legacy).sizeBytes, itemSizeBytes(ITEM));
  });
});

describe('serializeResponse', () => {
  it('is JSON.stringify with raw JSON spliced in, at the top level and in top-level arrays', () => {
    const raw = JSON.stringify(ITEM);
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{}, {}],
      [{ Item: new RawJson(raw), ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } }, { Item: ITEM, ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } }],
      [{ Items: [new RawJson(raw), new RawJson('{}')], Count: 2, ScannedCount: 3, LastEvaluatedKey: { id: { S: 'k1' } } }, { Items: [ITEM, {}], Count: 2, ScannedCount: 3, LastEvaluatedKey: { id: { S: 'k1' } } }],
      [{ Items: [], Count: 0, skipped: undefined, 'quo"te': 'a\nb' }, { Items: [], Count: 0, skipped: undefined, 'quo"te': 'a\nb' }],
    ];
    for (const [withRaw, plain] of cases) {
      assert.equal(serializeResponse(withRaw), JSON.stringify(plain));
      // A caller unaware of RawJson still gets the same value, through toJSON.
      assert.equal(JSON.stringify(withRaw), JSON.stringify(plain));
    }
  });
});
