/**
 * The request context that conditions and policy variables read: condition-key
 * name (lowercased, because AWS compares key names case-insensitively) → value.
 * A string is a single-valued key; an array is a multi-valued key (even with one
 * element), which only the ForAllValues/ForAnyValue operators can test.
 */
export type ContextValue = string | readonly string[];

/** What conditions read; a Map is one. */
export interface ConditionContext {
  get(lowerKey: string): ContextValue | undefined;
  entries(): Iterable<[string, ContextValue]>;
}

/** Per-target keys (DynamoDB's own) over the request's global keys, without copying either. */
export class LayeredContext implements ConditionContext {
  constructor(
    private readonly base: ConditionContext,
    private readonly overlay: ReadonlyMap<string, ContextValue>,
  ) {}

  get(lowerKey: string): ContextValue | undefined {
    return this.overlay.get(lowerKey) ?? this.base.get(lowerKey);
  }

  *entries(): Iterable<[string, ContextValue]> {
    for (const entry of this.base.entries()) if (!this.overlay.has(entry[0])) yield entry;
    yield* this.overlay.entries();
  }
}

export function contextFromRecord(record: Readonly<Record<string, ContextValue | undefined>>): Map<string, ContextValue> {
  const context = new Map<string, ContextValue>();
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) context.set(key.toLowerCase(), value);
  }
  return context;
}

const KNOWN_KEYS = [
  'aws:CurrentTime', 'aws:EpochTime', 'aws:MultiFactorAuthPresent', 'aws:PrincipalAccount', 'aws:PrincipalArn',
  'aws:PrincipalIsAWSService', 'aws:PrincipalType', 'aws:RequestedRegion', 'aws:SecureTransport', 'aws:SourceIp',
  'aws:SourceVpc', 'aws:SourceVpce', 'aws:TokenIssueTime', 'aws:UserAgent', 'aws:userid', 'aws:username',
  'aws:ViaAWSService', 'aws:VpcSourceIp', 'dynamodb:Attributes', 'dynamodb:LeadingKeys', 'dynamodb:ReturnConsumedCapacity',
  'dynamodb:ReturnValues', 'dynamodb:Select',
];
const DISPLAY_NAMES = new Map(KNOWN_KEYS.map((key) => [key.toLowerCase(), key]));

/** A key as AWS spells it (`aws:SourceIp`), for people; unknown keys stay as stored. */
export function displayKey(lowerKey: string): string {
  if (lowerKey.startsWith('aws:principaltag/')) return `aws:PrincipalTag/${lowerKey.slice('aws:principaltag/'.length)}`;
  return DISPLAY_NAMES.get(lowerKey) ?? lowerKey;
}

/** The context as a plain object with AWS's spelling of each key, for traces and explain output. */
export function contextToRecord(context: ConditionContext): Record<string, ContextValue> {
  return Object.fromEntries([...context.entries()].map(([key, value]) => [displayKey(key), value]));
}
