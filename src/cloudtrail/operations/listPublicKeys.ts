/**
 * ListPublicKeys: the public key that signs this trail's digests (cove keeps one per data
 * directory and never rotates it), as CloudTrail lists its keys: PKCS#1 DER, its validity, its
 * fingerprint (the digests' digestPublicKeyFingerprint).
 */
import { loadSigningKey } from '../../audit/signingKey.js';
import { invalidTimeRange } from '../errors.js';
import { timestampMember, type CloudTrailOperation } from '../operation.js';

interface ListPublicKeysInput {
  startMs: number | undefined;
  endMs: number | undefined;
}

export const listPublicKeys: CloudTrailOperation<ListPublicKeysInput> = {
  name: 'ListPublicKeys',
  read(body) {
    const startMs = timestampMember(body, 'StartTime');
    const endMs = timestampMember(body, 'EndTime');
    if (startMs !== undefined && endMs !== undefined && startMs > endMs) throw invalidTimeRange();
    return { startMs, endMs };
  },
  // cloudtrail:ListPublicKeys has no resource type.
  authorization: () => [{ action: 'cloudtrail:ListPublicKeys', resource: '*' }],
  requestParameters: (input) => ({
    ...(input.startMs !== undefined ? { startTime: new Date(input.startMs).toISOString() } : {}),
    ...(input.endMs !== undefined ? { endTime: new Date(input.endMs).toISOString() } : {}),
  }),
  execute(input, ctx) {
    const key = loadSigningKey(ctx.trail.directory);
    const validUntilMs = ctx.nowMs;
    // A key whose validity does not meet the range is not listed.
    const meets = (input.endMs ?? ctx.nowMs) >= key.createdAtMs - 1000 && (input.startMs ?? ctx.nowMs) <= validUntilMs;
    const publicKey = {
      // The JSON protocols carry blobs as base64.
      Value: key.publicKeyDer.toString('base64'),
      ValidityStartTime: Math.floor(key.createdAtMs / 1000),
      ValidityEndTime: Math.floor(validUntilMs / 1000),
      Fingerprint: key.fingerprint,
    };
    return { PublicKeyList: meets ? [publicKey] : [] };
  },
};
