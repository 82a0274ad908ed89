import { randomBytes, randomUUID } from 'node:crypto';
import type { BatchOutcome, Entry, StorageEngine, WriteOp } from '../storage/engine.js';
import { AwsError } from '../errors.js';
import { dynamoError } from './errors.js';
import { catalogKeys, type CatalogKeys, COLLECTION_TAG, INDEX_TAG, ITEM_TAG, PURGE_MARKER_RANGE, purgeMarkerKey, STREAM_TAG, TABLE_ID_BYTES, tableRange } from './keys.js';
import { enabledStream, type StreamInfo, type StreamViewType, type TableStream } from './streams.js';
import type { AttributeDefinition, KeyAttribute, KeySchemaElement } from './types.js';
import type { ProjectionType, SecondaryIndex } from './indexes.js';
import { statsRecountIntervalMs, TableStats, type StatsState } from './tableStats.js';
import { backfillIndex } from './backfill.js';
import { TimeToLiveSweeper } from './timeToLive.js';
import type { OnDemandThroughput, WarmThroughputDescription } from './throughputSettings.js';
import assert from 'node:assert/strict';

/** What the catalog persists per table: DynamoDB's description plus cove's storage ids. */
export interface TableRecord {
  storageId: string; // hex, TABLE_ID_BYTES long
  description: TableDescription;
  /**
   * The settings DescribeTable does not show. Optional: records written before they existed
   * lack them, and `settingsOf` defaults them on read.
   */
  settings?: Partial<TableSettings>;
  /** Each secondary index's storage id (hex), by index name; absent in records of tables without indexes. */
  indexStorageIds?: { name: string; storageId: string }[];
  /** When the description's ItemCount and sizes were counted (tableStats.ts); absent: never since creation. */
  stats?: StatsState;
  /** With `tables.createDelayMs`: the table is CREATING (and unusable) until then (epoch ms). */
  creatingUntilMs?: number;
  /**
   * With `tables.deleteDelayMs`: the table was deleted and this record is its tombstone, shown
   * DELETING until then (epoch ms); its items are purged already, and nothing writes to it.
   */
  deletingUntilMs?: number;
}

/**
 * A table's settings beyond its description. Tags are [key, value] pairs in the order they were
 * first set: user-controlled names never become object keys (a tag key `__proto__` is a tag).
 */
export interface TableSettings {
  tags: [key: string, value: string][];
  /** Absent: time to live was never enabled, or was disabled (DynamoDB forgets the attribute then). */
  timeToLive: { attributeName: string } | null;
  /** When UpdateTimeToLive last changed the setting (epoch ms); absent: never. */
  timeToLiveChangedAtMs?: number;
  /** When UpdateTable last switched the table from provisioned to on-demand (epoch seconds, the last few, oldest first). */
  payPerRequestSwitchesSeconds?: number[];
  /** Absent: point-in-time recovery is disabled. */
  pointInTimeRecovery: { recoveryPeriodInDays: number; enabledAtSeconds: number } | null;
  /** Every stream the table has had, oldest first; the last is enabled unless it has `disabledAtMs` (streams.ts). */
  streams: StreamInfo[];
}

/** The record's settings with the defaults of a table that never changed them. */
export function settingsOf(record: TableRecord): TableSettings {
  return {
    tags: record.settings?.tags ?? [],
    timeToLive: record.settings?.timeToLive ?? null,
    ...(record.settings?.timeToLiveChangedAtMs !== undefined ? { timeToLiveChangedAtMs: record.settings.timeToLiveChangedAtMs } : {}),
    pointInTimeRecovery: record.settings?.pointInTimeRecovery ?? null,
    streams: record.settings?.streams ?? [],
  };
}

export interface IndexDescription {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: { ProjectionType: ProjectionType; NonKeyAttributes?: string[] };
  IndexSizeBytes: number;
  ItemCount: number;
  IndexArn: string;
}

export interface GlobalIndexDescription extends IndexDescription {
  IndexStatus: 'CREATING' | 'UPDATING' | 'DELETING' | 'ACTIVE';
  /** True while an index added by UpdateTable is being backfilled (with IndexStatus CREATING); absent otherwise. */
  Backfilling?: boolean;
  ProvisionedThroughput: { NumberOfDecreasesToday: number; ReadCapacityUnits: number; WriteCapacityUnits: number; LastIncreaseDateTime?: number; LastDecreaseDateTime?: number };
  /** The index's limits while its table is on-demand; absent when none is set. */
  OnDemandThroughput?: OnDemandThroughput;
  /** Absent in descriptions written before cove kept it (throughputSettings.ts derives it). */
  WarmThroughput?: WarmThroughputDescription;
}

