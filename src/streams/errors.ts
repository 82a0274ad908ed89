import { AwsError } from '../errors.js';
import { DYNAMODB_NAMESPACE, validationError } from '../dynamo/errors.js';

/** DynamoDB Streams' errors carry DynamoDB's namespace (the two share one API version). */
export function streamsError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, code, message, statusCode);
}

export { validationError };

// Unverified text: DynamoDB Streams' answer for a stream ARN it does not know.
export const streamNotFound = (arn: string) => streamsError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);

/** GetRecords on a position older than the oldest record kept (text as quoted in a client's bug report, ironSource/node-dynamodb-stream#13). */
export const trimmedDataAccess = () => streamsError('TrimmedDataAccessException', 'The data you are trying to access has been trimmed');
