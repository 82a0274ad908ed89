import { dynamoError } from '../errors.js';
import { tableArn, type Operation } from '../operation.js';
import { settingsOf } from '../tables.js';

interface DescribeTimeToLiveInput {
  TableName: string;
}

export const describeTimeToLive: Operation<DescribeTimeToLiveInput> = {
  name: 'DescribeTimeToLive',
  readOnly: true,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:DescribeTimeToLive', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => ({ tableName: input.TableName }),
  async execute(input, ctx) {
    const table = ctx.catalog.get(input.TableName);
    // Unverified text: taken to be DescribeTable's.
    if (!table) throw dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
    const ttl = settingsOf(table.record).timeToLive;
    // A disabled setting names no attribute, as DynamoDB's.
    return { TimeToLiveDescription: ttl ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.attributeName } : { TimeToLiveStatus: 'DISABLED' } };
  },
};
