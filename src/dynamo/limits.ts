import { type AwsError } from '../errors.js';
import { validationError } from './errors.js';

/**
 * DynamoDB's service limits, in one place and under one name each; every check of a limit
 * reads it from here. cove's own sizes (caches, purge batches, the engine's key limit) stay
 * where they are used.
 */
export const LIMITS = {
  // Items
  /** An item of exactly this many bytes (DynamoDB's size accounting) is accepted. */
  maxItemBytes: 400 * 1024,
  maxPartitionKeyBytes: 2048,
  maxSortKeyBytes: 1024,
  /** Levels of nesting of M and L values; an attribute's own value is level 1. */
  maxNestingLevels: 32,
  /** An attribute name, in UTF-8 bytes. */
  maxAttributeNameBytes: 65535,
  /** The items of one partition key value of a table with local indexes, with their entries in those indexes. */
  maxItemCollectionBytes: 10 * 1024 ** 3,

  // Numbers
  maxNumberSignificantDigits: 38,
  /** Exponent of the leading digit of the largest magnitude, 9.99..9E+125. */
  maxNumberExponent: 125,
  /** Exponent of the leading digit of the smallest magnitude, 1E-130. */
  minNumberExponent: -130,

  // Requests
  maxRequestBytes: 16 * 1024 * 1024,
  maxBatchWriteRequests: 25,
  maxBatchGetKeys: 100,
  /** Actions of one TransactWriteItems or TransactGetItems (the model's list bound enforces it). */
  maxTransactionActions: 100,
  /** The aggregate size of the items of one transaction. */
  maxTransactionBytes: 4 * 1024 * 1024,
  /** How long a TransactWriteItems ClientRequestToken answers retries, from the first request's completion. */
  clientRequestTokenLifetimeMs: 10 * 60 * 1000,
  /** BatchGetItem answers at most this much; the rest comes back as UnprocessedKeys. */
  maxBatchGetResponseBytes: 16 * 1024 * 1024,
  /** Item data one Query or Scan page reads at most. */
  maxPageReadBytes: 1024 * 1024,
  maxListTablesLimit: 100,
  maxTablesPerAccount: 2500,
  maxLocalSecondaryIndexes: 5,
  maxGlobalSecondaryIndexes: 20,
  /** HASH elements of a global secondary index's KeySchema (multi-attribute keys); tables and LSIs have one. */
  maxIndexPartitionKeyAttributes: 4,
  /** RANGE elements of a global secondary index's KeySchema; tables and LSIs have at most one. */
  maxIndexSortKeyAttributes: 4,
  /**
   * Global secondary indexes being created or deleted on one table at once (UpdateTable): one
   * per request, and none while an earlier one is still CREATING.
   */
  maxOnlineIndexOperationsPerTable: 1,
  /** ReadCapacityUnits / WriteCapacityUnits of a provisioned table. */
  maxProvisionedCapacityUnits: 1_000_000_000_000,
  /**
   * DescribeLimits' default quotas: what DynamoDB answers for an account that never asked for an
   * increase, and names in its LimitExceededException texts ("Per table maximum: 40000",
   * "Limit: 80000"). cove reports them; of them it enforces only the table maxima, as the bound
   * of an OnDemandThroughput limit (throughputSettings.ts), not on provisioned units.
   */
  accountMaxReadCapacityUnits: 80_000,
  accountMaxWriteCapacityUnits: 80_000,
  tableMaxReadCapacityUnits: 40_000,
  tableMaxWriteCapacityUnits: 40_000,

  /** Decreases of a table's (or an index's) provisioned throughput allowed at any time in one UTC day... */
  throughputDecreasesAnytimePerDay: 4,
  /** ...and after those, one per this many seconds since the last one (27 a day at most). */
  throughputDecreaseIntervalSeconds: 3600,
  /** Switches of a table from provisioned to on-demand within any 24 hours (the other way: any time). */
  payPerRequestSwitchesPerDay: 4,
  /**
   * The warm throughput (units per second) of a new on-demand table or global index: what
   * DescribeTable's WarmThroughput shows, and the least a WarmThroughput given at creation may ask.
   */
  onDemandInitialReadUnitsPerSecond: 12_000,
  onDemandInitialWriteUnitsPerSecond: 4_000,

  // Table settings
  /**
   * After UpdateTimeToLive changes a table's setting, another change waits this long (the API
   * reference's "up to one hour"; a 2026 probe of the live service measured about half that).
   */
  timeToLiveChangeIntervalMs: 60 * 60 * 1000,
  /** User tags on one table (AWS-assigned `aws:` tags would not count). */
  maxTagsPerResource: 50,
  /** A tag key, in characters. */
  maxTagKeyLength: 128,
  /** A tag value, in characters (it may be empty). */
  maxTagValueLength: 256,
  /** Point-in-time recovery's window, and its default when not given. */
  maxRecoveryPeriodInDays: 35,
  /** LatestRestorableDateTime trails the current time by about this much (the API reference's "typically 5 minutes"). */
  restorableLagSeconds: 5 * 60,

  // Expressions
  /** One expression's length, in UTF-16 code units (as Java counts). */
  maxExpressionLength: 4096,
  /** An expression plus the substitutions it uses, each counted as often as it is used. */
  maxExpressionWithSubstitutionsBytes: 1024 * 1024,
  /** ExpressionAttributeNames, ExpressionAttributeValues, and both together. */
  maxSubstitutionMapBytes: 2 * 1024 * 1024,
  /** A placeholder (`#name`, `:value`), in UTF-16 code units. */
  maxPlaceholderLength: 255,
  /** Elements of a document path. */
  maxDocumentPathLevels: 32,
  maxExpressionOperators: 300,
  maxInOperands: 100,

  // Streams
  /** A stream record is readable this long after it was written, then trimmed. */
  streamRecordRetentionMs: 24 * 60 * 60 * 1000,
  /** A shard iterator is valid this long after GetShardIterator (or GetRecords) issued it. */
  shardIteratorLifetimeMs: 15 * 60 * 1000,
  /** GetRecords' Limit: its default and its largest value. */
  maxGetRecordsLimit: 1000,
  /** ListStreams' Limit: its default and its largest value. */
  maxListStreamsLimit: 100,
  /** DescribeStream's Limit (shards): its default and its largest value. */
  maxDescribeStreamLimit: 100,
} as const;

const MSG_ITEM_TOO_LARGE = 'Item size has exceeded the maximum allowed size';
const MSG_ITEM_TOO_LARGE_UPDATE = 'Item size to update has exceeded the maximum allowed size';

/**
 * The one check of the item size limit. `kind` picks DynamoDB's text: PutItem and
 * BatchWriteItem say "Item size", UpdateItem (its new item, or the values its update
 * writes) says "Item size to update".
 */
export function checkItemSize(sizeBytes: number, kind: 'put' | 'update'): void {
  if (sizeBytes > LIMITS.maxItemBytes) throw itemTooLarge(kind);
}

function itemTooLarge(kind: 'put' | 'update'): AwsError {
  return validationError(kind === 'put' ? MSG_ITEM_TOO_LARGE : MSG_ITEM_TOO_LARGE_UPDATE);
}
