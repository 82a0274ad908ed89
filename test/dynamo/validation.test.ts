import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../src/errors.js';
import { hasOperation, validateInput, validatorFor } from '../../src/dynamo/validation/index.js';
import { enumOrder, hashMapOrder, memberOrder } from '../../src/dynamo/validation/javaOrder.js';
import { base64Error } from '../../src/dynamo/validation/serialization.js';
import { attributeValueSize, itemSize, normalizeAttributeValue, normalizeItem } from '../../src/dynamo/attributeValue.js';
import { checkItemSize, LIMITS } from '../../src/dynamo/limits.js';

const SERIALIZATION = 'com.amazon.coral.service#SerializationException';
const VALIDATION = 'com.amazon.coral.validate#ValidationException';

function expectError(fn: () => unknown, type: string, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AwsError, `not an AwsError: ${String(error)}`);
    assert.equal(error.type, type);
    assert.equal(error.statusCode, 400);
    assert.equal(error.messageKey, type === SERIALIZATION ? 'Message' : 'message');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

const serialization = (operation: string, body: unknown, message: string): void =>
  expectError(() => validateInput(operation, body), SERIALIZATION, message);

const validation = (operation: string, body: unknown, message: string | RegExp): void =>
  expectError(() => validateInput(operation, body), VALIDATION, message);

