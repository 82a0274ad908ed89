/**
 * The benchmark user's identity policies: a realistic set of three inline policies, 14
 * statements, three of them with Condition blocks, as an application role might carry.
 *
 * cove's policy engine does not evaluate conditions yet and fails closed on them (an Allow with a
 * Condition never grants, a Deny with one always applies once its Action and Resource match).
 * So that the benchmark measures the full evaluation without being denied:
 *  - every statement that grants what the benchmark does is an Allow WITHOUT a Condition;
 *  - the conditional statements are Allows on other tables (never needed) or Denies whose
 *    Resource never matches the benchmark's tables;
 *  - every Deny's Resource never matches `bench_*`, so all 14 statements are examined for every
 *    request (an explicit Deny match would end the evaluation early).
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
        },
        {
          Sid: 'ItemWrites',
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
          Resource: `${TABLE}/bench_*`,
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
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:userid}'] } },
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
        { Sid: 'NoOtherRegions', Effect: 'Deny', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:eu-*:*:table/*' },
        { Sid: 'NoPiiExport', Effect: 'Deny', Action: ['dynamodb:Scan', 'dynamodb:ExportTableToPointInTime'], Resource: `${TABLE}/pii-*` },
      ],
    },
  },
];

export function statementCount(): number {
  return POLICIES.reduce((n, p) => n + (p.document.Statement as unknown[]).length, 0);
}

/** cove.yaml for the benchmark (YAML accepts JSON flow style, so documents are embedded as JSON). */
export function coveConfig(): string {
  const policies = POLICIES.map((p) => `        - name: ${p.name}\n          document: ${JSON.stringify(p.document)}`).join('\n');
  return [
    `region: ${REGION}`,
    `accountId: "${ACCOUNT_ID}"`,
    'listeners: [{ name: public, listen: "127.0.0.1:0" }]',
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
