import { PolicyDocumentError } from './errors.js';

/**
 * Who is asking, as the Principal element of endpoint and trust policies sees
 * it. For a role session `arn` is the assumed-role ARN and `roleArn` the role's.
 */
export interface RequestPrincipal {
  arn: string;
  accountId: string;
  roleArn?: string;
}

const ASSUMED_ROLE = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ARN = /^arn:aws:iam::(\d{12}):(.+)$/;

/** A principal from its ARN alone (explain and simulate get only the ARN). */
export function principalFromArn(arn: string): RequestPrincipal {
  const session = ASSUMED_ROLE.exec(arn);
  if (session) return { arn, accountId: session[1], roleArn: `arn:aws:iam::${session[1]}:role/${session[2]}` };
  const iam = IAM_ARN.exec(arn);
  if (iam) return { arn, accountId: iam[1] };
  const account = /^\d{12}$/.exec(arn);
  if (account) return { arn: `arn:aws:iam::${arn}:root`, accountId: arn };
  throw new Error(`${arn} is not an IAM principal ARN (user, role, assumed-role or root)`);
}

type PrincipalEntry =
  | { kind: 'any' }
  | { kind: 'account'; accountId: string }
  | { kind: 'arn'; arn: string }
  /** Service, Federated and CanonicalUser principals: valid, but never a signed IAM caller. */
  | { kind: 'other'; value: string };

export interface CompiledPrincipal {
  negated: boolean;
  entries: readonly PrincipalEntry[];
  /** As written, for traces. */
  source: unknown;
}

const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

function awsEntry(value: string, path: string, accountMeansRoot: boolean): PrincipalEntry {
  if (value === '*') return { kind: 'any' };
  const account = /^\d{12}$/.test(value) ? value : /^arn:aws:iam::(\d{12}):root$/.exec(value)?.[1];
  if (account !== undefined) {
    // In a gateway endpoint policy an account principal is that account's root user only.
    return accountMeansRoot ? { kind: 'arn', arn: `arn:aws:iam::${account}:root` } : { kind: 'account', accountId: account };
  }
  if (/^arn:aws:(iam|sts)::\d{12}:(user|role|assumed-role|federated-user)\/\S+$/.test(value)) {
    if (value.includes('*') || value.includes('?')) {
      throw new PolicyDocumentError(path, `"${value}": a principal ARN cannot contain wildcards (use "*" with a condition on aws:PrincipalArn)`);
    }
    return { kind: 'arn', arn: value };
  }
  throw new PolicyDocumentError(path, `"${value}" is not a valid AWS principal (an account ID, "*", or an IAM user, role or assumed-role ARN)`);
}

/**
 * `accountMeansRoot`: in gateway endpoint policies AWS reads `"AWS": "ACCOUNT"`
 * (or `:root`) as the account's root user only, not every user and role of it
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html).
 */
export function compilePrincipal(raw: unknown, negated: boolean, path: string, accountMeansRoot = false): CompiledPrincipal {
  if (raw === '*') return { negated, entries: [{ kind: 'any' }], source: raw };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new PolicyDocumentError(path, 'expected "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}');
  }
  const entries: PrincipalEntry[] = [];
  for (const [type, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!PRINCIPAL_TYPES.has(type)) throw new PolicyDocumentError(`${path}.${type}`, 'expected AWS, Service, Federated or CanonicalUser');
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
      throw new PolicyDocumentError(`${path}.${type}`, 'expected a string or a non-empty list of strings');
    }
    for (const item of list as string[]) {
      entries.push(type === 'AWS' ? awsEntry(item, `${path}.${type}`, accountMeansRoot) : { kind: 'other', value: item });
    }
  }
  return { negated, entries, source: raw };
}

/** A role ARN stands for its sessions in Principal, but NotPrincipal must name the session itself. */
function entryMatches(entry: PrincipalEntry, principal: RequestPrincipal, negated: boolean): boolean {
  switch (entry.kind) {
    case 'any':
      return true;
    case 'account':
      return entry.accountId === principal.accountId;
    case 'arn':
      return entry.arn === principal.arn || (!negated && principal.roleArn !== undefined && entry.arn === principal.roleArn);
    case 'other':
      return false;
  }
}

/** Principal: the caller is one of the entries; NotPrincipal: it is none of them. */
export function principalMatches(compiled: CompiledPrincipal, principal: RequestPrincipal): boolean {
  return compiled.entries.some((entry) => entryMatches(entry, principal, compiled.negated)) !== compiled.negated;
}

/** The statement names this very principal (its ARN, or its role's), not an account or everyone. */
export function namesPrincipal(compiled: CompiledPrincipal, principal: RequestPrincipal): boolean {
  return !compiled.negated && compiled.entries.some((entry) => entry.kind === 'arn' && (entry.arn === principal.arn || entry.arn === principal.roleArn));
}
