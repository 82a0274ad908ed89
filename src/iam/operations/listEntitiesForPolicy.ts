import { noSuchAttachablePolicy } from '../errors.js';
import { underPath, type PageInput } from '../entities.js';
import { iamOperation } from '../operation.js';

interface Input extends PageInput {
  PolicyArn: string;
  EntityFilter?: 'User' | 'Role' | 'Group' | 'LocalManagedPolicy' | 'AWSManagedPolicy';
  PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary';
}

/** Who a managed policy is attached to (or, with PolicyUsageFilter PermissionsBoundary, bounds). Not paged: cove answers all at once. */
export const listEntitiesForPolicy = iamOperation<Input>({
  name: 'ListEntitiesForPolicy',
  readOnly: true,
  authorization: (input) => [{ action: 'iam:ListEntitiesForPolicy', resource: input.PolicyArn }],
  execute(input, ctx) {
    const tables = ctx.directory.tables;
    if (!tables.policies.has(input.PolicyArn)) throw noSuchAttachablePolicy(input.PolicyArn);
    const uses = (entity: { attached: string[]; boundary?: string; path: string }) => {
      if (!underPath(entity.path, input.PathPrefix)) return false;
      const attached = entity.attached.includes(input.PolicyArn);
      const bounds = entity.boundary === input.PolicyArn;
      return input.PolicyUsageFilter === 'PermissionsPolicy' ? attached : input.PolicyUsageFilter === 'PermissionsBoundary' ? bounds : attached || bounds;
    };
    const want = (kind: string) => input.EntityFilter === undefined || input.EntityFilter === kind;
    return {
      PolicyGroups: want('Group') ? [...tables.groups.values()].filter(uses).map((g) => ({ GroupName: g.name, GroupId: g.id })) : [],
      PolicyUsers: want('User') ? [...tables.users.values()].filter(uses).map((u) => ({ UserName: u.name, UserId: u.id })) : [],
      PolicyRoles: want('Role') ? [...tables.roles.values()].filter(uses).map((r) => ({ RoleName: r.name, RoleId: r.id })) : [],
      IsTruncated: false,
    };
  },
});
