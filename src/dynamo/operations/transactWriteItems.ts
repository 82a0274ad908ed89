/**
 * TransactWriteItems: up to 100 Put, Update, Delete and ConditionCheck actions across tables,
 * all or nothing, in ONE engine batch through `tryWriteItemChanges`.
 *
 * Isolation: every condition, update and write of the transaction runs inside one LMDB write
 * transaction, and LMDB admits one write transaction at a time (its write lock, shared through
 * the lock file by every process on the store). A single-item write is such a batch too, so
 * transactions and single-item writes are serializable: each sees the others entirely or not
 * at all. lmdb-js runs the batches of one event turn one after the other in one LMDB
 * transaction; a later batch reads the earlier ones' writes, which is that same serial order.
 */
import { transactionTooLarge, validationError } from '../errors.js';
import { AwsError } from '../../errors.js';
import { itemSizeBytes, normalizeItem } from '../attributeValue.js';
import { readUnits, writeUnits, type ReturnConsumedCapacity } from '../capacity.js';
import { liveToken, parameterMismatch, parametersHash, TOKEN_TAKEN, tokenOps } from '../clientTokens.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { checkNestedKeyAccess, checkUpdateKeyAttributes, compileRequestExpressions, type RequestKind } from '../expressions/index.js';
import { checkItemKey, checkKey, keyForAudit, keyNamesOf, storedItemSize } from '../items.js';
import { checkItemSize, LIMITS } from '../limits.js';
import { tableArn, type OperationContext, type Operation } from '../operation.js';
import { metricsByTable, metricsResponse, type ReturnItemCollectionMetrics } from '../itemCollections.js';
import type { TableCatalog, Table } from '../tables.js';
import { TRANSACTIONAL_UNIT_FACTOR, TransactionItems, transactionCanceled, UnitsByTable, type CancellationReason } from '../transactions.js';
import type { Item } from '../types.js';
import { conditionCheckChange, deleteItemChange, itemChange, putItemChange, tryWriteItemChanges, type ItemChange, type ItemChangeOutcome, type ReturnValuesOnConditionCheckFailure } from '../writes.js';
import type { OpFailure } from '../../storage/engine.js';
import { updatedItem } from './updateItem.js';

type ActionName = 'ConditionCheck' | 'Put' | 'Delete' | 'Update';

interface ActionInput {
  TableName: string;
  Key?: Item;
  Item?: Item;
  ReturnValuesOnConditionCheckFailure?: ReturnValuesOnConditionCheckFailure;
  [other: string]: unknown;
}

type TransactWriteItem = Partial<Record<ActionName, ActionInput>>;

interface TransactWriteItemsInput {
  TransactItems: TransactWriteItem[];
  ClientRequestToken?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  ReturnItemCollectionMetrics?: ReturnItemCollectionMetrics;
  [other: string]: unknown;
}

/**
 * The IAM action each action is authorized as (AWS's "Using IAM with DynamoDB transactions": the
 * underlying item operation's, and dynamodb:ConditionCheckItem for ConditionCheck), and the
 * request kind whose expression parameters it takes (a ConditionCheck takes DeleteItem's).
 */
const ACTIONS: Readonly<Record<ActionName, { readonly iamAction: string; readonly requestKind: RequestKind }>> = {
  ConditionCheck: { iamAction: 'dynamodb:ConditionCheckItem', requestKind: 'DeleteItem' },
  Put: { iamAction: 'dynamodb:PutItem', requestKind: 'PutItem' },
  Delete: { iamAction: 'dynamodb:DeleteItem', requestKind: 'DeleteItem' },
  Update: { iamAction: 'dynamodb:UpdateItem', requestKind: 'UpdateItem' },
};
const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];

interface Action {
  readonly name: ActionName;
  readonly input: ActionInput;
}

/** The one action of an entry. */
function actionOf(entry: TransactWriteItem): Action {
  const present = ACTION_NAMES.filter((name) => entry[name] !== undefined);
  // Unverified texts (as DynamoDB Local and moto word them): an entry with no action, or several.
  if (present.length === 0) throw validationError('Invalid Request: TransactWriteRequest should contain Delete or Put or Update request');
  if (present.length > 1) throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  return { name: present[0], input: entry[present[0]]! };
}

