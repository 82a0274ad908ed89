import { AwsError } from '../errors.js';
import type { InterpretedRequest, Service, ServiceDescription } from '../service.js';
import { awsQueryProtocol, queryParameters } from '../server/protocols/awsQuery.js';
import { QueryInput } from '../server/protocols/queryInput.js';
import { QueryModelReader } from '../server/protocols/queryModel.js';
import type { IamDirectory } from './directory.js';
import { IAM_NAMESPACE, iamError } from './errors.js';
import type { IamInterpretContext } from './operation.js';
import { IAM_OPERATIONS } from './operations/index.js';

const API_VERSION = '2010-05-08';
/** IAM is global: its one endpoint is signed for us-east-1, whatever region the caller works in. */
const SIGNING_REGION = 'us-east-1';

/** IAM's model, whether run from src/ or from dist/src/. */
const MODEL = new QueryModelReader([
  new URL('./model/iam.service-2.json.gz', import.meta.url),
  new URL('../../../src/iam/model/iam.service-2.json.gz', import.meta.url),
]);

const IAM_ARN = /^arn:aws:iam::(\d{12}|aws):(user|group|role|policy)\//;
const RESOURCE_TYPES: Readonly<Record<string, string>> = { user: 'AWS::IAM::User', group: 'AWS::IAM::Group', role: 'AWS::IAM::Role', policy: 'AWS::IAM::Policy' };

/** IAM as cove serves it, without its state. */
export const IAM: ServiceDescription = {
  displayName: 'IAM',
  signingName: 'iam',
  signingRegion: () => SIGNING_REGION,
  eventSource: 'iam.amazonaws.com',
  apiVersion: API_VERSION,
  protocol: awsQueryProtocol({ apiVersion: API_VERSION, signingName: 'iam', xmlNamespace: `https://iam.amazonaws.com/doc/${API_VERSION}/` }),
  // Policy documents are IAM's largest parameters (the model allows 131072 characters, URL-encoded up to three bytes each).
  maxRequestBytes: 512 * 1024,
  endpointHost: () => 'iam.amazonaws.com',
  actionsExemptOnPublicPath: new Set(),
  auditResourceType: (arn) => RESOURCE_TYPES[IAM_ARN.exec(arn)?.[2] ?? ''],
  internalError: () => new AwsError(IAM_NAMESPACE, 'ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500),
  unreachableError: (reason) => new AwsError(IAM_NAMESPACE, 'ServiceUnavailable', `cove: iam is unreachable from here: ${reason}`, 503),
};

export interface IamState {
  accountId: string;
  directory: IamDirectory;
}

/** CloudTrail's requestParameters: the input's members, in lower camel case. */
function lowerCamelParameters(input: unknown): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    out[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** IAM with the merged view of principals it reads and changes. */
export function iamService(state: IamState): Service {
  return {
    ...IAM,
    interpret(request, operationName, _receivedAtMs, caller): InterpretedRequest | Promise<InterpretedRequest> {
      const operation = operationName === undefined ? undefined : IAM_OPERATIONS.get(operationName);
      if (!operation) {
        if (operationName !== undefined && MODEL.hasOperation(operationName)) throw iamError('InvalidAction', `cove does not implement IAM's ${operationName} yet`);
        throw iamError('InvalidAction', `Could not find operation ${operationName ?? ''} for version ${API_VERSION}`);
      }
      const input = new QueryInput(queryParameters(request.raw), IAM_NAMESPACE);
      const typed = operation.read(MODEL.read(operation.name, input));
      input.finish();
      const interpret = (): InterpretedRequest => {
        const ctx: IamInterpretContext = { accountId: state.accountId, caller, directory: state.directory };
        return {
          eventName: operation.name,
          readOnly: operation.readOnly,
          category: 'Management',
          targets: operation.authorization(typed, ctx),
          requestParameters: operation.requestParameters ? operation.requestParameters(typed) : lowerCamelParameters(typed),
          execute: async (nowMs) => operation.execute(typed, { ...ctx, nowMs }),
        };
      };
      // Targets name entities with their paths: read them as every process's writes left them.
      const refreshed = state.directory.refresh();
      return refreshed instanceof Promise ? refreshed.then(interpret) : interpret();
    },
  };
}
