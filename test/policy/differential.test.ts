import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// AGPL: a devDependency, imported by tests only (never by anything under src/).
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { simulate, SimulationInputError } from '../../src/policy/simulate.js';
import { SeededRandom } from '../support/random.js';

/**
 * Differential test of cove's policy engine against @cloud-copilot/iam-simulate.
 *
 * A seeded generator builds random (policy set, request context) cases: identity
 * policies, permissions boundaries, session policies and VPC endpoint policies
 * over DynamoDB actions, with Action/NotAction, Resource/NotResource, wildcards,
 * policy variables and every condition operator family. Each case is evaluated
 * by cove's `simulate` and by iam-simulate's `runSimulation`. Cases iam-simulate
 * rejects are skipped (and counted). Every disagreement must be explained by an
 * entry of ALLOW_LIST, each of which cites the AWS documentation that shows cove
 * is right; any other disagreement fails the test and is printed, shrunk.
 *
 * An allow-list entry does not match on the shape of a case: it *emulates*
 * iam-simulate's (documented-wrong) behaviour by rewriting the case, re-runs cove
 * on the rewrite, and explains the disagreement only if cove then gives
 * iam-simulate's answer. So an entry covers exactly the cases whose outcome that
 * behaviour decides, and nothing else.
 *
 * iam-simulate accepts only `"Principal": "*"` in an endpoint policy (as AWS
 * requires for the gateway endpoints cove models). Endpoint statements that name
 * principals, or use NotPrincipal, are resolved against the caller by the rules
 * AWS documents (see entryNamesCaller) before iam-simulate sees the case; a
 * disagreement there is reported as "iam-simulate(+documented principal rule)".
 *
 * Findings (which side AWS's documentation supports, per class, with minimal
 * cases) are written up outside the repository; where cove is wrong the test
 * fails until cove is fixed.
 *
 * Knobs: COVE_DIFF_SEED (default below), COVE_DIFF_CASES (cases to compare,
 * default 10 500), COVE_DIFF_VERBOSE=1 (print every unexplained case, shrunk).
 */

// ---------------------------------------------------------------------------
// Types

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type ContextValue = string | string[];
type Result = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

interface NamedPolicy {
  name: string;
  policy: JsonObject;
}

interface Case {
  request: {
    principal: string;
    action: string;
    resource: { resource: string; accountId: string };
    contextVariables: Record<string, ContextValue>;
  };
  identityPolicies: NamedPolicy[];
  serviceControlPolicies: [];
  resourceControlPolicies: [];
  permissionBoundaryPolicies?: NamedPolicy[];
  sessionPolicy?: JsonObject;
  vpcEndpointPolicies?: NamedPolicy[];
}

type CoveOutcome = Result | 'rejected';

const clone = <T>(value: T): T => structuredClone(value);

