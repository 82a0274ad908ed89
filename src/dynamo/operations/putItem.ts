import { validationError } from '../errors.js';
import { normalizeItem, itemSizeBytes } from '../attributeValue.js';
import { consumedCapacity, TableConsumption, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions } from '../expressions/index.js';
import { checkItemKey, keyForAudit, keyNamesOf } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import { singleWriteMetrics, type ReturnItemCollectionMetrics } from '../itemCollections.js';
import { checkItemSize } from '../limits.js';
import type { Item } from '../types.js';
import { putItemChange, writeItemChanges, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface PutItemInput {
  TableName: string;
  Item: Item;
  ReturnValues?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnItemCollectionMetrics?: ReturnItemCollectionMetrics;
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
  // The item's attribute names, and its key's values (CloudTrail records no other value of an item).
  requestParameters: (input, ctx) => ({ tableName: input.TableName, key: keyForAudit(ctx.catalog.get(input.TableName), input.Item), item: Object.keys(input.Item) }),
  async execute(input, ctx) {
    if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE' && input.ReturnValues !== 'ALL_OLD') {
      throw validationError('Return values set to invalid value');
    }
    const expressions = compileRequestExpressions(input, 'PutItem');
    // The whole request, the item's size included, is checked before the table is looked up:
    // a 500 KB item for a missing table is a ValidationException, as DynamoDB answers it.
    const item = normalizeItem(input.Item);
    const sizeBytes = itemSizeBytes(item);
    checkItemSize(sizeBytes, 'put');
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    checkItemKey(table, item);
    const check = { condition: expressions.condition, returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure };
    const [{ old, indexUnits }] = await writeItemChanges(ctx.catalog, [putItemChange(table, { item, sizeBytes }, check)]);
    const units = new TableConsumption(writeUnits(Math.max(sizeBytes, old ? old.sizeBytes : 0)));
    units.addIndexes(indexUnits);
    return {
      ...(input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old.item } : {}),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
      ...(await singleWriteMetrics(ctx.engine, table, item, input.ReturnItemCollectionMetrics)),
    };
  },
};
