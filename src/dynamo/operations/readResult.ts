import { validationError } from '../errors.js';
import { consumedCapacity, TableConsumption, type ReturnConsumedCapacity } from '../capacity.js';
import { evaluateCondition, project, type CompiledExpressions } from '../expressions/index.js';
import type { OperationContext } from '../operation.js';
import { readPage, type KeyRange, type KeySpace, type Page } from '../reads.js';
import type { Table } from '../tables.js';
import { storageKeyOf, StoredItem } from '../items.js';
import { pathsReferenced } from '../expressions/index.js';
import type { Item } from '../types.js';
import type { RawJson } from '../../server/protocols/rawJson.js';

export type Select = 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';

/** DynamoDB's rules tying Select to a projection, with its texts (Query wraps one of them, Scan does not). */
export function readSelect(input: { Select?: string; IndexName?: string; ProjectionExpression?: unknown; AttributesToGet?: unknown }, expressions: CompiledExpressions, operation: 'Query' | 'Scan' = 'Scan'): Select {
  const select = input.Select as Select | undefined;
  const projectionName = input.ProjectionExpression !== undefined ? 'ProjectionExpression' : 'AttributesToGet';
  const hasProjection = expressions.projection !== undefined;
  switch (select) {
    case undefined:
      // DynamoDB's default: everything the table or index holds.
      return hasProjection ? 'SPECIFIC_ATTRIBUTES' : input.IndexName !== undefined ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
    case 'ALL_ATTRIBUTES':
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get ALL_ATTRIBUTES`);
      return select;
    case 'ALL_PROJECTED_ATTRIBUTES':
      if (input.IndexName === undefined) throw validationError('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get ALL_PROJECTED_ATTRIBUTES`);
      return select;
    case 'COUNT':
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get only the Count`);
      return select;
    case 'SPECIFIC_ATTRIBUTES':
      if (!hasProjection) {
        const message = 'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES';
        throw validationError(operation === 'Query' ? `1 validation error detected: ${message}` : message);
      }
      return select;
  }
}

/** The page as DynamoDB answers it: Items unless COUNT, then Count, ScannedCount and LastEvaluatedKey. */
export function shapeReadResult(select: Select, items: readonly (Item | RawJson)[], page: Page): Record<string, unknown> {
  return {
    ...(select === 'COUNT' ? {} : { Items: items }),
    Count: items.length,
    ScannedCount: page.scannedCount,
    ...(page.lastEvaluatedKey ? { LastEvaluatedKey: page.lastEvaluatedKey } : {}),
  };
}

/** Query and Scan charge for the bytes read, not per item: 4 KB per unit, rounded up once. */
export function readUnitsOf(bytesRead: number, consistentRead: boolean): number {
  const units = Math.max(1, Math.ceil(bytesRead / 4096));
  return consistentRead ? units : units / 2;
}

export interface PageQuery {
  space: KeySpace;
  range: KeyRange;
  reverse: boolean;
  select: Select;
  expressions: CompiledExpressions;
  input: { Limit?: number; ConsistentRead?: boolean; ReturnConsumedCapacity?: ReturnConsumedCapacity };
}

/** The part Query and Scan share: read one page, filter, project, and answer with counts and capacity. */
export async function readPageResult(ctx: OperationContext, query: PageQuery): Promise<Record<string, unknown>> {
  const { space, range, reverse, select, expressions, input } = query;
  const table = space.table;
  const filter = expressions.filter;
  const page = await readPage(ctx.engine, {
    space,
    range,
    reverse,
    limit: input.Limit,
    filter: filter && ((item) => evaluateCondition(filter, item)),
    fetch: fetchesFromTable(space, select, expressions) ? (entry) => tableItemOf(ctx, table, entry) : undefined,
    // Without ALL_ATTRIBUTES or a projection, an index answers with what it projects, whatever the filter read.
    answerFetched: select === 'ALL_ATTRIBUTES' || select === 'SPECIFIC_ATTRIBUTES',
  });
  const projection = expressions.projection;
  // Without a projection the stored items answer as their stored text (StoredItem is RawJson).
  const items = projection ? page.items.map((stored) => project(projection, stored.item)) : page.items;
  return {
    ...shapeReadResult(select, items, page),
    ...consumedCapacity(input.ReturnConsumedCapacity, table.name, readConsumption(space, page, input.ConsistentRead === true)),
  };
}

/**
 * Where a page's read units go: a table's read, to the table; an index's, to the index (DynamoDB:
 * a Query or Scan on a global index consumes the index's read capacity, not the table's), and the
 * items a local index's query fetches from the table, to the table. Unverified: INDEXES answering
 * `Table: {CapacityUnits: 0}` for an index read that fetched nothing, and the fetched bytes rounded
 * up apart from the entries' (the total is the sum of the two).
 */
function readConsumption(space: KeySpace, page: Page, consistentRead: boolean): number | TableConsumption {
  const index = space.index;
  if (!index) return readUnitsOf(page.bytesRead, consistentRead);
  const consumption = new TableConsumption(page.fetchedBytes > 0 ? readUnitsOf(page.fetchedBytes, consistentRead) : 0);
  consumption.addIndex(index.kind, index.name, readUnitsOf(page.bytesRead - page.fetchedBytes, consistentRead));
  return consumption;
}

/**
 * A local secondary index answers for attributes it does not project by fetching the item from
 * the table (DynamoDB does, at extra read cost); a global one cannot (keySpaceOf refuses it).
 */
function fetchesFromTable(space: KeySpace, select: Select, expressions: CompiledExpressions): boolean {
  const index = space.index;
  if (!index || index.kind !== 'local' || index.projectionType === 'ALL') return false;
  if (select === 'ALL_ATTRIBUTES') return true;
  const projected = new Set([...index.tableKeys.map((k) => k.name), ...index.keyAttributes.map((k) => k.name), ...index.nonKeyAttributes]);
  return [...pathsReferenced({ projection: expressions.projection, filter: expressions.filter })].some((name) => !projected.has(name));
}

function tableItemOf(ctx: OperationContext, table: Table, entry: StoredItem): StoredItem | Promise<StoredItem> {
  const item = (stored: Buffer | undefined) => {
    // The entry and the item are written in one transaction: an entry without its item is corruption.
    if (!stored) throw new Error(`index entry of table ${table.name} without its item`);
    return new StoredItem(stored);
  };
  const stored = ctx.engine.get(storageKeyOf(table, entry.item));
  return stored instanceof Promise ? stored.then(item) : item(stored);
}