export interface TableDescription {
  TableName: string;
  TableArn: string;
  TableId: string;
  TableStatus: 'CREATING' | 'UPDATING' | 'ACTIVE' | 'DELETING';
  CreationDateTime: number;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  ProvisionedThroughput: {
    NumberOfDecreasesToday: number;
    ReadCapacityUnits: number;
    WriteCapacityUnits: number;
    LastIncreaseDateTime?: number;
    LastDecreaseDateTime?: number;
  };
  BillingModeSummary?: { BillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED'; LastUpdateToPayPerRequestDateTime?: number };
  TableSizeBytes: number;
  ItemCount: number;
  DeletionProtectionEnabled: boolean;
  LocalSecondaryIndexes?: IndexDescription[];
  GlobalSecondaryIndexes?: GlobalIndexDescription[];
  /** Present while a stream is enabled. */
  StreamSpecification?: { StreamEnabled: true; StreamViewType: StreamViewType };
  /** The table's last stream, enabled or not. */
  LatestStreamLabel?: string;
  LatestStreamArn?: string;
  /** The table's limits while it is on-demand; absent when none is set. */
  OnDemandThroughput?: OnDemandThroughput;
  /** The high-water mark (throughputSettings.ts); absent in descriptions written before cove kept it. */
  WarmThroughput?: WarmThroughputDescription;
}

/** A table as operations use it: keys resolved once, storage id as bytes. */
export interface Table {
  name: string;
  storageId: Buffer;
  hashKey: KeyAttribute;
  rangeKey: KeyAttribute | undefined;
  /** Local then global secondary indexes, in the order the table declares them. */
  indexes: readonly SecondaryIndex[];
  /** The index of that name (a Map: index names are the user's). */
  indexNamed: ReadonlyMap<string, SecondaryIndex>;
  record: TableRecord;
  /** The catalog entry's bytes as stored, which the write guard compares (cheaper than parsing). */
  recordBytes: Buffer;
  /** The enabled stream, which every item write of the table records to; undefined: none. */
  stream: TableStream | undefined;
}

function toTable(record: TableRecord, recordBytes: Buffer): Table {
  const d = record.description;
  const typeOf = (name: string) => d.AttributeDefinitions.find((a) => a.AttributeName === name)!.AttributeType;
  const keysOf = (schema: KeySchemaElement[]) => {
    const hash = schema.find((k) => k.KeyType === 'HASH')!;
    const range = schema.find((k) => k.KeyType === 'RANGE');
    return { hashKey: { name: hash.AttributeName, type: typeOf(hash.AttributeName) }, rangeKey: range && { name: range.AttributeName, type: typeOf(range.AttributeName) } };
  };
  const tableKeys = keysOf(d.KeySchema);
  // An index's KeySchema lists its HASH attributes, then its RANGE ones (several for a GSI's multi-attribute key).
  const indexKeysOf = (schema: KeySchemaElement[]) => {
    const attributes = (type: KeySchemaElement['KeyType']) => schema.filter((k) => k.KeyType === type).map((k) => ({ name: k.AttributeName, type: typeOf(k.AttributeName) }));
    const partitionKeys = attributes('HASH');
    const sortKeys = attributes('RANGE');
    return { partitionKeys, sortKeys, keyAttributes: [...partitionKeys, ...sortKeys] };
  };
  const storageIds = new Map((record.indexStorageIds ?? []).map((entry) => [entry.name, entry.storageId]));
  const index = (description: IndexDescription | GlobalIndexDescription, kind: SecondaryIndex['kind']): SecondaryIndex => {
    const storageId = storageIds.get(description.IndexName);
    assert(storageId !== undefined, `index ${description.IndexName} of table ${d.TableName} has no storage id`);
    const projectionType = description.Projection.ProjectionType;
    return {
      name: description.IndexName,
      kind,
      arn: description.IndexArn,
      storageId: Buffer.from(storageId, 'hex'),
      ...indexKeysOf(description.KeySchema),
      projectionType,
      nonKeyAttributes: new Set(description.Projection.NonKeyAttributes ?? []),
      tableKeys: tableKeys.rangeKey ? [tableKeys.hashKey, tableKeys.rangeKey] : [tableKeys.hashKey],
      readable: !('IndexStatus' in description) || description.IndexStatus === 'ACTIVE',
    };
  };
  const indexes = [...(d.LocalSecondaryIndexes ?? []).map((i) => index(i, 'local')), ...(d.GlobalSecondaryIndexes ?? []).map((i) => index(i, 'global'))];
  return {
    name: d.TableName,
    storageId: Buffer.from(record.storageId, 'hex'),
    ...tableKeys,
    indexes,
    indexNamed: new Map(indexes.map((i) => [i.name, i])),
    record,
    recordBytes,
    stream: tableStreamOf(record),
  };
}

function tableStreamOf(record: TableRecord): TableStream | undefined {
  const stream = enabledStream(record.settings?.streams);
  return stream && { storageId: Buffer.from(stream.storageId, 'hex'), viewType: stream.viewType };
}

/** The storage ids (hex) of every stream the record lists, enabled or not. */
function streamStorageIdsOf(record: TableRecord): string[] {
  return (record.settings?.streams ?? []).map((stream) => stream.storageId);
}

function parseRecord(value: Buffer): TableRecord {
  return JSON.parse(value.toString('utf8')) as TableRecord;
}

/** The storage ids (hex) of the record's secondary indexes. */
function indexStorageIdsOf(record: TableRecord): string[] {
  return (record.indexStorageIds ?? []).map((entry) => entry.storageId);
}

/** The storage ids in `from` that `to` lacks: indexes removed (from → to) or added (to → from). */
function indexIdsMissing(from: TableRecord, to: TableRecord): string[] {
  const kept = new Set(indexStorageIdsOf(to));
  return indexStorageIdsOf(from).filter((id) => !kept.has(id));
}

function sameIndexes(a: TableRecord, b: TableRecord): boolean {
  return indexIdsMissing(a, b).length === 0 && indexIdsMissing(b, a).length === 0;
}

/** Writes of both records record to the same stream (or to none). */
function sameStream(a: TableRecord, b: TableRecord): boolean {
  return enabledStream(a.settings?.streams)?.storageId === enabledStream(b.settings?.streams)?.storageId;
}

/** Whether the table is CREATING at `nowMs` (`tables.createDelayMs`). */
export function isCreating(table: Table, nowMs: number): boolean {
  const until = table.record.creatingUntilMs;
  return until !== undefined && nowMs < until;
}

/** The record is `table`'s incarnation, and not its tombstone. */
function isIncarnation(record: TableRecord, table: Table): boolean {
  return record.storageId === table.record.storageId && record.deletingUntilMs === undefined;
}

function isExpiredTombstone(record: TableRecord, nowMs: number): boolean {
  return record.deletingUntilMs !== undefined && nowMs >= record.deletingUntilMs;
}

/** The record a deleted table leaves while it is shown DELETING: as DeleteTable describes it. */
function tombstoneOf(record: TableRecord, deletingUntilMs: number): TableRecord {
  const { creatingUntilMs: _created, ...rest } = record;
  return { ...rest, description: deletedDescription(record.description), deletingUntilMs };
}

/** A description as CreateTable answers it, and DescribeTable while the table is CREATING. */
export function creatingDescription(description: TableDescription): TableDescription {
  const indexes = description.GlobalSecondaryIndexes;
  return {
    ...description,
    TableStatus: 'CREATING',
    ...(indexes ? { GlobalSecondaryIndexes: indexes.map((index) => ({ ...index, IndexStatus: 'CREATING' as const })) } : {}),
  };
}

/**
 * DeleteTable's TableDescription: the table as it was, DELETING, without its global secondary
 * indexes (as dynalite, whose answers were taken from DynamoDB's, returns it).
 */
export function deletedDescription(description: TableDescription): TableDescription {
  const { GlobalSecondaryIndexes: _deleted, ...rest } = description;
  return { ...rest, TableStatus: 'DELETING' };
}

/** Whether the record is this incarnation of the table with `index` still being backfilled. */
function isBackfilling(record: TableRecord, tableStorageId: string, index: SecondaryIndex): boolean {
  const storageId = index.storageId.toString('hex');
  if (record.storageId !== tableStorageId || !(record.indexStorageIds ?? []).some((entry) => entry.name === index.name && entry.storageId === storageId)) return false;
  return (record.description.GlobalSecondaryIndexes ?? []).some((gsi) => gsi.IndexName === index.name && gsi.IndexStatus === 'CREATING');
}

/**
 * The write guard's veto of a write resolved against a Table whose set of indexes, or whose enabled
 * stream, is no longer the record's (UpdateTable added or removed an index, or enabled or disabled
 * the stream, since, in this process or another): the write would miss a new index's entry or
 * write a removed one's, or miss its stream record or write one to an ended stream. `tryWriteItemChanges` retries such a
 * write against the refreshed catalog; this answer is only seen if the indexes change again meanwhile.
 */
export const INDEXES_CHANGED = dynamoError('InternalServerError', "The table's secondary indexes or stream changed while the request was under way; please retry", 500);

/** Why a backfill stops before its end: the index (or its table) is gone. */
const INDEX_GONE = dynamoError('ResourceNotFoundException', 'Requested resource not found');

/** Bumps the catalog version inside the batch of a catalog change (see CatalogKeys.version). */
function bumpVersion(keys: CatalogKeys): WriteOp<never> {
  return { key: keys.version, value: (current) => nextVersion(current) };
}

function nextVersion(current: Buffer | undefined): Buffer {
  const next = Buffer.alloc(8);
  next.writeBigUInt64BE(current?.length === 8 ? current.readBigUInt64BE(0) + 1n : 1n);
  return next;
}

function sameVersion(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

async function collect(entries: Iterable<Entry> | AsyncIterable<Entry>): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const entry of entries) out.push(entry);
  return out;
}

