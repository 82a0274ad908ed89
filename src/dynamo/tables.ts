import { randomBytes, randomUUID } from 'node:crypto';
import type { StorageEngine } from '../storage/engine.js';
import { dynamoError } from '../errors.js';
import { catalogKey, CATALOG_RANGE, TABLE_ID_BYTES, tableRange } from './keys.js';
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

  private constructor(private readonly engine: StorageEngine) {}

  static async load(engine: StorageEngine): Promise<TableCatalog> {
    const catalog = new TableCatalog(engine);
    for await (const { value } of engine.range(CATALOG_RANGE)) {
      const record = JSON.parse(value.toString('utf8')) as TableRecord;
      catalog.tables.set(record.description.TableName, toTable(record));
    }
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

  /** Removes the table from the catalog (durably), then purges its items in the background. */
  async delete(name: string): Promise<Table> {
    const table = this.require(name);
    const notFound = dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
    // Only this incarnation of the table may be removed: a concurrent DeleteTable
    // (or a DeleteTable + CreateTable pair) must not remove a table it never saw.
    const outcome = await this.engine.writeBatch([
      {
        key: catalogKey(name),
        value: null,
        condition: (current) => (current && (JSON.parse(current.toString('utf8')) as TableRecord).storageId === table.record.storageId ? undefined : notFound),
      },
    ]);
    if (!outcome.ok) throw outcome.error;
    if (this.tables.get(name) === table) this.tables.delete(name);
    void this.purgeItems(table.storageId);
    return table;
  }

  private async purgeItems(storageId: Buffer): Promise<void> {
    const range = tableRange(storageId);
    for (;;) {
      const keys: Buffer[] = [];
      for await (const { key } of this.engine.range({ ...range, limit: ITEM_PURGE_BATCH })) keys.push(key);
      if (keys.length === 0) return;
      await this.engine.writeBatch(keys.map((key) => ({ key, value: null })));
    }
  }
}
