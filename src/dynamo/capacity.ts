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

export function consumedCapacity(mode: ReturnConsumedCapacity, tableName: string, units: number | TableConsumption): Record<string, unknown> | undefined {
  const consumption = typeof units === 'number' ? new TableConsumption(units) : units;
  const entry = consumption.entry(mode, tableName);
  return entry && { ConsumedCapacity: entry };
}

/** Units consumed on one secondary index, by its name and kind. */
export interface IndexUnits {
  readonly name: string;
  readonly kind: 'local' | 'global';
  readonly units: number;
}

/**
 * What a request consumed on one table: the table's own units and each secondary index's.
 * DynamoDB's ConsumedCapacity: TOTAL answers the sum in CapacityUnits; INDEXES adds `Table` and
 * the maps `GlobalSecondaryIndexes` / `LocalSecondaryIndexes` of the indexes the request touched
 * (API reference, ConsumedCapacity). Index names are the user's (`__proto__` is a valid one):
 * the maps are kept in Maps and answered as null-prototype objects.
 */
export class TableConsumption {
  table = 0;
  private readonly global = new Map<string, number>();
  private readonly local = new Map<string, number>();

  constructor(tableUnits = 0) {
    this.table = tableUnits;
  }

  addIndexes(indexUnits: readonly IndexUnits[] | undefined, factor = 1): void {
    if (!indexUnits) return;
    for (const { name, kind, units } of indexUnits) this.addIndex(kind, name, factor * units);
  }

  addIndex(kind: 'local' | 'global', name: string, units: number): void {
    const map = kind === 'global' ? this.global : this.local;
    map.set(name, (map.get(name) ?? 0) + units);
  }

  add(other: TableConsumption): void {
    this.table += other.table;
    for (const [name, units] of other.global) this.addIndex('global', name, units);
    for (const [name, units] of other.local) this.addIndex('local', name, units);
  }

  get total(): number {
    let total = this.table;
    for (const units of this.global.values()) total += units;
    for (const units of this.local.values()) total += units;
    return total;
  }

  /**
   * The ConsumedCapacity entry for the table, or undefined when not asked for. With `kind`, the
   * units are also named as read or write units (`ReadCapacityUnits`), at the top and in `Table`:
   * the live service does so for the transaction operations only.
   */
  entry(mode: ReturnConsumedCapacity, tableName: string, kind?: 'read' | 'write'): Record<string, unknown> | undefined {
    const split = (units: number) => (kind === undefined ? {} : kind === 'read' ? { ReadCapacityUnits: units } : { WriteCapacityUnits: units });
    if (mode === 'TOTAL') return { TableName: tableName, CapacityUnits: this.total, ...split(this.total) };
    if (mode !== 'INDEXES') return undefined;
    return {
      TableName: tableName,
      CapacityUnits: this.total,
      ...split(this.total),
      Table: { CapacityUnits: this.table, ...split(this.table) },
      ...(this.global.size > 0 ? { GlobalSecondaryIndexes: capacityMap(this.global) } : {}),
      ...(this.local.size > 0 ? { LocalSecondaryIndexes: capacityMap(this.local) } : {}),
    };
  }
}

function capacityMap(units: ReadonlyMap<string, number>): Record<string, { CapacityUnits: number }> {
  const out = Object.create(null) as Record<string, { CapacityUnits: number }>;
  for (const [name, capacityUnits] of units) out[name] = { CapacityUnits: capacityUnits };
  return out;
}
