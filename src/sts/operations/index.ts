import type { StsOperation } from '../operation.js';
import { assumeRole } from './assumeRole.js';
import { getAccessKeyInfo } from './getAccessKeyInfo.js';
import { getCallerIdentity } from './getCallerIdentity.js';
import { getSessionToken } from './getSessionToken.js';

/** STS's operations by name. */
export const STS_OPERATIONS: ReadonlyMap<string, StsOperation<unknown>> = new Map(
  ([getCallerIdentity, getSessionToken, assumeRole, getAccessKeyInfo] as StsOperation<unknown>[]).map((operation) => [operation.name, operation]),
);