// ---------------------------------------------------------------------------
// The world the cases live in

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '111122223333';
const T = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table`;

const USERS = ['alice', 'bob', 'carol'];
const ROLE = 'Dev';
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;

const ACTIONS = ['GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem', 'DeleteItem', 'BatchGetItem', 'BatchWriteItem', 'DescribeTable', 'CreateTable'];
const TABLES = ['Orders', 'orders', 'Users', 'alice', 'bob', 'team-blue', 'shared', 'Logs.2024'];
const INDEXES = ['Orders/index/ByDate', 'Users/index/ByEmail', 'alice/index/gsi1', 'bob/index/gsi1'];

/** The dynamodb: condition keys each action has (iam-data's service reference). */
const DYNAMODB_KEYS: Record<string, string[]> = {
  GetItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:Select', 'dynamodb:ReturnConsumedCapacity'],
  PutItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity'],
  Query: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:Select', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity'],
  Scan: ['dynamodb:Attributes', 'dynamodb:Select', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity'],
  UpdateItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity'],
  DeleteItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:ReturnValues', 'dynamodb:ReturnConsumedCapacity'],
  BatchGetItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:Select', 'dynamodb:ReturnConsumedCapacity'],
  BatchWriteItem: ['dynamodb:LeadingKeys', 'dynamodb:Attributes', 'dynamodb:ReturnConsumedCapacity'],
  DescribeTable: [],
  CreateTable: [],
};

type KeyType = 'string' | 'ip' | 'bool' | 'date' | 'numeric' | 'arn' | 'array';

interface KeySpec {
  type: KeyType;
  /** Values a request may carry. */
  values: string[];
}

const KEYS: Record<string, KeySpec> = {
  'aws:SourceIp': { type: 'ip', values: ['203.0.113.7', '203.0.113.200', '198.51.100.1', '10.0.0.5', '2001:db8::1', '2001:db8:1::5'] },
  'aws:SourceVpce': { type: 'string', values: ['vpce-1a2b3c4d', 'vpce-11111111'] },
  'aws:SourceVpc': { type: 'string', values: ['vpc-111', 'vpc-222'] },
  'aws:VpcSourceIp': { type: 'ip', values: ['10.0.0.5', '10.1.2.3', '192.168.1.9'] },
  'aws:SecureTransport': { type: 'bool', values: ['true', 'false'] },
  'aws:CurrentTime': { type: 'date', values: ['2024-06-01T12:00:00Z', '2025-01-01T00:00:00Z', '2023-12-31T23:59:59Z'] },
  'aws:EpochTime': { type: 'date', values: ['1717243200', '1735689600', '1704067199'] },
  'aws:MultiFactorAuthAge': { type: 'numeric', values: ['30', '3600', '86400'] },
  'aws:MultiFactorAuthPresent': { type: 'bool', values: ['true', 'false'] },
  'aws:PrincipalArn': { type: 'arn', values: [] }, // from the principal
  'aws:PrincipalAccount': { type: 'string', values: [ACCOUNT] },
  'aws:PrincipalTag/team': { type: 'string', values: ['blue', 'red', 'Blue'] },
  'aws:username': { type: 'string', values: [] }, // from the principal
  'aws:userid': { type: 'string', values: [] }, // from the principal
  'aws:RequestedRegion': { type: 'string', values: ['us-east-1', 'eu-west-1'] },
  'aws:UserAgent': { type: 'string', values: ['aws-cli/2.15.0', 'Boto3/1.34.0 Python/3.12', 'cove-test'] },
  'dynamodb:LeadingKeys': { type: 'array', values: ['alice', 'bob', 'user#1', 'Alice'] },
  'dynamodb:Attributes': { type: 'array', values: ['pk', 'sk', 'name', 'email', 'secret'] },
  'dynamodb:Select': { type: 'string', values: ['ALL_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT', 'ALL_PROJECTED_ATTRIBUTES'] },
  'dynamodb:ReturnValues': { type: 'string', values: ['NONE', 'ALL_OLD', 'UPDATED_NEW', 'ALL_NEW'] },
  'dynamodb:ReturnConsumedCapacity': { type: 'string', values: ['NONE', 'TOTAL', 'INDEXES'] },
};

const GLOBAL_KEYS = Object.keys(KEYS).filter((k) => k.startsWith('aws:'));

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
const IP_OPS = ['IpAddress', 'NotIpAddress'];
const FAMILIES: Record<string, string[]> = {
  String: STRING_OPS,
  Numeric: NUMERIC_OPS,
  Date: DATE_OPS,
  Bool: ['Bool'],
  Binary: ['BinaryEquals'],
  Ip: IP_OPS,
  Arn: ARN_OPS,
};
const FAMILY_OF_TYPE: Record<KeyType, string> = { string: 'String', ip: 'Ip', bool: 'Bool', date: 'Date', numeric: 'Numeric', arn: 'Arn', array: 'String' };

const ACTION_PATTERNS = [
  'dynamodb:*', '*', 'dynamodb:Get*', 'dynamodb:*Item', 'dynamodb:?etItem', 'dynamodb:Batch*', 'dynamodb:Describe*',
  'dynamodb:*Table', 'dynamodb:Put*', 'dynamodb:Qu?ry', 'dynamodb:Sc*', 'dynamodb:Delete*', 'dynamodb:Update*', 's3:GetObject', 's3:*',
];

/** The request action written the way policies write it: exact, mixed case, or with wildcards. */
function actionSpelling(rng: SeededRandom, action: string): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `dynamodb:${action.toLowerCase()}`;
    case 1:
      return `DynamoDB:${action}`;
    case 2:
      return `dynamodb:${action.slice(0, 3)}*`;
    case 3:
      return `dynamodb:${action.toUpperCase()}`;
    default:
      return `dynamodb:${action}`;
  }
}

const RESOURCE_PATTERNS_2012 = [
  `${T}/\${aws:username}`,
  `${T}/\${aws:username}*`,
  `${T}/\${aws:username}/index/*`,
  `${T}/\${aws:username, 'shared'}`,
  `${T}/team-\${aws:PrincipalTag/team}`,
  `${T}/team-\${aws:PrincipalTag/team, 'blue'}*`,
  `${T}/\${*}`,
  `${T}/Orders\${*}`,
  `${T}/\${aws:userid}`,
];
const RESOURCE_PATTERNS = [
  '*',
  `${T}/Orders`,
  `${T}/orders`,
  `${T}/Orders*`,
  `${T}/Orders/index/*`,
  `${T}/*`,
  `${T}/O?ders`,
  `${T}/*/index/*`,
  `${T}/Users`,
  `${T}/alice`,
  `${T}/shared`,
  `${T}/Logs.2024`,
  'arn:aws:dynamodb:*:*:table/*',
  `arn:aws:dynamodb:us-east-1:*:table/Users*`,
  `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/*`,
  `arn:aws:dynamodb:us-east-1:${OTHER_ACCOUNT}:table/*`,
  `arn:aws:dynamodb:*:${ACCOUNT}:*`,
  'arn:aws:*:*:*:*',
  'arn:aws:s3:::bucket/*',
];

const NUMERIC_VALUES = ['30', '3600', '86400', '0', '3600.0', '100.5', '-1', '1717243200'];
const DATE_VALUES = ['2024-01-01T00:00:00Z', '2024-06-01T12:00:00Z', '2025-01-01T00:00:00Z', '2025-01-01', '2024-06-01T12:00:00.000Z', '1717243200', '1704067200', '1735689600'];
const IP_VALUES = ['203.0.113.0/24', '198.51.100.0/24', '10.0.0.0/8', '10.0.0.5', '192.168.0.0/16', '2001:db8::/32', '2001:db8::1', '0.0.0.0/0', '203.0.113.7/32'];
const ARN_VALUES = [
  userArn('alice'),
  `arn:aws:iam::${ACCOUNT}:user/*`,
  'arn:aws:iam::*:user/a*',
  roleArn,
  `arn:aws:iam::${ACCOUNT}:role/*`,
  `arn:aws:iam::${ACCOUNT}:*`,
  `arn:aws:iam::${OTHER_ACCOUNT}:user/alice`,
  'arn:aws:iam::123456789012:user/??b',
  `arn:aws:*:*:${ACCOUNT}:*`,
];
const ARN_VALUES_2012 = [`arn:aws:iam::${ACCOUNT}:user/\${aws:username}`, `arn:aws:iam::\${aws:PrincipalAccount}:user/*`];
const STRING_VARIABLES = [
  '${aws:username}',
  '${aws:PrincipalTag/team}',
  "${aws:username, 'alice'}",
  "${aws:PrincipalTag/team, 'red'}",
  'vpce-${aws:SourceVpc}',
  '${aws:userid}',
  '${dynamodb:LeadingKeys}', // multi-valued: never a value
  '${aws:username}-${aws:PrincipalTag/team}',
];

// ---------------------------------------------------------------------------
// Case generator

interface Who {
  principal: string;
  isRole: boolean;
  name: string;
  arnForContext: string;
}

function contextFor(rng: SeededRandom, who: Who, action: string): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const key of GLOBAL_KEYS) {
    if (!rng.chance(0.55)) continue;
    switch (key) {
      case 'aws:PrincipalArn':
        context[key] = who.arnForContext;
        break;
      case 'aws:username':
        if (!who.isRole) context[key] = rng.chance(0.9) ? who.name : 'Alice';
        break;
      case 'aws:userid':
        context[key] = who.isRole ? `AROAEXAMPLEID:${who.name}-session` : `AIDAEXAMPLE${who.name.toUpperCase()}`;
        break;
      default:
        context[key] = rng.pick(KEYS[key].values);
    }
  }
  for (const key of DYNAMODB_KEYS[action]) {
    if (!rng.chance(0.65)) continue;
    const spec = KEYS[key];
    context[key] = spec.type === 'array' ? rng.some(spec.values, rng.chance(0.1) ? 0 : 1, 3) : rng.pick(spec.values);
  }
  // Key names are case-insensitive; spell a few differently.
  if (rng.chance(0.1)) {
    const names = Object.keys(context);
    if (names.length > 0) {
      const name = rng.pick(names);
      const value = context[name];
      delete context[name];
      context[name.toLowerCase()] = value;
    }
  }
  return context;
}

interface GenState {
  rng: SeededRandom;
  who: Who;
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
}

function conditionValues(g: GenState, family: string, key: string, variables: boolean): Json[] {
  const { rng } = g;
  const spec = KEYS[key];
  const current = g.context[key] ?? g.context[key.toLowerCase()];
  const fromContext = current === undefined ? [] : Array.isArray(current) ? current : [current];
  const n = rng.chance(0.6) ? 1 : rng.int(2, 3);
  const out: Json[] = [];
  for (let i = 0; i < n; i++) {
    let value: Json;
    switch (family) {
      case 'String':
      case 'Binary': {
        const base = rng.chance(0.5) && fromContext.length > 0 ? rng.pick(fromContext) : spec.values.length > 0 ? rng.pick(spec.values) : rng.pick([g.who.name, g.who.arnForContext, 'Alice', 'nobody']);
        const roll = rng.next();
        if (family === 'String' && variables && roll < 0.15) value = rng.pick(STRING_VARIABLES);
        else if (family === 'String' && roll < 0.3) value = mangle(rng, base);
        else if (roll < 0.4) value = base.toUpperCase();
        else value = base;
        break;
      }
      case 'Numeric':
        value = rng.pick(NUMERIC_VALUES);
        if (rng.chance(0.25)) value = Number(value); // JSON numbers are condition values too
        break;
      case 'Date':
        value = rng.pick(DATE_VALUES);
        break;
      case 'Bool':
        value = rng.pick<Json>(['true', 'false', true, false, 'TRUE']);
        break;
      case 'Ip':
        value = rng.pick(IP_VALUES);
        break;
      case 'Arn':
        value = variables && rng.chance(0.15) ? rng.pick(ARN_VALUES_2012) : rng.chance(0.3) ? g.who.arnForContext : rng.pick(ARN_VALUES);
        break;
      default:
        throw new Error(family);
    }
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** A wildcard pattern over a string: `ali*`, `?ob`, `*`, `*e*`. */
function mangle(rng: SeededRandom, text: string): string {
  if (text.length === 0) return '*';
  switch (rng.int(0, 4)) {
    case 0:
      return `${text.slice(0, Math.max(1, text.length >> 1))}*`;
    case 1:
      return `?${text.slice(1)}`;
    case 2:
      return '*';
    case 3:
      return `*${text.slice(-1)}*`;
    default:
      return `${text.slice(0, -1)}?`;
  }
}

