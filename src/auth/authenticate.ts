import { AwsError, coralError } from '../errors.js';
import type { Decision, RequestContext, Stage } from '../context.js';
import type { Credential, CredentialStore, Principal } from './identities.js';
import { checkAuthorization, readSigning, scopeRegion, verifySignature, type ParsedAuthorization } from './sigv4.js';

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

/**
 * Brings the credential store up to date with other processes' changes (the IAM API's). Cheap
 * and synchronous unless `waitForSnapshot`: then it also waits for a read snapshot that includes
 * every commit so far, which costs a commit's wait while this process has writes in flight.
 */
export type RefreshCredentials = (waitForSnapshot: boolean) => void | Promise<void>;

interface AuthenticateEnv {
  region: string;
  /** The other regions cove serves (`regions:`), whose scope a regional service's request may name. */
  otherRegions?: readonly string[];
  /** Told of a request scoped to a region cove does not serve (a log line naming the served ones). */
  onUnservedRegion?: (region: string) => void;
  credentials: CredentialStore;
  refreshCredentials?: RefreshCredentials;
  /**
   * Open mode (`--open`, cove.yaml `open: true`): the principal every well-formed SigV4 request
   * acts as, its signature unchecked, as DynamoDB Local accepts any key. Absent: every request is verified.
   */
  openModePrincipal?: () => Principal | undefined;
  /** Told of a request refused for an access key no one has (a log line: the answer stays AWS's). */
  onUnknownKey?: (accessKeyId: string) => void;
}

/**
 * authenticate: SigV4 → principal, for the service the request was dispatched to (its signing
 * name is the scope's service; a global service names its signing region). AWS's check order:
 * missing token, malformed header, date and scope (checkAuthorization), unknown key, then
 * signature. A key unknown here is looked up once more after the freshest snapshot, so that a key
 * another worker created is never refused; a key deactivated or deleted by another worker is
 * refused from the next request on (when this process has a write of its own in flight, from its
 * commit on, a few milliseconds).
 */
export const authenticateStage: Stage<AuthenticateEnv> = {
  name: 'authenticate',
  run(ctx, env) {
    const refreshed = env.refreshCredentials?.(false);
    return refreshed instanceof Promise ? refreshed.then(() => authenticate(ctx, env)) : authenticate(ctx, env);
  },
};

function authenticate(ctx: RequestContext, env: AuthenticateEnv): Decision | Promise<Decision> {
  const auth = parsedAuthorization(ctx, env);
  ctx.accessKeyId = auth.accessKeyId;
  if (env.openModePrincipal) return openMode(ctx, env.openModePrincipal());
  const credential = credentialOf(ctx, auth, env);
  if (credential || !env.refreshCredentials) return verified(ctx, auth, credential, env);
  const fresh = env.refreshCredentials(true);
  const retry = () => verified(ctx, auth, credentialOf(ctx, auth, env), env);
  return fresh instanceof Promise ? fresh.then(retry) : retry();
}

function openMode(ctx: RequestContext, principal: Principal | undefined): Decision {
  // The admin user is always declared in open mode (serve.ts); its absence would be cove's own fault.
  if (!principal) throw new Error('open mode has no admin principal');
  ctx.principal = principal;
  ctx.unauthenticated = true;
  return { findings: [{ decision: 'continue', detail: `open mode: signature NOT verified; acting as ${principal.arn} (key ${ctx.accessKeyId} as sent)` }] };
}

function verified(ctx: RequestContext, auth: ParsedAuthorization, credential: Credential | undefined, env: AuthenticateEnv): Decision {
  if (!credential) {
    if (auth.sessionToken === undefined) env.onUnknownKey?.(auth.accessKeyId);
    throw coralError('UnrecognizedClientException', INVALID_TOKEN);
  }
  verifySignature(ctx.raw, auth, credential.secretAccessKey);
  ctx.principal = credential.principal;
  return { findings: [{ decision: 'continue', detail: `SigV4 valid for ${credential.principal.arn} (key ${auth.accessKeyId})` }] };
}

/**
 * Whether authentication will refuse the request whatever its body: every check before the
 * signature's needs only the request line, the headers and the clock, so the listener can stop
 * reading a body that cannot be accepted. Same checks, same order, as the stage; it sees other
 * processes' IAM changes as the stage first does (without waiting for a snapshot).
 */
export function authenticationFailsWhateverTheBody(ctx: RequestContext, env: AuthenticateEnv): boolean {
  if (env.openModePrincipal) return false;
  // With an asynchronous engine (PostgreSQL) this refresh is not awaited (the stage awaits its
  // own): its failure (the database down) is observed here, else it would end the process.
  const refreshed = env.refreshCredentials?.(false);
  if (refreshed instanceof Promise) refreshed.catch(() => undefined);
  try {
    if (credentialOf(ctx, parsedAuthorization(ctx, env), env) === undefined) throw coralError('UnrecognizedClientException', INVALID_TOKEN);
    return false;
  } catch (error) {
    if (error instanceof AwsError) return true;
    throw error;
  }
}

function parsedAuthorization(ctx: RequestContext, env: AuthenticateEnv): ParsedAuthorization {
  ctx.signing ??= readSigning(ctx.raw);
  const globalRegion = ctx.service.signingRegion?.(env.region);
  const expect = { region: globalRegion ?? env.region, service: ctx.service.signingName, nowMs: ctx.receivedAtMs, ...(globalRegion === undefined && env.otherRegions ? { otherRegions: env.otherRegions } : {}) };
  let auth: ParsedAuthorization;
  try {
    auth = checkAuthorization(ctx.signing, expect);
  } catch (error) {
    const region = scopeRegion(ctx.signing);
    if (env.onUnservedRegion && region !== undefined && region !== expect.region && !expect.otherRegions?.includes(region)) env.onUnservedRegion(region);
    throw error;
  }
  // A regional service's request is for the region its scope names; a global service's, cove's first region.
  ctx.region = globalRegion === undefined ? auth.region : env.region;
  return auth;
}


/** The credential the request names: a long-term key, or a temporary one with its own session token; undefined for none. */
function credentialOf(ctx: RequestContext, auth: ParsedAuthorization, env: AuthenticateEnv): Credential | undefined {
  if (auth.sessionToken === undefined) return env.credentials.lookup(auth.accessKeyId);
  // A long-term key never carries a token; a temporary key is only valid with its own.
  const session = env.credentials.session(auth.accessKeyId, auth.sessionToken, ctx.receivedAtMs);
  if (session.kind === 'expired') throw coralError('ExpiredTokenException', EXPIRED_TOKEN);
  return session.kind === 'valid' ? session.credential : undefined;
}
