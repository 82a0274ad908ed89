/**
 * UpdateTable's GlobalSecondaryIndexUpdates: Create adds a global index in state CREATING (the
 * catalog backfills it, tables.ts), Delete removes one at once (its entries are purged in the
 * background), Update changes an index's provisioned throughput, OnDemandThroughput or
 * WarmThroughput at once.
 *
 * DynamoDB's texts: from live responses recorded by third-party probes (dynalite; the ACK
 * controller's API-quirks catalogue of ValidationException texts, 2026-10; ScyllaDB Alternator's
 * tests run against DynamoDB) unless a comment says a text is unverified. The order of the checks
 * is DynamoDB's where a probe recorded it ("an existing index beats schema checks"), else cove's.
 */
import { dynamoError, validationError } from '../errors.js';
import type { OperationContext } from '../operation.js';
import { LIMITS } from '../limits.js';
import type { GlobalIndexDescription, TableDescription, TableRecord } from '../tables.js';
import type { AttributeDefinition, KeySchemaElement } from '../types.js';
import {
  checkInitialWarm,
  checkOnDemandBillingMode,
  checkOnDemandLimits,
  checkWarmGiven,
  checkWarmNotDecreased,
  hasOnDemandMembers,
  indexWarm,
  mergedOnDemand,
  raisedWarm,
  storedOnDemand,
  throughputSettingsForAudit,
  withOnDemand,
  billingModeOf,
  type OnDemandThroughput,
  type WarmThroughputInput,
} from '../throughputSettings.js';
import { changedThroughput } from '../throughputChanges.js';
import { checkGlobalIndexKeySchema, checkProjection, globalIndexDescription, unitsOf, type IndexInput } from './createTable.js';

