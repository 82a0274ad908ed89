/**
 * LookupEvents: the management events of the last 90 days, newest first, filtered by at most one
 * lookup attribute and a time range, in pages of at most 50. Read from the trail itself (the
 * delivered log files and the journals, through src/audit/reader.ts): what cove recorded is what
 * it answers. Data events and network activity events are not returned, as on AWS.
 */
import { createHash } from 'node:crypto';
import { readTrail } from '../../audit/reader.js';
import type { ApiCallRecord, CloudTrailRecord } from '../../audit/record.js';
import { invalidEventCategory, invalidLookupAttributes, invalidMaxResults, invalidNextToken, invalidTimeRange, serialization } from '../errors.js';
import { timestampMember, type CloudTrailOperation } from '../operation.js';

/** LookupEvents' limits, as AWS documents them. */
export const LOOKUP_LIMITS = {
  maxResults: 50,
  lookupAttributes: 1,
  attributeValueLength: 2000,
  retentionDays: 90,
} as const;

const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

interface LookupEventsInput {
  attribute: { key: AttributeKey; value: string } | undefined;
  startMs: number | undefined;
  endMs: number | undefined;
  maxResults: number;
  nextToken: string | undefined;
}

/** The member `name` of the body, when present (a user-controlled body: own members only). */
function member(body: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

function readAttribute(body: Record<string, unknown>): LookupEventsInput['attribute'] {
  const list = member(body, 'LookupAttributes');
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw serialization('LookupAttributes: expected a list');
  if (list.length > LOOKUP_LIMITS.lookupAttributes) throw invalidLookupAttributes('You can specify only one lookup attribute.');
  if (list.length === 0) return undefined;
  const entry: unknown = list[0];
  if (typeof entry !== 'object' || entry === null) throw serialization('LookupAttributes: expected a list of LookupAttribute');
  const key = member(entry as Record<string, unknown>, 'AttributeKey');
  const value = member(entry as Record<string, unknown>, 'AttributeValue');
  if (typeof key !== 'string' || !(ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
    throw invalidLookupAttributes(`AttributeKey must be one of ${ATTRIBUTE_KEYS.join(', ')}.`);
  }
  if (typeof value !== 'string' || value.length < 1 || value.length > LOOKUP_LIMITS.attributeValueLength) {
    throw invalidLookupAttributes(`AttributeValue must be 1 to ${LOOKUP_LIMITS.attributeValueLength} characters.`);
  }
  return { key: key as AttributeKey, value };
}

function read(body: Record<string, unknown>): LookupEventsInput {
  const attribute = readAttribute(body);
  const startMs = timestampMember(body, 'StartTime');
  const endMs = timestampMember(body, 'EndTime');
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) throw invalidTimeRange();
  const category = member(body, 'EventCategory');
  if (category !== undefined && category !== null && category !== 'insight') throw invalidEventCategory(category);
  const maxResults = member(body, 'MaxResults') ?? LOOKUP_LIMITS.maxResults;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > LOOKUP_LIMITS.maxResults) throw invalidMaxResults(maxResults);
  const nextToken = member(body, 'NextToken');
  if (nextToken !== undefined && nextToken !== null && typeof nextToken !== 'string') throw serialization('NextToken: expected a string');
  // Insights events: cove has none, so a lookup of them finds nothing.
  const insights = category === 'insight';
  return { attribute: insights ? { key: 'EventId', value: '\u0000' } : attribute, startMs, endMs, maxResults, nextToken: nextToken ?? undefined };
}

/** Each event once, should two of the trails read be one (a node named among its own peers). */
function uniqueEvents(records: CloudTrailRecord[]): CloudTrailRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    if (seen.has(record.eventID)) return false;
    seen.add(record.eventID);
    return true;
  });
}

/** The user name LookupEvents reports: an IAM user's name, a role session's name, `root`. */
function usernameOf(record: CloudTrailRecord): string | undefined {
  const identity = record.userIdentity;
  if (identity.userName !== undefined) return identity.userName;
  if (identity.type === 'AssumedRole' && identity.arn) return identity.arn.slice(identity.arn.lastIndexOf('/') + 1);
  if (identity.type === 'Root') return 'root';
  return undefined;
}

function resourcesOf(record: ApiCallRecord): { ResourceType: string; ResourceName: string }[] {
  return (record.resources ?? []).map((resource) => ({ ResourceType: resource.type, ResourceName: resource.ARN }));
}

