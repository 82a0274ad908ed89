/**
 * `cove audit validate` (as `aws cloudtrail validate-logs`) and `cove audit tail` (the trail for
 * people: one line per record, with the decision). Both read the data directory's trail offline,
 * through the one reader (src/audit/reader.ts), with cove.yaml's account, region and trail names.
 */
import { resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { loadConfig } from '../config/load.js';
import { trailLocation } from '../audit/trail.js';
import type { TrailLocation } from '../audit/layout.js';
import { loadSigningKey } from '../audit/signingKey.js';
import { oldestDigestEndMs, validateTrail, type ValidationReport } from '../audit/validate.js';
import { TrailFollower } from '../audit/reader.js';
import type { CloudTrailRecord } from '../audit/record.js';

export class AuditInputError extends Error {}

export interface TrailOptions {
  config?: string;
  /**
   * The data directories whose trails are read as one: several cove nodes on one database
   * (PostgreSQL) each write their own trail under their own data directory.
   */
  data: readonly string[];
}

/** Each data directory with its trail, under cove.yaml's account, region and trail names. */
export function trailsOf(options: TrailOptions): Array<{ dataDirectory: string; trail: TrailLocation }> {
  const { config } = loadConfig(options.config);
  const directories = [...new Set((options.data.length > 0 ? options.data : ['.cove']).map((directory) => resolve(directory)))];
  return directories.map((dataDirectory) => ({ dataDirectory, trail: trailLocation(dataDirectory, config) }));
}

function timeOption(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AuditInputError(`--${name} ${value}: expected a time such as 2026-12-07T10:00:00Z (or epoch seconds)`);
  return ms;
}

/** The public keys the digests may name: the data directory's (a missing key fails every signature). */
function publicKeys(trail: TrailLocation): Map<string, KeyObject> {
  try {
    const key = loadSigningKey(trail.directory);
    return new Map([[key.fingerprint, key.publicKey]]);
  } catch {
    return new Map();
  }
}

/** Each trail's validation, one after the other (each node's digest chain is its own); valid when all are. */
export function auditValidate(options: TrailOptions & { start?: string; end?: string }): ValidationReport {
  const trails = trailsOf(options);
  const reports = trails.map(({ dataDirectory, trail }) => {
    const range = { startMs: timeOption('start', options.start, oldestDigestEndMs(trail) ?? 0), endMs: timeOption('end', options.end, Date.now()) };
    const report = validateTrail(trail, publicKeys(trail), range);
    return trails.length === 1 ? report : { ok: report.ok, lines: [`Trail of ${dataDirectory}:`, ...report.lines, ''] };
  });
  return { ok: reports.every((report) => report.ok), lines: reports.flatMap((report) => report.lines) };
}

/** `field=value` filters, all of which a record must match. */
export type RecordFilter = (record: CloudTrailRecord) => boolean;

const FILTER_FIELDS: ReadonlyMap<string, (record: CloudTrailRecord) => string> = new Map([
  ['eventName', (r: CloudTrailRecord) => r.eventName],
  ['eventSource', (r: CloudTrailRecord) => r.eventSource],
  ['user', (r: CloudTrailRecord) => `${r.userIdentity.arn ?? ''} ${r.userIdentity.userName ?? ''} ${r.userIdentity.accessKeyId ?? ''}`],
  ['decision', (r: CloudTrailRecord) => decisionOf(r)],
  ['errorCode', (r: CloudTrailRecord) => r.errorCode ?? ''],
  ['resource', (r: CloudTrailRecord) => ('resources' in r ? (r.resources ?? []).map((resource) => resource.ARN).join(' ') : '')],
  ['sourceIp', (r: CloudTrailRecord) => r.sourceIPAddress],
  ['vpce', (r: CloudTrailRecord) => r.vpcEndpointId ?? ''],
  ['requestId', (r: CloudTrailRecord) => r.requestID],
]);

/** `field=value` (the field contains value, case-insensitively); fields as FILTER_FIELDS names them. */
export function parseFilters(texts: readonly string[]): RecordFilter {
  const filters = texts.map((text) => {
    const equals = text.indexOf('=');
    const field = FILTER_FIELDS.get(text.slice(0, Math.max(0, equals)));
    if (equals < 0 || field === undefined) throw new AuditInputError(`--filter ${text}: expected FIELD=VALUE, FIELD one of ${[...FILTER_FIELDS.keys()].join(', ')}`);
    const value = text.slice(equals + 1).toLowerCase();
    return (record: CloudTrailRecord) => field(record).toLowerCase().includes(value);
  });
  return (record) => filters.every((filter) => filter(record));
}

/** ALLOW (answered with success), DENY (IAM, the endpoint policy or the network said no), ERROR (any other error). */
export function decisionOf(record: CloudTrailRecord): 'ALLOW' | 'DENY' | 'ERROR' {
  if (record.errorCode === undefined) return 'ALLOW';
  return record.errorCode === 'AccessDenied' || record.errorCode === 'VpceAccessDenied' ? 'DENY' : 'ERROR';
}

/** One line: time, decision, service and operation, who, from where, on what, and why when it was not allowed. */
export function tailLine(record: CloudTrailRecord): string {
  const who = record.userIdentity.arn ?? record.userIdentity.accessKeyId ?? record.userIdentity.type;
  const where = record.vpcEndpointId ? `${record.sourceIPAddress} via ${record.vpcEndpointId}` : record.sourceIPAddress;
  const what = 'resources' in record && record.resources ? record.resources.map((resource) => resource.ARN).join(',') : '-';
  const service = record.eventSource.replace(/\.amazonaws\.com$/, '');
  const why = record.errorCode === undefined ? '' : `  ${record.errorCode}: ${record.errorMessage ?? ''}${decidingRule(record)}`;
  return `${record.eventTime}  ${decisionOf(record).padEnd(5)}  ${service}:${record.eventName}  ${who}  from ${where || '-'}  on ${what}${why}`;
}

/** The trace line of the stage that ended the request, as `[stage: detail]`. */
function decidingRule(record: CloudTrailRecord): string {
  const trace = record.additionalEventData?.coveTrace;
  if (!Array.isArray(trace)) return '';
  const decided = (trace as { stage?: string; decision?: string; detail?: string }[]).filter((line) => line.decision === 'deny' || line.decision === 'fail').at(-1);
  return decided ? `  [${decided.stage}: ${decided.detail}]` : '';
}

const FOLLOW_POLL_MS = 500;

/** Prints the matching records, then (with follow) those that arrive, until stopped. */
/**
 * Prints the matching records, then (with follow) those that arrive, until stopped. With several
 * data directories, their trails are read as one: each poll's records in time order.
 */
export async function auditTail(options: TrailOptions & { follow: boolean; filter: string[]; json: boolean }, print: (line: string) => void): Promise<void> {
  const matches = parseFilters(options.filter);
  const followers = trailsOf(options).map(({ trail }) => new TrailFollower(trail.directory));
  for (;;) {
    const records = followers.flatMap((follower) => follower.poll());
    // eventTime is ISO 8601 to the second, so it sorts as text; the sort is stable within a second.
    if (followers.length > 1) records.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
    for (const record of records) if (matches(record)) print(options.json ? JSON.stringify(record) : tailLine(record));
    if (!options.follow) return;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}
