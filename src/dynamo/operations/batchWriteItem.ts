import { dynamoError, validationError } from '../../errors.js';
import { itemConditionKeys } from '../conditionKeys.js';
import type { WriteOp } from '../../storage/engine.js';
import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkItemKey, checkKey, encodeItem, storageKeyOf, storedItemSize } from '../items.js';
import { tableArn, type Operation } from '../operation.js';
import type { Table } from '../tables.js';
import { checkItemSize, LIMITS } from '../limits.js';
import type { Item } from '../types.js';

interface WriteRequest {
  PutRequest?: { Item: Item };
  DeleteRequest?: { Key: Item };
}

interface BatchWriteItemInput {
  RequestItems: Record<string, WriteRequest[]>;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

interface PlannedWrite {
  tableName: string;
  storageKey: Buffer;
  item: Item | null;
  sizeBytes: number;
}

export const batchWriteItem: Operation<BatchWriteItemInput> = {
  name: 'BatchWriteItem',
  readOnly: false,
  category: 'Data',
  // One check per table, carrying every item and key the request writes in it.
  authorization: (input, ctx) =>
    Object.entries(input.RequestItems).map(([name, requests]) => ({
      action: 'dynamodb:BatchWriteItem',
      resource: tableArn(ctx, name),
      conditionKeys: () =>
        itemConditionKeys(ctx, name, {
          kind: undefined,
          input: {},
          items: requests.flatMap((request) => [request.PutRequest?.Item, request.DeleteRequest?.Key].filter((item): item is Item => item !== undefined)),
          returnsItems: false,
          takesReturnValues: false,
          returnConsumedCapacity: input.ReturnConsumedCapacity,
        }),
    })),
  requestParameters: (input) => ({
    requestItems: Object.fromEntries(Object.entries(input.RequestItems).map(([name, requests]) => [name, requests.length])),
  }),
  async execute(input, ctx) {
    const total = Object.values(input.RequestItems).reduce((sum, requests) => sum + requests.length, 0);
    if (total > LIMITS.maxBatchWriteRequests) throw validationError('Too many items requested for the BatchWriteItem call');
    // Every request is checked before anything is written.
    const planned: PlannedWrite[] = [];
    const tables: Table[] = [];
    for (const [tableName, requests] of Object.entries(input.RequestItems)) {
      const table = ctx.catalog.get(tableName);
      if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
      tables.push(table);
      const seen = new Set<string>();
      for (const request of requests) {
        if ((request.PutRequest === undefined) === (request.DeleteRequest === undefined)) {
          // Unverified text: a WriteRequest with neither or both of PutRequest and DeleteRequest.
          throw validationError('Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest');
        }
        let storageKey: Buffer;
        let item: Item | null = null;
        let sizeBytes = 0;
        if (request.PutRequest) {
          item = normalizeItem(request.PutRequest.Item);
          checkItemKey(table, item);
          sizeBytes = itemSizeBytes(item);
          checkItemSize(sizeBytes, 'put');
          storageKey = storageKeyOf(table, item);
        } else {
          const key = normalizeItem(request.DeleteRequest!.Key);
          checkKey(table, key);
          storageKey = storageKeyOf(table, key);
        }
        const id = storageKey.toString('latin1');
        if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
        seen.add(id);
        planned.push({ tableName, storageKey, item, sizeBytes });
      }
    }
    const ops: WriteOp<never>[] = planned.map((p) => ({ key: p.storageKey, value: p.item && encodeItem(p.item, p.sizeBytes) }));
    const outcome = await ctx.catalog.writeItems(tables, ops);
    if (!outcome.ok) throw outcome.error;
    const unitsByTable = new Map<string, number>();
    planned.forEach((p, i) => {
      const previous = outcome.previous[i];
      const units = writeUnits(Math.max(p.sizeBytes, previous ? storedItemSize(previous) : 0));
      unitsByTable.set(p.tableName, (unitsByTable.get(p.tableName) ?? 0) + units);
    });
    const mode = input.ReturnConsumedCapacity;
    return {
      UnprocessedItems: {},
      ...(mode === 'TOTAL' || mode === 'INDEXES'
        ? {
            ConsumedCapacity: [...unitsByTable].map(([TableName, CapacityUnits]) => ({
              TableName,
              CapacityUnits,
              ...(mode === 'INDEXES' ? { Table: { CapacityUnits } } : {}),
            })),
          }
        : {}),
    };
  },
};