/** Sample request values of a key, to tell which operator families can parse them. */
function sampleValues(key: string): string[] {
  if (key === 'aws:PrincipalArn') return [userArn('alice'), roleArn];
  if (key === 'aws:username') return USERS;
  if (key === 'aws:userid') return ['AIDAEXAMPLEALICE', 'AROAEXAMPLEID:alice-session'];
  return KEYS[key].values;
}

const PARSES: Record<string, (value: string) => boolean> = {
  String: () => true,
  Binary: () => true,
  Numeric: (v) => /^-?\d+(\.\d+)?$/.test(v),
  Date: (v) => /^\d+$/.test(v) || /^\d{4}-\d\d-\d\dT/.test(v),
  Bool: (v) => v === 'true' || v === 'false',
  Ip: (v) => /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || /^[0-9a-f:]+$/i.test(v) && v.includes(':'),
  Arn: (v) => v.startsWith('arn:'),
};

/**
 * Whether every value the request can carry for `key` is one the family's
 * operators can read. Negated operators are generated only for such pairs: on a
 * value the operator cannot parse (NumericNotEquals on "true"), AWS documents no
 * result, and the two engines differ (cove: the negation holds; iam-simulate:
 * it does not).
 */
function parses(family: string, key: string): boolean {
  return sampleValues(key).every(PARSES[family]);
}

function isNegated(operator: string): boolean {
  const base = operator.replace(/^For(All|Any)Values?:/, '').replace(/IfExists$/, '');
  return /Not/.test(base);
}

function conditionBlock(g: GenState, variables: boolean): JsonObject {
  const { rng } = g;
  const condition: JsonObject = {};
  const operators = rng.int(1, 2);
  for (let o = 0; o < operators; o++) {
    // Bias towards keys the request has (and towards the dynamodb: ones it can have).
    const present = Object.keys(g.context);
    const first = rng.chance(0.5) && present.length > 0 ? canonicalKey(rng.pick(present)) : rng.pick(Object.keys(KEYS));
    let operator: string;
    let family: string;
    if (rng.chance(0.08)) {
      operator = 'Null';
      family = 'Null';
    } else {
      family = FAMILY_OF_TYPE[KEYS[first].type];
      // Now and then a family the key's values are not written for: only its
      // positive operators, and never Numeric, whose parsing of such values AWS
      // does not document (iam-simulate reads "2023-12-31T23:59:59Z" as 2023).
      const other = rng.pick(Object.keys(FAMILIES));
      if (rng.chance(0.15) && (other !== 'Numeric' || parses(other, first))) family = other;
      const candidates = FAMILIES[family].filter((op) => parses(family, first) || !isNegated(op));
      operator = rng.pick(candidates);
      const multi = KEYS[first].type === 'array';
      const roll = rng.next();
      const setChance = multi ? 0.8 : 0.16;
      if (roll < setChance / 2) operator = `ForAllValues:${operator}`;
      else if (roll < setChance) operator = `ForAnyValue:${operator}`;
      if (rng.chance(0.2)) operator = `${operator}IfExists`;
    }
    if (condition[operator] !== undefined) continue;
    const keys = [first];
    if (rng.chance(0.25)) {
      const others = Object.keys(KEYS).filter((k) => k !== first && (family === 'Null' || ((!isNegated(operator) && family !== 'Numeric') || parses(family, k))));
      if (others.length > 0) keys.push(rng.pick(others));
    }
    const block: JsonObject = {};
    for (const key of keys) {
      const values = family === 'Null' ? [rng.pick<Json>(['true', 'false', true, false])] : conditionValues(g, family, key, variables);
      const spelled = rng.chance(0.05) ? key.toLowerCase() : key;
      block[spelled] = values.length === 1 && rng.chance(0.6) ? values[0] : values;
    }
    condition[operator] = block;
  }
  return condition;
}

function canonicalKey(name: string): string {
  return Object.keys(KEYS).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
}

type Kind = 'identity' | 'boundary' | 'session' | 'vpce';

/**
 * The Principal (or, with Deny, NotPrincipal) of an endpoint statement: mostly
 * "*", as AWS requires for gateway endpoints; otherwise an account, the caller,
 * another user, or NotPrincipal lists in the shapes AWS's NotPrincipal page
 * recommends (the principal's ARN with its account's; for a role session, the
 * session's, the role's and the account's) and some it warns about.
 */
function endpointPrincipal(g: GenState, negated: boolean): Json {
  const { rng, who } = g;
  const root = `arn:aws:iam::${ACCOUNT}:root`;
  const other = userArn(rng.pick(USERS.filter((u) => u !== who.name)));
  const callerArns = who.isRole ? [who.principal, roleArn] : [who.principal];
  if (!negated && rng.chance(0.65)) return '*';
  return rng.pick<Json>([
    ...(negated ? [] : [{ AWS: '*' }]),
    { AWS: ACCOUNT },
    { AWS: root },
    { AWS: who.principal },
    { AWS: who.isRole ? roleArn : who.principal },
    { AWS: other },
    { AWS: [other, ...callerArns] },
    { AWS: [...callerArns, root] },
    { AWS: [other, root] },
  ]);
}

function statement(g: GenState, kind: Kind, variables: boolean): JsonObject {
  const { rng } = g;
  const allowBias = kind === 'identity' ? 0.7 : 0.8;
  const effect = rng.chance(allowBias) ? 'Allow' : 'Deny';
  const s: JsonObject = {};
  if (rng.chance(0.1)) s.Sid = `S${rng.int(0, 1_000_000)}`;
  s.Effect = effect;
  if (kind === 'vpce') {
    if (effect === 'Deny' && rng.chance(0.4)) s.NotPrincipal = endpointPrincipal(g, true);
    else s.Principal = endpointPrincipal(g, false);
  }
  // Action / NotAction
  const actions: string[] = [];
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) actions.push(rng.chance(0.45) ? actionSpelling(rng, rng.chance(0.7) ? g.action : rng.pick(ACTIONS)) : rng.pick(ACTION_PATTERNS));
  const uniqueActions = [...new Set(actions)];
  const actionValue: Json = uniqueActions.length === 1 && rng.chance(0.5) ? uniqueActions[0] : uniqueActions;
  if (rng.chance(0.18)) s.NotAction = actionValue;
  else s.Action = actionValue;
  // Resource / NotResource
  const resources: string[] = [];
  const rcount = rng.chance(0.7) ? 1 : 2;
  for (let i = 0; i < rcount; i++) {
    const roll = rng.next();
    if (roll < 0.25) resources.push(g.resource);
    else if (roll < 0.45) resources.push(rng.pick(RESOURCE_PATTERNS_2012));
    else resources.push(rng.pick(RESOURCE_PATTERNS));
  }
  const uniqueResources = [...new Set(resources)];
  const resourceValue: Json = uniqueResources.length === 1 && rng.chance(0.5) ? uniqueResources[0] : uniqueResources;
  if (rng.chance(0.15)) s.NotResource = resourceValue;
  else s.Resource = resourceValue;
  if (rng.chance(kind === 'identity' ? 0.6 : 0.45)) s.Condition = conditionBlock(g, variables);
  return s;
}

