import type { ReturnConsumedCapacity } from '../capacity.js';
import type { Operation } from '../operation.js';
import type { Statement } from '../partiql/parser.js';
import { decodeNextToken, encodeNextToken, parsed, runSelect, runWrite, statementTarget, type StatementInput, redactedStatement } from '../partiql/statements.js';
import { validationError } from '../errors.js';
import type { AttributeValue } from '../types.js';

interface ExecuteStatementInput extends StatementInput {
  NextToken?: string;
  Limit?: number;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

/** The statement of a request, parsed once: authorization and execution read the same parse. */
const statements = new WeakMap<ExecuteStatementInput, Statement>();

function statementOf(input: ExecuteStatementInput): Statement {
  let statement = statements.get(input);
  if (!statement) {
    statement = parsed(input);
    statements.set(input, statement);
  }
  return statement;
}

/**
 * One PartiQL statement: a SELECT answers a page of items (`NextToken` for the next), an INSERT,
 * UPDATE or DELETE writes one item (answering the item RETURNING asks for). Authorized as
 * dynamodb:PartiQLSelect / PartiQLInsert / PartiQLUpdate / PartiQLDelete on the table, or on the
 * index a SELECT reads.
 */
export const executeStatement: Operation<ExecuteStatementInput> = {
  name: 'ExecuteStatement',
  readOnly: false,
  category: 'Data',
  authorization: (input, ctx) => [statementTarget(statementOf(input), ctx)],
  // The statement's values may be any attribute's: CloudTrail keeps the statement's shape only.
  requestParameters: (input) => ({ statement: redactedStatement(input.Statement), ...(input.Limit !== undefined ? { limit: input.Limit } : {}) }),
  async execute(input, ctx) {
    const statement = statementOf(input);
    if (statement.kind === 'exists') throw validationError('EXISTS can only be used in ExecuteTransaction write requests.');
    if (statement.kind === 'select') {
      const exclusiveStartKey = input.NextToken === undefined ? undefined : decodeNextToken(input, input.NextToken);
      const page = await runSelect(statement, ctx, { limit: input.Limit, consistentRead: input.ConsistentRead, exclusiveStartKey, returnConsumedCapacity: input.ReturnConsumedCapacity });
      const lastKey = page.LastEvaluatedKey as Record<string, AttributeValue> | undefined;
      return {
        Items: page.Items ?? [],
        ...(lastKey ? { NextToken: encodeNextToken(input, lastKey), LastEvaluatedKey: lastKey } : {}),
        ...(page.ConsumedCapacity ? { ConsumedCapacity: page.ConsumedCapacity } : {}),
      };
    }
    const written = await runWrite(statement, ctx, { returnValuesOnConditionCheckFailure: input.ReturnValuesOnConditionCheckFailure, returnConsumedCapacity: input.ReturnConsumedCapacity });
    return { Items: written.item ? [written.item] : [], ...(written.consumedCapacity ? { ConsumedCapacity: written.consumedCapacity } : {}) };
  },
};
