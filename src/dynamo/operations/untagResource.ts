import { dynamoError } from '../errors.js';
import { type Operation } from '../operation.js';
import { settingsOf } from '../tables.js';
import { checkUntagResourceInput, removeTags, tableOfResourceArn } from '../tags.js';

interface UntagResourceInput {
  ResourceArn: string;
  TagKeys: string[];
}

export const untagResource: Operation<UntagResourceInput> = {
  name: 'UntagResource',
  emptyAnswer: true,
  readOnly: false,
  category: 'Management',
  authorization: (input) => [{ action: 'dynamodb:UntagResource', resource: input.ResourceArn }],
  requestParameters: (input) => ({ resourceArn: input.ResourceArn, tagKeys: input.TagKeys }),
  async execute(input, ctx) {
    const name = tableOfResourceArn(input.ResourceArn, ctx);
    checkUntagResourceInput(input.TagKeys);
    const table = ctx.catalog.get(name);
    // UntagResource's text names no resource, unlike TagResource's (dynalite's tests against DynamoDB).
    if (!table) throw dynamoError('ResourceNotFoundException', 'Requested resource not found');
    // Removing a key the table does not have is no error.
    await ctx.catalog.update(table, (record) => ({ ...record, settings: { ...record.settings, tags: removeTags(settingsOf(record).tags, input.TagKeys) } }));
    return {};
  },
};