function matches(record: ApiCallRecord, attribute: NonNullable<LookupEventsInput['attribute']>): boolean {
  const { key, value } = attribute;
  switch (key) {
    case 'EventId':
      return record.eventID === value;
    case 'EventName':
      return record.eventName === value;
    case 'ReadOnly':
      return String(record.readOnly) === value;
    case 'Username':
      return usernameOf(record) === value;
    case 'ResourceType':
      return resourcesOf(record).some((resource) => resource.ResourceType === value);
    case 'ResourceName':
      return resourcesOf(record).some((resource) => resource.ResourceName === value || resource.ResourceName.endsWith(`/${value}`));
    case 'EventSource':
      return record.eventSource === value;
    case 'AccessKeyId':
      return record.userIdentity.accessKeyId === value;
  }
}

/** Newest first; records of one second by eventID, so that a page boundary is a fixed point. */
function newerFirst(a: CloudTrailRecord, b: CloudTrailRecord): number {
  if (a.eventTime !== b.eventTime) return a.eventTime < b.eventTime ? 1 : -1;
  return a.eventID < b.eventID ? 1 : a.eventID > b.eventID ? -1 : 0;
}

/** A page's token: where the next page starts, bound to the parameters it was given for. */
interface PageToken {
  eventTime: string;
  eventId: string;
  parameters: string;
}

function parametersHash(input: LookupEventsInput): string {
  return createHash('sha256').update(JSON.stringify([input.attribute, input.startMs, input.endMs])).digest('base64url').slice(0, 16);
}

function decodeToken(token: string, input: LookupEventsInput): PageToken {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (typeof decoded.eventTime === 'string' && typeof decoded.eventId === 'string' && decoded.parameters === parametersHash(input)) return decoded;
  } catch {
    // falls through to the error
  }
  throw invalidNextToken();
}

function event(record: ApiCallRecord): Record<string, unknown> {
  const username = usernameOf(record);
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    ...(record.userIdentity.accessKeyId ? { AccessKeyId: record.userIdentity.accessKeyId } : {}),
    EventTime: Date.parse(record.eventTime) / 1000,
    EventSource: record.eventSource,
    ...(username !== undefined ? { Username: username } : {}),
    Resources: resourcesOf(record),
    CloudTrailEvent: JSON.stringify(record),
  };
}

export const lookupEvents: CloudTrailOperation<LookupEventsInput> = {
  name: 'LookupEvents',
  read,
  // cloudtrail:LookupEvents has no resource type (AWS's service authorization reference).
  authorization: () => [{ action: 'cloudtrail:LookupEvents', resource: '*' }],
  requestParameters: (input) => ({
    ...(input.attribute ? { lookupAttributes: [{ attributeKey: input.attribute.key, attributeValue: input.attribute.value }] } : {}),
    ...(input.startMs !== undefined ? { startTime: new Date(input.startMs).toISOString() } : {}),
    ...(input.endMs !== undefined ? { endTime: new Date(input.endMs).toISOString() } : {}),
    maxResults: input.maxResults,
  }),
  execute(input, ctx) {
    const token = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, input);
    const oldestMs = Math.max(input.startMs ?? 0, ctx.nowMs - LOOKUP_LIMITS.retentionDays * 24 * 3600 * 1000);
    const found = uniqueEvents([ctx.trail, ...ctx.peerTrails].flatMap((trail) => readTrail(trail.directory)))
      // A peer configured for another account (a mistake) shows none of its events here.
      .filter((record) => record.recipientAccountId === ctx.trail.accountId)
      .filter((record): record is ApiCallRecord => record.eventType === 'AwsApiCall' && record.managementEvent)
      .filter((record) => {
        const timeMs = Date.parse(record.eventTime);
        return timeMs >= Math.floor(oldestMs / 1000) * 1000 && (input.endMs === undefined || timeMs <= input.endMs);
      })
      .filter((record) => input.attribute === undefined || matches(record, input.attribute))
      .sort(newerFirst);
    const from = token === undefined ? 0 : found.findIndex((record) => newerFirst(record, { eventTime: token.eventTime, eventID: token.eventId } as CloudTrailRecord) > 0);
    const page = from < 0 ? [] : found.slice(from, from + input.maxResults);
    const last = page.at(-1);
    const more = from >= 0 && from + input.maxResults < found.length && last !== undefined;
    const next = more ? Buffer.from(JSON.stringify({ eventTime: last.eventTime, eventId: last.eventID, parameters: parametersHash(input) })).toString('base64url') : undefined;
    return { Events: page.map(event), ...(next ? { NextToken: next } : {}) };
  },
};
