/**
 * What ExecuteStatement, BatchExecuteStatement and ExecuteTransaction share: a statement parsed
 * once per request (authorization and execution read the same parse), the IAM action and
 * resource it is authorized on, and running it through the DynamoDB operation it stands for.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { DYNAMODB_NAMESPACE, validationError } from '../errors.js';
import { readResourceArn, tableArn, type InterpretContext, type OperationContext } from '../operation.js';
import type { Table } from '../tables.js';
import type { AttributeValue, KeyAttribute } from '../types.js';
import { parseStatement, type Statement } from './parser.js';
import { selectRequest, writeRequest } from './translate.js';
import { deleteItem } from '../operations/deleteItem.js';
import { putItem } from '../operations/putItem.js';
import { query } from '../operations/query.js';
import { scan } from '../operations/scan.js';
import { updateItem } from '../operations/updateItem.js';
import type { AuthorizationTarget } from '../../service.js';

export interface StatementInput {
  Statement: string;
  Parameters?: AttributeValue[];
  ConsistentRead?: boolean;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** The table a statement names (a SELECT's, or an EXISTS's inner SELECT's). */
export function tableNameOf(statement: Statement): string {
  return statement.kind === 'select' ? statement.source.table : statement.kind === 'exists' ? statement.select.source.table : statement.table;
}

/** A statement as CloudTrail keeps it: its shape, never the values of its string literals. */
export function redactedStatement(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "'***'");
}

/** A statement, parsed, with the names it uses checked (DynamoDB's text for a bad table name). */
export function parsed(input: StatementInput): Statement {
  const statement = parseStatement(input.Statement, input.Parameters ?? []);
  if (!TABLE_NAME.test(tableNameOf(statement))) throw validationError("Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', '.'.");
  return statement;
}

const ACTIONS: Record<Statement['kind'], string> = {
  select: 'dynamodb:PartiQLSelect',
  exists: 'dynamodb:PartiQLSelect',
  insert: 'dynamodb:PartiQLInsert',
  update: 'dynamodb:PartiQLUpdate',
  delete: 'dynamodb:PartiQLDelete',
};

/** The IAM question a statement asks: its PartiQL action on the table (or the index it reads). */
export function statementTarget(statement: Statement, ctx: InterpretContext): AuthorizationTarget {
  const read = statement.kind === 'select' ? statement : statement.kind === 'exists' ? statement.select : undefined;
  const resource = read ? readResourceArn(ctx, read.source.table, read.source.index) : tableArn(ctx, tableNameOf(statement));
  return { action: ACTIONS[statement.kind], resource };
}

/** The table a statement names, as it is now. */
export function tableOf(statement: Statement, ctx: OperationContext): Table {
  return ctx.catalog.require(tableNameOf(statement));
}

/** The keys a SELECT reads by: the index's, or the table's. */
export function readKeys(table: Table, index: string | undefined): { partitionKeys: readonly KeyAttribute[]; sortKeys: readonly KeyAttribute[] } {
  const secondary = index === undefined ? undefined : table.indexNamed.get(index);
  if (index !== undefined && !secondary) throw validationError(`The table does not have the specified index: ${index}`);
  return secondary ?? { partitionKeys: [table.hashKey], sortKeys: table.rangeKey ? [table.rangeKey] : [] };
}

interface PageToken {
  /** The read's LastEvaluatedKey. */
  key: Record<string, AttributeValue>;
  /** The statement and parameters it belongs to. */
  request: string;
}

function requestHash(input: StatementInput): string {
  return createHash('sha256').update(JSON.stringify([input.Statement, input.Parameters ?? []])).digest('base64url');
}

/** ExecuteStatement's NextToken: where the read stopped, bound to the statement it answered. */
export function encodeNextToken(input: StatementInput, key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify({ key, request: requestHash(input) } satisfies PageToken)).toString('base64');
}

export function decodeNextToken(input: StatementInput, token: string): Record<string, AttributeValue> {
  let decoded: PageToken;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as PageToken;
  } catch {
    throw validationError('Invalid NextToken');
  }
  if (typeof decoded !== 'object' || decoded === null || typeof decoded.key !== 'object' || decoded.key === null) throw validationError('Invalid NextToken');
  if (decoded.request !== requestHash(input)) throw validationError('NextToken does not match request');
  return decoded.key;
}

/** A SELECT as the Query or Scan it stands for, one page of it. */
export async function runSelect(statement: Extract<Statement, { kind: 'select' }>, ctx: OperationContext, options: { limit?: number; consistentRead?: boolean; exclusiveStartKey?: Record<string, AttributeValue>; returnConsumedCapacity?: string }): Promise<Record<string, unknown>> {
  const table = tableOf(statement, ctx);
  const keys = readKeys(table, statement.source.index);
  const request = selectRequest(statement, table, keys.partitionKeys, keys.sortKeys);
  const input = {
    ...request.input,
    ...(options.limit !== undefined ? { Limit: options.limit } : {}),
    ...(options.consistentRead !== undefined ? { ConsistentRead: options.consistentRead } : {}),
    ...(options.exclusiveStartKey ? { ExclusiveStartKey: options.exclusiveStartKey } : {}),
    ...(options.returnConsumedCapacity ? { ReturnConsumedCapacity: options.returnConsumedCapacity } : {}),
  };
  return request.operation === 'Query' ? query.execute(input as Parameters<typeof query.execute>[0], ctx) : scan.execute(input as Parameters<typeof scan.execute>[0], ctx);
}

/** INSERT, UPDATE or DELETE as the item write it stands for; RETURNING's item, if asked. */
export async function runWrite(statement: Exclude<Statement, { kind: 'select' | 'exists' }>, ctx: OperationContext, options: { returnValuesOnConditionCheckFailure?: string; returnConsumedCapacity?: string }): Promise<{ item: Record<string, AttributeValue> | undefined; consumedCapacity: unknown }> {
  const table = tableOf(statement, ctx);
  const request = writeRequest(statement, table);
  const input = {
    ...request.input,
    ...(options.returnValuesOnConditionCheckFailure ? { ReturnValuesOnConditionCheckFailure: options.returnValuesOnConditionCheckFailure } : {}),
    ...(options.returnConsumedCapacity ? { ReturnConsumedCapacity: options.returnConsumedCapacity } : {}),
  };
  let result: Record<string, unknown>;
  try {
    if (request.operation === 'PutItem') result = await putItem.execute(input as Parameters<typeof putItem.execute>[0], ctx);
    else if (request.operation === 'UpdateItem') result = await updateItem.execute(input as Parameters<typeof updateItem.execute>[0], ctx);
    else result = await deleteItem.execute(input as Parameters<typeof deleteItem.execute>[0], ctx);
  } catch (error) {
    if (statement.kind === 'insert' && error instanceof AwsError && error.code === 'ConditionalCheckFailedException') throw duplicateItem();
    throw error;
  }
  return { item: request.returning ? (result.Attributes as Record<string, AttributeValue> | undefined) : undefined, consumedCapacity: result.ConsumedCapacity };
}

export function duplicateItem(): AwsError {
  return new AwsError(DYNAMODB_NAMESPACE, 'DuplicateItemException', 'Duplicate primary key exists in table');
}

