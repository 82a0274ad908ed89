import { entityArn, listAnswer, page, roleShape, underPath, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey } from '../state.js';

interface Input extends PageInput {
  PathPrefix?: string;
}

/** Roles, declared and created alike. ListRoles answers no tags (IAM's documented behaviour). */
export const listRoles = iamOperation<Input>({
  name: 'ListRoles',
  readOnly: true,
  authorization: (input, ctx) => [{ action: 'iam:ListRoles', resource: entityArn(ctx.accountId, 'role', input.PathPrefix ?? '/', '') }],
  execute(input, ctx) {
    const roles = [...ctx.directory.tables.roles.values()].filter((role) => underPath(role.path, input.PathPrefix));
    return listAnswer('Roles', page(roles, (role) => nameKey(role.name), input), (role) => roleShape(ctx.accountId, role, false));
  },
});
