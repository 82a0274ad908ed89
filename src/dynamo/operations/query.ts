import { validationError } from '../errors.js';
import { normalizeAttributeValue } from '../attributeValue.js';
import type { ReturnConsumedCapacity } from '../capacity.js';
import { checkFilterKeyAttributes, checkKeyCondition, checkNestedKeyAccess, compileRequestExpressions, type ResolvedKeyCondition } from '../expressions/index.js';
import { checkKeyValue, keyNamesOf } from '../items.js';
import { successor } from '../keys.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { readResourceArn, type Operation } from '../operation.js';
import { keySpaceOf, normalizeStartKey, rangeContains, resumeAfter, type KeyRange, type KeySpace } from '../reads.js';
import { readPageResult, readSelect } from './readResult.js';

interface QueryInput {
  TableName: string;
  IndexName?: string;
  Limit?: number;
  ScanIndexForward?: boolean;
  ExclusiveStartKey?: Record<string, unknown>;
  ConsistentRead?: boolean;
  Select?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

/**
 * The engine-key range a key condition selects, in one partition of the table or index: equality
 * on leading sort values (a multi-attribute sort key) is a key prefix, and the condition on the
 * next sort value bounds the range within it.
 */
function keyRange(space: KeySpace, condition: ResolvedKeyCondition): KeyRange {
  const partition = space.partition(condition.partitionKeys.map((k) => normalizeAttributeValue(k.value)));
  const base = space.sortBase(partition, condition.sortEquals.map((k) => normalizeAttributeValue(k.value)));
  const baseEnd = successor(base);
  const sort = condition.sortKey;
  const key = sort && space.sortKeys.find((k) => k.name === sort.name);
  if (!sort || !key) return { start: base, end: baseEnd };
  const value = (index: number) => normalizeAttributeValue(sort.values[index]);
  const at = (index: number) => space.sortAt(base, key, value(index));
  const after = (index: number) => space.sortAfter(base, key, value(index));
  switch (sort.op) {
    case 'EQ':
      return { start: at(0), end: after(0) };
    case 'LT':
      return { start: base, end: at(0) };
    case 'LE':
      return { start: base, end: after(0) };
    case 'GT':
      return { start: after(0), end: baseEnd };
    case 'GE':
      return { start: at(0), end: baseEnd };
    case 'BETWEEN':
      return { start: at(0), end: after(1) };
    case 'BEGINS_WITH': {
      const prefix = space.sortPrefix(base, key, value(0));
      // An empty prefix selects everything under the base.
      return { start: prefix, end: prefix.length === base.length ? baseEnd : successor(prefix) };
    }
  }
}

export const query: Operation<QueryInput> = {
  name: 'Query',
  readOnly: true,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:Query',
      // A query of an index is authorized on the index's ARN, as AWS does.
      resource: readResourceArn(ctx, input.TableName, input.IndexName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'Query', input, items: [], returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input) => ({
    tableName: input.TableName,
    ...(input.Limit !== undefined ? { limit: input.Limit } : {}),
    ...(input.ScanIndexForward !== undefined ? { scanIndexForward: input.ScanIndexForward } : {}),
    ...(input.IndexName !== undefined ? { indexName: input.IndexName } : {}),
  }),
  async execute(input, ctx) {
    const expressions = compileRequestExpressions(input, 'Query');
    if (!expressions.keyCondition) {
      throw validationError('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
    }
    const select = readSelect(input, expressions, 'Query');
    const startItem = input.ExclusiveStartKey === undefined ? undefined : normalizeStartKey(input.ExclusiveStartKey);
    const table = ctx.catalog.require(input.TableName);
    const space = keySpaceOf(table, input.IndexName, input.ConsistentRead, select);
    const keyCondition = checkKeyCondition(expressions.keyCondition, space.partitionKeys, space.sortKeys);
    space.partitionKeys.forEach((key, i) => checkKeyValue(key, normalizeAttributeValue(keyCondition.partitionKeys[i].value), true));
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const spaceKeys = [...space.partitionKeys, ...space.sortKeys].map((key) => key.name);
    if (expressions.filter) checkFilterKeyAttributes(expressions.filter, spaceKeys, input.QueryFilter !== undefined);
    const reverse = input.ScanIndexForward === false;
    const conditionRange = keyRange(space, keyCondition);
    const startKey = startItem === undefined ? undefined : space.startKeyOf(startItem, 'Query');
    if (startItem && startKey && !rangeContains(conditionRange, startKey)) {
      // DynamoDB names the sort-key predicate first, whatever the partition key says.
      const partitionAtStart = space.partitionKeys.map((key) => ({ name: key.name, value: startItem[key.name] }));
      const sortRangeAtStart = (keyCondition.sortKey || keyCondition.sortEquals.length > 0) && keyRange(space, { ...keyCondition, partitionKeys: partitionAtStart });
      throw validationError(
        sortRangeAtStart && !rangeContains(sortRangeAtStart, startKey)
          ? 'The provided starting key does not match the range key predicate'
          : 'The provided starting key is outside query boundaries based on provided conditions',
      );
    }
    const range = resumeAfter(conditionRange, startKey, reverse);
    return readPageResult(ctx, { space, range, reverse: reverse, select, expressions, input });
  },
};
