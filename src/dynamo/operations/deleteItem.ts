import { validationError } from '../errors.js';
import { normalizeItem } from '../attributeValue.js';
import { consumedCapacity, TableConsumption, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions } from '../expressions/index.js';
import { checkKey, keyForAudit, keyNamesOf } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import { singleWriteMetrics, type ReturnItemCollectionMetrics } from '../itemCollections.js';
import type { Item } from '../types.js';
import { deleteItemChange, writeItemChanges, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface DeleteItemInput {
  TableName: string;
  Key: Item;
  ReturnValues?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnItemCollectionMetrics?: ReturnItemCollectionMetrics;
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
    // The request's values are checked before the table is looked up, as DynamoDB does.
    const key = normalizeItem(input.Key);
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    checkKey(table, key);
    const check = { condition: expressions.condition, returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure };
    const [{ old, indexUnits }] = await writeItemChanges(ctx.catalog, [deleteItemChange(table, key, check)]);
    const units = new TableConsumption(writeUnits(old ? old.sizeBytes : 0));
    units.addIndexes(indexUnits);
    return {
      ...(input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old.item } : {}),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
      ...(await singleWriteMetrics(ctx.engine, table, key, input.ReturnItemCollectionMetrics)),
    };
  },
};
