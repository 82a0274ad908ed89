/**
 * The two exception types request validation raises, shaped as DynamoDB sends them:
 *
 * - `com.amazon.coral.service#SerializationException`, message under `Message`, for JSON values
 *   of the wrong type (raised by the JSON binder before any validation);
 * - `com.amazon.coral.validate#ValidationException`, message under `message`, for constraint
 *   failures and DynamoDB's own parameter checks.
 */
import { AwsError, coralError } from '../../errors.js';

export const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';

export function validationException(message: string): AwsError {
  return new AwsError(VALIDATE_NAMESPACE, 'ValidationException', message);
}

export function serializationException(message: string): AwsError {
  return coralError('SerializationException', message, 'Message');
}
