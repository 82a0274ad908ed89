/**
 * Request-level rules: which expressions each operation accepts, the mixing rule, legacy
 * parameters compiled into the same structures, key schema checks, and pathsReferenced.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../src/errors.js';
import {
  checkFilterKeyAttributes,
  checkKeyCondition,
  checkNestedKeyAccess,
  checkUpdateKeyAttributes,
  compileExpressions,
  compileRequestExpressions,
  evaluateCondition,
  pathsReferenced,
  project,
} from '../../src/dynamo/expressions/index.js';
import type { AttributeValue, Item, KeyAttribute } from '../../src/dynamo/types.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const INVALID = 'One or more parameter values were invalid: ';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });

function fails(fn: () => unknown, message: string): void {
  assert.throws(
    fn,
    (error: unknown) => {
      assert.ok(error instanceof AwsError, `not an AwsError: ${String(error)}`);
      assert.equal(error.type, VALIDATION);
      assert.equal(error.message, message);
      return true;
    },
    message,
  );
}

describe('mixing expression and non-expression parameters', () => {
  const mixing = (legacy: string, expressions: string) =>
    `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacy}} Expression parameters: {${expressions}}`;
  it('UpdateItem', () => {
    fails(
      () =>
        compileRequestExpressions(
          {
            UpdateExpression: 'SET attr1 = :v',
            ExpressionAttributeValues: { ':v': S('val') },
            AttributeUpdates: { attr1: { Value: S('val'), Action: 'PUT' } },
          },
          'UpdateItem',
        ),
      mixing('AttributeUpdates', 'UpdateExpression'),
    );
    fails(
      () =>
        compileRequestExpressions(
          { UpdateExpression: 'REMOVE a', ConditionExpression: 'attribute_exists(a)', Expected: { a: { Exists: true, Value: S('x') } }, AttributeUpdates: {} },
          'UpdateItem',
        ),
      mixing('AttributeUpdates, Expected', 'UpdateExpression, ConditionExpression'),
    );
  });
  it('GetItem, Query, Scan', () => {
    fails(() => compileRequestExpressions({ AttributesToGet: ['a'], ProjectionExpression: 'a' }, 'GetItem'), mixing('AttributesToGet', 'ProjectionExpression'));
    fails(
      () => compileRequestExpressions({ KeyConditions: {}, KeyConditionExpression: 'a = :v', ExpressionAttributeValues: { ':v': S('x') } }, 'Query'),
      mixing('KeyConditions', 'KeyConditionExpression'),
    );
    fails(
      () => compileRequestExpressions({ ScanFilter: {}, ConditionalOperator: 'AND', FilterExpression: 'a = :v' }, 'Scan'),
      mixing('ScanFilter, ConditionalOperator', 'FilterExpression'),
    );
  });
  it('KeyConditions combine with a FilterExpression', () => {
    const c = compileRequestExpressions(
      {
        KeyConditions: { id: { ComparisonOperator: 'EQ', AttributeValueList: [S('k')] } },
        FilterExpression: 'a = :v',
        ExpressionAttributeValues: { ':v': N('1') },
      },
      'Query',
    );
    assert.deepEqual(c.keyCondition, { terms: [{ name: 'id', op: 'EQ', values: [S('k')] }] });
    assert.equal(c.filter?.kind, 'compare');
  });
  it('ExpressionAttributeNames / Values without an expression', () => {
    fails(
      () => compileRequestExpressions({ ExpressionAttributeNames: { '#a': 'a' } }, 'GetItem'),
      'ExpressionAttributeNames can only be specified when using expressions',
    );
    fails(
      () => compileRequestExpressions({ ExpressionAttributeValues: { ':a': S('a') } }, 'PutItem'),
      'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null',
    );
    fails(
      () => compileRequestExpressions({ ExpressionAttributeValues: { ':a': S('a') } }, 'UpdateItem'),
      'ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null',
    );
    fails(
      () => compileRequestExpressions({ ProjectionExpression: 'a', ExpressionAttributeValues: { ':a': S('a') } }, 'Scan'),
      'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null',
    );
  });
  it('operations ignore expressions they do not take', () => {
    const c = compileRequestExpressions({ Key: { id: S('k') }, ConditionExpression: 'a = b', ProjectionExpression: 'a' }, 'GetItem');
    assert.deepEqual(c, { projection: [['a']] });
  });
  it('Query needs a key condition', () => {
    fails(() => compileRequestExpressions({ TableName: 't' }, 'Query'), 'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  });
});

describe('legacy conditions (Expected, QueryFilter, ScanFilter)', () => {
  const item: Item = { a: N('5'), s: S('hello'), ss: { SS: ['x', 'y'] } };
  const expected = (e: Record<string, unknown>, op?: string) => compileRequestExpressions({ Expected: e, ConditionalOperator: op }, 'PutItem').condition!;
  it('Exists and Value', () => {
    assert.equal(evaluateCondition(expected({ a: { Value: N('5') } }), item), true);
    assert.equal(evaluateCondition(expected({ a: { Exists: true, Value: N('6') } }), item), false);
    assert.equal(evaluateCondition(expected({ b: { Exists: false } }), item), true);
    assert.equal(evaluateCondition(expected({ a: { Exists: false } }), undefined), true);
  });
  it('ComparisonOperators', () => {
    const ok = (name: string, op: string, list: AttributeValue[], want: boolean) =>
      assert.equal(evaluateCondition(expected({ [name]: { ComparisonOperator: op, AttributeValueList: list } }), item), want, `${name} ${op}`);
    ok('a', 'EQ', [N('5')], true);
    ok('a', 'NE', [N('5')], false);
    ok('a', 'LT', [N('6')], true);
    ok('a', 'LE', [N('5')], true);
    ok('a', 'GT', [N('5')], false);
    ok('a', 'GE', [N('5')], true);
    ok('a', 'BETWEEN', [N('1'), N('5')], true);
    ok('a', 'IN', [N('1'), N('5')], true);
    ok('a', 'NOT_NULL', [], true);
    ok('zz', 'NULL', [], true);
    ok('s', 'BEGINS_WITH', [S('he')], true);
    ok('s', 'CONTAINS', [S('ell')], true);
    ok('ss', 'CONTAINS', [S('x')], true);
    ok('ss', 'NOT_CONTAINS', [S('z')], true);
    ok('zz', 'NOT_CONTAINS', [S('z')], false);
    ok('a', 'LT', [S('6')], false);
  });
  it('ConditionalOperator', () => {
    const two = { a: { Value: N('5') }, b: { Exists: true, Value: N('1') } };
    assert.equal(evaluateCondition(expected(two), item), false);
    assert.equal(evaluateCondition(expected(two, 'OR'), item), true);
  });
  it('argument checks', () => {
    fails(
      () => expected({ a: { ComparisonOperator: 'EQ', AttributeValueList: [] } }),
      `${INVALID}Invalid number of argument(s) for the EQ ComparisonOperator`,
    );
    fails(
      () => expected({ a: { ComparisonOperator: 'LT', AttributeValueList: [{ BOOL: true }] } }),
      `${INVALID}ComparisonOperator LT is not valid for BOOL AttributeValue type`,
    );
    fails(
      () => expected({ a: { ComparisonOperator: 'IN', AttributeValueList: [N('1'), S('1')] } }),
      `${INVALID}AttributeValues inside AttributeValueList must be of same type`,
    );
    fails(
      () => expected({ a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [N('2'), N('1')] } }),
      'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound',
    );
    fails(() => expected({ a: { Exists: true } }), `${INVALID}Value must be provided when Exists is true for Attribute: a`);
    fails(() => expected({ a: {} }), `${INVALID}Value must be provided when Exists is null for Attribute: a`);
    fails(() => expected({ a: { Exists: false, Value: N('1') } }), `${INVALID}Value cannot be used when Exists is false for Attribute: a`);
    fails(
      () => expected({ a: { Exists: true, ComparisonOperator: 'EQ' } }),
      `${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: a`,
    );
  });
  it('QueryFilter and ScanFilter', () => {
    const scan = compileRequestExpressions({ ScanFilter: { a: { ComparisonOperator: 'GT', AttributeValueList: [N('4')] } } }, 'Scan');
    assert.equal(evaluateCondition(scan.filter!, item), true);
    const query = compileRequestExpressions(
      {
        KeyConditions: { id: { ComparisonOperator: 'EQ', AttributeValueList: [S('k')] } },
        QueryFilter: { a: { ComparisonOperator: 'NE', AttributeValueList: [N('5')] }, s: { ComparisonOperator: 'NOT_NULL' } },
        ConditionalOperator: 'OR',
      },
      'Query',
    );
    assert.equal(evaluateCondition(query.filter!, item), true);
  });
});

describe('AttributesToGet', () => {
  it('projects top-level attributes', () => {
    const c = compileRequestExpressions({ AttributesToGet: ['a', 'b.c'] }, 'GetItem');
    assert.deepEqual(c.projection, [['a'], ['b.c']]);
    assert.deepEqual(project(c.projection!, { a: N('1'), 'b.c': N('2'), b: { M: { c: N('3') } } }), { a: N('1'), 'b.c': N('2') });
  });
  it('rejects duplicates', () => {
    fails(() => compileRequestExpressions({ AttributesToGet: ['a', 'a'] }, 'BatchGetItem'), `${INVALID}Duplicate value in attribute name: a`);
  });
});

describe('checkKeyCondition', () => {
  const hash: KeyAttribute = { name: 'pk', type: 'S' };
  const range: KeyAttribute = { name: 'sk', type: 'N' };
  const kc = (expr: string, values: Record<string, AttributeValue>) =>
    compileExpressions({ KeyConditionExpression: expr, ExpressionAttributeValues: values }).keyCondition!;
  it('resolves partition and sort key', () => {
    assert.deepEqual(checkKeyCondition(kc('pk = :p', { ':p': S('a') }), [hash], [range]), { partitionKeys: [{ name: 'pk', value: S('a') }], sortEquals: [] });
    assert.deepEqual(checkKeyCondition(kc('sk BETWEEN :a AND :b AND pk = :p', { ':p': S('a'), ':a': N('1'), ':b': N('2') }), [hash], [range]), {
      partitionKeys: [{ name: 'pk', value: S('a') }],
      sortEquals: [],
      sortKey: { name: 'sk', op: 'BETWEEN', values: [N('1'), N('2')] },
    });
  });
  it("DynamoDB's messages", () => {
    fails(() => checkKeyCondition(kc('sk = :v', { ':v': N('1') }), [hash], [range]), 'Query condition missed key schema element: pk');
    fails(() => checkKeyCondition(kc('attr1 = :v', { ':v': S('val') }), [hash], [range]), 'Query condition missed key schema element: pk');
    fails(() => checkKeyCondition(kc('pk = :p AND x = :v', { ':p': S('a'), ':v': N('1') }), [hash], [range]), 'Query condition missed key schema element: sk');
    fails(() => checkKeyCondition(kc('pk = :p AND sk = :v', { ':p': S('a'), ':v': N('1') }), [hash], []), 'Query key condition not supported');
    fails(() => checkKeyCondition(kc('pk < :p', { ':p': S('a') }), [hash], [range]), 'Query key condition not supported');
    fails(
      () => checkKeyCondition(kc('pk = :p', { ':p': N('1') }), [hash], [range]),
      `${INVALID}Condition parameter type does not match schema type`,
    );
    fails(
      () => checkKeyCondition(kc('pk = :p AND sk = :v', { ':p': S('a'), ':v': S('1') }), [hash], [range]),
      `${INVALID}Condition parameter type does not match schema type`,
    );
    fails(
      () => checkKeyCondition(kc('pk = :p', { ':p': S('') }), [hash], [range]),
      'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
    );
  });
  it('legacy KeyConditions', () => {
    const c = compileRequestExpressions(
      { KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [S('a')] }, sk: { ComparisonOperator: 'NE', AttributeValueList: [N('1')] } } },
      'Query',
    );
    fails(() => checkKeyCondition(c.keyCondition!, [hash], [range]), 'Attempted conditional constraint is not an indexable operation');
    fails(() => compileRequestExpressions({ KeyConditions: {} }, 'Query'), 'Conditions can be of length 1 or 2 only');
  });
});

describe('table-dependent checks', () => {
  it('updates may not touch key attributes', () => {
    const u = compileExpressions({ UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': S('new-val') } }).update!;
    fails(() => checkUpdateKeyAttributes(u, ['pk']), `${INVALID}Cannot update attribute pk. This attribute is part of the key`);
    checkUpdateKeyAttributes(u, ['id']);
  });
  it('key attributes are scalars', () => {
    const c = compileExpressions({ ConditionExpression: 'pk.x = :v', ExpressionAttributeValues: { ':v': S('x') } });
    fails(
      () => checkNestedKeyAccess(c, ['pk']),
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk",
    );
    fails(
      () => checkNestedKeyAccess(c, ['id'], ['pk']),
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: pk",
    );
  });
  it('Query filters may not name key attributes', () => {
    const c = compileExpressions({ FilterExpression: 'pk = :v', ExpressionAttributeValues: { ':v': S('x') } });
    fails(() => checkFilterKeyAttributes(c.filter!, ['pk'], false), 'Filter Expression can only contain non-primary key attributes: Primary key attribute: pk');
    fails(() => checkFilterKeyAttributes(c.filter!, ['pk'], true), 'QueryFilter can only contain non-primary key attributes: Primary key attribute: pk');
  });
});

describe('pathsReferenced', () => {
  it('collects top-level names from every expression', () => {
    const c = compileExpressions({
      KeyConditionExpression: 'pk = :v',
      FilterExpression: 'size(f.x) > :n OR contains(#g, :v)',
      ProjectionExpression: 'p[0].q, r',
      ExpressionAttributeNames: { '#g': 'g' },
      ExpressionAttributeValues: { ':v': S('x'), ':n': N('1') },
    });
    assert.deepEqual(pathsReferenced(c).sort(), ['f', 'g', 'p', 'pk', 'r']);
    const u = compileExpressions({
      UpdateExpression: 'SET a = if_not_exists(b, :v), c = list_append(d, e) REMOVE f[1] ADD g :n DELETE h :s',
      ConditionExpression: 'attribute_not_exists(i)',
      ExpressionAttributeValues: { ':v': S('x'), ':n': N('1'), ':s': { SS: ['a'] } },
    });
    assert.deepEqual(pathsReferenced(u).sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  });
});
