/**
 * `cove audit validate`, as `aws cloudtrail validate-logs` validates a trail: from the newest
 * digest in the range, backwards along the chain, each digest's place, signature and hash (the
 * next digest's previousDigestHashValue), then each log file it names, by the hex SHA-256 of its
 * uncompressed content. One line per file, a summary, and `ok` false on anything invalid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { SIGNATURE_SUFFIX, sha256Hex, verifyDigest, type DigestFile } from './digest.js';
import { isoSeconds, listObjects, objectPath, type TrailLocation } from './layout.js';

export interface ValidationRange {
  startMs: number;
  endMs: number;
}

export interface ValidationReport {
  lines: string[];
  ok: boolean;
}

/** What the next (later) digest in the chain says this one must be. */
interface Expected {
  object: string;
  hashValue: string | null;
  signature: string | null;
}

type Verdict = 'valid' | 'INVALID: not found' | "INVALID: hash value doesn't match" | 'INVALID: signature verification failed' | 'INVALID: has been moved from its original location' | 'INVALID: invalid format';

class Tally {
  readonly lines: string[] = [];
  readonly digests = { valid: 0, total: 0 };
  readonly logs = { valid: 0, total: 0 };
  oldestMs = Number.POSITIVE_INFINITY;
  newestMs = Number.NEGATIVE_INFINITY;

  file(kind: 'Digest file' | 'Log file', location: string, verdict: Verdict): void {
    const count = kind === 'Digest file' ? this.digests : this.logs;
    count.total++;
    if (verdict === 'valid') count.valid++;
    this.lines.push(`${kind}\t${location}\t${verdict}`);
  }
}

function digestObjects(trail: TrailLocation): string[] {
  return listObjects(trail.directory, `AWSLogs/${trail.accountId}/CloudTrail-Digest/${trail.region}`);
}

/**
 * The end time of the oldest digest present: the default start of a validation, so that digests
 * deleted by retention (`audit.retentionDays`) do not read as a broken chain. As with AWS's
 * `--start-time`, digests older than the start are not checked: deleting the oldest ones goes
 * unnoticed unless an earlier start is given.
 */
export function oldestDigestEndMs(trail: TrailLocation): number | undefined {
  const [oldest] = digestObjects(trail);
  return oldest === undefined ? undefined : digestEndOfName(oldest);
}

/** The digests' keys whose end time (in their names) falls in the range, newest first. */
function digestsInRange(trail: TrailLocation, range: ValidationRange): string[] {
  return digestObjects(trail)
    .filter((object) => {
      const endMs = digestEndOfName(object);
      return endMs !== undefined && endMs >= range.startMs && endMs <= range.endMs;
    })
    .reverse();
}

function digestEndOfName(object: string): number | undefined {
  const match = /_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z\.json\.gz$/.exec(object);
  return match ? Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]) : undefined;
}

export function validateTrail(trail: TrailLocation, publicKeys: ReadonlyMap<string, KeyObject>, range: ValidationRange): ValidationReport {
  const tally = new Tally();
  const s3 = (object: string) => `s3://${trail.bucket}/${object}`;
  tally.lines.push(`Validating log files for trail arn:aws:cloudtrail:${trail.region}:${trail.accountId}:trail/${trail.trailName} between ${isoSeconds(range.startMs)} and ${isoSeconds(range.endMs)}`, '');
  const listed = digestsInRange(trail, range);
  let expected: Expected | undefined = listed.length > 0 ? { object: listed[0], hashValue: null, signature: null } : undefined;
  while (expected !== undefined) {
    const endMs = digestEndOfName(expected.object);
    if (endMs === undefined || endMs < range.startMs) break;
    const digest = checkDigest(trail, expected, publicKeys, tally, s3);
    tally.oldestMs = Math.min(tally.oldestMs, endMs);
    tally.newestMs = Math.max(tally.newestMs, endMs);
    if (digest === undefined) {
      // The chain is cut here: go on from the next older digest on disk (listed newest first).
      const next = listed.find((object) => (digestEndOfName(object) ?? Number.POSITIVE_INFINITY) < endMs);
      expected = next === undefined ? undefined : { object: next, hashValue: null, signature: null };
      continue;
    }
    for (const logFile of digest.logFiles) tally.file('Log file', s3(logFile.s3Object), checkLogFile(trail, logFile.s3Object, logFile.hashValue));
    expected = digest.previousDigestS3Object === null ? undefined : { object: digest.previousDigestS3Object, hashValue: digest.previousDigestHashValue, signature: digest.previousDigestSignature };
  }
  return summary(tally, range);
}

