import { coralError } from '../errors.js';
import type { RequestContext } from '../context.js';
import type { CredentialStore } from './identities.js';
import { parseAuthorization, verifySignature } from './sigv4.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export interface AuthenticateOptions {
  credentials: CredentialStore;
  region: string;
  service: string;
}

/**
 * authenticate: SigV4 → principal. AWS's check order: missing token, malformed
 * header, date and scope (parseAuthorization), unknown key, then signature.
 */
export function authenticate(ctx: RequestContext, options: AuthenticateOptions): void {
  const auth = parseAuthorization(ctx.raw, { region: options.region, service: options.service, nowMs: ctx.receivedAtMs });
  ctx.accessKeyId = auth.accessKeyId;
  const credential = options.credentials.lookup(auth.accessKeyId);
  // No temporary credentials exist yet, so any session token is one we did not issue.
  if (!credential || auth.sessionToken !== undefined) throw coralError('UnrecognizedClientException', INVALID_TOKEN);
  verifySignature(ctx.raw, auth, credential.secretAccessKey);
  ctx.principal = credential.principal;
  ctx.trace.push({ stage: 'authenticate', decision: 'continue', detail: `SigV4 valid for ${credential.principal.arn} (key ${auth.accessKeyId})` });
}
