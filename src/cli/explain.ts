import { ADMIN_USER } from '../iam/declared.js';
import { existsSync } from 'node:fs';
import { configuredPrincipals, roleSessionPrincipal, type Principal } from '../auth/identities.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { decideAuthorization, policySetsFor, VPCE_POLICY_DENY } from '../policy/authorize.js';
import { contextToRecord, type ContextValue } from '../policy/conditionContext.js';
import type { Attachment } from '../network/model.js';
import { clientAddress, type ResolvedPath } from '../network/resolve.js';
import { formatHops, listenerPlaces, networkPathOf, Router } from '../network/route.js';
import { formatDecision } from '../policy/explain.js';
import { missingRequestKeyWarnings, policyWarnings, unknownActionWarning } from '../policy/lint.js';
import { SERVICE_DESCRIPTIONS } from '../services.js';
import type { ServiceDescription } from '../service.js';

export interface ExplainOptions {
  config?: string;
  /** The IAM question: all three, or (with `from`) none. */
  principal?: string;
  action?: string;
  resource?: string;
  /** `key=value`, or `key=["a","b"]` for a multi-valued key. */
  context: string[];
  sourceIp: string;
  /** An attachment: the request is sent from there, over the path the network model gives it. */
  from?: string;
  /** The request's region (its credential scope); default the configuration's. */
  region?: string;
  /** 80 (plain HTTP, as cove's listeners are) or 443, for security-group checks. */
  port?: number;
  json: boolean;
  nowMs?: number;
}

export class ExplainInputError extends Error {}

const DEFAULT_CONFIG = 'cove.yaml';

export function parseContextArgument(argument: string): [string, ContextValue] {
  const eq = argument.indexOf('=');
  if (eq <= 0) throw new ExplainInputError(`--context ${argument}: expected key=value, e.g. aws:SourceIp=10.0.1.25`);
  const key = argument.slice(0, eq);
  const text = argument.slice(eq + 1);
  if (!text.startsWith('[')) return [key, text];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    throw new ExplainInputError(`--context ${argument}: a multi-valued key takes a JSON list of strings, e.g. ${key}=["a","b"]`);
  }
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new ExplainInputError(`--context ${argument}: expected a JSON list of strings`);
  return [key, list];
}

/** The path from an attachment to the request region's DynamoDB, as the route stage resolves it. */
function describePath(from: Attachment, path: ResolvedPath, region: string, port: number): string[] {
  const lines = [`Path from attachment ${from.name} (${clientAddress(from.source)}) to dynamodb.${region}.amazonaws.com, tcp/${port}:`];
  formatHops(path.hops).forEach((hop, index) => lines.push(`  ${index + 1}. ${hop}`));
  switch (path.kind) {
    case 'endpoint':
      lines.push(`Reaches: the service through ${path.endpoint.id} (${path.vpc}), source IP ${path.sourceIp}; the endpoint policy applies`);
      break;
    case 'public':
      lines.push(`Reaches: the public endpoint, source IP ${path.sourceIp}`);
      break;
    case 'unreachable':
      lines.push(`Unreachable [${path.code}]: ${path.reason}`);
  }
  return lines;
}

function pathJson(from: Attachment, path: ResolvedPath, region: string, port: number): Record<string, unknown> {
  return {
    from: from.name,
    region,
    port,
    result: path.kind,
    sourceIp: path.sourceIp,
    ...(path.kind === 'endpoint' ? { vpcEndpointId: path.endpoint.id, vpcId: path.vpc } : {}),
    ...(path.kind === 'unreachable' ? { code: path.code, reason: path.reason } : {}),
    hops: path.hops,
  };
}

/**
 * `cove explain`, offline, with the same engine and network model as the server:
 * - `--principal ARN --action A --resource R`: the IAM policy simulator; the context
 *   is what the server would build for a request on the public endpoint, overridden
 *   by each `--context`.
 * - `--from ATTACHMENT [--region R]`: the hop-by-hop network path from an attachment,
 *   with the explanation code of the hop that decides; with the IAM question too, the
 *   decision as the server would make it on that path (endpoint policy included).
 */
