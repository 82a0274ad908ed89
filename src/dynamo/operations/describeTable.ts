import { dynamoError } from '../errors.js';
import { tableArn, type Operation } from '../operation.js';
import { creatingDescription, isCreating } from '../tables.js';
import { withWarmThroughput } from '../throughputSettings.js';

interface DescribeTableInput {
  TableName: string;
}

export const describeTable: Operation<DescribeTableInput> = {
  name: 'DescribeTable',
  readOnly: true,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:DescribeTable', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => ({ tableName: input.TableName }),
  async execute(input, ctx) {
    const table = ctx.catalog.get(input.TableName);
    if (!table) {
      const deleted = ctx.catalog.deleting(input.TableName, ctx.nowMs);
      if (deleted) return { Table: withWarmThroughput(deleted.record.description) };
      throw dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
    }
    // A description written before cove kept warm throughputs gets them derived from its settings.
    if (isCreating(table, ctx.nowMs)) return { Table: creatingDescription(withWarmThroughput(table.record.description)) };
    // Answers with the last counts; stale ones are recounted in the background for a later call.
    ctx.catalog.stats.recountIfStale(table, ctx.nowMs);
    return { Table: withWarmThroughput(table.record.description) };
  },
};
