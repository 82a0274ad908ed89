import { AwsError } from '../errors.js';

export const DYNAMODB_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
/** DynamoDB's ValidationException comes from coral's validation layer, whatever raised it. */
export const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';

/** Errors raised by DynamoDB itself. */
export function dynamoError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, code, message, statusCode);
}

export function validationError(message: string): AwsError {
  return new AwsError(VALIDATE_NAMESPACE, 'ValidationException', message);
}

/**
 * A transaction whose items add up to more than 4 MB (LIMITS.maxTransactionBytes): the items a
 * TransactWriteItems writes, or those a TransactGetItems reads. DynamoDB documents the refusal of
 * the whole request; unverified: its code and text.
 */
export function transactionTooLarge(): AwsError {
  return validationError('Transaction request size has exceeded the maximum allowed size of 4 MB');
}

/** ResourceInUseException for a table in a transitional state ("Table is being created", "Table is being deleted"). */
export function tableInUse(state: string, tableName: string): AwsError {
  return dynamoError('ResourceInUseException', `Attempt to change a resource which is still in use: ${state}: ${tableName}`);
}
