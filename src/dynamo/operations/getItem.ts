import { normalizeItem, itemSizeBytes } from '../attributeValue.js';
import { consumedCapacity, readUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions, project } from '../expressions/index.js';
import { checkKey, decodeItem, keyForAudit, keyNamesOf, storageKeyOf } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { tableArn, type Operation } from '../operation.js';
import type { Item } from '../types.js';

interface GetItemInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

export const getItem: Operation<GetItemInput> = {
  name: 'GetItem',
  readOnly: true,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:GetItem',
      resource: tableArn(ctx, input.TableName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'GetItem', input, items: [input.Key], returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input, ctx) => ({ tableName: input.TableName, key: keyForAudit(ctx.catalog.get(input.TableName), input.Key), consistentRead: input.ConsistentRead ?? false }),
  async execute(input, ctx) {
    const expressions = compileRequestExpressions(input, 'GetItem');
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const key = normalizeItem(input.Key);
    checkKey(table, key);
    const stored = await ctx.engine.get(storageKeyOf(table, key));
    const item = stored && decodeItem(stored);
    const units = readUnits(item ? itemSizeBytes(item) : 0, input.ConsistentRead === true);
    const projected = item && expressions.projection ? project(expressions.projection, item) : item;
    return { ...(projected ? { Item: projected } : {}), ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units) };
  },
};
