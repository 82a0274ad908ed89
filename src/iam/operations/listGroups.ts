import { entityArn, groupShape, listAnswer, page, underPath, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input extends PageInput {
  PathPrefix?: string;
}

export const listGroups = iamOperation<Input>({
  name: 'ListGroups',
  readOnly: true,
  authorization: (input, ctx) => [{ action: 'iam:ListGroups', resource: entityArn(ctx.accountId, 'group', input.PathPrefix ?? '/', '') }],
  execute(input, ctx) {
    const groups = [...ctx.directory.tables.groups.values()].filter((group) => underPath(group.path, input.PathPrefix));
    return listAnswer('Groups', page(groups, (group) => nameKey(group.name), input), (group) => groupShape(ctx.accountId, group));
  },
});
