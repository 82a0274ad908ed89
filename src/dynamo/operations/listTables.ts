import type { Operation } from '../operation.js';

interface ListTablesInput {
  ExclusiveStartTableName?: string;
  Limit?: number;
}

const DEFAULT_PAGE_SIZE = 100;

export const listTables: Operation<ListTablesInput> = {
  name: 'ListTables',
  readOnly: true,
  category: 'Management',
  // ListTables has no resource type of its own; the table wildcard is what AWS names in its denials.
  authorization: (_input, ctx) => [{ action: 'dynamodb:ListTables', resource: `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/*` }],
  requestParameters: (input) => ({
    ...(input.ExclusiveStartTableName !== undefined ? { exclusiveStartTableName: input.ExclusiveStartTableName } : {}),
    ...(input.Limit !== undefined ? { limit: input.Limit } : {}),
  }),
  async execute(input, ctx) {
    const limit = input.Limit ?? DEFAULT_PAGE_SIZE;
    const start = input.ExclusiveStartTableName;
    const after = ctx.catalog.listedNames(ctx.nowMs).filter((name) => start === undefined || name > start);
    const page = after.slice(0, limit);
    return after.length > limit ? { TableNames: page, LastEvaluatedTableName: page[page.length - 1] } : { TableNames: page };
  },
};
