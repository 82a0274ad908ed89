import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { consumedCapacity, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { applyUpdate, checkNestedKeyAccess, checkUpdateKeyAttributes, compileRequestExpressions, project, type Path } from '../expressions/index.js';
import { checkKey, decodeItem, encodeItem, keyForAudit, keyNamesOf, storageKeyOf, storedItemSize } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import type { Item } from '../types.js';
import { writeCondition, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface UpdateItemInput {
  TableName: string;
  Key: Item;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnValuesOnConditionCheckFailure?: ReturnValuesOnConditionCheckFailure;
  [other: string]: unknown;
}

export const updateItem: Operation<UpdateItemInput> = {
  name: 'UpdateItem',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:UpdateItem',
      resource: tableArn(ctx, input.TableName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'UpdateItem', input, items: [input.Key], returnsItems: false, takesReturnValues: true, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input, ctx) => ({ tableName: input.TableName, key: keyForAudit(ctx.catalog.get(input.TableName), input.Key) }),
  async execute(input, ctx) {
    const expressions = compileRequestExpressions(input, 'UpdateItem');
    const table = ctx.catalog.require(input.TableName);
    const key = normalizeItem(input.Key);
    checkKey(table, key);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    if (expressions.update) checkUpdateKeyAttributes(expressions.update, keyNamesOf(table));
    let oldItem: Item | undefined;
    let newItem: Item = key;
    let updatedPaths: Path[] = [];
    let written = true;
    let newSizeBytes: number | undefined;
    let oldSizeBytes: number | undefined;
    const outcome = await ctx.catalog.writeItems([table], [
      {
        key: storageKeyOf(table, key),
        condition: writeCondition(expressions.condition, input.ReturnValuesOnConditionCheckFailure),
        // Runs inside the write transaction: the update sees the item as it is now.
        value: (current) => {
          oldItem = current && decodeItem(current);
          const start: Item = oldItem ?? { ...key };
          const update = expressions.update;
          // Removing from an item that does not exist creates nothing (DynamoDB creates the
          // bare key item only when an update sets or adds something, or has no action at all).
          if (!oldItem && update && update.set.length === 0 && update.add.length === 0 && (update.remove.length > 0 || update.delete.length > 0)) {
            written = false;
            return undefined;
          }
          if (expressions.update) {
            const result = applyUpdate(expressions.update, oldItem, key);
            newItem = result.item;
            newSizeBytes = result.sizeBytes;
            updatedPaths = result.updatedPaths;
          } else {
            // No action: the item as it is, or its bare key; within the limit either way.
            newItem = start;
            newSizeBytes = itemSizeBytes(newItem);
          }
          oldSizeBytes = current ? storedItemSize(current) : 0;
          return encodeItem(newItem, newSizeBytes);
        },
      },
    ]);
    if (!outcome.ok) throw outcome.error;
    const units = writeUnits(Math.max(newSizeBytes ?? itemSizeBytes(newItem), oldSizeBytes ?? (oldItem ? itemSizeBytes(oldItem) : 0)));
    let attributes: Item | undefined;
    switch (written ? input.ReturnValues : 'NONE') {
      case 'ALL_OLD':
        attributes = oldItem;
        break;
      case 'ALL_NEW':
        attributes = newItem;
        break;
      case 'UPDATED_OLD':
        attributes = oldItem && project(updatedPaths, oldItem);
        break;
      case 'UPDATED_NEW':
        attributes = project(updatedPaths, newItem);
        break;
    }
    return {
      ...(attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
    };
  },
};