/** "N validation error(s) detected: " + the given errors joined as DynamoDB joins them. */
const detected = (...errors: string[]): string =>
  `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;

const err = (value: string | null, path: string, constraint: string): string =>
  `Value ${value === null ? 'null' : `'${value}'`} at '${path}' failed to satisfy constraint: ${constraint}`;

const NOT_NULL = 'Member must not be null';
const TABLE_PATTERN = 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+';
const COMPARISON_OPERATORS = '[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]';

describe('javaOrder', () => {
  it('lists enum values in the order DynamoDB prints them', () => {
    const observed: [string[], string][] = [
      [['EQ', 'NE', 'IN', 'LE', 'LT', 'GE', 'GT', 'BETWEEN', 'NOT_NULL', 'NULL', 'CONTAINS', 'NOT_CONTAINS', 'BEGINS_WITH'], COMPARISON_OPERATORS],
      [['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'], '[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]'],
      [['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'], '[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]'],
      [['INDEXES', 'TOTAL', 'NONE'], '[INDEXES, TOTAL, NONE]'],
      [['SIZE', 'NONE'], '[SIZE, NONE]'],
      [['HASH', 'RANGE'], '[HASH, RANGE]'],
      [['S', 'N', 'B'], '[B, N, S]'],
      [['PROVISIONED', 'PAY_PER_REQUEST'], '[PROVISIONED, PAY_PER_REQUEST]'],
    ];
    for (const [values, printed] of observed) assert.equal(`[${enumOrder(values).join(', ')}]`, printed);
  });

  it('iterates maps and structures like Java 7 HashMap', () => {
    assert.deepEqual(hashMapOrder(['a', 'b']), ['b', 'a']);
    assert.deepEqual(hashMapOrder([]), []);
    assert.deepEqual(hashMapOrder(['x', 'x']), ['x']);
    const many = Array.from({ length: 100 }, (_, i) => `k${i}`);
    assert.deepEqual([...hashMapOrder(many)].sort(), [...many].sort());
    assert.deepEqual(memberOrder(['indexName', 'keySchema', 'projection']), ['projection', 'indexName', 'keySchema']);
  });
});

describe('validateInput: compilation', () => {
  it('knows the model operations and compiles each once', () => {
    assert.ok(hasOperation('PutItem'));
    assert.ok(hasOperation('TransactWriteItems'));
    assert.ok(!hasOperation('Nonsense'));
    assert.equal(validatorFor('Query'), validatorFor('Query'));
    assert.throws(() => validateInput('Nonsense', {}));
  });

  it('accepts valid requests and ignores unknown members', () => {
    validateInput('PutItem', { TableName: 'abc', Item: { a: { S: 'x' } }, Whatever: [1, 2, { x: true }] });
    validateInput('GetItem', { TableName: 'abc', Key: { a: { S: 'x' } }, ConsistentRead: true, Unknown: 5 });
    validateInput('ListTables', {});
    validateInput('ListTables', undefined);
    validateInput('DescribeLimits', {});
    validateInput('CreateTable', {
      TableName: 'my-table.v1_2',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
    validateInput('PutItem', { TableName: 'arn:aws:dynamodb:us-east-1:123456789012:table/abc', Item: {} });
  });

  it('treats JSON null as absent', () => {
    validateInput('Query', { TableName: 'abc', Limit: null, Select: null, KeyConditions: { a: null } });
    validation('GetItem', { TableName: null, Key: { a: { S: 'x' } } }, detected(err(null, 'tableName', NOT_NULL)));
  });

  it('removes null members, so operations see them absent (a null NextToken was a 500)', () => {
    const body = { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/abc', NextToken: null };
    validateInput('ListTagsOfResource', body);
    assert.deepEqual(body, { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/abc' });
    const nested = { TableName: 'abc', Key: { a: { S: null, N: '1' } }, ReturnConsumedCapacity: null };
    validateInput('GetItem', nested);
    assert.deepEqual(nested, { TableName: 'abc', Key: { a: { N: '1' } } });
  });
});

describe('validateInput: SerializationException', () => {
  it('words String mismatches as the JSON binder does', () => {
    serialization('PutItem', { TableName: 5, Item: {} }, 'NUMBER_VALUE cannot be converted to String');
    serialization('PutItem', { TableName: 34.56, Item: {} }, 'DECIMAL_VALUE cannot be converted to String');
    serialization('PutItem', { TableName: true, Item: {} }, 'TRUE_VALUE cannot be converted to String');
    serialization('PutItem', { TableName: false, Item: {} }, 'FALSE_VALUE cannot be converted to String');
    serialization('PutItem', { TableName: [], Item: {} }, 'Unrecognized collection type class java.lang.String');
    serialization('PutItem', { TableName: {}, Item: {} }, 'Start of structure or map found where not expected');
    serialization('GetItem', { TableName: 'abc', Key: {}, ExpressionAttributeNames: { '#a': 5 } }, 'NUMBER_VALUE cannot be converted to String');
  });

  it('words Boolean, Integer and Long mismatches', () => {
    serialization('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: '23' }, 'Unexpected token received from parser');
    serialization('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: 23 }, 'NUMBER_VALUE cannot be converted to Boolean');
    serialization('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: 34.56 }, 'DECIMAL_VALUE cannot be converted to Boolean');
    serialization('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: [] }, 'Unrecognized collection type class java.lang.Boolean');
    serialization('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: {} }, 'Start of structure or map found where not expected');
    validateInput('GetItem', { TableName: 'abc', Key: {}, ConsistentRead: 'true' });
    serialization('Query', { TableName: 'abc', Limit: '23' }, 'STRING_VALUE cannot be converted to Integer');
    serialization('Query', { TableName: 'abc', Limit: true }, 'TRUE_VALUE cannot be converted to Integer');
    serialization('Query', { TableName: 'abc', Limit: false }, 'FALSE_VALUE cannot be converted to Integer');
    serialization('Query', { TableName: 'abc', Limit: [] }, 'Unrecognized collection type class java.lang.Integer');
    serialization('Query', { TableName: 'abc', Limit: {} }, 'Start of structure or map found where not expected');
    const throughput = (v: unknown) => ({ TableName: 'abc', ProvisionedThroughput: { ReadCapacityUnits: v, WriteCapacityUnits: 1 } });
    serialization('UpdateTable', throughput('23'), 'STRING_VALUE cannot be converted to Long');
    serialization('UpdateTable', throughput([]), 'Unrecognized collection type class java.lang.Long');
  });

  it('words Blob mismatches and strict Base64 errors', () => {
    const put = (b: unknown) => ({ TableName: 'abc', Item: { a: { B: b } } });
    serialization('PutItem', put(true), 'only base-64-encoded strings are convertible to bytes');
    serialization('PutItem', put(23), 'only base-64-encoded strings are convertible to bytes');
    serialization('PutItem', put([]), 'Unrecognized collection type class java.nio.ByteBuffer');
    serialization('PutItem', put({}), 'Start of structure or map found where not expected');
    serialization('PutItem', put('23456'), 'Base64 encoded length is expected a multiple of 4 bytes but found: 5');
    serialization('PutItem', put('=+/='), 'Invalid last non-pad Base64 character dectected');
    serialization('PutItem', put('+/+='), 'Invalid last non-pad Base64 character dectected');
    validateInput('PutItem', put('AQI='));
    validateInput('PutItem', put(''));
    assert.equal(base64Error('YWJj'), undefined);
    assert.equal(base64Error('YQ=='), undefined);
    assert.equal(base64Error('YR=='), 'Invalid last non-pad Base64 character dectected');
  });

  it('words list, map and structure mismatches by position', () => {
    serialization('CreateTable', { TableName: 'abc', KeySchema: '23' }, 'Unexpected field type');
    serialization('CreateTable', { TableName: 'abc', KeySchema: 23 }, 'Unexpected field type');
    serialization('CreateTable', { TableName: 'abc', KeySchema: {} }, 'Start of structure or map found where not expected');
    // A structure as a list element or map value is a "value"; as a member, a "field".
    serialization('CreateTable', { TableName: 'abc', KeySchema: ['x'] }, 'Unexpected value type in payload');
    serialization('CreateTable', { TableName: 'abc', KeySchema: [[]] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement');
    serialization('CreateTable', { TableName: 'abc', ProvisionedThroughput: 5 }, 'Unexpected field type');
    serialization('CreateTable', { TableName: 'abc', ProvisionedThroughput: [] }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput');
    serialization('PutItem', { TableName: 'abc', Item: 'x' }, 'Unexpected field type');
    serialization('PutItem', { TableName: 'abc', Item: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
    serialization('PutItem', { TableName: 'abc', Item: { a: 'x' } }, 'Unexpected value type in payload');
    serialization('PutItem', { TableName: 'abc', Item: { a: [] } }, 'Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue');
    serialization('PutItem', { TableName: 'abc', Item: { a: { L: [5] } } }, 'Unexpected value type in payload');
    serialization('PutItem', { TableName: 'abc', Item: { a: { SS: 'x' } } }, 'Unexpected field type');
    serialization('PutItem', { TableName: 'abc', Item: { a: { M: [] } } }, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
    serialization('BatchWriteItem', { RequestItems: [] }, 'Unrecognized collection type java.util.Map<java.lang.String, java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>');
    // A list or map nested directly in a list or map.
    const cast =
      "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
      "(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";
    serialization('BatchWriteItem', { RequestItems: { abc: 5 } }, cast);
    serialization('BatchGetItem', { RequestItems: { abc: { Keys: ['x'] } } }, cast);
    serialization('BatchWriteItem', { RequestItems: { abc: {} } }, 'Start of structure or map found where not expected');
  });

  it('reports the first mismatch in document order, before any constraint', () => {
    serialization('Query', { TableName: 'a;', Limit: -1, Select: 5, ConsistentRead: 'x' }, 'NUMBER_VALUE cannot be converted to String');
    serialization('Query', { ConsistentRead: 'x', Select: 5 }, 'Unexpected token received from parser');
  });
});

describe('validateInput: ValidationException', () => {
  it('reports missing required members and table-name constraints', () => {
    validation('PutItem', { Item: {} }, detected(err(null, 'tableName', NOT_NULL)));
    validation('DeleteItem', {}, detected(err(null, 'tableName', NOT_NULL), err(null, 'key', NOT_NULL)));
    // TableName accepts names and ARNs (1..1024); a name is further held to 3..255 and the pattern.
    validation('PutItem', { TableName: '', Item: {} }, detected(err('', 'tableName', 'Member must have length greater than or equal to 1')));
    validation('CreateTable', { TableName: 'ab' }, detected(err('ab', 'tableName', 'Member must have length greater than or equal to 3')));
    validation('PutItem', { TableName: 'a'.repeat(256), Item: {} }, detected(err('a'.repeat(256), 'tableName', 'Member must have length less than or equal to 255')));
    validation('PutItem', { TableName: 'bad table!@#', Item: {} }, detected(err('bad table!@#', 'tableName', TABLE_PATTERN)));
    validation('PutItem', { TableName: 'a;', Item: {} },
      detected(err('a;', 'tableName', TABLE_PATTERN), err('a;', 'tableName', 'Member must have length greater than or equal to 3')));
    validation('Query', { TableName: 'abc', IndexName: '' },
      detected(err('', 'indexName', TABLE_PATTERN), err('', 'indexName', 'Member must have length greater than or equal to 3')));
  });

  it('lists several errors in DynamoDB order, at most ten', () => {
    validation('DeleteItem', { TableName: 'abc;', ReturnConsumedCapacity: 'hi', ReturnItemCollectionMetrics: 'hi', ReturnValues: 'hi' },
      detected(
        err('hi', 'returnConsumedCapacity', 'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]'),
        err('abc;', 'tableName', TABLE_PATTERN),
        err('hi', 'returnValues', 'Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]'),
        err('hi', 'returnItemCollectionMetrics', 'Member must satisfy enum value set: [SIZE, NONE]'),
        err(null, 'key', NOT_NULL),
      ));
    const lsis = Array.from({ length: 9 }, () => ({}));
    const tenOf27: string[] = [];
    for (let i = 1; i <= 4; i++) {
      for (const member of ['projection', 'indexName', 'keySchema']) tenOf27.push(err(null, `localSecondaryIndexes.${i}.member.${member}`, NOT_NULL));
    }
    validation('CreateTable', {
      TableName: 'abc',
      AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }],
      KeySchema: [{ KeyType: 'HASH', AttributeName: 'a' }],
      LocalSecondaryIndexes: lsis,
    }, detected(...tenOf27.slice(0, 10)));
  });

  it('reports the Query example with map members, paths and enum sets', () => {
    validation('Query', {
      TableName: 'abc;', ReturnConsumedCapacity: 'hi', AttributesToGet: [], IndexName: 'abc;', Select: 'hi', Limit: -1,
      KeyConditions: { a: {}, b: { ComparisonOperator: '' } }, QueryFilter: { a: {}, b: { ComparisonOperator: '' } },
    }, new RegExp(`^10 validation errors detected: ${[
      err('-1', 'limit', 'Member must have value greater than or equal to 1'),
      err('hi', 'returnConsumedCapacity', 'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]'),
      err('[]', 'attributesToGet', 'Member must have length greater than or equal to 1'),
    ].join('; ').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; `));
    // Map entries: the Java HashMap order of the keys (b before a), values under `<key>.member`.
    validation('Query', { TableName: 'abc', KeyConditions: { a: {}, b: { ComparisonOperator: '' } } }, detected(
      err('', 'keyConditions.b.member.comparisonOperator', `Member must satisfy enum value set: ${COMPARISON_OPERATORS}`),
      err(null, 'keyConditions.a.member.comparisonOperator', NOT_NULL),
    ));
  });

  it('checks numeric ranges', () => {
    validation('Scan', { TableName: 'abc', Limit: 0 }, detected(err('0', 'limit', 'Member must have value greater than or equal to 1')));
    validation('Scan', { TableName: 'abc', Segment: -1, TotalSegments: 4 }, detected(err('-1', 'segment', 'Member must have value greater than or equal to 0')));
    validation('Scan', { TableName: 'abc', Segment: 1, TotalSegments: 1000001 },
      detected(err('1000001', 'totalSegments', 'Member must have value less than or equal to 1000000')));
    validation('ListTables', { Limit: 2147483647 }, detected(err('2147483647', 'limit', 'Member must have value less than or equal to 100')));
    validation('CreateTable', {
      TableName: 'abc', AttributeDefinitions: [], KeySchema: [],
      ProvisionedThroughput: { ReadCapacityUnits: -1, WriteCapacityUnits: -1 },
    }, /Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1/);
  });

  it('renders lists and structures as Java toString in messages', () => {
    validation('CreateTable', {
      TableName: 'ct_3keys',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
        { AttributeName: 'extra', KeyType: 'RANGE' },
      ],
    }, detected(err(
      '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, keyType=RANGE)]',
      'keySchema', 'Member must have length less than or equal to 2')));
    validation('CreateTable', { TableName: 'abc', KeySchema: [{ KeyType: 'HASH' }, { AttributeName: 'a' }, { KeyType: 'Woop', AttributeName: 'a' }] },
      detected(
        err('[KeySchemaElement(attributeName=null, keyType=HASH), KeySchemaElement(attributeName=a, keyType=null), KeySchemaElement(attributeName=a, keyType=Woop)]',
          'keySchema', 'Member must have length less than or equal to 2'),
        err(null, 'keySchema.1.member.attributeName', NOT_NULL),
        err(null, 'keySchema.2.member.keyType', NOT_NULL),
        err('Woop', 'keySchema.3.member.keyType', 'Member must satisfy enum value set: [HASH, RANGE]'),
      ));
    validation('CreateTable', { TableName: 'abc', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'INVALID' }] },
      detected(err('INVALID', 'attributeDefinitions.1.member.attributeType', 'Member must satisfy enum value set: [B, N, S]')));
  });

  it('summarises element, key and value constraints of collections', () => {
    validation('CreateTable', {
      TableName: 'abc',
      GlobalSecondaryIndexes: [{ IndexName: 'idx', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['', 'b'] } }],
    }, detected(err('[, b]', 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes',
      'Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]')));
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ DeleteRequest: { Key: { a: { S: String(i) } } } }));
    validation('BatchWriteItem', { RequestItems: { abc: tooMany } }, new RegExp(
      "^1 validation error detected: Value '\\{abc=\\[WriteRequest\\(.+\\)\\]\\}' at 'requestItems' failed to satisfy constraint: " +
      'Map value must satisfy constraint: \\[Member must have length less than or equal to 25, Member must have length greater than or equal to 1\\]$'));
    validation('BatchWriteItem', { RequestItems: { 'aa;': [{ PutRequest: {}, DeleteRequest: {} }] }, ReturnConsumedCapacity: 'hi', ReturnItemCollectionMetrics: 'hi' },
      detected(
        err('hi', 'returnConsumedCapacity', 'Member must satisfy enum value set: [INDEXES, TOTAL, NONE]'),
        err('hi', 'returnItemCollectionMetrics', 'Member must satisfy enum value set: [SIZE, NONE]'),
        err('{aa;=[WriteRequest(putRequest=PutRequest(item=null), deleteRequest=DeleteRequest(key=null))]}', 'requestItems',
          `Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, ${TABLE_PATTERN}]`),
        err(null, 'requestItems.aa;.member.1.member.deleteRequest.key', NOT_NULL),
        err(null, 'requestItems.aa;.member.1.member.putRequest.item', NOT_NULL),
      ));
    const keys = Array.from({ length: 101 }, (_, i) => ({ pk: { S: String(i) } }));
    validation('BatchGetItem', { RequestItems: { tbl: { Keys: keys } } },
      "1 validation error detected: Value at 'RequestItems.tbl.member.Keys' failed to satisfy constraint: Member must have length less than or equal to 100");
    validation('PutItem', { TableName: 'abc', Item: { ['x'.repeat(65536)]: { S: 'a' } } },
      /^1 validation error detected: Value '\{x+=AttributeValue\(s=a, .*\)\}' at 'item' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must have length less than or equal to 65535\]$/);
  });

  it('makes the operation checks DynamoDB makes at this stage', () => {
    validation('CreateTable', { AttributeDefinitions: [] }, "The parameter 'TableName' is required but was not present in the request");
    validation('BatchWriteItem', { RequestItems: {} }, 'The requestItems parameter is required for BatchWriteItem');
    validation('BatchGetItem', { RequestItems: {} }, 'The requestItems parameter is required for BatchGetItem');
    validation('BatchWriteItem', {}, detected(err(null, 'requestItems', NOT_NULL)));
  });

  it("words what DynamoDB words in its own style: required TableName and ResourceArn, BatchGetItem's Keys and map-key echo", () => {
    for (const operation of ['DeleteTable', 'DescribeTable', 'UpdateTable', 'DescribeTimeToLive']) {
      validation(operation, {}, "The parameter 'TableName' is required but was not present in the request");
      validation(operation, { TableName: null }, "The parameter 'TableName' is required but was not present in the request");
    }
    for (const operation of ['TagResource', 'UntagResource', 'ListTagsOfResource']) validation(operation, {}, 'Invalid TableArn');
    validation('BatchGetItem', { RequestItems: { tbl: { Keys: [] } } },
      "1 validation error detected: Value at 'RequestItems.tbl.member.Keys' failed to satisfy constraint: Member must have length greater than or equal to 1");
    validation('BatchGetItem', { RequestItems: { 'bad!name': { Keys: [{ pk: { S: 'a' } }] } } },
      `1 validation error detected: Value '{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}' at 'requestItems' failed to satisfy constraint: ` +
      `Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, ${TABLE_PATTERN}]`);
  });

  it('refuses null table entries in RequestItems and null list elements (each was a 500)', () => {
    const put = [{ PutRequest: { Item: { pk: { S: 'a' } } } }];
    validation('BatchWriteItem', { RequestItems: { tbl: put, __proto__x: null } }, 'The batch write request list for a table cannot be null or empty: __proto__x');
    validation('BatchWriteItem', JSON.parse('{"RequestItems":{"__proto__":null}}'), 'The batch write request list for a table cannot be null or empty: __proto__');
    validation('BatchGetItem', { RequestItems: { tbl: { Keys: [{ pk: { S: 'a' } }] }, other: null } }, 'The list of keys in RequestItems for BatchGetItem is required');
    validation('UntagResource', { ResourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/abc', TagKeys: ['a', null] }, detected(err(null, 'tagKeys.2.member', NOT_NULL)));
  });
});

describe('normalizeItem / normalizeAttributeValue', () => {
  const invalid = (value: unknown, message: string): void =>
    expectError(() => normalizeItem({ a: value }), VALIDATION, message);

  it('requires exactly one datatype', () => {
    for (const value of [{}, { a: '' }, { M: { a: {} } }, { L: [{}] }, { L: [{ a: {} }] }, { S: null }]) {
      invalid(value, 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    }
    invalid({ S: 'a', N: '1' }, 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
    invalid({ S: 'a', BOOL: true }, 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  });

  it('refuses a null set element before anything sizes the set (it was a 500)', () => {
    for (const value of [{ SS: ['a', null] }, { NS: [null] }, { BS: [null, 'YQ=='] }]) {
      invalid(value, 'One or more parameter values were invalid: A set may not contain a null element');
      expectError(() => normalizeAttributeValue({ L: [value] }), VALIDATION, 'One or more parameter values were invalid: A set may not contain a null element');
    }
  });

  it('checks sets, NULL and numbers with DynamoDB texts', () => {
    invalid({ NULL: false }, 'One or more parameter values were invalid: Null attribute value types must have the value of true');
    invalid({ NULL: 'no' }, 'One or more parameter values were invalid: Null attribute value types must have the value of true');
    invalid({ SS: [] }, 'One or more parameter values were invalid: An string set  may not be empty');
    invalid({ NS: [] }, 'One or more parameter values were invalid: An number set  may not be empty');
    invalid({ BS: [] }, 'One or more parameter values were invalid: Binary sets should not be empty');
    invalid({ SS: ['a', 'a'] }, 'One or more parameter values were invalid: Input collection [a, a] contains duplicates.');
    invalid({ BS: ['Yg==', 'Yg=='] }, 'One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates.');
    invalid({ NS: ['1', '1'] }, 'Input collection contains duplicates');
    invalid({ NS: ['1', '1.0'] }, 'Input collection contains duplicates');
    invalid({ S: '', N: '' }, 'The parameter cannot be converted to a numeric value');
    invalid({ S: 'a', N: 'b' }, 'The parameter cannot be converted to a numeric value: b');
    invalid({ NS: ['1', ''] }, 'The parameter cannot be converted to a numeric value');
    invalid({ NS: ['1', 'b'] }, 'The parameter cannot be converted to a numeric value: b');
    invalid({ N: '123456789012345678901234567890123456789' }, 'Attempting to store more than 38 significant digits in a Number');
    invalid({ N: '1e126' }, 'Number overflow. Attempting to store a number with magnitude larger than supported range');
    invalid({ N: '-1e-131' }, 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
    invalid({ M: { x: { L: [{ N: 'z' }] } } }, 'The parameter cannot be converted to a numeric value: z');
  });

  it('accepts empty strings and binaries, and normalises numbers everywhere', () => {
    const item = normalizeItem({
      s: { S: '' },
      b: { B: '' },
      ss: { SS: ['', 'x'] },
      n: { N: '001.500' },
      ns: { NS: ['1e2', '-0', '0.10'] },
      m: { M: { deep: { L: [{ N: '1E1' }, { M: { k: { NS: ['2.0'] } } }] } } },
      t: { BOOL: 'true' },
      z: { NULL: true },
      ignored: { S: 'x', Unknown: 5 },
    });
    assert.deepEqual(item, {
      s: { S: '' },
      b: { B: '' },
      ss: { SS: ['', 'x'] },
      n: { N: '1.5' },
      ns: { NS: ['100', '0', '0.1'] },
      m: { M: { deep: { L: [{ N: '10' }, { M: { k: { NS: ['2'] } } }] } } },
      t: { BOOL: true },
      z: { NULL: true },
      ignored: { S: 'x' },
    });
    assert.deepEqual(normalizeAttributeValue({ N: '-0.0' }), { N: '0' });
  });

  it('keeps an attribute named __proto__ as an ordinary attribute', () => {
    const item = normalizeItem(JSON.parse('{"__proto__": {"N": "01"}, "m": {"M": {"__proto__": {"S": "x"}}}}'));
    assert.deepEqual(Object.keys(item), ['__proto__', 'm']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(item, '__proto__')?.value, { N: '1' });
    assert.equal(Object.getPrototypeOf(item), Object.prototype);
    const m = (item.m as { M: Record<string, unknown> }).M;
    assert.deepEqual(Object.getOwnPropertyDescriptor(m, '__proto__')?.value, { S: 'x' });
    assert.equal(itemSize(item), 9 + 2 + 1 + (3 + 1 + 9 + 1));
  });

  it('limits nesting to 32 levels', () => {
    const nest = (depth: number): unknown => {
      let v: unknown = { S: 'leaf' };
      for (let i = 0; i < depth; i++) v = { M: { n: v } };
      return v;
    };
    normalizeItem({ d: nest(31) });
    invalid(nest(32), 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit');
    let list: unknown = { S: 'leaf' };
    for (let i = 0; i < 32; i++) list = { L: [list] };
    invalid(list, 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit');
  });

  it('prefers a type error anywhere to a semantic one, and reports in DynamoDB map order', () => {
    expectError(() => normalizeItem({ a: { SS: [] }, b: { S: 5 } }), SERIALIZATION, 'NUMBER_VALUE cannot be converted to String');
    expectError(() => normalizeItem({ a: { B: '23456' } }), SERIALIZATION, 'Base64 encoded length is expected a multiple of 4 bytes but found: 5');
    expectError(() => normalizeItem([]), SERIALIZATION, 'Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>');
    // Keys a and b: DynamoDB visits b first.
    expectError(() => normalizeItem({ a: { SS: [] }, b: { NS: [] } }), VALIDATION, 'One or more parameter values were invalid: An number set  may not be empty');
    // Within one value the datatypes are checked in a fixed order (N before NULL).
    expectError(() => normalizeItem({ a: { NULL: false, N: 'x' } }), VALIDATION, 'The parameter cannot be converted to a numeric value: x');
  });
});

describe('item size', () => {
  it('follows DynamoDB accounting', () => {
    assert.equal(itemSize(normalizeItem({ a: { S: 'abc' } })), 4);
    assert.equal(itemSize(normalizeItem({ 'é': { S: 'é€' } })), 2 + 5);
    assert.equal(itemSize(normalizeItem({ n: { N: '3.14159' } })), 1 + 5);
    assert.equal(itemSize(normalizeItem({ n: { N: '-42' } })), 1 + 3);
    assert.equal(itemSize(normalizeItem({ b: { B: 'AQI=' } })), 1 + 2);
    assert.equal(itemSize(normalizeItem({ t: { BOOL: true }, z: { NULL: true } })), 2 + 2);
    assert.equal(itemSize(normalizeItem({ ss: { SS: ['ab', 'c'] } })), 2 + 3);
    assert.equal(itemSize(normalizeItem({ ns: { NS: ['1', '100'] } })), 2 + 4);
    assert.equal(itemSize(normalizeItem({ bs: { BS: ['AQI=', 'AQ=='] } })), 2 + 3);
    assert.equal(attributeValueSize({ L: [] }), 3);
    assert.equal(attributeValueSize({ M: {} }), 3);
    assert.equal(attributeValueSize({ L: [{ S: 'ab' }, { N: '1' }] }), 3 + (1 + 2) + (1 + 2));
    assert.equal(attributeValueSize({ M: { key: { S: 'ab' } } }), 3 + 1 + 3 + 2);
  });

  it('accepts exactly 400 KB and refuses one byte more', () => {
    const sized = (bytes: number) => normalizeItem({ pk: { S: 'k' }, p: { S: 'x'.repeat(bytes - 4) } });
    assert.equal(itemSize(sized(LIMITS.maxItemBytes)), LIMITS.maxItemBytes);
    checkItemSize(itemSize(sized(LIMITS.maxItemBytes)), 'put');
    expectError(() => checkItemSize(itemSize(sized(LIMITS.maxItemBytes + 1)), 'put'), VALIDATION, 'Item size has exceeded the maximum allowed size');
  });
});

describe('members the live service requires beyond the model', () => {
  it('CreateTable without AttributeDefinitions or KeySchema (absent or null) is a ValidationException, never a 500', () => {
    const keySchema = [{ AttributeName: 'a', KeyType: 'HASH' }];
    const definitions = [{ AttributeName: 'a', AttributeType: 'S' }];
    validation('CreateTable', { TableName: 'abc', KeySchema: keySchema }, detected(err(null, 'attributeDefinitions', NOT_NULL)));
    validation('CreateTable', { TableName: 'abc', AttributeDefinitions: null, KeySchema: keySchema }, detected(err(null, 'attributeDefinitions', NOT_NULL)));
    validation('CreateTable', { TableName: 'abc', AttributeDefinitions: definitions }, detected(err(null, 'keySchema', NOT_NULL)));
    validation('CreateTable', { TableName: 'abc' }, detected(err(null, 'attributeDefinitions', NOT_NULL), err(null, 'keySchema', NOT_NULL)));
  });
});
