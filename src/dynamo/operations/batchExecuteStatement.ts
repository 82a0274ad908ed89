import { AwsError } from '../../errors.js';
import type { ReturnConsumedCapacity } from '../capacity.js';
import { validationError } from '../errors.js';
import type { Operation, OperationContext } from '../operation.js';
import type { Statement } from '../partiql/parser.js';
import { parsed, runWrite, statementTarget, tableOf, type StatementInput, redactedStatement, tableNameOf } from '../partiql/statements.js';
import { getRequest } from '../partiql/translate.js';
import { getItem } from './getItem.js';
import type { AuthorizationTarget } from '../../service.js';

interface BatchExecuteStatementInput {
  Statements: StatementInput[];
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

/** Each statement's parse, or the error that answers it alone (a bad statement spoils only its own response). */
type Parsed = { statement: Statement } | { error: AwsError };
const parses = new WeakMap<BatchExecuteStatementInput, Parsed[]>();

function parsedStatements(input: BatchExecuteStatementInput): Parsed[] {
  let out = parses.get(input);
  if (!out) {
    out = input.Statements.map((entry) => {
      try {
        return { statement: parsed(entry) };
      } catch (error) {
        if (error instanceof AwsError) return { error };
        throw error;
      }
    });
    parses.set(input, out);
  }
  return out;
}

/** BatchStatementError's codes, by the exception each stands for. */
const ERROR_CODES: ReadonlyMap<string, string> = new Map([
  ['ConditionalCheckFailedException', 'ConditionalCheckFailed'],
  ['DuplicateItemException', 'DuplicateItem'],
  ['ValidationException', 'ValidationError'],
  ['ResourceNotFoundException', 'ResourceNotFound'],
  ['ItemCollectionSizeLimitExceededException', 'ItemCollectionSizeLimitExceeded'],
  ['TransactionConflictException', 'TransactionConflict'],
  ['AccessDeniedException', 'AccessDenied'],
]);

function statementError(error: AwsError, tableName: string | undefined): Record<string, unknown> {
  return { Error: { Code: ERROR_CODES.get(error.code) ?? 'InternalServerError', Message: error.message, ...(error.extra?.Item ? { Item: error.extra.Item } : {}) }, ...(tableName ? { TableName: tableName } : {}) };
}


/**
 * Up to 25 statements, each answered on its own (a failure is that statement's `Error`): reads
 * are SELECTs of one item by its whole key (a GetItem each), writes are INSERT, UPDATE and
 * DELETE. A batch is all reads or all writes. Every statement is authorized as its own PartiQL
 * action; a denial denies the whole request, as BatchWriteItem's does.
 */
export const batchExecuteStatement: Operation<BatchExecuteStatementInput> = {
  name: 'BatchExecuteStatement',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => parsedStatements(input).flatMap((entry): AuthorizationTarget[] => ('statement' in entry ? [statementTarget(entry.statement, ctx)] : [])),
  requestParameters: (input) => ({ statements: input.Statements.map((entry) => ({ statement: redactedStatement(entry.Statement) })) }),
  async execute(input, ctx) {
    const entries = parsedStatements(input);
    const kinds = new Set(entries.flatMap((entry) => ('statement' in entry ? [entry.statement.kind === 'select' ? 'read' : 'write'] : [])));
    // Unverified text: DynamoDB's answer to a batch that mixes reads and writes.
    if (kinds.size > 1) throw validationError('Supported operations in a batch are either all reads or all writes');
    const responses: Record<string, unknown>[] = [];
    for (const [i, entry] of entries.entries()) {
      if ('error' in entry) {
        responses.push(statementError(entry.error, undefined));
        continue;
      }
      const tableName = tableNameOf(entry.statement);
      try {
        responses.push({ TableName: tableName, ...(await runOne(entry.statement, input.Statements[i], ctx)) });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        responses.push(statementError(error, tableName));
      }
    }
    return { Responses: responses };
  },
};

async function runOne(statement: Statement, entry: StatementInput, ctx: OperationContext): Promise<Record<string, unknown>> {
  if (statement.kind === 'exists') throw validationError('EXISTS can only be used in ExecuteTransaction write requests.');
  if (statement.kind === 'select') {
    // Unverified text: DynamoDB's answer to a batch read that is not a whole-key SELECT.
    const request = getRequest(statement, tableOf(statement, ctx), 'Batch read statements must specify the whole primary key with equality conditions');
    const result = await getItem.execute({ ...request, ...(entry.ConsistentRead !== undefined ? { ConsistentRead: entry.ConsistentRead } : {}) } as Parameters<typeof getItem.execute>[0], ctx);
    return result.Item ? { Item: result.Item } : {};
  }
  await runWrite(statement, ctx, { returnValuesOnConditionCheckFailure: entry.ReturnValuesOnConditionCheckFailure });
  return {};
}
