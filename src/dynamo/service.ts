import { coralError } from '../errors.js';
import type { AuthorizationTarget, Operation, OperationContext } from './operation.js';
import { OPERATIONS } from './operations/index.js';
import { validateInput } from './validation/index.js';

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** A request the DynamoDB service understood: what IAM must allow, and how to run it. */
export interface InterpretedRequest {
  eventSource: 'dynamodb.amazonaws.com';
  eventName: string;
  readOnly: boolean;
  category: 'Data' | 'Management';
  targets: AuthorizationTarget[];
  requestParameters: Record<string, unknown> | null;
  execute(ctx: OperationContext): Promise<Record<string, unknown>>;
}

export function operationNameOf(target: string | undefined): string | undefined {
  return target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}

/**
 * Turns `X-Amz-Target` + body into an InterpretedRequest: unknown operation,
 * malformed JSON and model constraint violations are answered here, before IAM.
 */
export function interpretDynamoRequest(target: string | undefined, body: Buffer, ctx: Pick<OperationContext, 'region' | 'accountId'>): InterpretedRequest {
  const name = operationNameOf(target);
  const operation = name === undefined ? undefined : (OPERATIONS.get(name) as Operation<Record<string, unknown>> | undefined);
  if (!operation) throw coralError('UnknownOperationException', '');
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw coralError('SerializationException', '');
  }
  validateInput(operation.name, input);
  const typedInput = input as Record<string, unknown>;
  return {
    eventSource: 'dynamodb.amazonaws.com',
    eventName: operation.name,
    readOnly: operation.readOnly,
    category: operation.category,
    targets: operation.authorization(typedInput, ctx as OperationContext),
    requestParameters: operation.requestParameters(typedInput),
    execute: (fullCtx) => operation.execute(typedInput, fullCtx),
  };
}
