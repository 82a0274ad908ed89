/**
 * CloudTrail record shape (eventVersion 1.08) for the events cove emits.
 * Field names and nesting follow CloudTrail's record contents reference.
 */
export interface UserIdentity {
  type: 'IAMUser' | 'AWSAccount' | 'Unknown';
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
}

export interface AuditResource {
  accountId: string;
  type: string;
  ARN: string;
}

/** A management or data event: the record of an API call. */
export interface ApiCallRecord {
  eventVersion: '1.08';
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: AuditResource[];
  eventType: 'AwsApiCall';
  apiVersion?: string;
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management' | 'Data';
  /** Requests through a gateway VPC endpoint (CloudTrail 1.04 / 1.09). */
  vpcEndpointId?: string;
  vpcEndpointAccountId?: string;
  /** cove's own addition: how the pipeline decided (stage, rule). Not a CloudTrail field. */
  additionalEventData?: Record<string, unknown>;
}

/**
 * A network activity event for a VPC endpoint (eventVersion 1.11): what CloudTrail
 * records, instead of the API call, for a request that only the endpoint policy denied.
 * Its fields follow AWS's published samples: no requestParameters, responseElements,
 * userAgent, readOnly or managementEvent.
 */
export interface NetworkActivityRecord {
  eventVersion: '1.11';
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  errorCode: 'VpceAccessDenied';
  errorMessage: string;
  requestID: string;
  eventID: string;
  eventType: 'AwsVpceEvent';
  /** The account that owns the endpoint. */
  recipientAccountId: string;
  sharedEventID: string;
  vpcEndpointId: string;
  vpcEndpointAccountId: string;
  eventCategory: 'NetworkActivity';
  /** cove's own addition, as on API call records. */
  additionalEventData?: Record<string, unknown>;
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
