import { generateAccessKey } from '../../auth/identities.js';
import { limitExceeded } from '../errors.js';
import { entityTarget, mutableUser, userNameOrCaller, wholeSecondsMs } from '../entities.js';
import { MAX_ACCESS_KEYS_PER_USER } from '../limits.js';
import { iamOperation } from '../operation.js';
import type { AccessKeyRecord } from '../state.js';

interface Input {
  UserName?: string;
}

/**
 * A new Active key for a user (the caller without UserName). The secret is in the answer only:
 * the audit's responseElements drop it, and it is never logged.
 */
export const createAccessKey = iamOperation<Input>({
  name: 'CreateAccessKey',
  readOnly: false,
  authorization: (input, ctx) => [entityTarget(ctx, 'iam:CreateAccessKey', 'user', userNameOrCaller(input.UserName, ctx.caller))],
  async execute(input, ctx) {
    const pair = generateAccessKey();
    const key = await ctx.directory.update((tables): AccessKeyRecord => {
      const user = mutableUser(tables, userNameOrCaller(input.UserName, ctx.caller));
      if (tables.keysOf(user.name).length >= MAX_ACCESS_KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
      const created: AccessKeyRecord = { id: pair.accessKeyId, secret: pair.secretAccessKey, userName: user.name, status: 'Active', createdAtMs: wholeSecondsMs(ctx.nowMs), origin: 'api' };
      tables.accessKeys.set(created.id, created);
      return created;
    });
    return { AccessKey: { UserName: key.userName, AccessKeyId: key.id, Status: key.status, SecretAccessKey: key.secret, CreateDate: new Date(key.createdAtMs) } };
  },
});
