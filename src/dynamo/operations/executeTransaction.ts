import { AwsError } from '../../errors.js';
import type { ReturnConsumedCapacity } from '../capacity.js';
import { validationError } from '../errors.js';
import type { Operation } from '../operation.js';
import type { Statement } from '../partiql/parser.js';
import { duplicateItem, parsed, statementTarget, tableOf, type StatementInput, redactedStatement } from '../partiql/statements.js';
import { getRequest, writeRequest } from '../partiql/translate.js';
import { transactGetItems } from './transactGetItems.js';
import { transactWriteItems } from './transactWriteItems.js';
import { transactionCanceled, type CancellationReason } from '../transactions.js';

interface ExecuteTransactionInput {
  TransactStatements: StatementInput[];
  ClientRequestToken?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

const parses = new WeakMap<ExecuteTransactionInput, Statement[]>();

/** Every statement parsed (one bad statement fails the whole transaction, with its position). */
function statementsOf(input: ExecuteTransactionInput): Statement[] {
  let out = parses.get(input);
  if (!out) {
    out = input.TransactStatements.map((entry, i) => {
      try {
        return parsed(entry);
      } catch (error) {
        if (error instanceof AwsError && error.code === 'ValidationException') throw validationError(`Validation failed in statements[${i}]: ${error.message}`);
        throw error;
      }
    });
    parses.set(input, out);
  }
  return out;
}

/**
 * Up to 100 statements, all or nothing: all SELECTs of one item each by its whole key (a
 * TransactGetItems), or all writes — INSERT, UPDATE, DELETE, and EXISTS(SELECT …) checks — (a
 * TransactWriteItems, with its cancellation reasons and ClientRequestToken idempotency).
 */
export const executeTransaction: Operation<ExecuteTransactionInput> = {
  name: 'ExecuteTransaction',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => statementsOf(input).map((statement) => statementTarget(statement, ctx)),
  requestParameters: (input) => ({ transactStatements: input.TransactStatements.map((entry) => ({ statement: redactedStatement(entry.Statement) })) }),
  async execute(input, ctx) {
    const statements = statementsOf(input);
    const reads = statements.filter((statement) => statement.kind === 'select');
    if (reads.length > 0 && reads.length < statements.length) throw validationError('Unsupported operation in transaction.');
    if (reads.length > 0) {
      const items = statements.map((statement) => {
        const select = statement as Extract<Statement, { kind: 'select' }>;
        if (select.source.index !== undefined) throw validationError('Reads on indices are not supported within transactions.');
        return { Get: getRequest(select, tableOf(select, ctx), 'Select statements within ExecuteTransaction must specify the primary key in the where clause.') };
      });
      const result = await transactGetItems.execute({ TransactItems: items, ...(input.ReturnConsumedCapacity ? { ReturnConsumedCapacity: input.ReturnConsumedCapacity } : {}) } as Parameters<typeof transactGetItems.execute>[0], ctx);
      return result;
    }
    const actions = statements.map((statement, i) => {
      const request = writeRequest(statement as Exclude<Statement, { kind: 'select' }>, tableOf(statement, ctx));
      const returnOld = input.TransactStatements[i].ReturnValuesOnConditionCheckFailure;
      const action = request.operation === 'PutItem' ? 'Put' : request.operation === 'UpdateItem' ? 'Update' : request.operation === 'DeleteItem' ? 'Delete' : 'ConditionCheck';
      const { ReturnValues: _returnValues, ...body } = request.input;
      return { [action]: { ...body, ...(returnOld ? { ReturnValuesOnConditionCheckFailure: returnOld } : {}) } };
    });
    try {
      const result = await transactWriteItems.execute({ TransactItems: actions, ...(input.ClientRequestToken ? { ClientRequestToken: input.ClientRequestToken } : {}), ...(input.ReturnConsumedCapacity ? { ReturnConsumedCapacity: input.ReturnConsumedCapacity } : {}) } as Parameters<typeof transactWriteItems.execute>[0], ctx);
      return result.ConsumedCapacity ? { ConsumedCapacity: result.ConsumedCapacity } : {};
    } catch (error) {
      throw insertsAsDuplicates(error, statements);
    }
  },
};

/** An INSERT whose key exists cancels the transaction with reason DuplicateItem, not ConditionalCheckFailed. */
function insertsAsDuplicates(error: unknown, statements: readonly Statement[]): unknown {
  if (!(error instanceof AwsError) || error.code !== 'TransactionCanceledException' || !Array.isArray(error.extra?.CancellationReasons)) return error;
  const reasons = (error.extra.CancellationReasons as CancellationReason[]).map((reason, i): CancellationReason =>
    statements[i]?.kind === 'insert' && reason.Code === 'ConditionalCheckFailed' ? { Code: 'DuplicateItem', Message: duplicateItem().message } : reason,
  );
  return transactionCanceled(reasons);
}
