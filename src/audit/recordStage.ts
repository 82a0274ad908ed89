import type { RequestContext } from '../context.js';
import { eventTime, type AuditResource, type CloudTrailRecord, type NetworkActivityRecord, type UserIdentity } from './record.js';
import { newEventId } from '../server/ids.js';

export interface RecordOptions {
  region: string;
  accountId: string;
}

const TABLE_ARN = /^arn:aws:dynamodb:[^:]*:[^:]*:table\/[^/*]+$/;

function userIdentity(ctx: RequestContext, accountId: string): UserIdentity {
  const principal = ctx.principal;
  if (principal) {
    return {
      type: principal.type,
      principalId: principal.principalId,
      arn: principal.arn,
      accountId: principal.accountId,
      accessKeyId: ctx.accessKeyId,
      userName: principal.userName,
    };
  }
  if (ctx.accessKeyId) return { type: 'Unknown', accountId, accessKeyId: ctx.accessKeyId };
  return { type: 'AWSAccount', accountId: 'ANONYMOUS_PRINCIPAL' };
}

/** CloudTrail's error codes are the short names; a denial is recorded as `AccessDenied`. */
function errorCode(code: string): string {
  return code === 'AccessDeniedException' ? 'AccessDenied' : code;
}

function lowerCamelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCamelKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), lowerCamelKeys(v)]));
}

/** CloudTrail's text for a network activity event denied by the endpoint policy (unverified wording). */
export const VPCE_ACCESS_DENIED_MESSAGE = 'The request was denied due to a VPC endpoint policy';

/**
 * A request that only the endpoint policy denied never reaches the service, so
 * CloudTrail records no API call for it: the endpoint owner sees a network
 * activity event instead.
 */
function networkActivityRecord(ctx: RequestContext, path: Extract<RequestContext['path'], { kind: 'endpoint' }>, eventName: string, options: RecordOptions): NetworkActivityRecord {
  return {
    eventVersion: '1.11',
    userIdentity: userIdentity(ctx, options.accountId),
    eventTime: eventTime(ctx.receivedAtMs),
    eventSource: 'dynamodb.amazonaws.com',
    eventName,
    awsRegion: options.region,
    sourceIPAddress: path.sourceIp,
    errorCode: 'VpceAccessDenied',
    errorMessage: VPCE_ACCESS_DENIED_MESSAGE,
    requestID: ctx.requestId,
    eventID: ctx.eventId,
    eventType: 'AwsVpceEvent',
    recipientAccountId: path.endpointAccountId,
    sharedEventID: newEventId(),
    vpcEndpointId: path.endpointId,
    vpcEndpointAccountId: path.endpointAccountId,
    eventCategory: 'NetworkActivity',
    additionalEventData: { coveTrace: ctx.trace.slice() },
  };
}

/** record: one CloudTrail record for the request, whatever stage ended it. */
export function buildRecord(ctx: RequestContext, fallbackEventName: string, options: RecordOptions): CloudTrailRecord {
  const request = ctx.request;
  if (ctx.deniedByEndpointPolicyOnly && ctx.path?.kind === 'endpoint') return networkActivityRecord(ctx, ctx.path, request?.eventName ?? fallbackEventName, options);
  const resources: AuditResource[] = (request?.targets ?? [])
    .filter((t) => TABLE_ARN.test(t.resource))
    .map((t) => ({ accountId: options.accountId, type: 'AWS::DynamoDB::Table', ARN: t.resource }));
  const isManagement = (request?.category ?? 'Management') === 'Management';
  return {
    eventVersion: '1.08',
    userIdentity: userIdentity(ctx, options.accountId),
    eventTime: eventTime(ctx.receivedAtMs),
    eventSource: 'dynamodb.amazonaws.com',
    eventName: request?.eventName ?? fallbackEventName,
    awsRegion: options.region,
    sourceIPAddress: ctx.path?.sourceIp ?? ctx.attribution?.remoteAddress ?? '',
    userAgent: ctx.userAgent,
    ...(ctx.error ? { errorCode: errorCode(ctx.error.code), errorMessage: ctx.error.message } : {}),
    requestParameters: request?.requestParameters ?? null,
    responseElements: isManagement && ctx.response && !ctx.error ? (lowerCamelKeys(ctx.response) as Record<string, unknown>) : null,
    requestID: ctx.requestId,
    eventID: ctx.eventId,
    readOnly: request?.readOnly ?? false,
    ...(resources.length > 0 ? { resources } : {}),
    eventType: 'AwsApiCall',
    apiVersion: '2012-08-10',
    managementEvent: isManagement,
    recipientAccountId: options.accountId,
    eventCategory: isManagement ? 'Management' : 'Data',
    ...(ctx.path?.kind === 'endpoint' ? { vpcEndpointId: ctx.path.endpointId, vpcEndpointAccountId: ctx.path.endpointAccountId } : {}),
    // A copy: the writer serializes the record at the end of the event turn.
    additionalEventData: { coveTrace: ctx.trace.slice() },
  };
}
