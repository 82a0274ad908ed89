import { validationError } from '../../errors.js';
import { normalizeItem, itemSizeBytes } from '../attributeValue.js';
import { consumedCapacity, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions } from '../expressions/index.js';
import { checkItemKey, decodeItem, encodeItem, keyNamesOf, storageKeyOf, storedItemSize } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import { checkItemSize } from '../limits.js';
import type { Item } from '../types.js';
import { writeCondition, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface PutItemInput {
  TableName: string;
  Item: Item;
  ReturnValues?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnValuesOnConditionCheckFailure?: ReturnValuesOnConditionCheckFailure;
  [other: string]: unknown;
}

export const putItem: Operation<PutItemInput> = {
  name: 'PutItem',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:PutItem',
      resource: tableArn(ctx, input.TableName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'PutItem', input, items: [input.Item], returnsItems: false, takesReturnValues: true, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input) => ({ tableName: input.TableName, item: Object.keys(input.Item) }),
  async execute(input, ctx) {
    if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE' && input.ReturnValues !== 'ALL_OLD') {
      throw validationError('Return values set to invalid value');
    }
    const expressions = compileRequestExpressions(input, 'PutItem');
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const item = normalizeItem(input.Item);
    checkItemKey(table, item);
    const sizeBytes = itemSizeBytes(item);
    checkItemSize(sizeBytes, 'put');
    const outcome = await ctx.catalog.writeItems([table], [
      {
        key: storageKeyOf(table, item),
        value: encodeItem(item, sizeBytes),
        condition: writeCondition(expressions.condition, input.ReturnValuesOnConditionCheckFailure),
      },
    ]);
    if (!outcome.ok) throw outcome.error;
    const stored = outcome.previous[0];
    const units = writeUnits(Math.max(sizeBytes, stored ? storedItemSize(stored) : 0));
    return {
      ...(input.ReturnValues === 'ALL_OLD' && stored ? { Attributes: decodeItem(stored) } : {}),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
    };
  },
};
