import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MSG_NESTING } from '../../src/dynamo/attributeValue.js';
import { interpretDynamoRequest, type DynamoState } from '../../src/dynamo/service.js';
import { LIMITS } from '../../src/dynamo/limits.js';
import type { AwsError } from '../../src/errors.js';
import { jsonNestingExceeds } from '../../src/server/protocols/jsonDepth.js';

const exceeds = (text: string, maxDepth: number) => jsonNestingExceeds(Buffer.from(text), maxDepth);

describe('jsonNestingExceeds: one linear scan, brackets counted outside strings', () => {
  it('counts objects and arrays alike, the top-level value as depth 1', () => {
    assert.equal(exceeds('{"a":[{"b":[]}]}', 4), false);
    assert.equal(exceeds('{"a":[{"b":[]}]}', 3), true);
    assert.equal(exceeds('[[],[],[]]', 2), false);
    assert.equal(exceeds('"no containers"', 0), false);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included, short or long', () => {
    for (const pad of ['', 'x'.repeat(100)]) {
      assert.equal(exceeds(`{"k":"${pad}[[[[\\"[[[["}`, 1), false);
      assert.equal(exceeds(`{"k":"${pad}\\\\","v":[[]]}`, 3), false, 'an escaped backslash ends before the quote');
      assert.equal(exceeds(`{"k":"${pad}\\\\","v":[[]]}`, 2), true);
      assert.equal(exceeds(`{"k":"${pad}\\\\\\"[[[","v":1}`, 1), false, 'three backslashes escape the quote');
    }
    assert.equal(exceeds('{"k":"é[ü]"}', 1), false, 'multi-byte UTF-8 never looks like a quote or a bracket');
  });

  it('leaves malformed text to the parser: an unterminated string or unbalanced brackets are not its business', () => {
    assert.equal(exceeds('{"k":"[[[[[[', 2), false);
    assert.equal(exceeds(']]]]]]][', 1), false);
  });
});

/** An AttributeValue nested `levels` deep (the attribute's own value is level 1), as DynamoDB counts. */
function nested(levels: number): unknown {
  let value: unknown = { S: 'leaf' };
  for (let level = 1; level < levels; level++) value = level % 2 === 0 ? { M: { m: value } } : { L: [value] };
  return value;
}

// Interpreting needs only the catalog's lookups, which find no table (execution is never reached).
const STATE = { region: 'us-east-1', accountId: '123456789012', catalog: { get: () => undefined } } as unknown as DynamoState;

function interpretError(operation: string, input: unknown): AwsError | undefined {
  try {
    interpretDynamoRequest(operation, Buffer.from(typeof input === 'string' ? input : JSON.stringify(input)), STATE);
    return undefined;
  } catch (error) {
    return error as AwsError;
  }
}

describe('DynamoDB bodies nested past any AttributeValue are refused before they are parsed', () => {
  it('takes the deepest legal item in every place an item goes (the scan is never stricter than DynamoDB)', () => {
    const item = { id: { S: 'k' }, deep: nested(LIMITS.maxNestingLevels) };
    const put = { TableName: 'tbl', Item: item };
    assert.equal(interpretError('PutItem', put), undefined);
    assert.equal(interpretError('BatchWriteItem', { RequestItems: { tbl: [{ PutRequest: { Item: item } }] } }), undefined);
    assert.equal(interpretError('TransactWriteItems', { TransactItems: [{ Put: put }] }), undefined);
  });

  it('refuses deep JSON anywhere in the body with DynamoDB’s nesting text, even where validation never looks', () => {
    const depth = 10_000;
    const deepArrays = '['.repeat(depth) + ']'.repeat(depth);
    for (const body of [`{"TableName":"tbl","Item":{"id":{"S":"k"}},"Unmodelled":${deepArrays}}`, `{"TableName":"tbl","Item":{"a":{"L":${deepArrays}}}}`]) {
      const error = interpretError('PutItem', body);
      assert.equal(error?.code, 'ValidationException');
      assert.equal(error?.message, MSG_NESTING);
    }
  });

  it('refuses a 13 MB body of nested arrays without parsing it', () => {
    const depth = 6_500_000;
    const body = `{"TableName":"tbl","Item":{"a":{"L":${'['.repeat(depth)}${']'.repeat(depth)}}}}`;
    const started = performance.now();
    const error = interpretError('PutItem', body);
    console.log(`# a 13 MB nested body refused in ${(performance.now() - started).toFixed(1)} ms (its JSON.parse took 2.5–4.7 s)`);
    assert.equal(error?.message, MSG_NESTING);
  });
});
