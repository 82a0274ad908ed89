import { dynamoError, validationError } from '../errors.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { TableConsumption, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { checkItemKey, checkKey } from '../items.js';
import { tableArn, type Operation } from '../operation.js';
import { metricsByTable, metricsResponse, type ReturnItemCollectionMetrics } from '../itemCollections.js';
import type { Table } from '../tables.js';
import { checkItemSize, LIMITS } from '../limits.js';
import type { Item } from '../types.js';
import { deleteItemChange, putItemChange, writeItemChanges, type ItemChange } from '../writes.js';

interface WriteRequest {
  PutRequest?: { Item: Item };
  DeleteRequest?: { Key: Item };
}

interface BatchWriteItemInput {
  RequestItems: Record<string, WriteRequest[]>;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnItemCollectionMetrics?: ReturnItemCollectionMetrics;
  [other: string]: unknown;
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
    // Every request is checked before anything is written, and its values before any table is
    // looked up, as DynamoDB does.
    const checked = Object.entries(input.RequestItems).map(([tableName, requests]) => [tableName, requests.map(checkedRequest)] as const);
    const changes: ItemChange<undefined>[] = [];
    for (const [tableName, requests] of checked) {
      const table = ctx.catalog.ready(tableName, ctx.nowMs);
      if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
      const seen = new Set<string>();
      for (const request of requests) {
        const change = plannedChange(table, request);
        const id = change.storageKey.toString('latin1');
        if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
        seen.add(id);
        changes.push(change);
      }
    }
    const outcomes = await writeItemChanges(ctx.catalog, changes);
    const unitsByTable = new Map<string, TableConsumption>();
    outcomes.forEach(({ old, write, indexUnits }, i) => {
      const tableName = changes[i].table.name;
      let consumption = unitsByTable.get(tableName);
      if (!consumption) unitsByTable.set(tableName, (consumption = new TableConsumption()));
      consumption.table += writeUnits(Math.max(write.kind === 'put' ? write.item.sizeBytes : 0, old ? old.sizeBytes : 0));
      consumption.addIndexes(indexUnits);
    });
    const mode = input.ReturnConsumedCapacity;
    const metrics = await metricsByTable(ctx.engine, changes, input.ReturnItemCollectionMetrics);
    return {
      UnprocessedItems: {},
      ...metricsResponse(metrics),
      ...(mode === 'TOTAL' || mode === 'INDEXES'
        ? {
            ConsumedCapacity: [...unitsByTable].map(([tableName, consumption]) => consumption.entry(mode, tableName)),
          }
        : {}),
    };
  },
};

/** A WriteRequest whose values are checked: what can be checked without the table. */
type CheckedRequest = { put: { item: Item; sizeBytes: number } } | { delete: Item };

function checkedRequest(request: WriteRequest): CheckedRequest {
  if (request.PutRequest === undefined && request.DeleteRequest === undefined) {
    // DynamoDB's (odd) text for an empty WriteRequest, as dynalite recorded it (validations/batchWriteItem.js).
    throw validationError('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  }
  if (request.PutRequest !== undefined && request.DeleteRequest !== undefined) {
    // Unverified text: a WriteRequest with both PutRequest and DeleteRequest.
    throw validationError('Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest');
  }
  if (request.PutRequest) {
    const item = normalizeItem(request.PutRequest.Item);
    const sizeBytes = itemSizeBytes(item);
    checkItemSize(sizeBytes, 'put');
    return { put: { item, sizeBytes } };
  }
  return { delete: normalizeItem(request.DeleteRequest!.Key) };
}

/** One checked WriteRequest, held to the table's key schema, as an item change. */
function plannedChange(table: Table, request: CheckedRequest): ItemChange<undefined> {
  if ('put' in request) {
    checkItemKey(table, request.put.item);
    return putItemChange(table, request.put);
  }
  checkKey(table, request.delete);
  return deleteItemChange(table, request.delete);
}
