import { dynamoError, validationError } from '../errors.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { readUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { compileRequestExpressions, project } from '../expressions/index.js';
import { checkKey, decodeItem, storageKeyOf } from '../items.js';
import { tableArn, type Operation } from '../operation.js';
import { LIMITS } from '../limits.js';
import type { Item } from '../types.js';

interface KeysAndAttributes {
  Keys: Item[];
  ConsistentRead?: boolean;
  [other: string]: unknown;
}

interface BatchGetItemInput {
  RequestItems: Record<string, KeysAndAttributes>;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}


export const batchGetItem: Operation<BatchGetItemInput> = {
  name: 'BatchGetItem',
  readOnly: true,
  category: 'Data',
  // One check per table, carrying every key the request names in it.
  authorization: (input, ctx) =>
    Object.entries(input.RequestItems).map(([name, request]) => ({
      action: 'dynamodb:BatchGetItem',
      resource: tableArn(ctx, name),
      conditionKeys: () =>
        itemConditionKeys(ctx, name, { kind: 'BatchGetItem', input: request, items: request.Keys, returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    })),
  requestParameters: (input) => ({
    requestItems: Object.fromEntries(Object.entries(input.RequestItems).map(([name, request]) => [name, { keys: request.Keys.length }])),
  }),
  async execute(input, ctx) {
    const total = Object.values(input.RequestItems).reduce((sum, request) => sum + request.Keys.length, 0);
    if (total > LIMITS.maxBatchGetKeys) throw validationError('Too many items requested for the BatchGetItem call');
    // The whole request is checked before any table is looked up, as DynamoDB does.
    const checked = Object.entries(input.RequestItems).map(([tableName, request]) => ({
      tableName, request, expressions: compileRequestExpressions(request, 'BatchGetItem'), keys: distinctKeys(request.Keys),
    }));
    const plans = checked.map(({ tableName, request, expressions, keys }) => {
      const table = ctx.catalog.ready(tableName, ctx.nowMs);
      if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
      const planned = keys.map((key, i) => {
        checkKey(table, key);
        return { raw: request.Keys[i], storageKey: storageKeyOf(table, key) };
      });
      return { tableName, request, table, expressions, keys: planned };
    });
    // Keyed by table names, which are the user's (`__proto__` is valid): no prototype.
    const responses: Record<string, Item[]> = Object.create(null) as Record<string, Item[]>;
    const unprocessed: Record<string, KeysAndAttributes> = Object.create(null) as Record<string, KeysAndAttributes>;
    const capacity = new Map<string, number>();
    let responseBytes = 0;
    let responseFull = false;
    for (const plan of plans) {
      responses[plan.tableName] = [];
      for (const { raw, storageKey } of plan.keys) {
        const stored = await ctx.engine.get(storageKey);
        const item = stored && decodeItem(stored);
        const shown = item && (plan.expressions.projection ? project(plan.expressions.projection, item) : item);
        const shownBytes = shown ? itemSizeBytes(shown) : 0;
        // Stop before an item would take the response past 16 MB; it and the rest come back unprocessed.
        if (responseFull || responseBytes + shownBytes > LIMITS.maxBatchGetResponseBytes) {
          responseFull = true;
          (unprocessed[plan.tableName] ??= { ...plan.request, Keys: [] }).Keys.push(raw);
          continue;
        }
        capacity.set(plan.tableName, (capacity.get(plan.tableName) ?? 0) + readUnits(item ? itemSizeBytes(item) : 0, plan.request.ConsistentRead === true));
        if (!shown) continue;
        responseBytes += shownBytes;
        responses[plan.tableName].push(shown);
      }
    }
    const mode = input.ReturnConsumedCapacity;
    return {
      Responses: responses,
      UnprocessedKeys: unprocessed,
      ...(mode === 'TOTAL' || mode === 'INDEXES'
        ? { ConsumedCapacity: [...capacity].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits, ...(mode === 'INDEXES' ? { Table: { CapacityUnits } } : {}) })) }
        : {}),
    };
  },
};

/**
 * The keys, normalised, refusing one given twice. DynamoDB compares them as given, before it
 * looks at the table (dynalite's recording): the same attributes with the same values.
 */
function distinctKeys(raws: readonly Record<string, unknown>[]): Item[] {
  const seen = new Set<string>();
  return raws.map((raw) => {
    const key = normalizeItem(raw);
    const id = JSON.stringify(Object.keys(key).sort().map((name) => [name, key[name]]));
    if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
    seen.add(id);
    return key;
  });
}