export interface CatalogOptions {
  /**
   * Resume the purges of deleted tables and indexes, and the backfills of indexes being created,
   * that a stop or crash interrupted (default true). Among processes sharing one store, one
   * resumes them; both are idempotent anyway.
   */
  resumePurges?: boolean;
  /** How often at most a table's counts are recounted (default: tableStats.ts's interval, or its test override). */
  statsRecountIntervalMs?: number;
  /** A pause between backfill batches (default 0): tests slow a backfill down to interrupt it. */
  backfillPauseMs?: number;
  /** Delete expired items of TTL-enabled tables in the background (default: as `resumePurges`: one process per store). */
  sweepExpiredItems?: boolean;
  /** The region whose catalog this is, when it is not the data directory's home region (keys.ts `catalogKeys`). */
  region?: string;
  /** Resume the purges that purge markers name (default: as `resumePurges`); one catalog of a store does. */
  resumePurgeMarkers?: boolean;
  /** cove.yaml `tables:`: how long a new table stays CREATING and a deleted one DELETING (default 0: none). */
  lifecycle?: TableLifecycleDelays;
}

/** How long tables stay in DynamoDB's transitional states (cove.yaml `tables:`). */
export interface TableLifecycleDelays {
  createDelayMs: number;
  deleteDelayMs: number;
}