function policy(g: GenState, kind: Kind): JsonObject {
  const { rng } = g;
  const roll = rng.next();
  const version = roll < 0.72 ? '2012-10-17' : roll < 0.92 ? '2008-10-17' : undefined;
  // Variables are generated in any version: under 2008-10-17 they are text.
  const variables = version === '2012-10-17' || rng.chance(0.5);
  const statements: JsonObject[] = [];
  const n = kind === 'identity' ? rng.int(1, 3) : rng.int(1, 2);
  const sids = new Set<string>();
  for (let i = 0; i < n; i++) {
    const s = statement(g, kind, variables);
    if (typeof s.Sid === 'string') {
      if (sids.has(s.Sid)) delete s.Sid;
      else sids.add(s.Sid);
    }
    statements.push(s);
  }
  const doc: JsonObject = {};
  if (version) doc.Version = version;
  doc.Statement = statements.length === 1 && rng.chance(0.3) ? statements[0] : statements;
  return doc;
}

function generateCase(rng: SeededRandom): Case {
  const isRole = rng.chance(0.25);
  const name = rng.pick(USERS);
  const who: Who = isRole
    ? { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/${name}-session`, isRole, name, arnForContext: roleArn }
    : { principal: userArn(name), isRole, name, arnForContext: userArn(name) };
  const action = rng.pick(ACTIONS);
  let resource: string;
  if ((action === 'Query' || action === 'Scan') && rng.chance(0.4)) resource = `${T}/${rng.pick(INDEXES)}`;
  else resource = `${T}/${rng.pick(TABLES)}`;
  const context = contextFor(rng, who, action);
  const g: GenState = { rng, who, action, resource, context };

  const c: Case = {
    request: { principal: who.principal, action: `dynamodb:${action}`, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  const identityCount = rng.chance(0.05) ? 0 : rng.int(1, 2);
  for (let i = 0; i < identityCount; i++) c.identityPolicies.push({ name: `identity${i}`, policy: policy(g, 'identity') });
  if (rng.chance(0.25)) c.permissionBoundaryPolicies = [{ name: 'boundary', policy: policy(g, 'boundary') }];
  if (isRole && rng.chance(0.6)) c.sessionPolicy = policy(g, 'session');
  if (rng.chance(0.3)) c.vpcEndpointPolicies = [{ name: 'endpoint', policy: policy(g, 'vpce') }];
  return c;
}

// ---------------------------------------------------------------------------
// Endpoint principals: what AWS documents, for the cases iam-simulate cannot take


interface Caller {
  arn: string;
  /** For a role session, the role's ARN. */
  roleArn?: string;
}

function callerOf(c: Case): Caller {
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(c.request.principal);
  return session ? { arn: c.request.principal, roleArn: `arn:aws:iam::${session[1]}:role/${session[2]}` } : { arn: c.request.principal };
}

/**
 * Whether one Principal / NotPrincipal entry of a (gateway) endpoint policy
 * names the caller, as AWS documents it:
 * - an account ID or `:root` ARN names the account's root user only, "not all
 *   users and roles for the account" (PrivateLink guide, principals for gateway
 *   endpoints);
 * - in NotPrincipal, a role session is exempted only when the session itself is
 *   named: "Principals must always name a specific session" (NotPrincipal page);
 * - an IAM user or role ARN is read as the equivalent aws:PrincipalArn condition
 *   the PrivateLink guide recommends (for a role, its sessions match, as
 *   aws:PrincipalArn of a session is the role's ARN).
 */
function entryNamesCaller(entry: string, caller: Caller, negated: boolean): { names: boolean; rule?: string } {
  if (entry === '*') return { names: true };
  if (/^\d{12}$/.test(entry) || entry.endsWith(':root')) return { names: false, rule: 'endpoint-account-principal-is-root-only' };
  if (entry === caller.arn) return { names: true };
  if (caller.roleArn !== undefined && entry === caller.roleArn) return negated ? { names: false, rule: 'notprincipal-must-name-the-session' } : { names: true };
  return { names: false };
}

const NEVER_MATCHES: JsonObject = { Effect: 'Deny', Principal: '*', Action: 'dynamodb:DescribeEndpoints', Resource: '*' };

/**
 * The case as iam-simulate gets it. iam-simulate accepts only `"Principal": "*"`
 * in an endpoint policy (as AWS requires for gateway endpoints: "With gateway
 * endpoints, the Principal element must be set to *"), so a statement naming
 * principals is resolved here against the caller, by the documented rules
 * above: kept with Principal "*" when it applies to the caller, dropped when it
 * does not. `rules` lists the documented rules that decided something.
 */
function forSimulator(c: Case): { sim: Case; rules: string[] } {
  const rules = new Set<string>();
  if (!c.vpcEndpointPolicies) return { sim: c, rules: [] };
  const sim = clone(c);
  const caller = callerOf(c);
  for (const p of sim.vpcEndpointPolicies!) {
    const kept: JsonObject[] = [];
    for (const st of statementsOf(p.policy)) {
      const negated = st.NotPrincipal !== undefined;
      const element = (negated ? st.NotPrincipal : st.Principal) as Json;
      if (element === '*') {
        kept.push(st);
        continue;
      }
      const entries = asList((element as JsonObject).AWS).map(String);
      const verdicts = entries.map((e) => entryNamesCaller(e, caller, negated));
      const named = verdicts.some((v) => v.names);
      // A rule decided the statement when no entry names the caller but one
      // would under a looser reading (an account taken as all its principals, a
      // role ARN taken as its sessions).
      if (!named) for (const v of verdicts) if (v.rule) rules.add(v.rule);
      rules.add('endpoint-principal-resolved');
      if (named === negated) continue; // Principal not naming the caller, or NotPrincipal exempting it
      const copy = { ...st };
      delete copy.NotPrincipal;
      copy.Principal = '*';
      kept.push(copy);
    }
    p.policy = { ...p.policy, Statement: kept.length > 0 ? kept : [NEVER_MATCHES] };
  }
  return { sim, rules: [...rules] };
}

// ---------------------------------------------------------------------------
// Running both engines

function runCove(c: Case): CoveOutcome {
  try {
    return simulate(c).result;
  } catch (error) {
    if (error instanceof SimulationInputError) return 'rejected';
    throw error;
  }
}

interface SimRun {
  result: Result | 'error';
  errors?: unknown;
  ignoredContextKeys: string[];
}

async function runSim(c: Case): Promise<SimRun> {
  const outcome = await runSimulation(c as unknown as Simulation, {});
  if (outcome.resultType === 'error') return { result: 'error', errors: outcome.errors, ignoredContextKeys: [] };
  if (outcome.resultType !== 'single') throw new Error(`unexpected iam-simulate result type ${outcome.resultType}`);
  return { result: outcome.overallResult as Result, ignoredContextKeys: outcome.result.ignoredContextKeys ?? [] };
}

/**
 * The case as cove should see it: iam-simulate drops context keys the action
 * does not have (the generator avoids them; this keeps the two in step anyway).
 */
function forCove(c: Case, ignored: readonly string[]): Case {
  const copy = clone(c) as Partial<Case> & Pick<Case, 'request'>;
  // iam-simulate requires these (empty here); cove's case schema has no organization policies.
  delete copy.serviceControlPolicies;
  delete copy.resourceControlPolicies;
  for (const key of ignored) delete copy.request.contextVariables[key];
  return copy as Case;
}

/** iam-simulate's validation errors, reduced to their messages. */
function skipReason(errors: unknown): string {
  const messages = new Set<string>();
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.message === 'string' && record.message !== 'policy.errors') messages.add(record.message);
      for (const [k, v] of Object.entries(record)) if (k !== 'message') walk(v);
    }
  };
  walk(errors);
  return messages.size > 0 ? [...messages].sort().join(' | ') : JSON.stringify(errors);
}

interface Evaluation {
  /** iam-simulate rejected the case. */
  skipped?: string;
  sim?: Result;
  cove?: CoveOutcome;
  coveCase?: Case;
  rules: string[];
}

const BOTH_REJECT = 'both reject an endpoint policy naming principals';

async function evaluateCase(c: Case): Promise<Evaluation> {
  const { sim: simCase, rules } = forSimulator(c);
  const sim = await runSim(simCase);
  if (sim.result === 'error') return { skipped: skipReason(sim.errors), rules };
  const coveCase = forCove(c, sim.ignoredContextKeys);
  const cove = runCove(coveCase);
  // iam-simulate rejects endpoint policies that name principals; should cove
  // come to reject them too, the two agree and the case is skipped.
  if (cove === 'rejected' && rules.includes('endpoint-principal-resolved')) return { skipped: BOTH_REJECT, rules };
  return { sim: sim.result, cove, coveCase, rules };
}

// ---------------------------------------------------------------------------
// Policy walking, for the allow-list's rewrites and for shrinking

interface PolicyRef {
  kind: Kind;
  doc: JsonObject;
  set(doc: JsonObject): void;
}

function policiesOf(c: Case): PolicyRef[] {
  const refs: PolicyRef[] = [];
  c.identityPolicies.forEach((p) => refs.push({ kind: 'identity', doc: p.policy, set: (d) => (p.policy = d) }));
  c.permissionBoundaryPolicies?.forEach((p) => refs.push({ kind: 'boundary', doc: p.policy, set: (d) => (p.policy = d) }));
  if (c.sessionPolicy) refs.push({ kind: 'session', doc: c.sessionPolicy, set: (d) => (c.sessionPolicy = d) });
  c.vpcEndpointPolicies?.forEach((p) => refs.push({ kind: 'vpce', doc: p.policy, set: (d) => (p.policy = d) }));
  return refs;
}

function statementsOf(doc: JsonObject): JsonObject[] {
  const s = doc.Statement;
  return (Array.isArray(s) ? s : [s]) as JsonObject[];
}

const asList = (value: Json | undefined): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

interface ConditionRef {
  policy: JsonObject;
  statement: JsonObject;
  operator: string;
  key: string;
  values: Json[];
}

function conditionsOf(statement: JsonObject, policy: JsonObject = {}): ConditionRef[] {
  const out: ConditionRef[] = [];
  const condition = statement.Condition as JsonObject | undefined;
  if (!condition) return out;
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(block as JsonObject)) out.push({ policy, statement, operator, key, values: asList(values) });
  }
  return out;
}

function allConditions(c: Case): ConditionRef[] {
  return policiesOf(c).flatMap((ref) => statementsOf(ref.doc).flatMap((st) => conditionsOf(st, ref.doc)));
}

/** Moves one key of a condition to another operator (merging); false if the target already has the key. */
function moveCondition(cond: ConditionRef, operator: string, key: string, values: Json[]): boolean {
  const condition = cond.statement.Condition as JsonObject;
  const target = (condition[operator] as JsonObject | undefined) ?? {};
  if (operator !== cond.operator && Object.keys(target).some((k) => k.toLowerCase() === key.toLowerCase())) return false;
  const source = condition[cond.operator] as JsonObject;
  delete source[cond.key];
  if (Object.keys(source).length === 0) delete condition[cond.operator];
  target[key] = values;
  condition[operator] = target;
  return true;
}

function baseOperator(operator: string): string {
  return operator.replace(/^For(All|Any)Values?:/, '').replace(/IfExists$/, '');
}

function contextValue(c: Case, key: string): ContextValue | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(c.request.contextVariables)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * Whether iam-simulate can substitute every `${...}` in a policy value: it
 * cannot when the key is absent (or empty, or multi-valued) and no default is
 * given, whatever the policy's Version.
 */
function unresolvableForSimulator(c: Case, value: string): boolean {
  for (const match of value.matchAll(/\$\{(.*?)\}/g)) {
    const body = match[1];
    if (body === '*' || body === '?' || body === '$') continue;
    const parts = body.split(', ');
    const fallback = parts.length === 2 && parts[1].startsWith("'") && parts[1].endsWith("'") ? parts[1].slice(1, -1) : '';
    const current = contextValue(c, parts[0].trim());
    if (typeof current === 'string' && current !== '') continue;
    if (fallback !== '') continue;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The allow-list: disagreements where AWS's documentation shows cove is right.

interface AllowListEntry {
  id: string;
  /** What iam-simulate does, and why AWS says otherwise. */
  summary: string;
  docs: { url: string; quote: string }[];
  /**
   * Rewrites the case so that cove, run on the rewrite, behaves as iam-simulate
   * does in this respect; undefined when the rewrite changes nothing.
   */
  emulate(c: Case): Case | undefined;
}

const OPS_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html';
const VARS_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html';

const ALLOW_LIST: AllowListEntry[] = [
  {
    id: 'variables-need-2012-10-17',
    summary:
      'iam-simulate substitutes policy variables whatever the policy Version; under "2008-10-17" (or no Version, which defaults to it) ' +
      'AWS treats ${...} as literal text.',
    docs: [
      {
        url: VARS_URL,
        quote:
          'Variables were introduced in version 2012-10-17. Earlier versions of the policy language don\'t support policy variables. ' +
          'If you don\'t include the Version element and set it to an appropriate version date, variables like ${aws:username} are treated as literal strings in the policy.',
      },
      {
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
        quote: 'If you do not include a Version element, the value defaults to 2008-10-17.',
      },
    ],
    emulate(c) {
      let changed = false;
      const copy = clone(c);
      for (const ref of policiesOf(copy)) {
        if (ref.doc.Version !== '2012-10-17' && JSON.stringify(ref.doc).includes('${')) {
          ref.set({ ...ref.doc, Version: '2012-10-17' });
          changed = true;
        }
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'date-epoch-is-seconds',
    summary:
      'iam-simulate parses an all-digit date value as a plain number but an ISO 8601 date as milliseconds (Date.parse), so it compares ' +
      'epoch seconds with milliseconds when one side is epoch and the other ISO (aws:EpochTime against "2024-01-01T00:00:00Z", or ' +
      'aws:CurrentTime against "1717243200"). Epoch time is seconds.',
    docs: [
      {
        url: OPS_URL,
        quote: 'You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time.',
      },
      {
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-epochtime',
        quote:
          'aws:EpochTime — Works with date operators or numeric operators. Use this key to compare the date and time of the request in epoch or Unix time ' +
          'with the value that you specify in the policy. This key also accepts the number of seconds since January 1, 1970.',
      },
    ],
    emulate(c) {
      // Read every all-digit date value as milliseconds, as iam-simulate does. The
      // key is renamed per condition (a shadow key carries the rewritten request
      // value) so that other operators on the same key are not disturbed.
      const copy = clone(c);
      const isEpoch = (v: string) => String(parseInt(v, 10)) === v;
      const asMs = (v: string) => (isEpoch(v) ? new Date(Number(v)).toISOString() : v);
      let n = 0;
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (baseOperator(cond.operator).startsWith('Date') === false) continue;
        const values = cond.values.map(String);
        const current = contextValue(copy, cond.key);
        const currentList = current === undefined ? [] : Array.isArray(current) ? current : [current];
        if (!values.some(isEpoch) && !currentList.some(isEpoch)) continue;
        const shadow = `shadow:date${n++}`;
        if (!moveCondition(cond, cond.operator, shadow, values.map(asMs))) continue;
        if (current !== undefined) copy.request.contextVariables[shadow] = Array.isArray(current) ? current.map(asMs) : asMs(current);
        changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'ipv4-slash-0',
    summary:
      'iam-simulate computes an IPv4 mask as -1 << (32 - prefix), and in JavaScript -1 << 32 is -1: a /0 block such as 0.0.0.0/0 ' +
      'then matches only its own network address instead of every IPv4 address.',
    docs: [
      {
        url: OPS_URL,
        quote: 'IP address condition operators let you construct Condition elements that restrict access based on comparing a key to an IPv4 or IPv6 address or range of IP addresses. ... The value must be in the standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64).',
      },
      {
        url: 'https://www.rfc-editor.org/rfc/rfc4632#section-3.1',
        quote: 'CIDR notation: the prefix length is the number of leading bits that are significant; a prefix of length 0 (0.0.0.0/0, the default route) therefore covers every IPv4 address.',
      },
    ],
    emulate(c) {
      const copy = clone(c);
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (!/IpAddress$/.test(baseOperator(cond.operator))) continue;
        const values = cond.values.map(String);
        if (!values.some((v) => /^(\d+\.){3}\d+\/0$/.test(v))) continue;
        moveCondition(cond, cond.operator, cond.key, values.map((v) => v.replace(/^((\d+\.){3}\d+)\/0$/, '$1/32')));
        changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'bare-ip-address-is-a-block',
    summary:
      'For a policy IP written without a prefix, iam-simulate compares strings and requires the request address to be of the same family, ' +
      'so NotIpAddress {"aws:SourceIp": "2001:db8::1"} does not hold for an IPv4 source (nor a bare IPv4 value for an IPv6 source), ' +
      'although that address is outside the one-address block. (For a value written as a CIDR block, iam-simulate itself treats an address ' +
      'of the other family as outside it.)',
    docs: [
      {
        url: OPS_URL,
        quote: 'If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32.',
      },
    ],
    emulate(c) {
      // NotIpAddress then fails for any request address of the other family:
      // add that whole family (as two halves, so no /0) to the policy's values.
      const copy = clone(c);
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (baseOperator(cond.operator) !== 'NotIpAddress') continue;
        const values = cond.values.map(String);
        const extra: string[] = [];
        if (values.some((v) => !v.includes('/') && v.includes(':'))) extra.push('0.0.0.0/1', '128.0.0.0/1');
        if (values.some((v) => !v.includes('/') && /^(\d+\.){3}\d+$/.test(v))) extra.push('::/1', '8000::/1');
        if (extra.length === 0) continue;
        moveCondition(cond, cond.operator, cond.key, [...values, ...extra]);
        changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'arn-condition-variable-before-the-resource',
    summary:
      'iam-simulate splits an ARN condition value at every colon before substituting variables, so a variable in the partition, service, ' +
      'region or account field (arn:aws:iam::${aws:PrincipalAccount}:user/*) is cut at the colon in its own name and the value never matches. ' +
      'AWS substitutes variables in ARN operator values and compares the six fields of the result.',
    docs: [
      {
        url: `${VARS_URL}#policy-vars-conditionelement`,
        quote: 'You can use a policy variable for Condition values in any condition that involves the string operators or the ARN operators.',
      },
      {
        url: `${OPS_URL}#Conditions_ARN`,
        quote: 'Case-sensitive matching of the ARN. Each of the six colon-delimited components of the ARN is checked separately and each can include multi-character match wildcards (*) or single-character match wildcards (?).',
      },
      {
        url: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonTimestreamInfluxDBServiceRolePolicy.html',
        quote: 'AWS\'s own managed policy writes the account field as a variable: "Resource" : "arn:*:kms:*:${aws:PrincipalAccount}:key/*"',
      },
    ],
    emulate(c) {
      // Such a value never matches in iam-simulate: replace it by one that never does.
      const copy = clone(c);
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (cond.policy.Version !== '2012-10-17' || !baseOperator(cond.operator).startsWith('Arn')) continue;
        const values = cond.values.map(String);
        const garbled = (v: string) => v.split(':').slice(0, 5).some((part) => part.includes('${'));
        if (!values.some(garbled)) continue;
        moveCondition(cond, cond.operator, cond.key, values.map((v) => (garbled(v) ? 'arn:none:none:none:none:none' : v)));
        changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'foranyvalue-ifexists-on-a-missing-key',
    summary:
      'iam-simulate ignores IfExists after ForAnyValue: ForAnyValue:StringEqualsIfExists on a key the request does not have is false. ' +
      'AWS: IfExists may be added to any operator but Null and makes a missing key true; ForAnyValue alone is already false on a missing key, ' +
      'so the suffix has a meaning only as AWS states it.',
    docs: [
      {
        url: `${OPS_URL}#Conditions_IfExists`,
        quote:
          'You can add IfExists to the end of any condition operator name except the Null condition—for example, StringLikeIfExists. ' +
          'You do this to say "If the condition key is present in the context of the request, process the key as specified in the policy. ' +
          'If the key is not present, evaluate the condition element as true."',
      },
    ],
    emulate(c) {
      const copy = clone(c);
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (!cond.operator.startsWith('ForAnyValue:') || !cond.operator.endsWith('IfExists')) continue;
        if (contextValue(copy, cond.key) !== undefined) continue;
        if (moveCondition(cond, cond.operator.slice(0, -'IfExists'.length), cond.key, cond.values)) changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'negated-operator-with-a-null-variable',
    summary:
      'When a policy value of StringNotEquals/StringNotLike/ArnNotEquals/ArnNotLike (any qualifier) contains a variable with no value, ' +
      'iam-simulate makes that value fail the negation, so the whole negated condition is false whenever the key is present. AWS: the ' +
      'variable is effectively null, and a negated operator matches against it.',
    docs: [
      {
        url: `${VARS_URL}#policy-vars-no-value`,
        quote:
          'Inverted condition operators like StringNotEquals or StringNotLike do match against a null value, as the value of the condition key ' +
          'they are testing against is not equal to or like the effectively null value. In the following example, aws:principaltag/Team must be ' +
          'equal to s3:ExistingObjectTag/Team to allow access. Access is explicitly denied when aws:principaltag/Team is not set.',
      },
    ],
    emulate(c) {
      // iam-simulate's result equals that of the same qualifier on StringNotLike "*":
      // false for every present value, and the usual missing-key outcome.
      const copy = clone(c);
      let changed = false;
      for (const cond of allConditions(copy)) {
        if (cond.policy.Version !== '2012-10-17') continue;
        const base = baseOperator(cond.operator);
        if (!['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike'].includes(base)) continue;
        if (!cond.values.some((v) => unresolvableForSimulator(copy, String(v)))) continue;
        const target = cond.operator.replace(base, base.startsWith('Arn') ? 'ArnNotLike' : 'StringNotLike');
        if (moveCondition(cond, target, cond.key, ['*'])) changed = true;
      }
      return changed ? copy : undefined;
    },
  },
  {
    id: 'notresource-with-a-null-variable',
    summary:
      'When a NotResource entry contains a variable with no value (and its service, region, account and resource type match the request), ' +
      'iam-simulate makes the whole NotResource fail, so the statement does not apply. AWS: that entry matches no resource — so it excludes ' +
      'nothing, and the statement applies to every resource the other entries do not exclude.',
    docs: [
      {
        url: `${VARS_URL}#policy-vars-no-value`,
        quote:
          'If a variable that has no value in the authorization context is used as part of the Resource or NotResource element of a policy, ' +
          'the resource that includes a policy variable with no value will not match any resource.',
      },
    ],
    emulate(c) {
      // Replace such an entry by "<its ARN up to the resource type>*": then, as in
      // iam-simulate, NotResource fails exactly when that prefix matches.
      const copy = clone(c);
      let changed = false;
      for (const ref of policiesOf(copy)) {
        if (ref.doc.Version !== '2012-10-17') continue;
        for (const st of statementsOf(ref.doc)) {
          if (st.NotResource === undefined) continue;
          const entries = asList(st.NotResource).map(String);
          const rewritten = entries.map((entry) => {
            if (!entry.includes('${') || !unresolvableForSimulator(copy, entry)) return entry;
            const parts = entry.split(':');
            const resource = parts.slice(5).join(':');
            const cut = resource.search(/[/:]/);
            return `${parts.slice(0, 5).join(':')}:${cut < 0 ? '' : resource.slice(0, cut + 1)}*`;
          });
          if (rewritten.some((e, i) => e !== entries[i])) {
            st.NotResource = rewritten;
            changed = true;
          }
        }
      }
      return changed ? copy : undefined;
    },
  },
];

