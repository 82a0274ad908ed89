/**
 * The one error type every pipeline stage raises: an error as the service's model names it — its
 * shape ID (`namespace#Code`), its message and the member the message goes in (`message`, or
 * `Message` for AccessDeniedException), the HTTP status, and any members of its own (e.g. the old
 * `Item`). How it is written on the wire is the protocol's business (`src/server/protocols/`).
 * Each service makes its own errors (`src/dynamo/errors.ts`); the authentication errors that the
 * AWS service framework (coral) raises in front of every service are made here.
 */
export const CORAL_NAMESPACE = 'com.amazon.coral.service';

export type MessageKey = 'message' | 'Message';

export class AwsError extends Error {
  constructor(
    readonly namespace: string,
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    readonly messageKey: MessageKey = 'message',
    readonly extra?: Record<string, unknown>,
    /** A body the service answers instead of its protocol's error shape (DynamoDB's 404 `<UnknownOperationException/>`). */
    readonly rawBody?: string,
  ) {
    super(message);
  }

  /** The error's shape ID. */
  get type(): string {
    return `${this.namespace}#${this.code}`;
  }
}

/** Errors raised by the coral service framework in front of a service (auth, serialization, routing). */
export function coralError(code: string, message: string, messageKey: MessageKey = 'message'): AwsError {
  return new AwsError(CORAL_NAMESPACE, code, message, 400, messageKey);
}
