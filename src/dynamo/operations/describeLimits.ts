import { LIMITS } from '../limits.js';
import type { Operation } from '../operation.js';

/** The account's default capacity quotas (cove enforces only the table maxima, on OnDemandThroughput). */
export const describeLimits: Operation<Record<string, never>> = {
  name: 'DescribeLimits',
  readOnly: true,
  category: 'Management',
  // DescribeLimits has no resource type: IAM's service reference lists it with "*".
  authorization: () => [{ action: 'dynamodb:DescribeLimits', resource: '*' }],
  requestParameters: () => null,
  async execute() {
    return {
      AccountMaxReadCapacityUnits: LIMITS.accountMaxReadCapacityUnits,
      AccountMaxWriteCapacityUnits: LIMITS.accountMaxWriteCapacityUnits,
      TableMaxReadCapacityUnits: LIMITS.tableMaxReadCapacityUnits,
      TableMaxWriteCapacityUnits: LIMITS.tableMaxWriteCapacityUnits,
    };
  },
};