const ITEM_PURGE_BATCH = 1000;

/**
 * The table catalog: persisted in the engine under catalog keys, mirrored in memory so that
 * every item request resolves its table without parsing anything.
 *
 * Several processes may share the store (`cove serve --workers N`), each with its own mirror.
 * The mirror stays strongly consistent through the catalog version key: every catalog change
 * bumps it in the same atomic batch, and `refresh` — once per request, before the request
 * looks up any table — compares it with the version the mirror was read at (one engine get,
 * under a microsecond) and re-reads the catalog when it moved. A table deleted by another
 * process after `refresh` is caught by the guard of `writeItems`, inside the write
 * transaction, so no item write is acknowledged on a deleted table.
 */
export class TableCatalog {
  private tables = new Map<string, Table>();
  /** Deleted tables still shown DELETING (`deleteDelayMs`), by name; expired ones until removed. */
  private tombstones = new Map<string, Table>();
  /** Timers that remove this process's tombstones once they expire. */
  private readonly tombstoneTimers = new Set<NodeJS.Timeout>();
  /** The catalog version the mirror was read at; undefined before the first catalog change. */
  private version: Buffer | undefined;
  /** Purges and backfills under way, which `close` stops and waits for. */
  private readonly background = new Set<Promise<void>>();
  private closing = false;
  /** DescribeTable's counts, recounted in the background (tableStats.ts). */
  readonly stats: TableStats;
  /** Deletes expired items (timeToLive.ts), in the one process that runs the store's background work. */
  private readonly sweeper: TimeToLiveSweeper | undefined;
  /** Where this region's catalog lives in the engine. */
  private readonly keys: CatalogKeys;
  private readonly bumpVersion: WriteOp<never>;

  private constructor(
    readonly engine: StorageEngine,
    private readonly options: CatalogOptions,
  ) {
    this.keys = catalogKeys(options.region);
    this.bumpVersion = bumpVersion(this.keys);
    this.stats = new TableStats(engine, this, options.statsRecountIntervalMs ?? statsRecountIntervalMs());
    if (options.sweepExpiredItems ?? options.resumePurges ?? true) this.sweeper = new TimeToLiveSweeper(engine, this);
  }

