/**
 * Inline policies of users, groups and roles: the four operations are the same for each kind of
 * entity, apart from the names of their parameters and the entity's size quota.
 */
import { noSuchInlinePolicy, type EntityKind } from './errors.js';
import { checkDocument, encodeDocument, entityTarget, existingGroup, existingRole, existingUser, listAnswer, mutableGroup, mutableRole, mutableUser, page, putInline, type PageInput } from './entities.js';
import { MAX_GROUP_INLINE_POLICY_CHARS, MAX_ROLE_INLINE_POLICY_CHARS, MAX_USER_INLINE_POLICY_CHARS } from './limits.js';
import { iamOperation, type IamOperation } from './operation.js';
import type { IamTables, InlinePolicy } from './state.js';

interface Kind {
  kind: EntityKind;
  /** `User`, `Group`, `Role`: in the operations' and parameters' names. */
  title: 'User' | 'Group' | 'Role';
  maxChars: number;
  existing(tables: IamTables, name: string): { name: string; inline: InlinePolicy[] };
  mutable(tables: IamTables, name: string): { name: string; inline: InlinePolicy[] };
}

export const INLINE_KINDS: Readonly<Record<EntityKind, Kind>> = {
  user: { kind: 'user', title: 'User', maxChars: MAX_USER_INLINE_POLICY_CHARS, existing: existingUser, mutable: mutableUser },
  group: { kind: 'group', title: 'Group', maxChars: MAX_GROUP_INLINE_POLICY_CHARS, existing: existingGroup, mutable: mutableGroup },
  role: { kind: 'role', title: 'Role', maxChars: MAX_ROLE_INLINE_POLICY_CHARS, existing: existingRole, mutable: mutableRole },
};

/** The entity's name parameter (`UserName`) from an input. */
const entityName = (k: Kind, input: Record<string, unknown>) => input[`${k.title}Name`] as string;

interface PutInput {
  PolicyName: string;
  PolicyDocument: string;
}

export function putInlinePolicy(kind: EntityKind): IamOperation<unknown> {
  const k = INLINE_KINDS[kind];
  return iamOperation<PutInput & Record<string, unknown>>({
    name: `Put${k.title}Policy`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Put${k.title}Policy`, kind, entityName(k, input))],
    async execute(input, ctx) {
      checkDocument(input.PolicyDocument, 'identity');
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, entityName(k, input));
        putInline(entity.inline, { name: input.PolicyName, document: input.PolicyDocument }, k.maxChars, `${kind} ${entity.name}`);
      });
      return {};
    },
  });
}

export function getInlinePolicy(kind: EntityKind): IamOperation<unknown> {
  const k = INLINE_KINDS[kind];
  return iamOperation<{ PolicyName: string } & Record<string, unknown>>({
    name: `Get${k.title}Policy`,
    readOnly: true,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Get${k.title}Policy`, kind, entityName(k, input))],
    execute(input, ctx) {
      const entity = k.existing(ctx.directory.tables, entityName(k, input));
      const policy = entity.inline.find((p) => p.name === input.PolicyName);
      if (policy === undefined) throw noSuchInlinePolicy(kind, input.PolicyName);
      return { [`${k.title}Name`]: entity.name, PolicyName: policy.name, PolicyDocument: encodeDocument(policy.document) };
    },
  });
}

export function deleteInlinePolicy(kind: EntityKind): IamOperation<unknown> {
  const k = INLINE_KINDS[kind];
  return iamOperation<{ PolicyName: string } & Record<string, unknown>>({
    name: `Delete${k.title}Policy`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Delete${k.title}Policy`, kind, entityName(k, input))],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, entityName(k, input));
        const at = entity.inline.findIndex((p) => p.name === input.PolicyName);
        if (at === -1) throw noSuchInlinePolicy(kind, input.PolicyName);
        entity.inline.splice(at, 1);
      });
      return {};
    },
  });
}

export function listInlinePolicies(kind: EntityKind): IamOperation<unknown> {
  const k = INLINE_KINDS[kind];
  return iamOperation<PageInput & Record<string, unknown>>({
    name: `List${k.title}Policies`,
    readOnly: true,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:List${k.title}Policies`, kind, entityName(k, input))],
    execute(input, ctx) {
      const entity = k.existing(ctx.directory.tables, entityName(k, input));
      return listAnswer('PolicyNames', page(entity.inline, (p) => p.name, input), (p) => p.name);
    },
  });
}
