import { AwsError, coralError } from '../errors.js';
import type { RequestContext, Stage } from '../context.js';
import type { Credential, CredentialStore } from './identities.js';
import { checkAuthorization, readSigning, verifySignature, type ParsedAuthorization } from './sigv4.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

type AuthenticateEnv = { region: string; credentials: CredentialStore };

/**
 * authenticate: SigV4 → principal, for the service the request was dispatched to (its signing
 * name is the scope's service). AWS's check order: missing token, malformed header, date and
 * scope (checkAuthorization), unknown key, then signature.
 */
export const authenticateStage: Stage<AuthenticateEnv> = {
  name: 'authenticate',
  run(ctx, env) {
    const auth = parsedAuthorization(ctx, env);
    ctx.accessKeyId = auth.accessKeyId;
    const credential = knownCredential(ctx, auth, env);
    verifySignature(ctx.raw, auth, credential.secretAccessKey);
    ctx.principal = credential.principal;
    return { findings: [{ decision: 'continue', detail: `SigV4 valid for ${credential.principal.arn} (key ${auth.accessKeyId})` }] };
  },
};

/**
 * Whether authentication will refuse the request whatever its body: every check before the
 * signature's needs only the request line, the headers and the clock, so the listener can stop
 * reading a body that cannot be accepted. Same checks, same order, as the stage.
 */
export function authenticationFailsWhateverTheBody(ctx: RequestContext, env: AuthenticateEnv): boolean {
  try {
    knownCredential(ctx, parsedAuthorization(ctx, env), env);
    return false;
  } catch (error) {
    if (error instanceof AwsError) return true;
    throw error;
  }
}

function parsedAuthorization(ctx: RequestContext, env: AuthenticateEnv): ParsedAuthorization {
  ctx.signing ??= readSigning(ctx.raw);
  return checkAuthorization(ctx.signing, { region: env.region, service: ctx.service.signingName, nowMs: ctx.receivedAtMs });
}

/** The credential the request names: a long-term key, or a temporary one with its own session token. */
function knownCredential(ctx: RequestContext, auth: ParsedAuthorization, env: AuthenticateEnv): Credential {
  let credential = env.credentials.lookup(auth.accessKeyId);
  if (auth.sessionToken !== undefined) {
    // A long-term key never carries a token; a temporary key is only valid with its own.
    const session = env.credentials.session(auth.accessKeyId, auth.sessionToken, ctx.receivedAtMs);
    if (session.kind === 'expired') throw coralError('ExpiredTokenException', EXPIRED_TOKEN);
    credential = session.kind === 'valid' ? session.credential : undefined;
  }
  if (!credential) throw coralError('UnrecognizedClientException', INVALID_TOKEN);
  return credential;
}
