import { validationError } from '../../errors.js';
import { normalizeItem } from '../attributeValue.js';
import { consumedCapacity, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions } from '../expressions/index.js';
import { checkKey, decodeItem, keyForAudit, keyNamesOf, storageKeyOf, storedItemSize } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import type { Item } from '../types.js';
import { writeCondition, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface DeleteItemInput {
  TableName: string;
  Key: Item;
  ReturnValues?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnValuesOnConditionCheckFailure?: ReturnValuesOnConditionCheckFailure;
  [other: string]: unknown;
}

export const deleteItem: Operation<DeleteItemInput> = {
  name: 'DeleteItem',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:DeleteItem',
      resource: tableArn(ctx, input.TableName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'DeleteItem', input, items: [input.Key], returnsItems: false, takesReturnValues: true, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input, ctx) => ({ tableName: input.TableName, key: keyForAudit(ctx.catalog.get(input.TableName), input.Key) }),
  async execute(input, ctx) {
    if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE' && input.ReturnValues !== 'ALL_OLD') {
      throw validationError('Return values set to invalid value');
    }
    const expressions = compileRequestExpressions(input, 'DeleteItem');
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const key = normalizeItem(input.Key);
    checkKey(table, key);
    const outcome = await ctx.catalog.writeItems([table], [
      {
        key: storageKeyOf(table, key),
        value: null,
        condition: writeCondition(expressions.condition, input.ReturnValuesOnConditionCheckFailure),
      },
    ]);
    if (!outcome.ok) throw outcome.error;
    const stored = outcome.previous[0];
    const units = writeUnits(stored ? storedItemSize(stored) : 0);
    return {
      ...(input.ReturnValues === 'ALL_OLD' && stored ? { Attributes: decodeItem(stored) } : {}),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
    };
  },
};
