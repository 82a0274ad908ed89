import { entityTarget, existingUser, groupShape, listAnswer, page, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey, type GroupRecord } from '../state.js';

interface Input extends PageInput {
  UserName: string;
}

export const listGroupsForUser = iamOperation<Input>({
  name: 'ListGroupsForUser',
  readOnly: true,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:ListGroupsForUser', 'user', input.UserName)],
  execute(input, ctx) {
    const tables = ctx.directory.tables;
    const user = existingUser(tables, input.UserName);
    const groups = user.groups.map((name) => tables.group(name)).filter((group): group is GroupRecord => group !== undefined);
    return listAnswer('Groups', page(groups, (group) => nameKey(group.name), input), (group) => groupShape(ctx.accountId, group));
  },
});