export async function explain(options: ExplainOptions): Promise<{ output: string; warnings: string[]; allowed: boolean }> {
  const configFile = options.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const loaded = loadConfig(configFile);
  const question = [options.principal, options.action, options.resource];
  const asked = question.filter((value) => value !== undefined).length;
  if (asked !== 0 && asked !== 3) throw new ExplainInputError('--principal, --action and --resource go together');
  if (asked === 0 && options.from === undefined) throw new ExplainInputError('expected --principal, --action and --resource, or --from ATTACHMENT (or both)');

  let path: ResolvedPath | undefined;
  const pathLines: string[] = [];
  let pathRecord: Record<string, unknown> | undefined;
  if (options.from !== undefined) {
    const from = loaded.attachments.find((a) => a.name === options.from);
    if (!from) {
      const known = loaded.attachments.map((a) => a.name).join(', ') || 'none';
      throw new ExplainInputError(`--from ${options.from}: no such attachment in ${configFile ?? 'the built-in configuration'} (configured: ${known})`);
    }
    const region = options.region ?? loaded.config.region;
    const port = options.port ?? 80;
    // The server's router, on the same configuration: the path is the one a request from there takes.
    const router = new Router({ model: loaded.network, places: listenerPlaces(loaded.config.listeners, loaded.attachments, loaded.sourceMaps), region: loaded.config.region, accountId: loaded.config.accountId, unreachable: 'explain' });
    // The service is the action's (`sts:AssumeRole` goes to STS); a path alone is DynamoDB's.
    const service = options.action?.split(':')[0]?.toLowerCase() || 'dynamodb';
    path = router.resolve({ kind: 'attachment', name: from.name, source: from.source }, service, region, port);
    pathLines.push(...describePath(from, path, region, port));
    pathRecord = pathJson(from, path, region, port);
  }
  if (asked === 0 || path?.kind === 'unreachable') {
    const output = options.json ? JSON.stringify({ path: pathRecord }, null, 2) : pathLines.join('\n');
    return { output, warnings: [], allowed: path?.kind !== 'unreachable' };
  }

  const principals = [...configuredPrincipals(loaded).values()];
  const principal = principals.find((p) => p.arn === options.principal || p.userName === options.principal) ?? roleSessionFor(loaded, options.principal!, options.nowMs ?? Date.now());
  if (!principal) {
    const known = [...principals.map((p) => p.arn), ...[...loaded.roles.values()].map((r) => r.arn)].join(', ') || 'none';
    throw new ExplainInputError(`--principal ${options.principal}: no such user or role in ${configFile ?? 'the built-in configuration'} (configured: ${known})`);
  }
  // IAM matches actions case-insensitively; an exempt action is decided under its canonical name.
  const exempt = exemptionOf(options.action!);
  const action = exempt?.action ?? options.action!;
  const resource = options.resource!;
  const region = options.region ?? loaded.config.region;
  const networkPath = path ? networkPathOf(path, loaded.config.accountId) : { kind: 'public' as const, sourceIp: options.sourceIp };
  const sets = policySetsFor(principal, networkPath);
  const warnings: string[] = [];
  const policies = [...sets.identity, ...(sets.permissionsBoundary ?? []), ...(sets.vpcEndpoint ?? [])];
  for (const policy of policies) warnings.push(...(await policyWarnings(policy)));
  const unknownAction = await unknownActionWarning(action);
  if (unknownAction) warnings.push(unknownAction);
  const given = new Set(options.context.map((entry) => parseContextArgument(entry)[0].toLowerCase()));
  warnings.push(...missingRequestKeyWarnings(policies, given));
  const [decided] = decideAuthorization(
    {
      principal,
      path: networkPath,
      secureTransport: (options.port ?? 80) === 443,
      receivedAtMs: options.nowMs ?? Date.now(),
      userAgent: 'cove-explain',
      requestedRegion: region,
      actionsExemptOnPublicPath: new Set(exempt ? [exempt.action] : []),
      contextOverrides: new Map(options.context.map(parseContextArgument)),
    },
    [{ action, resource }],
    true,
  );
  const notes: string[] = [];
  if (loaded.config.open) {
    notes.push(`Note: this cove runs in open mode (open: true): requests are not authenticated; the server acts for every request as the user "${ADMIN_USER}", whatever key signs it, not as ${principal.arn}.`);
  }
  if (!loaded.config.regions.includes(region)) notes.push(`Note: this cove serves ${loaded.config.regions.join(', ')} only; a request signed for ${region} is refused there (InvalidSignatureException: Credential should be scoped to a valid region).`);
  if (decided.result === 'NotAuthorized') {
    const note = `${action} is not authorized on the public endpoint: ${exempt!.service.displayName} answers it without an IAM check there.`;
    const output = options.json ? JSON.stringify({ ...(pathRecord ? { path: pathRecord } : {}), result: 'Allowed', notAuthorized: true, note }, null, 2) : [...pathLines, ...(pathLines.length > 0 ? [''] : []), note, 'Result: Allowed'].join('\n');
    return { output, warnings, allowed: true };
  }
  const { request, decision, message, endpointPolicyOnly } = decided;
  const allowed = decision.result === 'Allowed';
  if (options.json) {
    const output = JSON.stringify({ ...(pathRecord ? { path: pathRecord } : {}), ...(notes.length > 0 ? { notes } : {}), result: decision.result, ...(endpointPolicyOnly ? { code: VPCE_POLICY_DENY } : {}), blockedBy: decision.blockedBy, deciding: decision.deciding, message, context: contextToRecord(request.context), trace: decision.sets }, null, 2);
    return { output, warnings, allowed };
  }
  const lines = [...pathLines, ...(pathLines.length > 0 ? [''] : []), formatDecision(request, decision, message), ...notes];
  if (endpointPolicyOnly && networkPath.kind === 'endpoint') lines.push(`[${VPCE_POLICY_DENY}] only the endpoint policy of ${networkPath.endpointId} denies this request; CloudTrail records it as a network activity event (VpceAccessDenied)`);
  return { output: lines.join('\n'), warnings, allowed };
}

/**
 * A session of a configured role, named by the role's ARN (a session called `explain`) or by an
 * assumed-role ARN: what a request with its temporary credentials (and no session policy) may do.
 */
function roleSessionFor(loaded: LoadedConfig, arn: string, nowMs: number): Principal | undefined {
  const accountId = loaded.config.accountId;
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  const role = session ? (session[1] === accountId ? loaded.roles.get(session[2]) : undefined) : [...loaded.roles.values()].find((r) => r.arn === arn);
  if (!role) return undefined;
  const claims = { accessKeyId: 'ASIAEXPLAIN', secretAccessKey: '', issuedAtMs: nowMs, expiresAtMs: nowMs + 3600_000, identity: { kind: 'role' as const, roleName: role.name, sessionName: session?.[3] ?? 'explain' } };
  return roleSessionPrincipal(accountId, role, claims, []);
}

/** The service that answers `action` on its public endpoint without an IAM check, and the action's canonical name. */
function exemptionOf(action: string): { service: ServiceDescription; action: string } | undefined {
  const lower = action.toLowerCase();
  for (const service of SERVICE_DESCRIPTIONS) {
    for (const exempt of service.actionsExemptOnPublicPath) if (exempt.toLowerCase() === lower) return { service, action: exempt };
  }
  return undefined;
}
