/**
 * CloudTrail as cove serves it: JSON 1.1 with `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.`
 * targets, signed as `cloudtrail`, at `cloudtrail.REGION.amazonaws.com`. It answers from the trail
 * this server writes (src/audit): LookupEvents and ListPublicKeys.
 */
import { AwsError, coralError } from '../errors.js';
import type { InterpretedRequest, Service, ServiceDescription, WireRequest } from '../service.js';
import { awsJsonProtocol } from '../server/protocols/awsJson.js';
import type { TrailLocation } from '../audit/layout.js';
import { CLOUDTRAIL_NAMESPACE, cloudtrailError, serialization } from './errors.js';
import { CLOUDTRAIL_OPERATIONS } from './operations/index.js';

/** CloudTrail's requests are a few scalars; LookupEvents' attribute value is at most 2000 characters. */
const MAX_REQUEST_BYTES = 64 * 1024;

export const CLOUDTRAIL: ServiceDescription = {
  displayName: 'CloudTrail',
  signingName: 'cloudtrail',
  eventSource: 'cloudtrail.amazonaws.com',
  apiVersion: '2013-11-01',
  protocol: awsJsonProtocol({ targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101', version: '1.1', sendsCrc32: false }),
  maxRequestBytes: MAX_REQUEST_BYTES,
  endpointHost: (region) => `cloudtrail.${region}.amazonaws.com`,
  actionsExemptOnPublicPath: new Set(),
  auditResourceType: () => undefined,
  internalError: () => new AwsError(CLOUDTRAIL_NAMESPACE, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500),
  unreachableError: (reason) => cloudtrailError('ServiceUnavailableException', `cove: cloudtrail is unreachable from here: ${reason}`, 503),
};

export interface CloudTrailState {
  auditTrail: TrailLocation;
  /** The trails of the other nodes on the same database (cove.yaml audit.peerDataDirectories). */
  peerTrails: readonly TrailLocation[];
}

/** The JSON object of the body (an empty body is `{}`). */
function jsonBody(request: WireRequest): Record<string, unknown> {
  const text = request.raw.body.toString('utf8');
  let body: unknown;
  try {
    body = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw serialization('Start of structure or map found where not expected.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw serialization('Start of structure or map found where not expected.');
  return body as Record<string, unknown>;
}

export function cloudtrailService(state: CloudTrailState): Service {
  return {
    ...CLOUDTRAIL,
    interpret(request, operationName): InterpretedRequest {
      const operation = operationName === undefined ? undefined : CLOUDTRAIL_OPERATIONS.get(operationName);
      if (!operation) throw coralError('UnknownOperationException', '');
      const input = operation.read(jsonBody(request));
      return {
        eventName: operation.name,
        readOnly: true,
        category: 'Management',
        targets: operation.authorization(input),
        requestParameters: operation.requestParameters(input),
        execute: async (nowMs) => operation.execute(input, { trail: state.auditTrail, peerTrails: state.peerTrails, nowMs }),
      };
    },
  };
}
