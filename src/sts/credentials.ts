import { generateSecretAccessKey, generateSessionKeyId } from '../auth/identities.js';
import type { SessionIdentity } from '../auth/sessionTokens.js';
import type { StsContext } from './operation.js';

/** A new session's temporary credentials (`ASIA…`, a secret, the sealed token), as STS answers them. */
export function issueSession(ctx: StsContext, identity: SessionIdentity, durationS: number): { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date } {
  const accessKeyId = generateSessionKeyId();
  const secretAccessKey = generateSecretAccessKey();
  // STS's expirations are whole seconds.
  const expiresAtMs = Math.floor(ctx.nowMs / 1000) * 1000 + durationS * 1000;
  const token = ctx.tokens.seal({ accessKeyId, secretAccessKey, issuedAtMs: ctx.nowMs, expiresAtMs, identity });
  return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: token, Expiration: new Date(expiresAtMs) };
}
