import { dynamoError, tableInUse, validationError } from '../errors.js';
import { tableArn, type Operation } from '../operation.js';
import { deletedDescription, isCreating } from '../tables.js';
import { withWarmThroughput } from '../throughputSettings.js';

interface DeleteTableInput {
  TableName: string;
}

export const deleteTable: Operation<DeleteTableInput> = {
  name: 'DeleteTable',
  readOnly: false,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:DeleteTable', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => ({ tableName: input.TableName }),
  async execute(input, ctx) {
    const existing = ctx.catalog.get(input.TableName);
    if (!existing) {
      // "If table is already in the DELETING state, no error is returned."
      const deleted = ctx.catalog.deleting(input.TableName, ctx.nowMs);
      if (deleted) return { TableDescription: withWarmThroughput(deleted.record.description) };
      throw dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
    }
    if (isCreating(existing, ctx.nowMs)) throw tableInUse('Table is being created', input.TableName);
    if (existing.record.description.DeletionProtectionEnabled) {
      throw validationError('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
    }
    const table = await ctx.catalog.delete(input.TableName);
    return { TableDescription: deletedDescription(withWarmThroughput(table.record.description)) };
  },
};