interface Units {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

interface UpdateIndexAction {
  IndexName: string;
  ProvisionedThroughput?: Units;
  OnDemandThroughput?: OnDemandThroughput;
  WarmThroughput?: WarmThroughputInput;
}

export interface GlobalSecondaryIndexUpdate {
  Create?: IndexInput & { [other: string]: unknown };
  Update?: UpdateIndexAction & { [other: string]: unknown };
  Delete?: { IndexName: string };
}

const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);
const ONLINE_INDEX_LIMIT = () => dynamoError('LimitExceededException', 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table');

const nameOf = (update: GlobalSecondaryIndexUpdate): string => (update.Create ?? update.Update ?? update.Delete)!.IndexName;

/**
 * The checks that need no table: each update's shape, one update per index, one index created or
 * deleted. An Update (throughput) does not count against that limit, nor is it refused beside a
 * change of the table's throughput (cove's reading: DynamoDB's texts name creating and deleting only).
 */
export function checkIndexUpdatesRequest(updates: readonly GlobalSecondaryIndexUpdate[], changesTableThroughput: boolean, region: string): void {
  if (updates.length === 0) throw invalid('List of GlobalSecondaryIndexUpdates is empty');
  const names = new Set<string>();
  for (const update of updates) {
    const actions = [update.Create, update.Update, update.Delete].filter((action) => action !== undefined).length;
    if (actions === 0) throw invalid('One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null');
    if (actions > 1) throw invalid('Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object');
    const name = nameOf(update);
    if (names.has(name)) throw invalid(`Only one global secondary index update per index is allowed simultaneously. Index: ${name}`);
    names.add(name);
    if (update.Update) checkUpdateAction(update.Update, region);
    // Unverified: that -1 ("no limit") is refused for a new index, as CreateTable refuses it.
    if (update.Create?.OnDemandThroughput) checkOnDemandLimits(update.Create.OnDemandThroughput, name, false, region);
  }
  const online = updates.filter((update) => update.Create || update.Delete).length;
  if (online > LIMITS.maxOnlineIndexOperationsPerTable) throw ONLINE_INDEX_LIMIT();
  if (online > 0 && changesTableThroughput) throw invalid('You cannot create or delete index while updating table IOPS');
}

/** An Update changes at least one of the index's ProvisionedThroughput, OnDemandThroughput (-1 removes a limit) and WarmThroughput. */
function checkUpdateAction(action: UpdateIndexAction, region: string): void {
  const { IndexName: name, ProvisionedThroughput: units, OnDemandThroughput: limits, WarmThroughput: warm } = action;
  // Unverified text: cove's; the model leaves each of the three optional.
  if (!units && !limits && !warm) throw invalid(`ProvisionedThroughput must be specified for index: ${name}`);
  if (units) checkUnits(units);
  if (limits) checkOnDemandLimits(limits, name, true, region);
  if (warm) checkWarmGiven(warm, name);
}

export interface IndexUpdateContext {
  operation: OperationContext;
  /** The request's AttributeDefinitions (only those of a new index's keys are used). */
  definitions: readonly AttributeDefinition[];
  /** The table's billing mode once the request applies. */
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  /** A fresh storage id (hex) for a created index, drawn outside the (pure) record change. */
  newStorageId: string;
  /** The request's time (epoch seconds), for an index's throughput stamps. */
  nowSeconds: number;
  /** True when the table was on-demand before this request (its index units are set, not changed). */
  wasOnDemand?: boolean;

}

/** Pure: the record with the request's index updates applied (runs inside the catalog's write transaction). */
export function applyIndexUpdates(record: TableRecord, updates: readonly GlobalSecondaryIndexUpdate[], context: IndexUpdateContext): TableRecord {
  let out = record;
  for (const update of updates) {
    if (update.Create) out = createIndex(out, update.Create, context);
    if (update.Delete) out = deleteIndex(out, update.Delete.IndexName);
    if (update.Update) out = updateIndex(out, update.Update, context);
  }
  return out;
}

/**
 * An Update's changes to one index, in the order ProvisionedThroughput, OnDemandThroughput,
 * WarmThroughput (unverified: which refusal DynamoDB answers first when several apply). A warm
 * throughput is checked against the index's before the request; its own units raise it after
 * (UpdateTable settles every warm throughput last).
 */
function updateIndex(record: TableRecord, action: UpdateIndexAction, context: IndexUpdateContext): TableRecord {
  const d = record.description;
  const gsis = d.GlobalSecondaryIndexes ?? [];
  const name = action.IndexName;
  const index = gsis.find((gsi) => gsi.IndexName === name);
  // DynamoDB's text for an Update of an unknown index (recorded live); unverified for the name of a local index.
  if (!index) throw dynamoError('ResourceNotFoundException', `Requested resource not found: Index ${name} for table ${d.TableName}`);
  let updated = index;
  if (action.ProvisionedThroughput) updated = { ...updated, ProvisionedThroughput: newIndexThroughput(index, action.ProvisionedThroughput, context) };
  if (action.OnDemandThroughput) {
    checkOnDemandBillingMode(action.OnDemandThroughput, context.billingMode, 'UpdateTable');
    updated = withOnDemand(updated, storedOnDemand(mergedOnDemand(index.OnDemandThroughput, action.OnDemandThroughput)));
  }
  if (action.WarmThroughput) {
    const current = indexWarm(index, billingModeOf(d));
    checkWarmNotDecreased(action.WarmThroughput, current, name);
    updated = { ...updated, WarmThroughput: raisedWarm(current, action.WarmThroughput) };
  }
  return { ...record, description: { ...d, GlobalSecondaryIndexes: gsis.map((gsi) => (gsi === index ? updated : gsi)) } };
}

/**
 * An index's new throughput, stamped and budgeted as the table's is (throughputChanges.ts). On a table switching from
 * on-demand in the same request, the units are set without counting a change.
 */
function newIndexThroughput(index: GlobalIndexDescription, requested: Units, context: IndexUpdateContext): GlobalIndexDescription['ProvisionedThroughput'] {
  const name = index.IndexName;
  if (context.billingMode === 'PAY_PER_REQUEST') {
    throw invalid(`Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${name} when BillingMode is PAY_PER_REQUEST`);
  }
  const current = index.ProvisionedThroughput;
  const units = { ReadCapacityUnits: requested.ReadCapacityUnits, WriteCapacityUnits: requested.WriteCapacityUnits };
  if (context.wasOnDemand) return { ...current, ...units };
  if (units.ReadCapacityUnits === current.ReadCapacityUnits && units.WriteCapacityUnits === current.WriteCapacityUnits) {
    // Unverified text: the table's text with "the index <name>" for "the table" (dynalite answers the table's words unchanged).
    throw validationError(
      `The provisioned throughput for the index ${name} will not change. The requested value equals the current value. ` +
        `Current ReadCapacityUnits provisioned for the index: ${current.ReadCapacityUnits}. Requested ReadCapacityUnits: ${units.ReadCapacityUnits}. ` +
        `Current WriteCapacityUnits provisioned for the index: ${current.WriteCapacityUnits}. Requested WriteCapacityUnits: ${units.WriteCapacityUnits}. ` +
        'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
    );
  }
  return changedThroughput(current, units, context.nowSeconds);
}

function checkUnits(throughput: { ReadCapacityUnits?: number; WriteCapacityUnits?: number }): void {
  for (const name of ['ReadCapacityUnits', 'WriteCapacityUnits'] as const) {
    const units = throughput[name];
    if (units !== undefined && units > LIMITS.maxProvisionedCapacityUnits) throw validationError(`Given value ${units} for ${name} is out of bounds`);
  }
}

function createIndex(record: TableRecord, index: IndexInput, context: IndexUpdateContext): TableRecord {
  const d = record.description;
  const existing = [...(d.LocalSecondaryIndexes ?? []), ...(d.GlobalSecondaryIndexes ?? [])];
  if (existing.some((other) => other.IndexName === index.IndexName)) throw validationError('Attempting to create an index which already exists');
  if ((d.GlobalSecondaryIndexes ?? []).some((gsi) => gsi.IndexStatus === 'CREATING')) throw ONLINE_INDEX_LIMIT();
  const requested = context.definitions.map((definition) => definition.AttributeName);
  if (index.KeySchema.some((key) => !requested.includes(key.AttributeName))) throw invalid(`AttributeDefinitions is not specified for index: ${index.IndexName}`);
  checkGlobalIndexKeySchema(index, requested);
  checkProjection(index);
  checkThroughput(index, context.billingMode);
  // Unverified: these texts for a new index (CreateTable's for the warm throughput, UpdateTable's for the billing mode).
  if (index.OnDemandThroughput) checkOnDemandBillingMode(index.OnDemandThroughput, context.billingMode, 'UpdateTable');
  if (index.WarmThroughput) checkInitialWarm(index.WarmThroughput, index.IndexName, context.billingMode, unitsOf(index));
  const added = newDefinitions(d.AttributeDefinitions, index.KeySchema, context.definitions, existing.map((other) => other.KeySchema).concat([d.KeySchema]));
  if ((d.GlobalSecondaryIndexes ?? []).length >= LIMITS.maxGlobalSecondaryIndexes) {
    // Unverified text: DynamoDB answers this limit with LimitExceededException on UpdateTable; the words are CreateTable's.
    throw dynamoError('LimitExceededException', `GlobalSecondaryIndex count exceeds the per-table limit of ${LIMITS.maxGlobalSecondaryIndexes}`);
  }
  const description: GlobalIndexDescription = {
    ...globalIndexDescription(context.operation, d.TableName, index, context.billingMode),
    IndexStatus: 'CREATING',
    Backfilling: true,
  };
  return {
    ...record,
    description: { ...d, AttributeDefinitions: [...d.AttributeDefinitions, ...added], GlobalSecondaryIndexes: [...(d.GlobalSecondaryIndexes ?? []), description] },
    indexStorageIds: [...(record.indexStorageIds ?? []), { name: index.IndexName, storageId: context.newStorageId }],
  };
}

/** A new index on a provisioned table needs its throughput; on an on-demand table it takes none. */
function checkThroughput(index: IndexInput, billingMode: IndexUpdateContext['billingMode']): void {
  if (billingMode === 'PROVISIONED' && !index.ProvisionedThroughput) throw invalid(`ProvisionedThroughput must be specified for index: ${index.IndexName}`);
  if (billingMode === 'PAY_PER_REQUEST' && index.ProvisionedThroughput) {
    // Unverified that this (UpdateTable's text for an index's units on an on-demand table) answers a Create.
    throw invalid(`Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${index.IndexName} when BillingMode is PAY_PER_REQUEST`);
  }
  if (index.ProvisionedThroughput) checkUnits(index.ProvisionedThroughput);
}

/**
 * The definitions of the new index's keys that the table lacks. A key already defined must keep
 * its type (DynamoDB: "Attributes cannot be redefined"); definitions the keys do not use are
 * ignored, as DynamoDB ignores them on UpdateTable.
 */
function newDefinitions(current: readonly AttributeDefinition[], keys: readonly KeySchemaElement[], requested: readonly AttributeDefinition[], schemas: readonly KeySchemaElement[][]): AttributeDefinition[] {
  const added: AttributeDefinition[] = [];
  for (const key of keys) {
    const wanted = requested.find((definition) => definition.AttributeName === key.AttributeName)!;
    const defined = current.find((definition) => definition.AttributeName === key.AttributeName);
    if (!defined) {
      added.push({ AttributeName: wanted.AttributeName, AttributeType: wanted.AttributeType });
      continue;
    }
    if (defined.AttributeType === wanted.AttributeType) continue;
    const role = schemas.flat().find((element) => element.AttributeName === key.AttributeName)?.KeyType ?? 'HASH';
    // DynamoDB's text as Alternator's tests quote it for one HASH key; unverified how it lists a schema of two keys (cove names the attribute only).
    throw invalid(
      'Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. ' +
        `Existing schema: Schema:[SchemaElement: key{${key.AttributeName}:${defined.AttributeType}:${role}}] ` +
        `New schema: Schema:[SchemaElement: key{${key.AttributeName}:${wanted.AttributeType}:${key.KeyType}}]`,
    );
  }
  return added;
}

function deleteIndex(record: TableRecord, name: string): TableRecord {
  const d = record.description;
  const gsis = d.GlobalSecondaryIndexes ?? [];
  if (!gsis.some((gsi) => gsi.IndexName === name)) {
    if ((d.LocalSecondaryIndexes ?? []).some((lsi) => lsi.IndexName === name)) throw validationError(`Cannot delete an index that is not a GlobalSecondaryIndex: ${name}`);
    // DynamoDB's text for an Update of an unknown index (recorded live); unverified that a Delete says the same.
    throw dynamoError('ResourceNotFoundException', `Requested resource not found: Index ${name} for table ${d.TableName}`);
  }
  // Deleting the index being created cancels its backfill; deleting another must wait for it.
  if (gsis.some((gsi) => gsi.IndexStatus === 'CREATING' && gsi.IndexName !== name)) throw ONLINE_INDEX_LIMIT();
  const remaining = gsis.filter((gsi) => gsi.IndexName !== name);
  const { GlobalSecondaryIndexes: _removed, ...rest } = d;
  const schemas = [d.KeySchema, ...(d.LocalSecondaryIndexes ?? []), ...remaining].map((schema) => ('KeySchema' in schema ? schema.KeySchema : schema));
  const used = new Set(schemas.flat().map((key) => key.AttributeName));
  return {
    ...record,
    description: {
      ...rest,
      // Unverified: that DynamoDB drops the definitions only the deleted index used (CreateTable refuses unused ones).
      AttributeDefinitions: d.AttributeDefinitions.filter((definition) => used.has(definition.AttributeName)),
      ...(remaining.length > 0 ? { GlobalSecondaryIndexes: remaining } : {}),
    },
    indexStorageIds: (record.indexStorageIds ?? []).filter((entry) => entry.name !== name),
  };
}

/**
 * The indexes as UpdateTable answers them: an Update's OnDemandThroughput echoed, -1 included, and
 * its WarmThroughput shown as it was, UPDATING, as for the table (unverified for an index).
 * `before`: the description the request changed, its warm throughputs filled in.
 */
export function answeredIndexes(before: TableDescription, after: readonly GlobalIndexDescription[], updates: readonly GlobalSecondaryIndexUpdate[]): GlobalIndexDescription[] {
  const actions = new Map(updates.flatMap((update) => (update.Update ? [[update.Update.IndexName, update.Update] as const] : [])));
  const previous = new Map((before.GlobalSecondaryIndexes ?? []).map((gsi) => [gsi.IndexName, gsi]));
  return after.map((gsi) => {
    const action = actions.get(gsi.IndexName);
    const old = previous.get(gsi.IndexName);
    if (!action || !old) return gsi;
    return {
      ...gsi,
      ...(hasOnDemandMembers(action.OnDemandThroughput) ? { OnDemandThroughput: mergedOnDemand(old.OnDemandThroughput, action.OnDemandThroughput) } : {}),
      ...(action.WarmThroughput ? { WarmThroughput: { ...indexWarm(old, billingModeOf(before)), Status: 'UPDATING' as const } } : {}),
    };
  });
}

/** CloudTrail's form of the updates (camelCase, as its other UpdateTable parameters); recorded before they are checked. */
export function indexUpdatesForAudit(updates: readonly GlobalSecondaryIndexUpdate[]): unknown[] {
  return updates.map((update) => {
    if (update.Delete) return { delete: { indexName: update.Delete.IndexName } };
    if (update.Update) {
      const units = update.Update.ProvisionedThroughput;
      const provisioned = units ? { provisionedThroughput: { readCapacityUnits: units.ReadCapacityUnits, writeCapacityUnits: units.WriteCapacityUnits } } : {};
      return { update: { indexName: update.Update.IndexName, ...provisioned, ...throughputSettingsForAudit(update.Update) } };
    }
    const create = update.Create;
    if (!create) return {};
    return {
      create: {
        indexName: create.IndexName,
        keySchema: create.KeySchema.map((k) => ({ attributeName: k.AttributeName, keyType: k.KeyType })),
        projection: { projectionType: create.Projection.ProjectionType, ...(create.Projection.NonKeyAttributes ? { nonKeyAttributes: create.Projection.NonKeyAttributes } : {}) },
        ...throughputSettingsForAudit(create),
      },
    };
  });
}
