import { existsSync } from 'node:fs';
import { configuredPrincipals } from '../auth/identities.js';
import { loadConfig } from '../config/load.js';
import { accessDeniedMessage } from '../policy/authorize.js';
import { contextToRecord, type ContextValue } from '../policy/conditionContext.js';
import { evaluateAuthorization } from '../policy/evaluate.js';
import { formatDecision } from '../policy/explain.js';
import { policyWarnings } from '../policy/lint.js';
import { globalConditionContext } from '../policy/requestContext.js';

export interface ExplainOptions {
  config?: string;
  principal: string;
  action: string;
  resource: string;
  /** `key=value`, or `key=["a","b"]` for a multi-valued key. */
  context: string[];
  sourceIp: string;
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

/**
 * `cove explain --principal ARN --action A --resource R`: the IAM policy
 * simulator, offline. The principal's policies come from the configuration;
 * the context is what the server would build for a request on the public
 * endpoint, overridden by each `--context`.
 */
export async function explain(options: ExplainOptions): Promise<{ output: string; warnings: string[]; allowed: boolean }> {
  const configFile = options.config ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  const loaded = loadConfig(configFile);
  const principals = [...configuredPrincipals(loaded).values()];
  const principal = principals.find((p) => p.arn === options.principal || p.userName === options.principal);
  if (!principal) {
    const known = principals.map((p) => p.arn).join(', ') || 'none';
    throw new ExplainInputError(`--principal ${options.principal}: no such user in ${configFile ?? 'the built-in configuration'} (configured: ${known})`);
  }
  const warnings: string[] = [];
  for (const policy of [...principal.identityPolicies, ...(principal.permissionsBoundary ?? [])]) warnings.push(...(await policyWarnings(policy)));
  const context = globalConditionContext({
    principal,
    path: { kind: 'public', sourceIp: options.sourceIp },
    secureTransport: false,
    receivedAtMs: options.nowMs ?? Date.now(),
    userAgent: 'cove-explain',
    requestedRegion: loaded.config.region,
  });
  for (const argument of options.context) {
    const [key, value] = parseContextArgument(argument);
    context.set(key.toLowerCase(), value);
  }
  const request = { action: options.action, resource: options.resource, principal: principal.asRequestPrincipal, context };
  const sets = { identity: principal.identityPolicies, permissionsBoundary: principal.permissionsBoundary };
  const decision = evaluateAuthorization(sets, request, true);
  const denied = decision.result === 'Allowed' ? undefined : accessDeniedMessage(principal.arn, options.action, options.resource, decision);
  const output = options.json
    ? JSON.stringify({ result: decision.result, blockedBy: decision.blockedBy, deciding: decision.deciding, message: denied, context: contextToRecord(context), trace: decision.sets }, null, 2)
    : formatDecision(request, decision, denied);
  return { output, warnings, allowed: decision.result === 'Allowed' };
}
