import type { Operation } from '../operation.js';

/** The one action DynamoDB does not authorize on its public endpoint (service.ts declares it so). */
export const DESCRIBE_ENDPOINTS_ACTION = 'dynamodb:DescribeEndpoints';

/** What clients cache the address for: DynamoDB answers 1440 minutes (a day). */
const CACHE_PERIOD_MINUTES = 1440;

/**
 * DescribeEndpoints: the address the client reached, as it named it (the Host header: host and
 * port of the listener), so that an SDK with endpoint discovery stays on cove instead of
 * following `dynamodb.REGION.amazonaws.com` out to AWS; that name only when there is no Host.
 * It has no resource type, so it is authorized against `*`; DynamoDB skips that check on its
 * public endpoint and makes it only for requests through a VPC endpoint.
 */
export const describeEndpoints: Operation<Record<string, never>> = {
  name: 'DescribeEndpoints',
  readOnly: true,
  category: 'Management',
  readsHost: true,
  authorization: () => [{ action: DESCRIBE_ENDPOINTS_ACTION, resource: '*' }],
  requestParameters: () => null,
  async execute(_input, ctx) {
    return { Endpoints: [{ Address: ctx.requestHost || `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: CACHE_PERIOD_MINUTES }] };
  },
};
