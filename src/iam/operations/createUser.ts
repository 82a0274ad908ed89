import { entityAlreadyExists, noSuchAttachablePolicy } from '../errors.js';
import { checkNameFree, checkTagsUnique, entityArn, newId, requestTagKeys, userShape, wholeSecondsMs } from '../entities.js';
import { iamOperation } from '../operation.js';
import { nameKey, type Tag } from '../state.js';

interface Input {
  UserName: string;
  Path?: string;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

export const createUser = iamOperation<Input>({
  name: 'CreateUser',
  readOnly: false,
  authorization: (input, ctx) => [
    {
      action: 'iam:CreateUser',
      resource: entityArn(ctx.accountId, 'user', input.Path ?? '/', input.UserName),
      conditionKeys: () => ({ ...requestTagKeys(input.Tags), 'iam:PermissionsBoundary': input.PermissionsBoundary }),
    },
  ],
  async execute(input, ctx) {
    const tags = input.Tags ?? [];
    checkTagsUnique(tags);
    const user = await ctx.directory.update((tables) => {
      checkNameFree(tables, 'user', input.UserName, entityAlreadyExists);
      if (input.PermissionsBoundary !== undefined && !tables.policies.has(input.PermissionsBoundary)) throw noSuchAttachablePolicy(input.PermissionsBoundary);
      const created = {
        name: input.UserName,
        path: input.Path ?? '/',
        id: newId('AIDA'),
        createdAtMs: wholeSecondsMs(ctx.nowMs),
        origin: 'api' as const,
        tags,
        inline: [],
        attached: [],
        groups: [],
        ...(input.PermissionsBoundary !== undefined ? { boundary: input.PermissionsBoundary } : {}),
      };
      tables.users.set(nameKey(created.name), created);
      return created;
    });
    return { User: userShape(ctx.accountId, user) };
  },
});
