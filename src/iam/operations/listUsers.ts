import { entityArn, listAnswer, page, underPath, userShape, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input extends PageInput {
  PathPrefix?: string;
}

/** Users declared in cove.yaml and created through the API alike, by name. ListUsers answers no tags. */
export const listUsers = iamOperation<Input>({
  name: 'ListUsers',
  readOnly: true,
  authorization: (input, ctx) => [{ action: 'iam:ListUsers', resource: entityArn(ctx.accountId, 'user', input.PathPrefix ?? '/', '') }],
  execute(input, ctx) {
    const users = [...ctx.directory.tables.users.values()].filter((user) => underPath(user.path, input.PathPrefix));
    return listAnswer('Users', page(users, (user) => nameKey(user.name), input), (user) => userShape(ctx.accountId, user, false));
  },
});
