import { coralError, dynamoError, validationError } from '../errors.js';
import type { AuthorizationTarget, InterpretContext, Operation, OperationContext } from './operation.js';
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
export function interpretDynamoRequest(target: string | undefined, body: Buffer, ctx: InterpretContext): InterpretedRequest {
  const name = operationNameOf(target);
  const operation = name === undefined ? undefined : (OPERATIONS.get(name) as Operation<Record<string, unknown>> | undefined);
  if (!operation) throw coralError('UnknownOperationException', '');
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw coralError('SerializationException', '');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw coralError('SerializationException', '');
  validateInput(operation.name, input);
  const typedInput = input as Record<string, unknown>;
  if (typeof typedInput.TableName === 'string') typedInput.TableName = resolveTableName(typedInput.TableName, ctx);
  if (typeof typedInput.RequestItems === 'object' && typedInput.RequestItems !== null) {
    typedInput.RequestItems = resolveRequestItems(typedInput.RequestItems as Record<string, unknown>, ctx);
  }
  return {
    eventSource: 'dynamodb.amazonaws.com',
    eventName: operation.name,
    readOnly: operation.readOnly,
    category: operation.category,
    targets: operation.authorization(typedInput, ctx),
    requestParameters: operation.requestParameters(typedInput, ctx),
    execute: (fullCtx) => operation.execute(typedInput, fullCtx),
  };
}

const TABLE_ARN = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

/**
 * DynamoDB accepts a table ARN wherever it takes a table name. cove serves one
 * account in one region, so an ARN is reduced to its name here, once, and both
 * IAM and the operation see the same table; an ARN elsewhere names no table cove has.
 */
export function resolveTableName(name: string, ctx: Pick<InterpretContext, 'region' | 'accountId'>): string {
  if (!name.startsWith('arn:')) return name;
  const match = TABLE_ARN.exec(name);
  // Unverified text: DynamoDB's answer for a malformed table ARN.
  if (!match) throw validationError(`Invalid TableName: ${name} is neither a table name nor a table ARN`);
  if (match[1] !== ctx.region || match[2] !== ctx.accountId) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
  return match[3];
}

/** Batch operations key their RequestItems by table name or ARN; two spellings of one table are one entry. */
function resolveRequestItems(requestItems: Record<string, unknown>, ctx: Pick<InterpretContext, 'region' | 'accountId'>): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(requestItems)) {
    const table = resolveTableName(name, ctx);
    // Unverified text: DynamoDB's answer when a table appears twice, once by name and once by ARN.
    if (Object.hasOwn(resolved, table)) throw validationError(`Table ${table} appears more than once in RequestItems`);
    resolved[table] = value;
  }
  return resolved;
}
