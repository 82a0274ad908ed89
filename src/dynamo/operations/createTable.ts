import { validationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { tableArn, type Operation } from '../operation.js';
import type { TableDescription } from '../tables.js';
import { checkTags, tagsForAudit, type Tag } from '../tags.js';
import type { AttributeDefinition, KeySchemaElement } from '../types.js';
import { rejectUnsupported } from '../unsupported.js';

interface CreateTableInput {
  TableName: string;
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  BillingMode?: 'PROVISIONED' | 'PAY_PER_REQUEST';
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  DeletionProtectionEnabled?: boolean;
  Tags?: Tag[];
  [other: string]: unknown;
}

const PARAMETERS_NOT_YET_SUPPORTED = ['LocalSecondaryIndexes', 'GlobalSecondaryIndexes', 'StreamSpecification', 'ResourcePolicy', 'OnDemandThroughput', 'WarmThroughput', 'SSESpecification', 'TableClass'];

const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);

/** DynamoDB's semantic checks, in its order, after the model's constraints passed. */
function checkSchema(input: CreateTableInput): void {
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
  const definitions = input.AttributeDefinitions.map((d) => d.AttributeName);
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
  if (keys.length !== definitions.length) {
    throw invalid('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
  }
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
    ...(input.Tags ? { tags: tagsForAudit(input.Tags) } : {}),
  }),
  async execute(input, ctx) {
    rejectUnsupported(input, 'CreateTable', PARAMETERS_NOT_YET_SUPPORTED);
    checkSchema(input);
    // Tags=[] is accepted (observed live).
    if (input.Tags) checkTags(input.Tags);
    const nowSeconds = ctx.nowMs / 1000;
    const payPerRequest = input.BillingMode === 'PAY_PER_REQUEST';
    const description: Omit<TableDescription, 'TableId' | 'TableStatus'> = {
      TableName: input.TableName,
      TableArn: tableArn(ctx, input.TableName),
      CreationDateTime: nowSeconds,
      KeySchema: input.KeySchema.map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType })),
      AttributeDefinitions: input.AttributeDefinitions.map((d) => ({ AttributeName: d.AttributeName, AttributeType: d.AttributeType })),
      ProvisionedThroughput: {
        NumberOfDecreasesToday: 0,
        ReadCapacityUnits: input.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
        WriteCapacityUnits: input.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
      },
      ...(payPerRequest ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const, LastUpdateToPayPerRequestDateTime: nowSeconds } } : {}),
      TableSizeBytes: 0,
      ItemCount: 0,
      DeletionProtectionEnabled: input.DeletionProtectionEnabled ?? false,
    };
    const tags = input.Tags?.map((t): [string, string] => [t.Key, t.Value]);
    const table = await ctx.catalog.create(description, tags && tags.length > 0 ? { tags } : undefined);
    // DynamoDB answers CreateTable with CREATING; cove's tables are usable at once,
    // so DescribeTable (and SDK waiters) see ACTIVE immediately after.
    return { TableDescription: { ...table.record.description, TableStatus: 'CREATING' } };
  },
};