  static async load(engine: StorageEngine, options: CatalogOptions = {}): Promise<TableCatalog> {
    const catalog = new TableCatalog(engine, options);
    await catalog.reload(await engine.get(catalog.keys.version));
    if (options.resumePurges ?? true) {
      // Resume the purges a stop or crash interrupted.
      // A marker's value is the tag of the range to purge (ITEM_TAG for a table, INDEX_TAG for an index, STREAM_TAG for a stream).
      const pending = options.resumePurgeMarkers === false ? [] : (await collect(engine.range(PURGE_MARKER_RANGE))).map(({ key, value }) => ({ storageId: Buffer.from(key.subarray(1)), tag: value[0] }));
      for (const { storageId, tag } of pending) catalog.startPurge(storageId, tag);
      // An index still CREATING was being backfilled when the store was last closed.
      for (const table of catalog.tables.values()) for (const index of table.indexes) if (!index.readable) catalog.startBackfill(table, index);
      for (const tombstone of catalog.tombstones.values()) catalog.removeTombstoneWhenExpired(tombstone);
    }
    catalog.sweeper?.start();
    return catalog;
  }

  /**
   * Brings the mirror up to date with every catalog change committed so far, by any process.
   * Synchronous when the engine's reads are (the hot path: one get, no allocation but its result).
   */
  refresh(): void | Promise<void> {
    const version = this.engine.get(this.keys.version);
    if (version instanceof Promise) return version.then((v) => (sameVersion(v, this.version) ? undefined : this.reload(v)));
    if (sameVersion(version, this.version)) return;
    return this.reload(version);
  }

  /** Re-reads the whole catalog; `version` was read first, so the mirror is at least that new. */
  private reload(version: Buffer | undefined): void | Promise<void> {
    const entries = this.engine.range(this.keys.range);
    const install = (list: Iterable<Entry>) => {
      const tables = new Map<string, Table>();
      const tombstones = new Map<string, Table>();
      for (const { value } of list) {
        // Copied: an engine may hand out views of buffers it reuses.
        const bytes = Buffer.from(value);
        const table = toTable(parseRecord(bytes), bytes);
        (table.record.deletingUntilMs === undefined ? tables : tombstones).set(table.name, table);
      }
      this.tables = tables;
      this.tombstones = tombstones;
      this.version = version;
    };
    if (Symbol.asyncIterator in entries) return collect(entries).then(install);
    install(entries);
  }

  /** `refresh` after renewing the engine's read snapshot: the catalog as every commit so far left it. */
  async refreshNow(): Promise<void> {
    await this.engine.refreshSnapshot?.();
    await this.refresh();
  }

  /** The mirror's Table of `table`'s name if it is the same incarnation, else ResourceNotFoundException (as the write guard answers). */
  sameIncarnation(table: Table): Table {
    const current = this.tables.get(table.name);
    if (current?.record.storageId !== table.record.storageId) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
    return current;
  }

  /** The table of that name, CREATING or not; undefined when there is none or it is DELETING. */
  get(name: string): Table | undefined {
    return this.tables.get(name);
  }

  /** The table if items can be read and written (it is not CREATING), else undefined. */
  ready(name: string, nowMs?: number): Table | undefined {
    const table = this.tables.get(name);
    // The clock is read only for a table that has a CREATING time (the hot path has none).
    if (table?.record.creatingUntilMs !== undefined && isCreating(table, nowMs ?? Date.now())) return undefined;
    return table;
  }