/** The item or key an action names. */
function namedItem({ name, input }: Action): Item {
  return (name === 'Put' ? input.Item : input.Key) ?? {};
}

export const transactWriteItems: Operation<TransactWriteItemsInput> = {
  name: 'TransactWriteItems',
  readOnly: false,
  category: 'Data',
  // One target per action: a Deny on any one item denies the whole request.
  authorization: (input, ctx) =>
    input.TransactItems.map((entry) => {
      const action = actionOf(entry);
      const { iamAction, requestKind } = ACTIONS[action.name];
      const tableName = action.input.TableName;
      return {
        action: iamAction,
        resource: tableArn(ctx, tableName),
        conditionKeys: () => ({
          ...itemConditionKeys(ctx, tableName, { kind: requestKind, input: action.input, items: [namedItem(action)], returnsItems: false, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
          'dynamodb:EnclosingOperation': 'TransactWriteItems',
        }),
      };
    }),
  // CloudTrail's form (DynamoDB developer guide, "Understanding DynamoDB log file entries"), keys and attribute names only.
  requestParameters: (input, ctx) => ({
    requestItems: input.TransactItems.map((entry) => {
      const action = actionOf(entry);
      const tableName = action.input.TableName;
      return {
        operation: action.name,
        tableName,
        key: keyForAudit(ctx.catalog.get(tableName), namedItem(action)),
        ...(action.name === 'Put' ? { items: Object.keys(namedItem(action)) } : {}),
      };
    }),
    ...(input.ReturnConsumedCapacity !== undefined ? { returnConsumedCapacity: input.ReturnConsumedCapacity } : {}),
    ...(input.ReturnItemCollectionMetrics !== undefined ? { returnItemCollectionMetrics: input.ReturnItemCollectionMetrics } : {}),
  }),
  async execute(input, ctx) {
    const plans = planActions(input, ctx.catalog);
    const token = input.ClientRequestToken;
    const hash = token === undefined ? '' : parametersHash(input);
    if (token !== undefined) {
      const replay = await replayed(ctx, token, hash, plans, input.ReturnConsumedCapacity);
      if (replay) return replay;
    }
    const extraOps = await tokenOps(ctx.engine, ctx.region, token, { parametersHash: hash }, ctx.nowMs);
    const result = await tryWriteItemChanges(
      ctx.catalog,
      plans.map((plan) => plan.change),
      extraOps,
    );
    if (!result.ok) return notCommitted(ctx, { token, hash, plans, mode: input.ReturnConsumedCapacity }, result.failures);
    // ConditionChecks write nothing: their collections are not reported.
    const written = plans.filter((plan) => plan.name !== 'ConditionCheck').map((plan) => plan.change);
    const metrics = await metricsByTable(ctx.engine, written, input.ReturnItemCollectionMetrics);
    return { ...committedAnswer(plans, result.outcomes, input.ReturnConsumedCapacity), ...metricsResponse(metrics) };
  },
};

interface PlannedAction {
  readonly name: ActionName;
  readonly table: Table;
  readonly change: ItemChange<unknown>;
  /** The action's share of the transaction's aggregate size: the item a Put writes, else the key. */
  readonly sizeBytes: number;
}

/** Every action checked and turned into an item change before anything is written. */
function planActions(input: TransactWriteItemsInput, catalog: TableCatalog): PlannedAction[] {
  const items = new TransactionItems();
  let totalBytes = 0;
  const plans = input.TransactItems.map((entry) => {
    const plan = planAction(actionOf(entry), catalog);
    items.add(plan.change.storageKey);
    totalBytes += plan.sizeBytes;
    return plan;
  });
  if (totalBytes > LIMITS.maxTransactionBytes) throw transactionTooLarge();
  return plans;
}

function planAction({ name, input }: Action, catalog: TableCatalog): PlannedAction {
  const expressions = compileRequestExpressions(input, ACTIONS[name].requestKind);
  const table = catalog.require(input.TableName);
  checkNestedKeyAccess(expressions, keyNamesOf(table));
  const check = { condition: expressions.condition, returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure };
  if (name === 'Put') {
    const item = normalizeItem(input.Item!);
    checkItemKey(table, item);
    const sizeBytes = itemSizeBytes(item);
    checkItemSize(sizeBytes, 'put');
    return { name, table, change: putItemChange(table, { item, sizeBytes }, check), sizeBytes };
  }
  const key = normalizeItem(input.Key!);
  checkKey(table, key);
  const sizeBytes = itemSizeBytes(key);
  if (name === 'Update') {
    const update = expressions.update;
    if (update) checkUpdateKeyAttributes(update, keyNamesOf(table));
    // The update runs inside the write transaction, on the item as the transaction finds it.
    return { name, table, change: itemChange(table, key, (old) => updatedItem(update, old, key), check), sizeBytes };
  }
  if (name === 'Delete') return { name, table, change: deleteItemChange(table, key, check), sizeBytes };
  return { name, table, change: conditionCheckChange(table, key, check), sizeBytes };
}

/**
 * A token seen within its window: the same parameters answer without writing anything, consuming
 * what reading the items takes (API reference, ClientRequestToken); other parameters are refused.
 */
async function replayed(ctx: OperationContext, token: string, hash: string, plans: readonly PlannedAction[], mode: ReturnConsumedCapacity): Promise<Record<string, unknown> | undefined> {
  const record = await liveToken(ctx.engine, ctx.region, token, ctx.nowMs);
  if (!record) return undefined;
  if (record.parametersHash !== hash) throw parameterMismatch();
  const stored = await ctx.engine.getMany(plans.map((plan) => plan.change.storageKey));
  const units = new UnitsByTable('read');
  // Unverified: a retry's read units counted as strongly consistent reads of each item, not doubled.
  stored.forEach((bytes, i) => units.add(plans[i].table.name, readUnits(bytes ? storedItemSize(bytes) : 0, true)));
  return units.response(mode);
}

interface Attempt {
  readonly token: string | undefined;
  readonly hash: string;
  readonly plans: readonly PlannedAction[];
  readonly mode: ReturnConsumedCapacity;
}

/** The batch was vetoed: a deleted table, a concurrent twin with the same token, or failed checks. */
async function notCommitted(ctx: OperationContext, attempt: Attempt, failures: readonly OpFailure<AwsError>[]): Promise<Record<string, unknown>> {
  const guard = failures.find((failure) => failure.index === -1);
  if (guard) throw guard.error;
  if (attempt.token !== undefined && failures.some((failure) => failure.error === TOKEN_TAKEN)) {
    // A request with the same token committed first: answer as its retry.
    const replay = await replayed(ctx, attempt.token, attempt.hash, attempt.plans, attempt.mode);
    if (replay) return replay;
  }
  const reasons: CancellationReason[] = attempt.plans.map(() => ({ Code: 'None' }));
  for (const { index, error } of failures) {
    if (index >= 0 && index < reasons.length) reasons[index] = cancellationReason(error);
  }
  throw transactionCanceled(reasons);
}

/** An action's failure as a CancellationReason; anything but a failed check or a validation error is the request's own failure. */
function cancellationReason(error: unknown): CancellationReason {
  if (!(error instanceof AwsError)) throw error;
  if (error.code === 'ConditionalCheckFailedException') {
    const item = error.extra?.Item as Item | undefined;
    return { Code: 'ConditionalCheckFailed', Message: error.message, ...(item ? { Item: item } : {}) };
  }
  if (error.code === 'ValidationException') return { Code: 'ValidationError', Message: error.message };
  if (error.code === 'ItemCollectionSizeLimitExceededException') return { Code: 'ItemCollectionSizeLimitExceeded', Message: error.message };
  throw error;
}

/**
 * Capacity per table: twice a plain write's units for each action, on the larger of the old and
 * new item (a ConditionCheck on the item it checked; unverified: AWS may count it as a read),
 * and twice each index write's units on its index (writes.ts).
 */
function committedAnswer(plans: readonly PlannedAction[], outcomes: readonly ItemChangeOutcome<unknown>[], mode: ReturnConsumedCapacity): Record<string, unknown> {
  const units = new UnitsByTable('write');
  outcomes.forEach(({ old, write, indexUnits }, i) => {
    const newBytes = write.kind === 'put' ? write.item.sizeBytes : 0;
    // Unverified: a transaction's index writes doubled like its table writes.
    units.add(plans[i].table.name, TRANSACTIONAL_UNIT_FACTOR * writeUnits(Math.max(newBytes, old ? old.sizeBytes : 0)), indexUnits, TRANSACTIONAL_UNIT_FACTOR);
  });
  return units.response(mode);
}
