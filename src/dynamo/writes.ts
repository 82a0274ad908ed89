import { AwsError, DYNAMODB_NAMESPACE } from '../errors.js';
import { evaluateCondition, type Condition } from './expressions/index.js';
import { decodeItem } from './items.js';
import type { Item } from './types.js';

export type ReturnValuesOnConditionCheckFailure = 'ALL_OLD' | 'NONE' | undefined;

export function conditionalCheckFailed(oldItem: Item | undefined, returnOld: ReturnValuesOnConditionCheckFailure): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, 'ConditionalCheckFailedException', 'The conditional request failed', 400, 'message', returnOld === 'ALL_OLD' && oldItem ? { Item: oldItem } : undefined);
}

/**
 * The engine-side check of a ConditionExpression (or Expected): evaluated on the
 * item's current value inside the write transaction, so no other write can slip
 * between the check and the write.
 */
export function writeCondition(condition: Condition | undefined, returnOld: ReturnValuesOnConditionCheckFailure): ((current: Buffer | undefined) => AwsError | undefined) | undefined {
  if (!condition) return undefined;
  return (current) => {
    const item = current && decodeItem(current);
    return evaluateCondition(condition, item) ? undefined : conditionalCheckFailed(item, returnOld);
  };
}
