import { validationError } from '../errors.js';
import { normalizeAttributeValue, normalizeItem } from '../attributeValue.js';
import type { ReturnConsumedCapacity } from '../capacity.js';
import { checkFilterKeyAttributes, checkKeyCondition, checkNestedKeyAccess, compileRequestExpressions, type ResolvedKeyCondition } from '../expressions/index.js';
import { checkKeyValue, keyNamesOf } from '../items.js';
import { partitionPrefix, sortKeyBytes, successor } from '../keys.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import { rangeContains, resumeAfter, startKeyOf, type KeyRange } from '../reads.js';
import type { Table } from '../tables.js';
import { rejectUnsupported } from '../unsupported.js';
import { readPageResult, readSelect } from './readResult.js';

interface QueryInput {
  TableName: string;
  Limit?: number;
  ScanIndexForward?: boolean;
  ExclusiveStartKey?: Record<string, unknown>;
  ConsistentRead?: boolean;
  Select?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

/** The storage-key range a key condition selects, in one partition. */
function keyRange(table: Table, condition: ResolvedKeyCondition): KeyRange {
  const partition = partitionPrefix(table.storageId, table.hashKey, normalizeAttributeValue(condition.partitionKey.value));
  const partitionEnd = successor(partition);
  const sort = condition.sortKey;
  if (!sort || !table.rangeKey) return { start: partition, end: partitionEnd };
  const rangeKey = table.rangeKey;
  const at = (index: number) => Buffer.concat([partition, sortKeyBytes(rangeKey.type, normalizeAttributeValue(sort.values[index]))]);
  const justAfter = (key: Buffer) => Buffer.concat([key, Buffer.of(0)]);
  switch (sort.op) {
    case 'EQ':
      return { start: at(0), end: justAfter(at(0)) };
    case 'LT':
      return { start: partition, end: at(0) };
    case 'LE':
      return { start: partition, end: justAfter(at(0)) };
    case 'GT':
      return { start: justAfter(at(0)), end: partitionEnd };
    case 'GE':
      return { start: at(0), end: partitionEnd };
    case 'BETWEEN':
      return { start: at(0), end: justAfter(at(1)) };
    case 'BEGINS_WITH': {
      const prefix = at(0);
      // An empty prefix selects the whole partition.
      return { start: prefix, end: prefix.length === partition.length ? partitionEnd : successor(prefix) };
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
      resource: tableArn(ctx, input.TableName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'Query', input, items: [], returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input) => ({
    tableName: input.TableName,
    ...(input.Limit !== undefined ? { limit: input.Limit } : {}),
    ...(input.ScanIndexForward !== undefined ? { scanIndexForward: input.ScanIndexForward } : {}),
  }),
  async execute(input, ctx) {
    rejectUnsupported(input, 'Query', ['IndexName']);
    const expressions = compileRequestExpressions(input, 'Query');
    if (!expressions.keyCondition) {
      throw validationError('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
    }
    const select = readSelect(input, expressions, 'Query');
    const table = ctx.catalog.require(input.TableName);
    const keyCondition = checkKeyCondition(expressions.keyCondition, table.hashKey, table.rangeKey);
    checkKeyValue(table.hashKey, normalizeAttributeValue(keyCondition.partitionKey.value), true);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    if (expressions.filter) checkFilterKeyAttributes(expressions.filter, keyNamesOf(table), input.QueryFilter !== undefined);
    const reverse = input.ScanIndexForward === false;
    const conditionRange = keyRange(table, keyCondition);
    const startKey = input.ExclusiveStartKey === undefined ? undefined : startKeyOf(table, input.ExclusiveStartKey);
    if (startKey && !rangeContains(conditionRange, startKey)) {
      // DynamoDB names the sort-key predicate first, whatever the partition key says.
      const startItem = normalizeItem(input.ExclusiveStartKey);
      const sortRangeAtStart = keyCondition.sortKey && keyRange(table, { ...keyCondition, partitionKey: { name: table.hashKey.name, value: startItem[table.hashKey.name] } });
      throw validationError(
        sortRangeAtStart && !rangeContains(sortRangeAtStart, startKey)
          ? 'The provided starting key does not match the range key predicate'
          : 'The provided starting key is outside query boundaries based on provided conditions',
      );
    }
    const range = resumeAfter(conditionRange, startKey, reverse);
    return readPageResult(ctx, { table, range, reverse: reverse, select, expressions, input });
  },
};
