/**
 * CloudTrail's digest files: their contents, and the signature over them, as CloudTrail's
 * "digest file structure" and "custom implementation of log file integrity validation" pages
 * describe them. The signature is RSASSA-PKCS1-v1_5 with SHA-256 over
 *   digestEndTime \n digestS3Bucket/digestS3Object \n hex SHA-256 of the (uncompressed) digest \n previousDigestSignature or "null"
 * hex-encoded; AWS keeps it in the object's metadata (`x-amz-meta-signature`), cove beside the
 * digest in `<digest>.sig`.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withRSA';
export const HASH_ALGORITHM = 'SHA-256';
export const SIGNATURE_SUFFIX = '.sig';

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: typeof HASH_ALGORITHM;
  newestEventTime: string | null;
  oldestEventTime: string | null;
}

export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: typeof DIGEST_SIGNATURE_ALGORITHM;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: typeof HASH_ALGORITHM | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The string CloudTrail signs for a digest whose uncompressed bytes hash to `digestHashHex`. */
export function dataToSign(digest: Pick<DigestFile, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>, digestHashHex: string): string {
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${digestHashHex}\n${digest.previousDigestSignature ?? 'null'}`;
}

export function signDigest(digest: DigestFile, digestHashHex: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(dataToSign(digest, digestHashHex), 'utf8'), privateKey).toString('hex');
}

export function verifyDigest(digest: DigestFile, digestHashHex: string, signatureHex: string, publicKey: KeyObject): boolean {
  if (!/^(?:[0-9a-f]{2})+$/.test(signatureHex)) return false;
  return verify('sha256', Buffer.from(dataToSign(digest, digestHashHex), 'utf8'), publicKey, Buffer.from(signatureHex, 'hex'));
}

const EVENT_TIME = /"eventTime":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g;

/**
 * The oldest and newest eventTime of an uncompressed log file, read without parsing it (a log
 * file holds thousands of records; the times are fixed-format strings that sort as times).
 */
export function eventTimeRange(logFileText: string): { oldest: string | null; newest: string | null } {
  let oldest: string | null = null;
  let newest: string | null = null;
  for (const match of logFileText.matchAll(EVENT_TIME)) {
    const time = match[1];
    if (oldest === null || time < oldest) oldest = time;
    if (newest === null || time > newest) newest = time;
  }
  return { oldest, newest };
}
