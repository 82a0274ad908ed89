/**
 * TransactGetItems: up to 100 Gets across tables, read from one engine snapshot (`getMany`), so
 * the answer never shows part of a transaction: every write batch, TransactWriteItems' included,
 * commits atomically, and no commit lands between two reads of one snapshot.
 */
import { normalizeItem } from '../attributeValue.js';
import { readUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { checkNestedKeyAccess, compileRequestExpressions, project, type CompiledExpressions } from '../expressions/index.js';
import { checkKey, decodeItem, keyForAudit, keyNamesOf, storageKeyOf, storedItemSize } from '../items.js';
import { tableArn, type Operation } from '../operation.js';
import type { Table, TableCatalog } from '../tables.js';
import { TRANSACTIONAL_UNIT_FACTOR, TransactionItems, UnitsByTable } from '../transactions.js';
import type { Item } from '../types.js';
import { transactionTooLarge } from '../errors.js';
import { LIMITS } from '../limits.js';

interface GetInput {
  TableName: string;
  Key: Item;
  [other: string]: unknown;
}

interface TransactGetItemsInput {
  TransactItems: { Get: GetInput }[];
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

export const transactGetItems: Operation<TransactGetItemsInput> = {
  name: 'TransactGetItems',
  readOnly: true,
  category: 'Data',
  // One dynamodb:GetItem target per Get (AWS's "Using IAM with DynamoDB transactions").
  authorization: (input, ctx) =>
    input.TransactItems.map(({ Get: get }) => ({
      action: 'dynamodb:GetItem',
      resource: tableArn(ctx, get.TableName),
      conditionKeys: () => ({
        ...itemConditionKeys(ctx, get.TableName, { kind: 'GetItem', input: get, items: [get.Key], returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
        'dynamodb:EnclosingOperation': 'TransactGetItems',
      }),
    })),
  // Unverified form: as TransactWriteItems' CloudTrail record, which AWS documents (tables and keys only).
  requestParameters: (input, ctx) => ({
    requestItems: input.TransactItems.map(({ Get: get }) => ({ operation: 'Get', tableName: get.TableName, key: keyForAudit(ctx.catalog.get(get.TableName), get.Key) })),
    ...(input.ReturnConsumedCapacity !== undefined ? { returnConsumedCapacity: input.ReturnConsumedCapacity } : {}),
  }),
  async execute(input, ctx) {
    const plans = planGets(input, ctx.catalog);
    const stored = await ctx.engine.getMany(plans.map((plan) => plan.storageKey));
    // The whole request is refused when the items it reads add up to more than 4 MB.
    const totalBytes = stored.reduce((sum, bytes) => sum + (bytes ? storedItemSize(bytes) : 0), 0);
    if (totalBytes > LIMITS.maxTransactionBytes) throw transactionTooLarge();
    const units = new UnitsByTable('read');
    const responses = stored.map((bytes, i) => {
      const { table, expressions } = plans[i];
      // A missing item costs what an empty read does: one unit, doubled.
      units.add(table.name, TRANSACTIONAL_UNIT_FACTOR * readUnits(bytes ? storedItemSize(bytes) : 0, true));
      if (!bytes) return {};
      const item = decodeItem(bytes);
      return { Item: expressions.projection ? project(expressions.projection, item) : item };
    });
    return { Responses: responses, ...units.response(input.ReturnConsumedCapacity) };
  },
};

interface PlannedGet {
  readonly table: Table;
  readonly expressions: CompiledExpressions;
  readonly storageKey: Buffer;
}

/** Every Get checked before anything is read; one item at most once. */
function planGets(input: TransactGetItemsInput, catalog: TableCatalog): PlannedGet[] {
  const items = new TransactionItems();
  return input.TransactItems.map(({ Get: get }) => {
    const expressions = compileRequestExpressions(get, 'GetItem');
    const table = catalog.require(get.TableName);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const key = normalizeItem(get.Key);
    checkKey(table, key);
    const storageKey = storageKeyOf(table, key);
    items.add(storageKey);
    return { table, expressions, storageKey };
  });
}
