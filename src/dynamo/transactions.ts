/**
 * What TransactWriteItems and TransactGetItems share: one action per item, the cancellation
 * answer, and capacity per table (transactional reads and writes cost twice the units of plain
 * ones: DynamoDB prepares and then commits every item).
 */
import { AwsError } from '../errors.js';
import { DYNAMODB_NAMESPACE, validationError } from './errors.js';
import { TableConsumption, type IndexUnits, type ReturnConsumedCapacity } from './capacity.js';
import type { Item } from './types.js';

export const MSG_MULTIPLE_OPERATIONS_ON_ONE_ITEM = 'Transaction request cannot include multiple operations on one item';

/** Transactional reads and writes consume twice the units of the same plain ones. */
export const TRANSACTIONAL_UNIT_FACTOR = 2;

/** The items a transaction names so far, by engine key (which carries the table's id). */
export class TransactionItems {
  private readonly seen = new Set<string>();

  /** Refuses a second action on one item, with DynamoDB's ValidationException. */
  add(storageKey: Buffer): void {
    const id = storageKey.toString('latin1');
    if (this.seen.has(id)) throw validationError(MSG_MULTIPLE_OPERATIONS_ON_ONE_ITEM);
    this.seen.add(id);
  }
}

/** One entry of TransactionCanceledException's CancellationReasons. */
export interface CancellationReason {
  /** DuplicateItem: a PartiQL INSERT (ExecuteTransaction) whose key is taken. */
  Code: 'None' | 'ConditionalCheckFailed' | 'ValidationError' | 'DuplicateItem' | 'ItemCollectionSizeLimitExceeded';
  Message?: string;
  Item?: Item;
}

/** DynamoDB's answer to a cancelled transaction: a reason per action, in request order, listed in the message too. */
export function transactionCanceled(reasons: readonly CancellationReason[]): AwsError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`;
  return new AwsError(DYNAMODB_NAMESPACE, 'TransactionCanceledException', message, 400, 'Message', { CancellationReasons: reasons });
}

/**
 * Capacity units per table name (a Map: table names are user-controlled, `__proto__` included),
 * all of one kind: a transaction's answer names them read or write units as well.
 */
export class UnitsByTable {
  readonly units = new Map<string, TableConsumption>();

  constructor(private readonly kind: 'read' | 'write') {}

  /** Units on the table, and on its indexes (each times `factor`: a transaction's twice). */
  add(tableName: string, units: number, indexUnits?: readonly IndexUnits[], factor = 1): void {
    let consumption = this.units.get(tableName);
    if (!consumption) this.units.set(tableName, (consumption = new TableConsumption()));
    consumption.table += units;
    consumption.addIndexes(indexUnits, factor);
  }

  /** ConsumedCapacity as the transaction operations answer it: a list, one entry per table. */
  response(mode: ReturnConsumedCapacity): { ConsumedCapacity?: Record<string, unknown>[] } {
    if (mode !== 'TOTAL' && mode !== 'INDEXES') return {};
    return {
      ConsumedCapacity: [...this.units].map(([tableName, consumption]) => consumption.entry(mode, tableName, this.kind)!),
    };
  }
}