/** Checks one digest and reports it; the digest when it is valid (its chain and logs can be followed). */
function checkDigest(trail: TrailLocation, expected: Expected, publicKeys: ReadonlyMap<string, KeyObject>, tally: Tally, s3: (object: string) => string): DigestFile | undefined {
  const path = objectPath(trail, expected.object);
  if (!existsSync(path)) return void tally.file('Digest file', s3(expected.object), 'INVALID: not found');
  let bytes: Buffer;
  let digest: DigestFile;
  let signature: string;
  try {
    bytes = gunzipSync(readFileSync(path));
    digest = JSON.parse(bytes.toString('utf8')) as DigestFile;
    signature = readFileSync(path + SIGNATURE_SUFFIX, 'utf8').trim();
  } catch {
    return void tally.file('Digest file', s3(expected.object), 'INVALID: invalid format');
  }
  const hashValue = sha256Hex(bytes);
  const verdict: Verdict =
    digest.digestS3Object !== expected.object || digest.digestS3Bucket !== trail.bucket
      ? 'INVALID: has been moved from its original location'
      : expected.hashValue !== null && expected.hashValue !== hashValue
        ? "INVALID: hash value doesn't match"
        : !signatureHolds(digest, hashValue, signature, expected, publicKeys)
          ? 'INVALID: signature verification failed'
          : 'valid';
  tally.file('Digest file', s3(expected.object), verdict);
  return verdict === 'valid' && Array.isArray(digest.logFiles) ? digest : undefined;
}

function signatureHolds(digest: DigestFile, hashValue: string, signature: string, expected: Expected, publicKeys: ReadonlyMap<string, KeyObject>): boolean {
  const key = publicKeys.get(digest.digestPublicKeyFingerprint);
  if (key === undefined) return false;
  // The later digest signed over this one's signature: a replaced signature breaks the chain.
  if (expected.signature !== null && expected.signature !== signature) return false;
  try {
    return verifyDigest(digest, hashValue, signature, key);
  } catch {
    return false;
  }
}

function checkLogFile(trail: TrailLocation, object: string, hashValue: string): Verdict {
  const path = objectPath(trail, object);
  if (!existsSync(path)) return 'INVALID: not found';
  try {
    return sha256Hex(gunzipSync(readFileSync(path))) === hashValue ? 'valid' : "INVALID: hash value doesn't match";
  } catch {
    return "INVALID: hash value doesn't match";
  }
}

function summary(tally: Tally, range: ValidationRange): ValidationReport {
  const { lines, digests, logs } = tally;
  lines.push('', `Results requested for ${isoSeconds(range.startMs)} to ${isoSeconds(range.endMs)}`);
  if (digests.total === 0) lines.push('No digests found');
  else lines.push(`Results found for ${isoSeconds(tally.oldestMs)} to ${isoSeconds(tally.newestMs)}:`);
  lines.push('');
  const count = (what: string, c: { valid: number; total: number }) =>
    `${c.valid}/${c.total} ${what} valid` + (c.valid < c.total ? `, ${c.total - c.valid}/${c.total} ${what} INVALID` : '');
  lines.push(count('digest files', digests), count('log files', logs));
  return { lines, ok: digests.valid === digests.total && logs.valid === logs.total };
}
