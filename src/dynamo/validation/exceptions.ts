/**
 * The two exception types request validation raises, shaped as DynamoDB sends them:
 *
 * - `com.amazon.coral.service#SerializationException`, message under `Message`, for JSON values
 *   of the wrong type (raised by the JSON binder before any validation);
 * - `com.amazon.coral.validate#ValidationException`, message under `message`, for constraint
 *   failures and DynamoDB's own parameter checks.
 */
import { AwsError, coralError } from '../../errors.js';
import { validationError, VALIDATE_NAMESPACE } from '../errors.js';

export { VALIDATE_NAMESPACE };

export function validationException(message: string): AwsError {
  return validationError(message);
}

export function serializationException(message: string): AwsError {
  return coralError('SerializationException', message, 'Message');
}
