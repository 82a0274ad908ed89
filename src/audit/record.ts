/**
 * CloudTrail record shapes for the events cove emits: API calls (eventVersion 1.09: vpcEndpointAccountId) and
 * VPC endpoint network activity (1.11).
 * Field names and nesting follow CloudTrail's record contents reference.
 */
export interface UserIdentity {
  type: 'IAMUser' | 'AssumedRole' | 'Root' | 'AWSAccount' | 'Unknown';
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  /** An IAM user's name (a role session has none here: its role is the session issuer's). */
  userName?: string;
  /** Set for requests signed with STS temporary credentials. */
  sessionContext?: {
    sessionIssuer?: { type: 'Role'; principalId: string; arn: string; accountId: string; userName: string };
    attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
  };
}

export interface AuditResource {
  accountId: string;
  type: string;
  ARN: string;
}

/** The fields every record cove writes has, whatever its event type. */
interface RecordBase {
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  requestID: string;
  eventID: string;
  recipientAccountId: string;
  /** cove's own addition: how the pipeline decided (stage, rule, hops). Not a CloudTrail field. */
  additionalEventData?: Record<string, unknown>;
}

/** A management or data event: the record of an API call. */
export interface ApiCallRecord extends RecordBase {
  eventVersion: '1.09';
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  readOnly: boolean;
  resources?: AuditResource[];
  eventType: 'AwsApiCall';
  apiVersion?: string;
  managementEvent: boolean;
  eventCategory: 'Management' | 'Data';
  /** Requests through a gateway VPC endpoint (CloudTrail 1.04 / 1.09). */
  vpcEndpointId?: string;
  vpcEndpointAccountId?: string;
  /** Requests over TLS (CloudTrail 1.08). */
  tlsDetails?: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
}

/**
 * A network activity event for a VPC endpoint (eventVersion 1.11): what CloudTrail
 * records, instead of the API call, for a request that only the endpoint policy denied.
 * Its fields follow AWS's published samples: no requestParameters, responseElements,
 * userAgent, readOnly or managementEvent.
 */
export interface NetworkActivityRecord extends RecordBase {
  eventVersion: '1.11';
  errorCode: 'VpceAccessDenied';
  errorMessage: string;
  eventType: 'AwsVpceEvent';
  /** recipientAccountId is the account that owns the endpoint. */
  sharedEventID: string;
  vpcEndpointId: string;
  vpcEndpointAccountId: string;
  eventCategory: 'NetworkActivity';
}

export type CloudTrailRecord = ApiCallRecord | NetworkActivityRecord;

let formattedSecond = NaN;
let formatted = '';

/** CloudTrail's eventTime: ISO 8601 UTC to the second. The last second formatted is kept: requests arrive many to a second. */
export function eventTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== formattedSecond) {
    formatted = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    formattedSecond = second;
  }
  return formatted;
}
