import type { CloudTrailOperation } from '../operation.js';
import { listPublicKeys } from './listPublicKeys.js';
import { lookupEvents } from './lookupEvents.js';

/** The CloudTrail operations cove serves, by name. */
export const CLOUDTRAIL_OPERATIONS: ReadonlyMap<string, CloudTrailOperation<never>> = new Map(
  ([lookupEvents, listPublicKeys] as CloudTrailOperation<never>[]).map((operation) => [operation.name, operation]),
);
