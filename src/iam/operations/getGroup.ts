import { entityTarget, existingGroup, groupShape, page, userShape, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input extends PageInput {
  GroupName: string;
}

/** A group and its members (paged). */
export const getGroup = iamOperation<Input>({
  name: 'GetGroup',
  readOnly: true,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:GetGroup', 'group', input.GroupName)],
  execute(input, ctx) {
    const tables = ctx.directory.tables;
    const group = existingGroup(tables, input.GroupName);
    const members = [...tables.users.values()].filter((user) => user.groups.some((name) => nameKey(name) === nameKey(group.name)));
    const paged = page(members, (user) => nameKey(user.name), input);
    return { Group: groupShape(ctx.accountId, group), Users: paged.items.map((user) => userShape(ctx.accountId, user, false)), IsTruncated: paged.IsTruncated, Marker: paged.Marker };
  },
});
