import { validationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { tableArn, type Operation, type OperationContext } from '../operation.js';
import { creatingDescription, type GlobalIndexDescription, type IndexDescription, type TableDescription } from '../tables.js';
import type { ProjectionType } from '../indexes.js';
import { checkTags, tagsForAudit, type Tag } from '../tags.js';
import type { AttributeDefinition, KeySchemaElement } from '../types.js';
import { rejectUnsupported } from '../unsupported.js';
import { checkStreamSpecification, newStream, streamDescription, type StreamSpecificationInput } from '../streamSettings.js';
import {
  checkInitialWarm,
  checkOnDemandBillingMode,
  checkOnDemandLimits,
  initialWarm,
  storedOnDemand,
  throughputSettingsForAudit,
  type BillingMode,
  type OnDemandThroughput,
  type WarmThroughputInput,
} from '../throughputSettings.js';

export interface IndexInput {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: { ProjectionType?: ProjectionType; NonKeyAttributes?: string[] };
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  OnDemandThroughput?: OnDemandThroughput;
  WarmThroughput?: WarmThroughputInput;
}

interface CreateTableInput {
  TableName: string;
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  LocalSecondaryIndexes?: IndexInput[];
  GlobalSecondaryIndexes?: IndexInput[];
  BillingMode?: BillingMode;
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  OnDemandThroughput?: OnDemandThroughput;
  WarmThroughput?: WarmThroughputInput;
  DeletionProtectionEnabled?: boolean;
  Tags?: Tag[];
  StreamSpecification?: StreamSpecificationInput;
  [other: string]: unknown;
}

const PARAMETERS_NOT_YET_SUPPORTED = ['ResourcePolicy', 'SSESpecification', 'TableClass'];

const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);

