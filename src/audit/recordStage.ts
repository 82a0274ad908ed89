import type { RequestContext } from '../context.js';
import { eventTime, type AuditResource, type CloudTrailRecord, type NetworkActivityRecord, type UserIdentity } from './record.js';
import { newEventId } from '../server/ids.js';
import { VPCE_POLICY_DENY } from '../policy/authorize.js';

export interface RecordOptions {
  region: string;
  accountId: string;
}

function userIdentity(ctx: RequestContext, accountId: string): UserIdentity {
  const principal = ctx.principal;
  if (principal) {
    const session = principal.session;
    return {
      type: principal.type,
      principalId: principal.principalId,
      arn: principal.arn,
      accountId: principal.accountId,
      accessKeyId: ctx.accessKeyId,
      ...(principal.type === 'IAMUser' ? { userName: principal.userName } : {}),
      ...(session
        ? {
            sessionContext: {
              ...(session.issuer.type === 'Role' ? { sessionIssuer: { ...session.issuer, type: 'Role' as const } } : {}),
              attributes: { creationDate: eventTime(session.createdAtMs), mfaAuthenticated: 'false' as const },
            },
          }
        : {}),
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
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_MEMBERS.has(k)).map(([k, v]) => [k[0].toLowerCase() + k.slice(1), lowerCamelKeys(v)]));
}

/**
 * Answers' members that are secrets: never in the audit (CloudTrail leaves the secret access key
 * out of CreateAccessKey's, GetSessionToken's and AssumeRole's responseElements).
 */
const SECRET_MEMBERS: ReadonlySet<string> = new Set(['SecretAccessKey']);

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
    eventSource: ctx.service.eventSource,
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

/** Each resource once, though several targets name it (a transaction's actions on one table). */
function auditResources(ctx: RequestContext, accountId: string): AuditResource[] {
  const resources: AuditResource[] = [];
  const seen = new Set<string>();
  for (const target of ctx.request?.targets ?? []) {
    const type = ctx.service.auditResourceType(target.resource);
    if (type === undefined || seen.has(target.resource)) continue;
    seen.add(target.resource);
    resources.push({ accountId, type, ARN: target.resource });
  }
  return resources;
}

/**
 * record: one CloudTrail record for the request, whatever stage ended it, in the words of the
 * service it was dispatched to. A request that names no operation the service knows is `Unknown`.
 */
export function buildRecord(ctx: RequestContext, options: RecordOptions): CloudTrailRecord {
  const request = ctx.request;
  const eventName = request?.eventName ?? ctx.operationName ?? 'Unknown';
  if (ctx.outcome?.code === VPCE_POLICY_DENY && ctx.path?.kind === 'endpoint') return networkActivityRecord(ctx, ctx.path, eventName, options);
  const resources = auditResources(ctx, options.accountId);
  const isManagement = (request?.category ?? 'Management') === 'Management';
  return {
    eventVersion: '1.09',
    userIdentity: userIdentity(ctx, options.accountId),
    eventTime: eventTime(ctx.receivedAtMs),
    eventSource: ctx.service.eventSource,
    eventName,
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
    apiVersion: ctx.service.apiVersion,
    managementEvent: isManagement,
    recipientAccountId: options.accountId,
    eventCategory: isManagement ? 'Management' : 'Data',
    ...(ctx.path?.kind === 'endpoint' ? { vpcEndpointId: ctx.path.endpointId, vpcEndpointAccountId: ctx.path.endpointAccountId } : {}),
    ...(ctx.connection.tls ? { tlsDetails: ctx.connection.tls } : {}),
    // A copy: the writer serializes the record at the end of the event turn. Open mode says the principal was assumed.
    additionalEventData: { ...(ctx.unauthenticated ? { authenticated: false } : {}), coveTrace: ctx.trace.slice() },
  };
}
