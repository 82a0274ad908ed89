/**
 * The benchmark user's identity policies: a realistic set of three inline policies, 17
 * statements, eight of them with Condition blocks, as an application role might carry.
 *
 * The engine evaluates every condition (src/policy/conditions.ts). The statements that grant
 * what the benchmark does carry conditions that hold for it (region, loopback source
 * address); four guardrail Denies apply to every benchmark request by action and resource,
 * and their conditions — principal account, plain HTTP from outside loopback
 * (aws:SecureTransport with aws:SourceIp), reserved partition keys (dynamodb:LeadingKeys
 * against patterns with ${aws:username}) — are evaluated on each request and do not hold.
 * So every request evaluates four or five Condition blocks, needs DynamoDB's own condition
 * keys computed, and examines every statement (a matching Deny would end evaluation early).
 */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const USER_NAME = 'bench';
export const ACCESS_KEY_ID = 'AKIABENCH0000000001';
export const SECRET_ACCESS_KEY = 'bench/Secret+Key0000000000000000000000000';

const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table`;

export const POLICIES: Array<{ name: string; document: Record<string, unknown> }> = [
  {
    name: 'app-data',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ItemReads',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'],
          Resource: [`${TABLE}/bench_*`, `${TABLE}/bench_*/index/*`],
          Condition: { StringEquals: { 'aws:RequestedRegion': REGION } },
        },
        {
          Sid: 'ItemWrites',
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          Resource: `${TABLE}/bench_*`,
          Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '10.0.0.0/8'] } },
        },
        {
          Sid: 'TableAdmin',
          Effect: 'Allow',
          Action: ['dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:UpdateTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:UpdateTimeToLive', 'dynamodb:TagResource', 'dynamodb:ListTagsOfResource'],
          Resource: `${TABLE}/bench_*`,
        },
        { Sid: 'List', Effect: 'Allow', Action: ['dynamodb:ListTables', 'dynamodb:DescribeLimits', 'dynamodb:DescribeEndpoints'], Resource: '*' },
        {
          Sid: 'OwnProfileOnly',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: `${TABLE}/user-profiles`,
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:username}'] } },
        },
        {
          Sid: 'StreamsRead',
          Effect: 'Allow',
          Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          Resource: `${TABLE}/bench_*/stream/*`,
        },
      ],
    },
  },
  {
    name: 'ops-readonly',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DescribeAll', Effect: 'Allow', Action: ['dynamodb:Describe*', 'dynamodb:List*'], Resource: `${TABLE}/*` },
        {
          Sid: 'ReportsInHomeRegion',
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
          Resource: `${TABLE}/reports-*`,
          Condition: { StringEquals: { 'aws:RequestedRegion': REGION } },
        },
        { Sid: 'Backups', Effect: 'Allow', Action: 'dynamodb:*Backup*', Resource: `${TABLE}/bench_*/backup/*` },
      ],
    },
  },
  {
    name: 'guardrails',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'NoProdTableChanges', Effect: 'Deny', Action: ['dynamodb:DeleteTable', 'dynamodb:DeleteBackup', 'dynamodb:UpdateTable'], Resource: `${TABLE}/prod-*` },
        { Sid: 'NoSecrets', Effect: 'Deny', Action: 'dynamodb:*', Resource: [`${TABLE}/secrets`, `${TABLE}/secrets/*`] },
        {
          Sid: 'BillingOnlyOverTls',
          Effect: 'Deny',
          Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          Resource: `${TABLE}/billing-*`,
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        { Sid: 'OnlyOwnAccount', Effect: 'Deny', Action: 'dynamodb:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': ACCOUNT_ID } } },
        {
          // Plain HTTP only from the host itself (both keys must hold for the Deny to apply).
          Sid: 'PlainHttpOnlyFromLoopback',
          Effect: 'Deny',
          Action: 'dynamodb:*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' }, NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8'] } },
        },
        {
          // Partitions named __… belong to the platform; quarantine-<user>-… to an incident process.
          Sid: 'ReservedPartitions',
          Effect: 'Deny',
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          Resource: `${TABLE}/bench_*`,
          Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['__*', 'quarantine-${aws:username}-*'] } },
        },
        { Sid: 'NoOtherRegions', Effect: 'Deny', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:eu-*:*:table/*' },
        { Sid: 'NoPiiExport', Effect: 'Deny', Action: ['dynamodb:Scan', 'dynamodb:ExportTableToPointInTime'], Resource: `${TABLE}/pii-*` },
      ],
    },
  },
];

/** The request context the server builds for the benchmark's requests (for the in-process evaluation benchmark). */
export const BENCH_CONTEXT: Record<string, string | string[]> = {
  'dynamodb:LeadingKeys': ['item-000042'],
  'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_ID}:user/${USER_NAME}`,
  'aws:PrincipalAccount': ACCOUNT_ID,
  'aws:PrincipalType': 'User',
  'aws:username': USER_NAME,
  'aws:userid': 'AIDABENCH00000000000',
  'aws:SourceIp': '127.0.0.1',
  'aws:SecureTransport': 'false',
  'aws:RequestedRegion': REGION,
  'aws:CurrentTime': '2026-11-23T12:00:00Z',
  'aws:EpochTime': '1795435200',
};

export function statementCount(): number {
  return POLICIES.reduce((n, p) => n + (p.document.Statement as unknown[]).length, 0);
}

/** cove.yaml for the benchmark (YAML accepts JSON flow style, so documents are embedded as JSON). */
export function coveConfig(): string {
  const policies = POLICIES.map((p) => `        - name: ${p.name}\n          document: ${JSON.stringify(p.document)}`).join('\n');
  return [
    `region: ${REGION}`,
    `accountId: "${ACCOUNT_ID}"`,
    // The second listener serves the HTTPS workload (its certificate from cove's own CA).
    'listeners: [{ name: public, listen: "127.0.0.1:0" }, { name: https, listen: "127.0.0.1:0", tls: auto }]',
    'iam:',
    '  users:',
    `    - name: ${USER_NAME}`,
    `      accessKeys: [{ id: ${ACCESS_KEY_ID}, secret: ${JSON.stringify(SECRET_ACCESS_KEY)} }]`,
    '      policies:',
    policies,
    '',
  ].join('\n');
}

export function tableArn(table: string): string {
  return `${TABLE}/${table}`;
}
