/**
 * DynamoDB's capacity-unit arithmetic: a read unit covers 4 KB (half a unit when
 * eventually consistent), a write unit 1 KB; partial units round up, and every
 * request consumes at least one unit of its kind.
 */
const READ_UNIT_BYTES = 4 * 1024;
const WRITE_UNIT_BYTES = 1024;

export type ReturnConsumedCapacity = 'INDEXES' | 'TOTAL' | 'NONE' | undefined;

export function readUnits(itemBytes: number, consistentRead: boolean): number {
  const units = Math.max(1, Math.ceil(itemBytes / READ_UNIT_BYTES));
  return consistentRead ? units : units / 2;
}

export function writeUnits(itemBytes: number): number {
  return Math.max(1, Math.ceil(itemBytes / WRITE_UNIT_BYTES));
}

export function consumedCapacity(mode: ReturnConsumedCapacity, tableName: string, units: number): Record<string, unknown> | undefined {
  if (mode === 'TOTAL') return { ConsumedCapacity: { TableName: tableName, CapacityUnits: units } };
  if (mode === 'INDEXES') return { ConsumedCapacity: { TableName: tableName, CapacityUnits: units, Table: { CapacityUnits: units } } };
  return undefined;
}
