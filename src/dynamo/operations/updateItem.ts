import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { consumedCapacity, TableConsumption, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { applyUpdate, checkNestedKeyAccess, checkUpdateKeyAttributes, compileRequestExpressions, project, type Path, type UpdateActions } from '../expressions/index.js';
import { checkKey, keyForAudit, keyNamesOf } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import { singleWriteMetrics, type ReturnItemCollectionMetrics } from '../itemCollections.js';
import type { Item } from '../types.js';
import { itemChange, writeItemChanges, type ItemDecision, type OldItem, type ReturnValuesOnConditionCheckFailure } from '../writes.js';

interface UpdateItemInput {
  TableName: string;
  Key: Item;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnItemCollectionMetrics?: ReturnItemCollectionMetrics;
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
    // The request's values are checked before the table is looked up, as DynamoDB does.
    const key = normalizeItem(input.Key);
    const table = ctx.catalog.require(input.TableName);
    checkKey(table, key);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const update = expressions.update;
    if (update) checkUpdateKeyAttributes(update, keyNamesOf(table));
    const check = { condition: expressions.condition, returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure };
    // The update runs inside the write transaction: it sees the item as it is now.
    const change = itemChange(table, key, (old) => updatedItem(update, old, key), check);
    const [{ old, write, result: updatedPaths, indexUnits }] = await writeItemChanges(ctx.catalog, [change]);
    const newItem = write.kind === 'put' ? write.item : undefined;
    // Nothing written (a REMOVE on a missing item): charged as an item of the key's size.
    const units = new TableConsumption(writeUnits(Math.max(newItem ? newItem.sizeBytes : itemSizeBytes(key), old ? old.sizeBytes : 0)));
    units.addIndexes(indexUnits);
    return {
      ...returnedAttributes(newItem ? input.ReturnValues : 'NONE', old, newItem?.item, updatedPaths),
      ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units),
      ...(await singleWriteMetrics(ctx.engine, table, key, input.ReturnItemCollectionMetrics)),
    };
  },
};

/**
 * The new item: pure in `old`, since the engine may run it more than once. The paths the update
 * wrote come along for ReturnValues UPDATED_OLD / UPDATED_NEW. TransactWriteItems' Update uses it too.
 */
export function updatedItem(update: UpdateActions | undefined, old: OldItem | undefined, key: Item): ItemDecision<Path[]> {
  // Removing from an item that does not exist creates nothing (DynamoDB creates the
  // bare key item only when an update sets or adds something, or has no action at all).
  if (!old && update && update.set.length === 0 && update.add.length === 0 && (update.remove.length > 0 || update.delete.length > 0)) {
    return { write: { kind: 'unchanged' }, result: [] };
  }
  if (!update) {
    // No action: the item as it is, or its bare key; within the size limit either way.
    const item = old ? old.item : { ...key };
    return { write: { kind: 'put', item: { item, sizeBytes: itemSizeBytes(item) } }, result: [] };
  }
  // applyUpdate checks the new item's size (UpdateItem's one check of it).
  const applied = applyUpdate(update, old?.item, key);
  return { write: { kind: 'put', item: { item: applied.item, sizeBytes: applied.sizeBytes } }, result: applied.updatedPaths };
}

function returnedAttributes(returnValues: UpdateItemInput['ReturnValues'], old: OldItem | undefined, newItem: Item | undefined, updatedPaths: Path[]): { Attributes?: Item } {
  let attributes: Item | undefined;
  switch (returnValues) {
    case 'ALL_OLD':
      attributes = old?.item;
      break;
    case 'ALL_NEW':
      attributes = newItem;
      break;
    case 'UPDATED_OLD':
      attributes = old && project(updatedPaths, old.item);
      break;
    case 'UPDATED_NEW':
      attributes = newItem && project(updatedPaths, newItem);
      break;
  }
  return attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
}
