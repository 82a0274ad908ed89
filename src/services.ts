/**
 * The services cove serves, in one list: the first is the default, which answers requests that no
 * service's protocol recognizes. A new service (DynamoDB Streams, CloudTrail, EC2) is a
 * folder beside `src/dynamo` with its description and its factory, added here.
 */
import { DYNAMODB, dynamoService, type DynamoState } from './dynamo/service.js';
import { IAM, iamService, type IamState } from './iam/service.js';
import { STS, stsService, type StsState } from './sts/service.js';
import { STREAMS, streamsService } from './streams/service.js';
import { CLOUDTRAIL, cloudtrailService, type CloudTrailState } from './cloudtrail/service.js';
import { ServiceRegistry, type Service, type ServiceDescription } from './service.js';

/** What the services are built from in a serving process. */
export type ServiceState = DynamoState & StsState & IamState & CloudTrailState;

const SERVICES: readonly { description: ServiceDescription; create(state: ServiceState): Service }[] = [
  { description: DYNAMODB, create: dynamoService },
  { description: STS, create: stsService },
  { description: IAM, create: iamService },
  { description: STREAMS, create: streamsService },
  { description: CLOUDTRAIL, create: cloudtrailService },
];

/** What `cove explain` knows of the services, without their state. */
export const SERVICE_DESCRIPTIONS: readonly ServiceDescription[] = SERVICES.map((service) => service.description);

export function registerServices(state: ServiceState): ServiceRegistry {
  return new ServiceRegistry(SERVICES.map((service) => service.create(state)));
}
