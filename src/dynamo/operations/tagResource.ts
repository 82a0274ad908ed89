import { type Operation } from '../operation.js';
import { settingsOf } from '../tables.js';
import { checkTagResourceInput, mergeTags, resourceNotFound, tableOfResourceArn, tagsForAudit, type Tag } from '../tags.js';

interface TagResourceInput {
  ResourceArn: string;
  Tags: Tag[];
}

export const tagResource: Operation<TagResourceInput> = {
  name: 'TagResource',
  emptyAnswer: true,
  readOnly: false,
  category: 'Management',
  authorization: (input) => [{ action: 'dynamodb:TagResource', resource: input.ResourceArn }],
  requestParameters: (input) => ({ resourceArn: input.ResourceArn, tags: tagsForAudit(input.Tags) }),
  async execute(input, ctx) {
    const name = tableOfResourceArn(input.ResourceArn, ctx);
    checkTagResourceInput(input.Tags);
    const table = ctx.catalog.get(name);
    if (!table) throw resourceNotFound(input.ResourceArn);
    // All or nothing, as DynamoDB: a tag over the limit leaves every tag of the request unset.
    await ctx.catalog.update(table, (record) => ({ ...record, settings: { ...record.settings, tags: mergeTags(settingsOf(record).tags, input.Tags) } }));
    return {};
  },
};
