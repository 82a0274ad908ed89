import { AwsError } from '../errors.js';
import type { CredentialStore } from '../auth/identities.js';
import type { SessionTokens } from '../auth/sessionTokens.js';
import type { InterpretedRequest, Service, ServiceDescription } from '../service.js';
import { awsQueryProtocol, queryParameters } from '../server/protocols/awsQuery.js';
import { STS_NAMESPACE, stsError } from './errors.js';
import { QueryInput } from '../server/protocols/queryInput.js';
import type { StsInterpretContext } from './operation.js';
import { STS_OPERATIONS } from './operations/index.js';

const API_VERSION = '2011-06-15';

/** STS as cove serves it, without its state. */
export const STS: ServiceDescription = {
  displayName: 'STS',
  signingName: 'sts',
  eventSource: 'sts.amazonaws.com',
  apiVersion: API_VERSION,
  protocol: awsQueryProtocol({ apiVersion: API_VERSION, signingName: 'sts', xmlNamespace: `https://sts.amazonaws.com/doc/${API_VERSION}/` }),
  // A Query request is a form of a few fields; STS's largest (AssumeRole's policies and tags) is far below this.
  maxRequestBytes: 64 * 1024,
  endpointHost: (region) => `sts.${region}.amazonaws.com`,
  actionsExemptOnPublicPath: new Set(),
  auditResourceType: (arn) => (/^arn:aws:iam::\d{12}:role\//.test(arn) ? 'AWS::IAM::Role' : undefined),
  internalError: () => new AwsError(STS_NAMESPACE, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500),
  unreachableError: (reason) => new AwsError(STS_NAMESPACE, 'ServiceUnavailable', `cove: sts is unreachable from here: ${reason}`, 503),
};

export interface StsState {
  region: string;
  accountId: string;
  credentials: CredentialStore;
  tokens: SessionTokens;
  /** Customer managed policies by ARN (the configuration in force). */
  managedPolicyDocument(arn: string): unknown;
}

/** STS with the identities it issues sessions for. */
export function stsService(state: StsState): Service {
  return {
    ...STS,
    interpret(request, operationName, _receivedAtMs, caller): InterpretedRequest {
      const operation = operationName === undefined ? undefined : STS_OPERATIONS.get(operationName);
      if (!operation) throw stsError('InvalidAction', `Could not find operation ${operationName ?? ''} for version ${API_VERSION}`);
      const input = new QueryInput(queryParameters(request.raw), STS_NAMESPACE);
      const typed = operation.read(input);
      input.finish();
      const ctx: StsInterpretContext = { ...state, caller };
      return {
        eventName: operation.name,
        readOnly: true,
        category: 'Management',
        targets: operation.authorization(typed, ctx),
        requestParameters: operation.requestParameters(typed),
        execute: async (nowMs) => operation.execute(typed, { ...ctx, nowMs }),
      };
    },
  };
}
