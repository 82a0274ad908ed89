/**
 * Where the trail lives under `<data>/audit/`, named as CloudTrail names its S3 objects, so that a
 * copy of the directory into a bucket is a trail the AWS tools read:
 *   AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16>.json.gz
 *   AWSLogs/<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz
 * and, not a CloudTrail name, `journal/`: each process's records not delivered yet.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The trail one server writes: an account's, in one region. */
export interface TrailLocation {
  /** `<data>/audit`: the bucket's root. */
  directory: string;
  accountId: string;
  region: string;
  /** The bucket name the digests name (cove writes no bucket: the directory stands for it). */
  bucket: string;
  trailName: string;
}

export const JOURNAL_DIRECTORY = 'journal';

function dayPath(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

/** `YYYYMMDDTHHmmZ` (log files) or `YYYYMMDDTHHmmssZ` (digests). */
function compactTime(date: Date, seconds: boolean): string {
  const iso = date.toISOString().replace(/[-:]/g, '');
  return `${iso.slice(0, seconds ? 15 : 13)}Z`;
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The 16 characters that make a log file's name unique: derived from the journal segment it
 * delivers (whose name is unique per process), so that delivering a segment again after a crash
 * rewrites the same object instead of adding a copy.
 */
export function logFileSuffix(segmentName: string): string {
  const digest = createHash('sha256').update(segmentName).digest();
  let suffix = '';
  for (let i = 0; i < 16; i++) suffix += SUFFIX_ALPHABET[digest[i] % SUFFIX_ALPHABET.length];
  return suffix;
}

export function logFileObject(trail: TrailLocation, atMs: number, suffix: string): string {
  const date = new Date(atMs);
  const { accountId, region } = trail;
  return `AWSLogs/${accountId}/CloudTrail/${region}/${dayPath(date)}/${accountId}_CloudTrail_${region}_${compactTime(date, false)}_${suffix}.json.gz`;
}

export function digestObject(trail: TrailLocation, endMs: number): string {
  const date = new Date(endMs);
  const { accountId, region, trailName } = trail;
  return `AWSLogs/${accountId}/CloudTrail-Digest/${region}/${dayPath(date)}/${accountId}_CloudTrail-Digest_${region}_${trailName}_${region}_${compactTime(date, true)}.json.gz`;
}

export function objectPath(trail: Pick<TrailLocation, 'directory'>, object: string): string {
  return join(trail.directory, ...object.split('/'));
}

/** Every object under `prefix` (a `/`-separated key), in key order: the date folders sort by time. */
export function listObjects(directory: string, prefix: string): string[] {
  const found: string[] = [];
  const walk = (key: string) => {
    let entries;
    try {
      entries = readdirSync(join(directory, ...key.split('/')), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = `${key}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.json.gz')) found.push(child);
    }
  };
  walk(prefix);
  return found;
}

/** The log files of every account and region under the audit directory, in key order. */
export function allLogObjects(directory: string): string[] {
  return listSubdirectories(join(directory, 'AWSLogs')).flatMap((account) =>
    listSubdirectories(join(directory, 'AWSLogs', account, 'CloudTrail')).flatMap((region) => listObjects(directory, `AWSLogs/${account}/CloudTrail/${region}`)),
  );
}

function listSubdirectories(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** CloudTrail's times: ISO 8601 UTC to the second. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
