import type { AwsError } from '../../errors.js';
import type { Protocol, WireRequest } from '../../service.js';
import { serializeResponse } from './rawJson.js';

/**
 * AWS's JSON protocols (awsJson1_0, awsJson1_1): `POST /` with `X-Amz-Target: <prefix>.<Operation>`,
 * a JSON body both ways, and errors as `{"__type": "<namespace>#<code>", "message": ...}`.
 */
export function awsJsonProtocol(options: { targetPrefix: string; version: '1.0' | '1.1'; sendsCrc32: boolean }): Protocol {
  const prefix = `${options.targetPrefix}.`;
  return {
    operationName: (request: WireRequest) => (request.target?.startsWith(prefix) ? request.target.slice(prefix.length) : undefined),
    contentType: `application/x-amz-json-${options.version}`,
    serializeResult: serializeResponse,
    serializeError: jsonErrorBody,
    wireError: (error) => error,
    sendsCrc32: options.sendsCrc32,
  };
}

/** An error's JSON body: its `__type`, its message under the key the service uses, and any members of its own. */
export function jsonErrorBody(error: AwsError): string {
  if (error.rawBody !== undefined) return error.rawBody;
  return JSON.stringify({ __type: error.type, ...(error.message ? { [error.messageKey]: error.message } : {}), ...error.extra });
}
