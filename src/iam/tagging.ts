/** Tags of users and roles: Tag, Untag and List, the same for each. */
import { checkTagsUnique, entityTarget, existingRole, existingUser, listAnswer, mergeTags, mutableRole, mutableUser, page, requestTagKeys, type PageInput } from './entities.js';
import { MAX_TAGS_PER_ENTITY } from './limits.js';
import { iamOperation, type IamOperation } from './operation.js';
import type { IamTables, Tag } from './state.js';

type Tagged = { name: string; tags: Tag[] };
const KINDS: Readonly<Record<'user' | 'role', { title: 'User' | 'Role'; existing(t: IamTables, n: string): Tagged; mutable(t: IamTables, n: string): Tagged }>> = {
  user: { title: 'User', existing: existingUser, mutable: mutableUser },
  role: { title: 'Role', existing: existingRole, mutable: mutableRole },
};

export function tagEntity(kind: 'user' | 'role'): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<{ Tags: Tag[] } & Record<string, unknown>>({
    name: `Tag${k.title}`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Tag${k.title}`, kind, input[`${k.title}Name`] as string, () => requestTagKeys(input.Tags))],
    async execute(input, ctx) {
      checkTagsUnique(input.Tags);
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, input[`${k.title}Name`] as string);
        entity.tags = mergeTags(entity.tags, input.Tags, MAX_TAGS_PER_ENTITY);
      });
      return {};
    },
  });
}

export function untagEntity(kind: 'user' | 'role'): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<{ TagKeys: string[] } & Record<string, unknown>>({
    name: `Untag${k.title}`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Untag${k.title}`, kind, input[`${k.title}Name`] as string, () => ({ 'aws:TagKeys': input.TagKeys }))],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, input[`${k.title}Name`] as string);
        entity.tags = entity.tags.filter((tag) => !input.TagKeys.includes(tag.Key));
      });
      return {};
    },
  });
}

export function listTags(kind: 'user' | 'role'): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<PageInput & Record<string, unknown>>({
    name: `List${k.title}Tags`,
    readOnly: true,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:List${k.title}Tags`, kind, input[`${k.title}Name`] as string)],
    execute(input, ctx) {
      const entity = k.existing(ctx.directory.tables, input[`${k.title}Name`] as string);
      // Tags keep the order they were given in; the page key is their position.
      const indexed = entity.tags.map((tag, i) => ({ tag, key: String(i).padStart(4, '0') }));
      return listAnswer('Tags', page(indexed, (t) => t.key, input), (t) => ({ Key: t.tag.Key, Value: t.tag.Value }));
    },
  });
}