function explain(c: Case, sim: Result): AllowListEntry[] | undefined {
  // Single entries first, then pairs, then triples: the smallest set of
  // documented iam-simulate behaviours that, emulated together (in list order),
  // give its answer.
  const n = ALLOW_LIST.length;
  const subsets: number[][] = [];
  for (let i = 0; i < n; i++) subsets.push([i]);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) subsets.push([i, j]);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) for (let k = j + 1; k < n; k++) subsets.push([i, j, k]);
  for (const subset of subsets) {
    let current = c;
    let applied = true;
    for (const index of subset) {
      const next = ALLOW_LIST[index].emulate(current);
      if (!next) {
        applied = false;
        break;
      }
      current = next;
    }
    if (applied && runCove(current) === sim) return subset.map((i) => ALLOW_LIST[i]);
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Shrinking a disagreement to a small reproducing case

function* shrinkCandidates(c: Case): Generator<Case> {
  // Drop whole policy kinds and policies.
  if (c.vpcEndpointPolicies) {
    const x = clone(c);
    delete x.vpcEndpointPolicies;
    yield x;
  }
  if (c.permissionBoundaryPolicies) {
    const x = clone(c);
    delete x.permissionBoundaryPolicies;
    yield x;
  }
  if (c.sessionPolicy) {
    const x = clone(c);
    delete x.sessionPolicy;
    yield x;
  }
  for (let i = 0; i < c.identityPolicies.length; i++) {
    const x = clone(c);
    x.identityPolicies.splice(i, 1);
    yield x;
  }
  // Statements, conditions, values.
  const refs = policiesOf(c);
  for (let p = 0; p < refs.length; p++) {
    const statements = statementsOf(refs[p].doc);
    for (let s = 0; s < statements.length; s++) {
      const at = (x: Case) => statementsOf(policiesOf(x)[p].doc)[s];
      if (statements.length > 1) {
        const x = clone(c);
        const ref = policiesOf(x)[p];
        const list = statementsOf(ref.doc);
        list.splice(s, 1);
        ref.doc.Statement = list;
        yield x;
      }
      const st = statements[s];
      if (st.Condition) {
        const x = clone(c);
        delete at(x).Condition;
        yield x;
        for (const cond of conditionsOf(st)) {
          const y = clone(c);
          const yst = at(y);
          const block = (yst.Condition as JsonObject)[cond.operator] as JsonObject;
          delete block[cond.key];
          if (Object.keys(block).length === 0) delete (yst.Condition as JsonObject)[cond.operator];
          if (Object.keys(yst.Condition as JsonObject).length === 0) delete yst.Condition;
          yield y;
          for (let v = 0; v < cond.values.length && cond.values.length > 1; v++) {
            const z = clone(c);
            const values = [...cond.values];
            values.splice(v, 1);
            ((at(z).Condition as JsonObject)[cond.operator] as JsonObject)[cond.key] = values.length === 1 ? values[0] : values;
            yield z;
          }
        }
      }
      for (const element of ['Action', 'NotAction', 'Resource', 'NotResource']) {
        const list = asList(st[element]);
        for (let v = 0; v < list.length && list.length > 1; v++) {
          const z = clone(c);
          const values = [...list];
          values.splice(v, 1);
          at(z)[element] = values.length === 1 ? values[0] : values;
          yield z;
        }
      }
      const principal = st.Principal ?? st.NotPrincipal;
      if (principal && typeof principal === 'object' && !Array.isArray(principal)) {
        const list = asList((principal as JsonObject).AWS);
        for (let v = 0; v < list.length && list.length > 1; v++) {
          const z = clone(c);
          const values = [...list];
          values.splice(v, 1);
          at(z)[st.Principal !== undefined ? 'Principal' : 'NotPrincipal'] = { AWS: values.length === 1 ? values[0] : values };
          yield z;
        }
      }
      if (st.Sid !== undefined) {
        const z = clone(c);
        delete at(z).Sid;
        yield z;
      }
    }
  }
  // Context keys and multi-value members.
  for (const [key, value] of Object.entries(c.request.contextVariables)) {
    const x = clone(c);
    delete x.request.contextVariables[key];
    yield x;
    for (let v = 0; Array.isArray(value) && value.length > 1 && v < value.length; v++) {
      const y = clone(c);
      const list = [...value];
      list.splice(v, 1);
      y.request.contextVariables[key] = list;
      yield y;
    }
  }
}

interface Disagreement {
  cove: CoveOutcome;
  sim: Result;
  rules: string[];
}

async function unexplained(c: Case): Promise<Disagreement | undefined> {
  const e = await evaluateCase(c);
  if (e.skipped !== undefined || e.cove === e.sim) return undefined;
  if (e.cove !== 'rejected' && explain(e.coveCase!, e.sim!)) return undefined;
  return { cove: e.cove!, sim: e.sim!, rules: e.rules };
}

async function shrink(c: Case, want: Disagreement): Promise<Case> {
  let current = c;
  for (let round = 0; round < 60; round++) {
    let progressed = false;
    for (const candidate of shrinkCandidates(current)) {
      const d = await unexplained(candidate);
      if (d && d.cove === want.cove && d.sim === want.sim) {
        current = candidate;
        progressed = true;
        break;
      }
    }
    if (!progressed) break;
  }
  return current;
}

/** A coarse label for a (shrunk) disagreement, to group the report. */
function signature(c: Case, d: Disagreement): string {
  const rules = forSimulator(c).rules.filter((r) => r !== 'endpoint-principal-resolved');
  if (rules.length > 0) {
    // Decided by a documented endpoint-principal rule: that is the class.
    const element = policiesOf(c).some((ref) => statementsOf(ref.doc).some((s) => s.NotPrincipal !== undefined)) ? 'NotPrincipal' : 'Principal';
    return `cove=${d.cove} iam-simulate(+documented principal rule)=${d.sim} [${rules.join(' ')} ${element}${c.request.principal.includes(':assumed-role/') ? ' role-session' : ''}]`;
  }
  const features = new Set<string>();
  for (const ref of policiesOf(c)) {
    if (ref.kind !== 'identity') features.add(ref.kind);
    if (ref.doc.Version !== '2012-10-17') features.add(`Version:${ref.doc.Version ?? 'none'}`);
    for (const s of statementsOf(ref.doc)) {
      features.add(String(s.Effect));
      for (const e of ['NotAction', 'NotResource']) if (s[e] !== undefined) features.add(e);
      if (s.NotPrincipal !== undefined) features.add('NotPrincipal');
      if (s.Principal !== undefined && s.Principal !== '*') features.add('Principal:named');
      if (JSON.stringify(s.Resource ?? s.NotResource ?? '').includes('${')) features.add('resource-variable');
      for (const cond of conditionsOf(s)) {
        features.add(cond.operator);
        if (JSON.stringify(cond.values).includes('${')) features.add('condition-variable');
      }
    }
  }
  if (c.request.principal.includes(':assumed-role/')) features.add('role-session');
  return `cove=${d.cove} iam-simulate=${d.sim} [${[...features].sort().join(' ')}]`;
}

// ---------------------------------------------------------------------------
// The test

const SEED = Number(process.env.COVE_DIFF_SEED ?? 20_240_601);
const TARGET = Number(process.env.COVE_DIFF_CASES ?? 10_500);
const VERBOSE = process.env.COVE_DIFF_VERBOSE === '1';
const MAX_SHRUNK = VERBOSE ? Infinity : 60;

describe('policy engine: differential test against @cloud-copilot/iam-simulate', () => {
  it(`agrees on ≥ 10,000 random cases (seed ${SEED}), apart from documented iam-simulate deviations`, { timeout: 300_000 }, async () => {
    const started = Date.now();
    const rng = new SeededRandom(SEED);
    let generated = 0;
    let compared = 0;
    let skipped = 0;
    let resolvedPrincipals = 0;
    let bothRejected = 0;
    const skipReasons = new Map<string, number>();
    const results = new Map<string, number>();
    const allowListed = new Map<string, number>();
    const failures: { c: Case; d: Disagreement }[] = [];

    while (compared < TARGET && generated < TARGET * 2) {
      const c = generateCase(rng);
      generated++;
      const e = await evaluateCase(c);
      if (e.skipped === BOTH_REJECT) {
        bothRejected++;
        continue;
      }
      if (e.skipped !== undefined) {
        skipped++;
        skipReasons.set(e.skipped, (skipReasons.get(e.skipped) ?? 0) + 1);
        continue;
      }
      compared++;
      if (e.rules.length > 0) resolvedPrincipals++;
      results.set(e.sim!, (results.get(e.sim!) ?? 0) + 1);
      if (e.cove === e.sim) continue;
      const explained = e.cove === 'rejected' ? undefined : explain(e.coveCase!, e.sim!);
      if (explained) {
        for (const entry of explained) allowListed.set(entry.id, (allowListed.get(entry.id) ?? 0) + 1);
        continue;
      }
      failures.push({ c, d: { cove: e.cove!, sim: e.sim!, rules: e.rules } });
    }

    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const lines: string[] = [];
    lines.push(`differential: seed ${SEED}: ${generated} cases generated, ${compared} compared, ${skipped} skipped (iam-simulate rejected them) in ${elapsed}s`);
    lines.push(`  iam-simulate results: ${[...results].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    lines.push(`  cases with named endpoint principals resolved by the documented rules: ${resolvedPrincipals}${bothRejected > 0 ? ` (and ${bothRejected} that both engines reject)` : ''}`);
    if (skipReasons.size > 0) lines.push(`  skipped: ${[...skipReasons].map(([k, v]) => `${k} ×${v}`).join('; ')}`);
    for (const entry of ALLOW_LIST) lines.push(`  allow-listed ${entry.id}: ${allowListed.get(entry.id) ?? 0} case(s) — ${entry.docs[0].url}`);
    lines.push(`  unexplained disagreements: ${failures.length}`);

    if (failures.length > 0) {
      const groups = new Map<string, { count: number; examples: Case[] }>();
      let shrunk = 0;
      // Those no documented principal rule decided first: they are the rarer classes.
      const decidedByRule = (f: (typeof failures)[number]) => f.d.rules.some((r) => r !== 'endpoint-principal-resolved');
      failures.sort((a, b) => Number(decidedByRule(a)) - Number(decidedByRule(b)));
      for (const f of failures) {
        const small = shrunk < MAX_SHRUNK ? await shrink(f.c, f.d) : f.c;
        const sig = shrunk < MAX_SHRUNK || decidedByRule(f) ? signature(small, f.d) : `cove=${f.d.cove} iam-simulate=${f.d.sim} (not shrunk)`;
        shrunk++;
        const group = groups.get(sig) ?? { count: 0, examples: [] };
        group.count++;
        if (group.examples.length < (VERBOSE ? Infinity : 1)) group.examples.push(small);
        groups.set(sig, group);
      }
      for (const [sig, group] of [...groups].sort((a, b) => b[1].count - a[1].count)) {
        lines.push(`  ${group.count} × ${sig}`);
        for (const example of group.examples) lines.push(`    ${JSON.stringify(example)}`);
      }
    }
    console.log(lines.join('\n'));

    assert.ok(compared >= 10_000 || TARGET < 10_000, `only ${compared} cases compared`);
    assert.ok(skipped < generated * 0.1, `${skipped} of ${generated} cases skipped (iam-simulate rejected them): the generator must make valid cases`);
    assert.equal(failures.length, 0, `${failures.length} disagreement(s) between cove and iam-simulate not covered by the documented allow-list (see the log above)`);
  });
});
