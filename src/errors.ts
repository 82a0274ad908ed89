/**
 * The one error type every pipeline stage raises. It carries exactly what the
 * wire needs: AWS's `__type` (namespace + code), the message, and which JSON key
 * the message goes under — DynamoDB's own errors and the coral auth errors use
 * `message`, but AccessDeniedException uses `Message` (capital M).
 */
export const CORAL_NAMESPACE = 'com.amazon.coral.service';
export const DYNAMODB_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
/** DynamoDB's ValidationException comes from coral's validation layer, whatever raised it. */
export const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';

export type MessageKey = 'message' | 'Message';

export class AwsError extends Error {
  constructor(
    readonly namespace: string,
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    readonly messageKey: MessageKey = 'message',
    /** Members the error body carries besides `__type` and the message (e.g. the old `Item`). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  get type(): string {
    return `${this.namespace}#${this.code}`;
  }
}

/** Errors raised by the coral service framework in front of DynamoDB (auth, serialization, routing). */
export function coralError(code: string, message: string, messageKey: MessageKey = 'message'): AwsError {
  return new AwsError(CORAL_NAMESPACE, code, message, 400, messageKey);
}

/** Errors raised by DynamoDB itself. */
export function dynamoError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, code, message, statusCode);
}

export function validationError(message: string): AwsError {
  return new AwsError(VALIDATE_NAMESPACE, 'ValidationException', message);
}
