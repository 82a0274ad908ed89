import { randomBytes, randomUUID } from 'node:crypto';
import type { StorageEngine } from '../storage/engine.js';
import { dynamoError } from '../errors.js';
import { catalogKey, CATALOG_RANGE, PURGE_MARKER_RANGE, purgeMarkerKey, TABLE_ID_BYTES, tableRange } from './keys.js';
import type { AttributeDefinition, KeyAttribute, KeySchemaElement } from './types.js';

/** What the catalog persists per table: DynamoDB's description plus cove's storage id. */
export interface TableRecord {
  storageId: string; // hex, TABLE_ID_BYTES long
  description: TableDescription;
}

export interface TableDescription {
  TableName: string;
  TableArn: string;
  TableId: string;
  TableStatus: 'CREATING' | 'ACTIVE' | 'DELETING';
  CreationDateTime: number;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  ProvisionedThroughput: { NumberOfDecreasesToday: number; ReadCapacityUnits: number; WriteCapacityUnits: number };
  BillingModeSummary?: { BillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED'; LastUpdateToPayPerRequestDateTime?: number };
  TableSizeBytes: number;
  ItemCount: number;
  DeletionProtectionEnabled: boolean;
}

/** A table as operations use it: keys resolved once, storage id as bytes. */
export interface Table {
  name: string;
  storageId: Buffer;
  hashKey: KeyAttribute;
  rangeKey: KeyAttribute | undefined;
  record: TableRecord;
}

function toTable(record: TableRecord): Table {
  const d = record.description;
  const typeOf = (name: string) => d.AttributeDefinitions.find((a) => a.AttributeName === name)!.AttributeType;
  const hash = d.KeySchema.find((k) => k.KeyType === 'HASH')!;
  const range = d.KeySchema.find((k) => k.KeyType === 'RANGE');
  return {
    name: d.TableName,
    storageId: Buffer.from(record.storageId, 'hex'),
    hashKey: { name: hash.AttributeName, type: typeOf(hash.AttributeName) },
    rangeKey: range && { name: range.AttributeName, type: typeOf(range.AttributeName) },
    record,
  };
}

const ITEM_PURGE_BATCH = 1000;

/**
 * The table catalog: persisted in the engine under catalog keys, mirrored in
 * memory so that every item request resolves its table without I/O.
 */
export class TableCatalog {
  private readonly tables = new Map<string, Table>();
  private readonly purges = new Set<Promise<void>>();
  private closing = false;

  private constructor(private readonly engine: StorageEngine) {}

  static async load(engine: StorageEngine): Promise<TableCatalog> {
    const catalog = new TableCatalog(engine);
    for await (const { value } of engine.range(CATALOG_RANGE)) {
      const record = JSON.parse(value.toString('utf8')) as TableRecord;
      catalog.tables.set(record.description.TableName, toTable(record));
    }
    // Resume the purges a stop or crash interrupted.
    const pending: Buffer[] = [];
    for await (const { key } of engine.range(PURGE_MARKER_RANGE)) pending.push(key.subarray(1));
    for (const storageId of pending) catalog.startPurge(storageId);
    return catalog;
  }

  get(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** The table, or DynamoDB's answer for a missing one. */
  require(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  names(): string[] {
    return [...this.tables.keys()].sort();
  }

  async create(description: Omit<TableDescription, 'TableId' | 'TableStatus'>): Promise<Table> {
    const record: TableRecord = {
      storageId: randomBytes(TABLE_ID_BYTES).toString('hex'),
      description: { ...description, TableId: randomUUID(), TableStatus: 'ACTIVE' },
    };
    const outcome = await this.engine.writeBatch([
      {
        key: catalogKey(description.TableName),
        value: Buffer.from(JSON.stringify(record)),
        condition: (current) => (current ? dynamoError('ResourceInUseException', `Table already exists: ${description.TableName}`) : undefined),
      },
    ]);
    if (!outcome.ok) throw outcome.error;
    const table = toTable(record);
    this.tables.set(table.name, table);
    return table;
  }

  /**
   * Removes the table from the catalog, durably and together with a purge marker,
   * then purges its items in the background. The table leaves the in-memory map
   * first, so no write is acknowledged on a table whose deletion is under way.
   */
  async delete(name: string): Promise<Table> {
    const table = this.require(name);
    this.tables.delete(name);
    const notFound = dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
    let outcome;
    try {
      outcome = await this.engine.writeBatch([
        {
          key: catalogKey(name),
          value: null,
          // Only this incarnation of the table may be removed.
          condition: (current) => (current && (JSON.parse(current.toString('utf8')) as TableRecord).storageId === table.record.storageId ? undefined : notFound),
        },
        { key: purgeMarkerKey(table.storageId), value: Buffer.of(1) },
      ]);
    } catch (error) {
      if (!this.tables.has(name)) this.tables.set(name, table);
      throw error;
    }
    if (!outcome.ok) {
      if (outcome.error !== notFound && !this.tables.has(name)) this.tables.set(name, table);
      throw outcome.error;
    }
    this.startPurge(table.storageId);
    return table;
  }

  private startPurge(storageId: Buffer): void {
    const purge = this.purgeItems(storageId).catch((error: unknown) => {
      if (!this.closing) console.error('cove: purge of a deleted table failed; it resumes at next start', error);
    });
    this.purges.add(purge);
    void purge.finally(() => this.purges.delete(purge));
  }

  /** Stops background purges at their next batch and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.purges);
  }

  private async purgeItems(storageId: Buffer): Promise<void> {
    const range = tableRange(storageId);
    while (!this.closing) {
      const keys: Buffer[] = [];
      for await (const { key } of this.engine.range({ ...range, limit: ITEM_PURGE_BATCH })) keys.push(key);
      if (keys.length === 0) {
        await this.engine.writeBatch([{ key: purgeMarkerKey(storageId), value: null }]);
        return;
      }
      await this.engine.writeBatch(keys.map((key) => ({ key, value: null })));
    }
  }
}
