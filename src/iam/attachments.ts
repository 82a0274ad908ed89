/**
 * Managed policies attached to users, groups and roles, and permissions boundaries of users and
 * roles: the same operations for each kind of entity, apart from their names.
 */
import { iamError, limitExceeded, noSuchAttachablePolicy, policyNotAttached, type EntityKind } from './errors.js';
import { entityTarget, existingGroup, existingRole, existingUser, listAnswer, mutableGroup, mutableRole, mutableUser, page, underPath, type PageInput } from './entities.js';
import { MAX_ATTACHED_POLICIES } from './limits.js';
import { iamOperation, type IamOperation } from './operation.js';
import type { IamTables } from './state.js';

type Attaching = { name: string; attached: string[] };

interface Kind {
  title: 'User' | 'Group' | 'Role';
  existing(tables: IamTables, name: string): Attaching;
  mutable(tables: IamTables, name: string): Attaching;
}

const KINDS: Readonly<Record<EntityKind, Kind>> = {
  user: { title: 'User', existing: existingUser, mutable: mutableUser },
  group: { title: 'Group', existing: existingGroup, mutable: mutableGroup },
  role: { title: 'Role', existing: existingRole, mutable: mutableRole },
};

const entityName = (k: Kind, input: Record<string, unknown>) => input[`${k.title}Name`] as string;

export function attachPolicy(kind: EntityKind): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<{ PolicyArn: string } & Record<string, unknown>>({
    name: `Attach${k.title}Policy`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Attach${k.title}Policy`, kind, entityName(k, input), () => ({ 'iam:PolicyARN': input.PolicyArn }))],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, entityName(k, input));
        if (!tables.policies.has(input.PolicyArn)) throw noSuchAttachablePolicy(input.PolicyArn);
        if (entity.attached.includes(input.PolicyArn)) return;
        if (entity.attached.length >= MAX_ATTACHED_POLICIES) throw limitExceeded(`Cannot exceed quota for PoliciesPer${k.title}: ${MAX_ATTACHED_POLICIES}`);
        entity.attached.push(input.PolicyArn);
      });
      return {};
    },
  });
}

export function detachPolicy(kind: EntityKind): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<{ PolicyArn: string } & Record<string, unknown>>({
    name: `Detach${k.title}Policy`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Detach${k.title}Policy`, kind, entityName(k, input), () => ({ 'iam:PolicyARN': input.PolicyArn }))],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, entityName(k, input));
        const at = entity.attached.indexOf(input.PolicyArn);
        if (at === -1) throw policyNotAttached(input.PolicyArn);
        entity.attached.splice(at, 1);
      });
      return {};
    },
  });
}

export function listAttachedPolicies(kind: EntityKind): IamOperation<unknown> {
  const k = KINDS[kind];
  return iamOperation<PageInput & { PathPrefix?: string } & Record<string, unknown>>({
    name: `ListAttached${k.title}Policies`,
    readOnly: true,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:ListAttached${k.title}Policies`, kind, entityName(k, input))],
    execute(input, ctx) {
      const tables = ctx.directory.tables;
      const entity = k.existing(tables, entityName(k, input));
      const attached = entity.attached.flatMap((arn) => {
        const policy = tables.policies.get(arn);
        return policy === undefined || !underPath(policy.path, input.PathPrefix) ? [] : [policy];
      });
      return listAnswer('AttachedPolicies', page(attached, (policy) => policy.arn, input), (policy) => ({ PolicyName: policy.name, PolicyArn: policy.arn }));
    },
  });
}

type Bounded = { name: string; boundary?: string };
const BOUNDED: Readonly<Record<'user' | 'role', { title: 'User' | 'Role'; mutable(tables: IamTables, name: string): Bounded }>> = {
  user: { title: 'User', mutable: mutableUser },
  role: { title: 'Role', mutable: mutableRole },
};

export function putPermissionsBoundary(kind: 'user' | 'role'): IamOperation<unknown> {
  const k = BOUNDED[kind];
  return iamOperation<{ PermissionsBoundary: string } & Record<string, unknown>>({
    name: `Put${k.title}PermissionsBoundary`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Put${k.title}PermissionsBoundary`, kind, input[`${k.title}Name`] as string, () => ({ 'iam:PermissionsBoundary': input.PermissionsBoundary }))],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, input[`${k.title}Name`] as string);
        // Unverified text: IAM's answer for a boundary ARN that names no managed policy.
        if (!tables.policies.has(input.PermissionsBoundary)) throw iamError('InvalidInput', `ARN ${input.PermissionsBoundary} is not valid.`);
        entity.boundary = input.PermissionsBoundary;
      });
      return {};
    },
  });
}

export function deletePermissionsBoundary(kind: 'user' | 'role'): IamOperation<unknown> {
  const k = BOUNDED[kind];
  return iamOperation<Record<string, unknown>>({
    name: `Delete${k.title}PermissionsBoundary`,
    readOnly: false,
    authorization: (input, ctx) => [entityTarget(ctx, `iam:Delete${k.title}PermissionsBoundary`, kind, input[`${k.title}Name`] as string)],
    async execute(input, ctx) {
      await ctx.directory.update((tables) => {
        const entity = k.mutable(tables, input[`${k.title}Name`] as string);
        delete entity.boundary;
      });
      return {};
    },
  });
}
