import { normalizeItem } from '../attributeValue.js';
import { consumedCapacity, readUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions, project } from '../expressions/index.js';
import { checkKey, decodeItem, itemJson, keyForAudit, keyNamesOf, storageKeyOf, storedItemSize } from '../items.js';
import { RawJson } from '../../server/protocols/rawJson.js';
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
    // The request's values are checked before the table is looked up, as DynamoDB does.
    const key = normalizeItem(input.Key);
    const table = ctx.catalog.require(input.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    checkKey(table, key);
    const stored = await ctx.engine.get(storageKeyOf(table, key));
    const units = readUnits(stored ? storedItemSize(stored) : 0, input.ConsistentRead === true);
    // Without a projection the item answers as its stored text, never parsed.
    const shown = stored && (expressions.projection ? project(expressions.projection, decodeItem(stored)) : new RawJson(itemJson(stored)));
    return { ...(shown ? { Item: shown } : {}), ...consumedCapacity(input.ReturnConsumedCapacity, table.name, units) };
  },
};
