import { roleUniqueId } from '../../auth/identities.js';
import { compilePolicy, PolicyDocumentError } from '../../policy/document.js';
import type { RoleDefinition } from '../../config/load.js';
import { issueSession } from '../credentials.js';
import { stsError } from '../errors.js';
import type { StsInterpretContext, StsOperation } from '../operation.js';

interface Tag {
  Key: string;
  Value: string;
}

interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationS: number | undefined;
  externalId: string | undefined;
  policy: string | undefined;
  policyArns: string[];
  tags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity: string | undefined;
  serialNumber: string | undefined;
}

const NAME = { pattern: /^[\w+=,.@-]*$/, patternText: '[\\w+=,.@-]*' };
/** Without DurationSeconds a session lasts an hour; a role chain can never last longer (AWS's limits). */
const DEFAULT_DURATION_S = 3600;
const ROLE_CHAINING_MAX_S = 3600;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

/** A role that does not exist trusts nobody. */
const TRUSTS_NOBODY = compilePolicy('no such role', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: '*' }] }, 'trust');

/** The configured role an ARN names in this account, path included; undefined for any other. */
function roleOf(arn: string, ctx: StsInterpretContext): RoleDefinition | undefined {
  const match = ROLE_ARN.exec(arn);
  if (!match || match[1] !== ctx.accountId) return undefined;
  const role = ctx.credentials.role(match[2]);
  return role?.arn === arn ? role : undefined;
}

/**
 * A session of a role. The role's trust policy and the caller's policies decide together
 * (`trustPolicy` on the target); a role that does not exist is denied in the same words as one
 * that does not trust the caller, so that a denial tells nothing of which roles exist.
 */
export const assumeRole: StsOperation<AssumeRoleInput> = {
  name: 'AssumeRole',
  read: (input) => ({
    roleArn: input.string('RoleArn', { required: true, min: 20, max: 2048 }) ?? '',
    roleSessionName: input.string('RoleSessionName', { required: true, min: 2, max: 64, ...NAME }) ?? '',
    durationS: input.integer('DurationSeconds', { min: 900, max: 43_200 }),
    externalId: input.string('ExternalId', { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, patternText: '[\\w+=,.@:\\/-]*' }),
    policy: input.string('Policy', { min: 1, max: 2048 }),
    policyArns: input.list('PolicyArns', (prefix) => input.string(`${prefix}.arn`, { required: true, min: 20, max: 2048 }) ?? '', { max: 10 }),
    tags: input.list('Tags', (prefix) => ({ Key: input.string(`${prefix}.Key`, { required: true, min: 1, max: 128 }) ?? '', Value: input.string(`${prefix}.Value`, { required: true, min: 0, max: 256 }) ?? '' }), { max: 50 }),
    transitiveTagKeys: input.list('TransitiveTagKeys', (prefix) => input.string(prefix, { min: 1, max: 128 }) ?? '', { max: 50 }),
    sourceIdentity: input.string('SourceIdentity', { min: 2, max: 64, ...NAME }),
    serialNumber: input.string('SerialNumber', { min: 9, max: 256 }),
  }),
  authorization(input, ctx) {
    const role = roleOf(input.roleArn, ctx);
    const trustPolicy = role?.trust ?? TRUSTS_NOBODY;
    const conditionKeys = () => ({
      'sts:ExternalId': input.externalId,
      'sts:RoleSessionName': input.roleSessionName,
      'sts:SourceIdentity': input.sourceIdentity,
      'sts:TransitiveTagKeys': input.transitiveTagKeys.length > 0 ? input.transitiveTagKeys : undefined,
      'aws:TagKeys': input.tags.length > 0 ? input.tags.map((tag) => tag.Key) : undefined,
      ...Object.fromEntries(input.tags.map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value])),
    });
    const targets = [{ action: 'sts:AssumeRole', resource: input.roleArn, trustPolicy, conditionKeys }];
    // Passing session tags is an action of its own, which the trust policy must allow as well.
    if (input.tags.length > 0) targets.push({ action: 'sts:TagSession', resource: input.roleArn, trustPolicy, conditionKeys });
    return targets;
  },
  requestParameters: (input) => ({
    roleArn: input.roleArn,
    roleSessionName: input.roleSessionName,
    ...(input.durationS !== undefined ? { durationSeconds: input.durationS } : {}),
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    ...(input.policyArns.length > 0 ? { policyArns: input.policyArns.map((arn) => ({ arn })) } : {}),
    ...(input.tags.length > 0 ? { tags: input.tags.map((tag) => ({ key: tag.Key, value: tag.Value })) } : {}),
    ...(input.sourceIdentity !== undefined ? { sourceIdentity: input.sourceIdentity } : {}),
  }),
  execute(input, ctx) {
    const role = roleOf(input.roleArn, ctx)!;
    const chained = ctx.caller.type === 'AssumedRole';
    const durationS = input.durationS ?? DEFAULT_DURATION_S;
    if (chained && durationS > ROLE_CHAINING_MAX_S) throw stsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    if (durationS > role.maxSessionDurationS) throw stsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    checkSessionPolicies(input, ctx);
    const identity = {
      kind: 'role' as const,
      roleName: role.name,
      roleId: role.uniqueId ?? roleUniqueId(ctx.accountId, role.name),
      sessionName: input.roleSessionName,
      ...(input.policy !== undefined ? { sessionPolicy: input.policy } : {}),
      ...(input.policyArns.length > 0 ? { sessionPolicyArns: input.policyArns } : {}),
      ...(input.tags.length > 0 ? { tags: Object.fromEntries(input.tags.map((tag) => [tag.Key, tag.Value])) } : {}),
      ...(input.sourceIdentity !== undefined ? { sourceIdentity: input.sourceIdentity } : {}),
    };
    const roleId = role.uniqueId ?? roleUniqueId(ctx.accountId, role.name);
    return {
      Credentials: issueSession(ctx, identity, durationS),
      AssumedRoleUser: { AssumedRoleId: `${roleId}:${input.roleSessionName}`, Arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${role.name}/${input.roleSessionName}` },
      ...(input.sourceIdentity !== undefined ? { SourceIdentity: input.sourceIdentity } : {}),
    };
  },
};

/** The session policies must be valid policies, and those named by ARN must exist. */
function checkSessionPolicies(input: AssumeRoleInput, ctx: StsInterpretContext): void {
  if (input.policy !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(input.policy);
    } catch {
      throw stsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
    try {
      compilePolicy('session policy', document, 'session');
    } catch (error) {
      if (!(error instanceof PolicyDocumentError)) throw error;
      // Unverified text: IAM's grammar messages differ from cove's own.
      throw stsError('MalformedPolicyDocument', `Syntax errors in policy: ${error.message}`);
    }
  }
  for (const arn of input.policyArns) {
    // Unverified text: STS's answer for a session policy ARN that names no managed policy.
    if (ctx.managedPolicyDocument(arn) === undefined) throw stsError('MalformedPolicyDocument', `Policy ${arn} does not exist or is not attachable.`);
  }
}
