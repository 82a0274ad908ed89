import { entityTarget, existingUser, userNameOrCaller, userShape } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input {
  UserName?: string;
}

/** A user; without UserName, the calling user. */
export const getUser = iamOperation<Input>({
  name: 'GetUser',
  readOnly: true,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:GetUser', 'user', userNameOrCaller(input.UserName, ctx.caller))],
  execute: (input, ctx) => ({ User: userShape(ctx.accountId, existingUser(ctx.directory.tables, userNameOrCaller(input.UserName, ctx.caller))) }),
});