  /** The table if items can be read and written, or DynamoDB's answer for a missing (or CREATING) one. */
  require(name: string): Table {
    const table = this.ready(name);
    if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  /** A deleted table still shown DELETING at `nowMs`, else undefined. */
  deleting(name: string, nowMs: number): Table | undefined {
    const tombstone = this.tombstones.get(name);
    return tombstone && nowMs < tombstone.record.deletingUntilMs! ? tombstone : undefined;
  }

  /** The tables that exist, CREATING ones included (DELETING ones are not: `listedNames`). */
  names(): string[] {
    return [...this.tables.keys()].sort();
  }

  /** What ListTables lists at `nowMs`: the tables, and deleted ones still DELETING. */
  listedNames(nowMs: number): string[] {
    const deleting = [...this.tombstones.keys()].filter((name) => this.deleting(name, nowMs));
    return [...this.tables.keys(), ...deleting].sort();
  }

  /**
   * Writes items of `tables` in one atomic batch that also checks, inside the write
   * transaction, that each table is still the incarnation the request resolved: a table
   * deleted (or deleted and re-created) by this or another process meanwhile fails the batch
   * with ResourceNotFoundException and nothing is written. The outcome is `ops`' own, as if
   * the guards were not there (a guard's failure has index -1, in failedIndex and failures).
   */
  async writeItems<E>(tables: readonly Table[], ops: WriteOp<E>[]): Promise<BatchOutcome<E | AwsError>> {
    const guards = [...new Set(tables)].map((table) => this.guard(table));
    const outcome = await this.engine.writeBatch<E | AwsError>([...guards, ...ops]);
    const previous = outcome.previous.slice(guards.length);
    if (outcome.ok) return { ok: true, previous };
    const shifted = (index: number) => (index < guards.length ? -1 : index - guards.length);
    const failures = outcome.failures.map(({ index, error }) => ({ index: shifted(index), error }));
    return { ok: false, failedIndex: shifted(outcome.failedIndex), error: outcome.error, failures, previous };
  }

  /**
   * A batch op that leaves the table's catalog entry as it is and vetoes the batch unless the entry
   * is this incarnation's (ResourceNotFoundException) with the same set of indexes (INDEXES_CHANGED):
   * once an index is added, no write without its entry commits, so its backfill misses no item.
   */
  private guard(table: Table): WriteOp<AwsError> {
    return {
      key: this.keys.entry(table.name),
      value: () => undefined,
      condition: (current) => {
        if (current === undefined) return dynamoError('ResourceNotFoundException', 'Requested resource not found');
        if (current.equals(table.recordBytes)) return undefined;
        const record = parseRecord(current);
        if (record.storageId !== table.record.storageId || record.deletingUntilMs !== undefined) return dynamoError('ResourceNotFoundException', 'Requested resource not found');
        return sameIndexes(record, table.record) && sameStream(record, table.record) ? undefined : INDEXES_CHANGED;
      },
    };
  }

  async create(description: Omit<TableDescription, 'TableId' | 'TableStatus'>, settings?: Partial<TableSettings>): Promise<Table> {
    const indexNames = [...(description.LocalSecondaryIndexes ?? []), ...(description.GlobalSecondaryIndexes ?? [])].map((index) => index.IndexName);
    const nowMs = Date.now();
    const createDelayMs = this.options.lifecycle?.createDelayMs ?? 0;
    const record: TableRecord = {
      storageId: randomBytes(TABLE_ID_BYTES).toString('hex'),
      description: { ...description, TableId: randomUUID(), TableStatus: 'ACTIVE' },
      ...(settings ? { settings } : {}),
      ...(indexNames.length > 0 ? { indexStorageIds: indexNames.map((name) => ({ name, storageId: randomBytes(TABLE_ID_BYTES).toString('hex') })) } : {}),
      ...(createDelayMs > 0 ? { creatingUntilMs: nowMs + createDelayMs } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(record));
    const outcome = await this.engine.writeBatch<AwsError>([
      {
        key: this.keys.entry(description.TableName),
        value: bytes,
        // A tombstone whose DELETING time is over is a table that is gone: the name is free.
        condition: (current) => (current && !isExpiredTombstone(parseRecord(current), nowMs) ? dynamoError('ResourceInUseException', `Table already exists: ${description.TableName}`) : undefined),
      },
      this.bumpVersion,
    ]);
    if (!outcome.ok) throw outcome.error;
    const table = toTable(record, bytes);
    this.installOwnChange(outcome.previous[1], () => {
      this.tombstones.delete(table.name);
      this.tables.set(table.name, table);
    });
    return table;
  }

  /**
   * Puts this process's committed catalog change into the mirror, but only when the mirror was
   * read at the version just before it: otherwise another process's change came between (and a
   * request may already have re-read the catalog with it), so installing ours would roll the
   * mirror back; the next `refresh` re-reads the catalog, ours included, instead.
   */
  private installOwnChange(versionBefore: Buffer | undefined, install: () => void): void {
    if (!sameVersion(versionBefore, this.version)) return;
    install();
    this.version = nextVersion(versionBefore);
  }

  /**
   * The one way a table's record changes after CreateTable: `change` maps the current record to
   * the new one inside the write transaction (so two processes changing one table serialize, each
   * seeing the other's change), in a batch that checks the table is still this incarnation and
   * bumps the catalog version, so every process sees the change at its next request. `change`
   * must be pure and may run more than once; what it throws (an AwsError: "TimeToLive is already
   * enabled", ...) fails the request and changes nothing. Returns the new Table; the old one is
   * left as it was (Tables are immutable).
   *
   * Indexes follow their record: an index storage id the change drops gets its purge marker in the
   * same batch (its entries are purged in the background), and an index the change adds in state
   * CREATING is backfilled in the background from the commit on.
   */
  async update(table: Table, change: (record: TableRecord) => TableRecord): Promise<Table> {
    const notFound = dynamoError('ResourceNotFoundException', 'Requested resource not found');
    let written: { record: TableRecord; bytes: Buffer } | undefined;
    let indexIds: { dropped: string[]; added: string[] } = { dropped: [], added: [] };
    const outcome = await this.engine.writeBatch<AwsError>([
      {
        key: this.keys.entry(table.name),
        condition: (current) => (current && isIncarnation(parseRecord(current), table) ? undefined : notFound),
        value: (current) => {
          const record = change(parseRecord(current!));
          written = { record, bytes: Buffer.from(JSON.stringify(record)) };
          return written.bytes;
        },
        derive: (current) => {
          const before = parseRecord(current!);
          indexIds = { dropped: indexIdsMissing(before, written!.record), added: indexIdsMissing(written!.record, before) };
          return indexIds.dropped.map((id) => ({ key: purgeMarkerKey(Buffer.from(id, 'hex')), value: Buffer.of(INDEX_TAG) }));
        },
      },
      this.bumpVersion,
    ]);
    if (!outcome.ok) throw outcome.error;
    const updated = toTable(written!.record, written!.bytes);
    this.installOwnChange(outcome.previous[1], () => this.tables.set(table.name, updated));
    for (const id of indexIds.dropped) this.startPurge(Buffer.from(id, 'hex'), INDEX_TAG);
    for (const index of updated.indexes) {
      if (!index.readable && indexIds.added.includes(index.storageId.toString('hex'))) this.startBackfill(updated, index);
    }
    return updated;
  }

  /**
   * Removes the table from the catalog, durably and together with a purge marker,
   * then purges its items in the background. The table leaves the in-memory map
   * first, so this process stops accepting writes to it at once; the write guard
   * covers writes already under way, here and in other processes.
   */
  async delete(name: string): Promise<Table> {
    const notFound = dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
    const table = this.tables.get(name);
    if (!table) throw notFound;
    this.tables.delete(name);
    const deleteDelayMs = this.options.lifecycle?.deleteDelayMs ?? 0;
    const tombstone = deleteDelayMs > 0 ? tombstoneOf(table.record, Date.now() + deleteDelayMs) : undefined;
    const tombstoneBytes = tombstone && Buffer.from(JSON.stringify(tombstone));
    let outcome;
    let indexIds: Buffer[] = [];
    let streamIds: Buffer[] = [];
    try {
      outcome = await this.engine.writeBatch<AwsError>([
        {
          key: this.keys.entry(name),
          value: tombstoneBytes ?? null,
          // Only this incarnation of the table may be removed.
          condition: (current) => (current && isIncarnation(parseRecord(current), table) ? undefined : notFound),
          // The indexes of the record as it is now: another process may have added or removed one since this one read it.
          // Its streams' records go with it (a difference: DynamoDB keeps a deleted table's streams readable for 24 hours).
          derive: (current) => {
            const record = parseRecord(current!);
            indexIds = indexStorageIdsOf(record).map((id) => Buffer.from(id, 'hex'));
            streamIds = streamStorageIdsOf(record).map((id) => Buffer.from(id, 'hex'));
            return [...indexIds.map((id) => ({ key: purgeMarkerKey(id), value: Buffer.of(INDEX_TAG) })), ...streamIds.map((id) => ({ key: purgeMarkerKey(id), value: Buffer.of(STREAM_TAG) }))];
          },
        },
        { key: purgeMarkerKey(table.storageId), value: Buffer.of(ITEM_TAG) },
        this.bumpVersion,
      ]);
    } catch (error) {
      if (!this.tables.has(name)) this.tables.set(name, table);
      throw error;
    }
    if (!outcome.ok) {
      if (outcome.error !== notFound && !this.tables.has(name)) this.tables.set(name, table);
      throw outcome.error;
    }
    if (tombstone) {
      const shown = toTable(tombstone, tombstoneBytes!);
      this.installOwnChange(outcome.previous[outcome.previous.length - 1], () => this.tombstones.set(name, shown));
      this.removeTombstoneWhenExpired(shown);
    }
    this.startPurge(table.storageId, ITEM_TAG);
    for (const id of indexIds) this.startPurge(id, INDEX_TAG);
    for (const id of streamIds) this.startPurge(id, STREAM_TAG);
    return table;
  }

  /**
   * Removes a tombstone from the catalog once its DELETING time is over (until then, or if this
   * process stops first, it is only shown: an expired tombstone is a table that is gone, which
   * the next start, or a CreateTable of the name, removes).
   */
  private removeTombstoneWhenExpired(tombstone: Table): void {
    const remove = async () => {
      const outcome = await this.engine.writeBatch<AwsError>([
        {
          key: this.keys.entry(tombstone.name),
          value: null,
          condition: (current) => (current?.equals(tombstone.recordBytes) ? undefined : INDEX_GONE),
        },
        this.bumpVersion,
      ]);
      if (outcome.ok) this.installOwnChange(outcome.previous[1], () => this.tombstones.delete(tombstone.name));
    };
    const timer = setTimeout(() => {
      this.tombstoneTimers.delete(timer);
      if (!this.closing) this.runInBackground(remove(), `removal of deleted table ${tombstone.name}`);
    }, Math.max(0, tombstone.record.deletingUntilMs! - Date.now()));
    timer.unref();
    this.tombstoneTimers.add(timer);
  }

  private startPurge(storageId: Buffer, tag: number): void {
    this.runInBackground(this.purgeItems(storageId, tag), 'purge of a deleted table or index');
  }

  /**
   * Backfills a global index added by UpdateTable (backfill.ts), then makes it ACTIVE in one
   * catalog update. Stops quietly when the index or its table is deleted meanwhile.
   */
  private startBackfill(table: Table, index: SecondaryIndex): void {
    const tableStorageId = table.record.storageId;
    const guard: WriteOp<AwsError> = {
      key: this.keys.entry(table.name),
      value: () => undefined,
      condition: (current) => (current && isBackfilling(parseRecord(current), tableStorageId, index) ? undefined : INDEX_GONE),
    };
    const job = { tableStorageId: table.storageId, index, guard, stopping: () => this.closing, pauseMs: this.options.backfillPauseMs ?? 0 };
    const activate = (record: TableRecord): TableRecord => {
      if (!isBackfilling(record, tableStorageId, index)) throw INDEX_GONE;
      const d = record.description;
      const active = (gsi: GlobalIndexDescription): GlobalIndexDescription => {
        const { Backfilling: _done, ...rest } = gsi;
        return { ...rest, IndexStatus: 'ACTIVE' };
      };
      return { ...record, description: { ...d, GlobalSecondaryIndexes: d.GlobalSecondaryIndexes!.map((gsi) => (gsi.IndexName === index.name ? active(gsi) : gsi)) } };
    };
    const run = async () => {
      if (!(await backfillIndex(this.engine, job))) return;
      try {
        await this.update(table, activate);
      } catch (error) {
        if (!(error instanceof AwsError && error.code === 'ResourceNotFoundException')) throw error;
      }
    };
    this.runInBackground(run(), `backfill of index ${index.name} of table ${table.name}`);
  }

  private runInBackground(work: Promise<void>, what: string): void {
    const task = work.catch((error: unknown) => {
      if (!this.closing) console.error(`cove: ${what} failed; it resumes at next start`, error);
    });
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /** Waits until the background work started so far (purges, backfills) is done, without stopping it. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** Stops background purges, backfills and recounts at their next batch and waits for them. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.tombstoneTimers) clearTimeout(timer);
    this.tombstoneTimers.clear();
    await Promise.all([...this.background, this.stats.close(), this.sweeper?.close()]);
  }

  /**
   * Deletes the table's items in batches, then its purge marker. Idempotent: two processes
   * purging the same table (one resuming at start while another finishes its own DeleteTable)
   * only delete keys twice. No item of the table can appear meanwhile: the write guard
   * rejects every write to a table whose catalog entry is gone.
   */
  private async purgeItems(storageId: Buffer, tag: number): Promise<void> {
    // A table's item collection sizes go with its items.
    const ranges = tag === ITEM_TAG ? [tableRange(storageId, tag), tableRange(storageId, COLLECTION_TAG)] : [tableRange(storageId, tag)];
    for (const range of ranges) {
      while (!this.closing) {
        const keys = (await collect(this.engine.range({ ...range, limit: ITEM_PURGE_BATCH }))).map(({ key }) => Buffer.from(key));
        if (keys.length === 0) break;
        await this.engine.writeBatch(keys.map((key) => ({ key, value: null })));
      }
    }
    if (!this.closing) await this.engine.writeBatch([{ key: purgeMarkerKey(storageId), value: null }]);
  }
}
