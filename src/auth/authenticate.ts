import { coralError } from '../errors.js';
import type { Decision, RequestContext, Stage } from '../context.js';
import type { CredentialStore } from './identities.js';
import { checkAuthorization, readSigning, verifySignature } from './sigv4.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

/**
 * authenticate: SigV4 → principal, for the service the request was dispatched to (its signing
 * name is the scope's service). AWS's check order: missing token, malformed header, date and
 * scope (checkAuthorization), unknown key, then signature.
 */
export const authenticateStage: Stage<{ region: string; credentials: CredentialStore; refreshCredentials?: () => void | Promise<void> }> = {
  name: 'authenticate',
  run(ctx, env) {
    // A key created or deactivated through another process counts from the next request on.
    const refreshed = env.refreshCredentials?.();
    return refreshed instanceof Promise ? refreshed.then(() => authenticate(ctx, env)) : authenticate(ctx, env);
  },
};

function authenticate(ctx: RequestContext, env: { region: string; credentials: CredentialStore }): Decision {
  {
    ctx.signing ??= readSigning(ctx.raw);
    const region = ctx.service.signingRegion?.(env.region) ?? env.region;
    const auth = checkAuthorization(ctx.signing, { region, service: ctx.service.signingName, nowMs: ctx.receivedAtMs });
    ctx.accessKeyId = auth.accessKeyId;
    let credential = env.credentials.lookup(auth.accessKeyId);
    if (auth.sessionToken !== undefined) {
      // A long-term key never carries a token; a temporary key is only valid with its own.
      const session = env.credentials.session(auth.accessKeyId, auth.sessionToken, ctx.receivedAtMs);
      if (session.kind === 'expired') throw coralError('ExpiredTokenException', EXPIRED_TOKEN);
      credential = session.kind === 'valid' ? session.credential : undefined;
    }
    if (!credential) throw coralError('UnrecognizedClientException', INVALID_TOKEN);
    verifySignature(ctx.raw, auth, credential.secretAccessKey);
    ctx.principal = credential.principal;
    return { findings: [{ decision: 'continue', detail: `SigV4 valid for ${credential.principal.arn} (key ${auth.accessKeyId})` }] };
  }
}
