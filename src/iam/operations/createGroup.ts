import { entityAlreadyExists } from '../errors.js';
import { checkNameFree, entityArn, groupShape, newId, wholeSecondsMs } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey, type GroupRecord } from '../state.js';

interface Input {
  GroupName: string;
  Path?: string;
}

export const createGroup = iamOperation<Input>({
  name: 'CreateGroup',
  readOnly: false,
  authorization: (input, ctx) => [{ action: 'iam:CreateGroup', resource: entityArn(ctx.accountId, 'group', input.Path ?? '/', input.GroupName) }],
  async execute(input, ctx) {
    const group = await ctx.directory.update((tables) => {
      checkNameFree(tables, 'group', input.GroupName, entityAlreadyExists);
      const created: GroupRecord = { name: input.GroupName, path: input.Path ?? '/', id: newId('AGPA'), createdAtMs: wholeSecondsMs(ctx.nowMs), origin: 'api', inline: [], attached: [] };
      tables.groups.set(nameKey(created.name), created);
      return created;
    });
    return { Group: groupShape(ctx.accountId, group) };
  },
});
