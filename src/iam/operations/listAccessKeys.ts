import { entityTarget, existingUser, keyMetadataShape, listAnswer, page, userNameOrCaller, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input extends PageInput {
  UserName?: string;
}

/** A user's keys (IDs and status, never secrets), declared ones included. */
export const listAccessKeys = iamOperation<Input>({
  name: 'ListAccessKeys',
  readOnly: true,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:ListAccessKeys', 'user', userNameOrCaller(input.UserName, ctx.caller))],
  execute(input, ctx) {
    const user = existingUser(ctx.directory.tables, userNameOrCaller(input.UserName, ctx.caller));
    return listAnswer('AccessKeyMetadata', page(ctx.directory.tables.keysOf(user.name), (key) => key.id, input), keyMetadataShape);
  },
});