/** DynamoDB's semantic checks, in its order, after the model's constraints passed. */
function checkSchema(input: CreateTableInput, region: string): void {
  const mode = input.BillingMode ?? 'PROVISIONED';
  const throughput = input.ProvisionedThroughput;
  if (mode === 'PROVISIONED' && !throughput) {
    throw invalid('ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  }
  if (mode === 'PAY_PER_REQUEST' && throughput) {
    throw invalid('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  }
  if (throughput) {
    for (const name of ['ReadCapacityUnits', 'WriteCapacityUnits'] as const) {
      if (throughput[name] > LIMITS.maxProvisionedCapacityUnits) throw validationError(`Given value ${throughput[name]} for ${name} is out of bounds`);
    }
  }
  // Unverified: where DynamoDB checks these among the others (cove: after the table's units).
  checkThroughputSettings(input, undefined, mode, region);
  const definitions = input.AttributeDefinitions.map((d) => d.AttributeName);
  // The live service's text (quoted by ScyllaDB's Alternator maintainers); DynamoDB Local words it otherwise.
  const duplicated = definitions.find((name, i) => definitions.indexOf(name) !== i);
  if (duplicated !== undefined) throw validationError(`Attribute Name is duplicated: ${duplicated}`);
  const keys = input.KeySchema.map((k) => k.AttributeName);
  if (keys.length === 2 && (keys.some((k) => !definitions.includes(k)) || (keys[0] === keys[1] && definitions.length === 1))) {
    throw validationError('Invalid KeySchema: Some index key attribute have no definition');
  }
  if (keys.length === 1 && !definitions.includes(keys[0])) {
    throw invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(', ')}], AttributeDefinitions: [${definitions.join(', ')}]`);
  }
  if (keys[0] === keys[1]) throw validationError('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  if (input.KeySchema[0].KeyType !== 'HASH') throw validationError('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (input.KeySchema[1] && input.KeySchema[1].KeyType !== 'RANGE') {
    throw validationError('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  }
  if (input.LocalSecondaryIndexes === undefined && input.GlobalSecondaryIndexes === undefined && keys.length !== definitions.length) {
    throw invalid('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
  }
  checkIndexes(input, definitions, region);
}

/** The table's or an index's OnDemandThroughput and WarmThroughput at creation (-1, "no limit", is refused here). */
function checkThroughputSettings(owner: Pick<IndexInput, 'ProvisionedThroughput' | 'OnDemandThroughput' | 'WarmThroughput'>, index: string | undefined, mode: BillingMode, region: string): void {
  if (owner.OnDemandThroughput) {
    checkOnDemandBillingMode(owner.OnDemandThroughput, mode, 'CreateTable');
    checkOnDemandLimits(owner.OnDemandThroughput, index, false, region);
  }
  if (owner.WarmThroughput) checkInitialWarm(owner.WarmThroughput, index, mode, unitsOf(owner));
}

/** The units a table or index is given (0 for on-demand ones). */
export const unitsOf = (owner: Pick<IndexInput, 'ProvisionedThroughput'>) => ({
  ReadCapacityUnits: owner.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
  WriteCapacityUnits: owner.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
});

/**
 * DynamoDB's checks of LocalSecondaryIndexes and GlobalSecondaryIndexes, in its order and words
 * (dynalite recorded them from the live service): each index's key schema, projection and
 * throughput, duplicate names across both lists, the per-table counts, and then every attribute
 * definition used by some key.
 */
function checkIndexes(input: CreateTableInput, definitions: readonly string[], region: string): void {
  const names = new Set<string>();
  const local = input.LocalSecondaryIndexes;
  if (local) {
    if (local.length === 0) throw invalid('List of LocalSecondaryIndexes is empty');
    if (input.KeySchema.length !== 2) throw invalid('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
    const tableHash = input.KeySchema[0].AttributeName;
    for (const index of local) {
      checkLocalIndexKeySchema(index, definitions);
      if (index.KeySchema.length !== 2) throw invalid(`Index KeySchema does not have a range key for index: ${index.IndexName}`);
      const indexHash = index.KeySchema[0].AttributeName;
      if (indexHash !== tableHash) throw invalid(`Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index.IndexName}. index hash key: ${indexHash}, table hash key: ${tableHash}`);
      checkProjection(index);
      checkUniqueName(names, index.IndexName);
    }
    if (local.length > LIMITS.maxLocalSecondaryIndexes) throw invalid(`Number of LocalSecondaryIndexes exceeds per-table limit of ${LIMITS.maxLocalSecondaryIndexes}`);
  }
  const global = input.GlobalSecondaryIndexes;
  if (global) {
    if (global.length === 0) throw invalid('List of GlobalSecondaryIndexes is empty');
    for (const index of global) {
      checkGlobalIndexKeySchema(index, definitions);
      checkProjection(index);
      checkIndexThroughput(index, input.BillingMode ?? 'PROVISIONED');
      checkThroughputSettings(index, index.IndexName, input.BillingMode ?? 'PROVISIONED', region);
      checkUniqueName(names, index.IndexName);
    }
    if (global.length > LIMITS.maxGlobalSecondaryIndexes) throw invalid(`GlobalSecondaryIndex count exceeds the per-table limit of ${LIMITS.maxGlobalSecondaryIndexes}`);
  }
  if (local || global) checkDefinitionsUsed(input, definitions);
}

/** The checks every index's KeySchema passes; a local index's (two elements at most, by the model's bound) ends here. */
function checkIndexKeySchema(index: IndexInput, definitions: readonly string[]): void {
  const keys = index.KeySchema.map((k) => k.AttributeName);
  if (keys.some((key) => !definitions.includes(key))) {
    throw invalid(`Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(', ')}], AttributeDefinitions: [${definitions.join(', ')}]`);
  }
  if (keys.length === 2 && keys[0] === keys[1]) throw validationError('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  if (index.KeySchema[0].KeyType !== 'HASH') throw validationError('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
}

/** A local index: one HASH then one RANGE element. */
function checkLocalIndexKeySchema(index: IndexInput, definitions: readonly string[]): void {
  checkIndexKeySchema(index, definitions);
  if (index.KeySchema[1] && index.KeySchema[1].KeyType !== 'RANGE') throw validationError('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
}

/**
 * A global index may have a multi-attribute key: up to four HASH elements, then up to four RANGE
 * elements, each attribute once. Exported for UpdateTable's index creation.
 */
export function checkGlobalIndexKeySchema(index: IndexInput, definitions: readonly string[]): void {
  checkIndexKeySchema(index, definitions);
  const schema = index.KeySchema;
  const duplicate = schema.find((k, i) => schema.findIndex((other) => other.AttributeName === k.AttributeName) !== i);
  // Unverified text: DynamoDB's message for a repeated attribute in a multi-attribute KeySchema (Alternator's conformance tests match /same name/).
  if (duplicate) throw validationError(`Invalid KeySchema: More than one KeySchemaElement has the same name: ${duplicate.AttributeName}`);
  const firstRange = schema.findIndex((k) => k.KeyType === 'RANGE');
  // Unverified text: DynamoDB's message for a HASH element after a RANGE one (Alternator's conformance tests match /HASH.*precede.*RANGE/).
  if (firstRange >= 0 && schema.slice(firstRange).some((k) => k.KeyType === 'HASH')) throw validationError('Invalid KeySchema: HASH key elements must precede RANGE key elements');
  const counts = [
    ['HASH', LIMITS.maxIndexPartitionKeyAttributes],
    ['RANGE', LIMITS.maxIndexSortKeyAttributes],
  ] as const;
  for (const [keyType, max] of counts) {
    // Unverified text: DynamoDB's message for more than four HASH (or RANGE) elements in a GSI's KeySchema.
    if (schema.filter((k) => k.KeyType === keyType).length > max) throw invalid(`Index KeySchema has more than ${max} ${keyType} key elements for index: ${index.IndexName}`);
  }
}

export function checkProjection(index: IndexInput): void {
  const type = index.Projection.ProjectionType;
  if (type === undefined) throw invalid('Unknown ProjectionType: null');
  if (index.Projection.NonKeyAttributes && type !== 'INCLUDE') throw invalid(`ProjectionType is ${type}, but NonKeyAttributes is specified`);
}

function checkIndexThroughput(index: IndexInput, billingMode: string): void {
  if (billingMode === 'PAY_PER_REQUEST' && index.ProvisionedThroughput) {
    throw invalid(`ProvisionedThroughput should not be specified for index: ${index.IndexName} when BillingMode is PAY_PER_REQUEST`);
  }
  if (billingMode === 'PROVISIONED' && !index.ProvisionedThroughput) throw invalid(`ProvisionedThroughput is not specified for index: ${index.IndexName}`);
}

function checkUniqueName(names: Set<string>, name: string): void {
  if (names.has(name)) throw invalid(`Duplicate index name: ${name}`);
  names.add(name);
}

/** Only key attributes are declared: a definition no key of the table or an index uses is refused. */
function checkDefinitionsUsed(input: CreateTableInput, definitions: readonly string[]): void {
  const used = new Set<string>();
  for (const schema of [input.KeySchema, ...[...(input.LocalSecondaryIndexes ?? []), ...(input.GlobalSecondaryIndexes ?? [])].map((i) => i.KeySchema)]) {
    for (const key of schema) used.add(key.AttributeName);
  }
  if (definitions.some((name) => !used.has(name))) {
    // Unverified: the order DynamoDB lists the keys used in (this lists the table's first).
    throw invalid(`Some AttributeDefinitions are not used. AttributeDefinitions: [${definitions.join(', ')}], keys used: [${[...used].join(', ')}]`);
  }
}

export function indexDescription(ctx: OperationContext, tableName: string, index: IndexInput): IndexDescription {
  const { ProjectionType, NonKeyAttributes } = index.Projection;
  return {
    IndexName: index.IndexName,
    KeySchema: index.KeySchema.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
    Projection: { ProjectionType: ProjectionType!, ...(NonKeyAttributes ? { NonKeyAttributes: [...NonKeyAttributes] } : {}) },
    IndexSizeBytes: 0,
    ItemCount: 0,
    IndexArn: `${tableArn(ctx, tableName)}/index/${index.IndexName}`,
  };
}

/**
 * cove's indexes are usable at once: the stored status is ACTIVE (CreateTable answers CREATING, as
 * for the table). `mode` is the table's billing mode; the index's settings were checked against it.
 */
export function globalIndexDescription(ctx: OperationContext, tableName: string, index: IndexInput, mode: BillingMode): GlobalIndexDescription {
  const onDemand = index.OnDemandThroughput && storedOnDemand(index.OnDemandThroughput);
  return {
    ...indexDescription(ctx, tableName, index),
    IndexStatus: 'ACTIVE',
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ...unitsOf(index) },
    ...(onDemand ? { OnDemandThroughput: onDemand } : {}),
    WarmThroughput: initialWarm(mode, unitsOf(index), index.WarmThroughput),
  };
}

/**
 * CreateTable's answer: CREATING, and a WarmThroughput only where the request gave one, then
 * UPDATING (DynamoDB warms the table after creating it; cove's is warm at once, so DescribeTable
 * shows ACTIVE). Unverified for an index's WarmThroughput (treated as the table's).
 */
function createdAnswer(description: TableDescription, input: CreateTableInput): TableDescription {
  const answer = creatingDescription(description);
  const warmOf = <D extends { WarmThroughput?: TableDescription['WarmThroughput'] }>(d: D, requested: WarmThroughputInput | undefined): D => {
    const { WarmThroughput: warm, ...rest } = d;
    return (requested && warm ? { ...rest, WarmThroughput: { ...warm, Status: 'UPDATING' } } : rest) as D;
  };
  const requestedIndexes = new Map((input.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.WarmThroughput]));
  const indexes = answer.GlobalSecondaryIndexes;
  return {
    ...warmOf(answer, input.WarmThroughput),
    ...(indexes ? { GlobalSecondaryIndexes: indexes.map((index) => warmOf(index, requestedIndexes.get(index.IndexName))) } : {}),
  };
}

export const createTable: Operation<CreateTableInput> = {
  name: 'CreateTable',
  readOnly: false,
  category: 'Management',
  authorization: (input, ctx) => [
    { action: 'dynamodb:CreateTable', resource: tableArn(ctx, input.TableName) },
    // Tags on create also need dynamodb:TagResource on the new table: AWS's ABAC example "Allow an
    // action using aws:RequestTag" grants CreateTable and TagResource together to create a tagged
    // table (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/abac-example-use-cases.html).
    // An empty Tags list tags nothing and needs no TagResource.
    ...(input.Tags && input.Tags.length > 0 ? [{ action: 'dynamodb:TagResource', resource: tableArn(ctx, input.TableName) }] : []),
  ],
  requestParameters: (input) => ({
    tableName: input.TableName,
    attributeDefinitions: input.AttributeDefinitions.map((d) => ({ attributeName: d.AttributeName, attributeType: d.AttributeType })),
    keySchema: input.KeySchema.map((k) => ({ attributeName: k.AttributeName, keyType: k.KeyType })),
    billingMode: input.BillingMode,
    ...throughputSettingsForAudit(input),
    ...(input.Tags ? { tags: tagsForAudit(input.Tags) } : {}),
    ...(input.StreamSpecification ? { streamSpecification: { streamEnabled: input.StreamSpecification.StreamEnabled, streamViewType: input.StreamSpecification.StreamViewType } } : {}),
  }),
  async execute(input, ctx) {
    rejectUnsupported(input, 'CreateTable', PARAMETERS_NOT_YET_SUPPORTED);
    checkSchema(input, ctx.region);
    // Tags=[] is accepted (observed live).
    if (input.Tags) checkTags(input.Tags);
    if (input.StreamSpecification) checkStreamSpecification(input.StreamSpecification);
    const viewType = input.StreamSpecification?.StreamViewType;
    const streams = input.StreamSpecification?.StreamEnabled && viewType ? [newStream(viewType, ctx.nowMs)] : [];
    const nowSeconds = ctx.nowMs / 1000;
    const mode = input.BillingMode ?? 'PROVISIONED';
    const payPerRequest = mode === 'PAY_PER_REQUEST';
    const onDemand = input.OnDemandThroughput && storedOnDemand(input.OnDemandThroughput);
    const description: Omit<TableDescription, 'TableId' | 'TableStatus'> = {
      TableName: input.TableName,
      TableArn: tableArn(ctx, input.TableName),
      CreationDateTime: nowSeconds,
      KeySchema: input.KeySchema.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
      AttributeDefinitions: input.AttributeDefinitions.map((d) => ({ AttributeName: d.AttributeName, AttributeType: d.AttributeType })),
      ProvisionedThroughput: { NumberOfDecreasesToday: 0, ...unitsOf(input) },
      ...(onDemand ? { OnDemandThroughput: onDemand } : {}),
      WarmThroughput: initialWarm(mode, unitsOf(input), input.WarmThroughput),
      ...(payPerRequest ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const, LastUpdateToPayPerRequestDateTime: nowSeconds } } : {}),
      TableSizeBytes: 0,
      ItemCount: 0,
      DeletionProtectionEnabled: input.DeletionProtectionEnabled ?? false,
      ...(input.LocalSecondaryIndexes ? { LocalSecondaryIndexes: input.LocalSecondaryIndexes.map((index) => indexDescription(ctx, input.TableName, index)) } : {}),
      ...(input.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: input.GlobalSecondaryIndexes.map((index) => globalIndexDescription(ctx, input.TableName, index, mode)) } : {}),
      ...streamDescription(tableArn(ctx, input.TableName), streams),
    };
    const tags = input.Tags?.map((t): [string, string] => [t.Key, t.Value]);
    const settings = { ...(tags && tags.length > 0 ? { tags } : {}), ...(streams.length > 0 ? { streams } : {}) };
    const table = await ctx.catalog.create(description, Object.keys(settings).length > 0 ? settings : undefined);
    // DynamoDB answers CreateTable with CREATING; cove's tables are usable at once unless
    // `tables.createDelayMs` holds them CREATING, so DescribeTable (and SDK waiters) see ACTIVE after that.
    return { TableDescription: createdAnswer(table.record.description, input) };
  },
};
