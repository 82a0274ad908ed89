import { AwsError } from '../errors.js';

/**
 * IAM's errors: the code its model gives each (`NoSuchEntity`, 404; `EntityAlreadyExists`,
 * `DeleteConflict` and `LimitExceeded`, 409; `MalformedPolicyDocument`, `UnmodifiableEntity`,
 * `InvalidInput`, 400) with IAM's messages. Texts marked Unverified are cove's best reading.
 */
export const IAM_NAMESPACE = 'com.amazonaws.iam.v20100508';

export function iamError(code: string, message: string, statusCode = 400): AwsError {
  return new AwsError(IAM_NAMESPACE, code, message, statusCode);
}

export type EntityKind = 'user' | 'group' | 'role';

export const noSuchEntity = (kind: EntityKind, name: string) => iamError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`, 404);

const CAPITALIZED: Record<EntityKind, string> = { user: 'User', group: 'Group', role: 'Role' };
export const entityAlreadyExists = (kind: EntityKind, name: string) => iamError('EntityAlreadyExists', `${CAPITALIZED[kind]} with name ${name} already exists.`, 409);

export const noSuchInlinePolicy = (kind: EntityKind, name: string) => iamError('NoSuchEntity', `The ${kind} policy with name ${name} cannot be found.`, 404);
export const noSuchAttachablePolicy = (arn: string) => iamError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
export const policyNotFound = (arn: string) => iamError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
export const noSuchPolicyVersion = (arn: string, versionId: string) => iamError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`, 404);
// Unverified text: IAM's answer for detaching a policy that is not attached.
export const policyNotAttached = (arn: string) => iamError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
// Unverified text: IAM's answer for an access key ID the user does not have.
export const noSuchAccessKey = (id: string) => iamError('NoSuchEntity', `The Access Key with id ${id} cannot be found.`, 404);

export const deleteConflict = (message: string) => iamError('DeleteConflict', message, 409);
export const limitExceeded = (message: string) => iamError('LimitExceeded', message, 409);
export const invalidInput = (message: string) => iamError('InvalidInput', message, 400);
export const malformedPolicy = (message: string) => iamError('MalformedPolicyDocument', message, 400);

/** An entity cove.yaml declares: the file is its source, the API only reads it. cove's own text. */
export const declaredInConfig = (what: string) =>
  iamError('UnmodifiableEntity', `Cannot perform the operation on ${what}: it is declared in cove.yaml, which cove reads as its source; edit cove.yaml to change it.`, 400);

/** An AWS managed policy is AWS's: IAM refuses to change it. Unverified text (the code is IAM's for protected entities). */
export const awsManagedPolicy = (arn: string) => iamError('UnmodifiableEntity', `Cannot perform the operation on the AWS managed policy ${arn}: AWS managed policies can be attached but not changed.`, 400);
