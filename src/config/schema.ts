import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { parseCidr4 } from '../network/cidr.js';
import { SERVER_LIMITS } from '../server/limits.js';
import { POSTGRES_LIMITS } from '../storage/postgresLimits.js';
import { DEFAULT_MIN_VERSION, suiteRefusal, TLS_VERSIONS, type TlsVersion } from '../server/tlsPolicy.js';
import { AUDIT_DEFAULTS } from '../audit/config.js';

/** cove.yaml, as validated at start. Unknown keys are errors: a typo must not silently drop a policy. */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'expected HOST:PORT, e.g. 127.0.0.1:8000' })
  .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, { error: 'port must be 0..65535' });

const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: 'expected a policy document (a JSON object or its text)',
});

const iamName = z.string().regex(/^[\w+=,.@-]{1,128}$/, { error: 'expected an IAM name: 1-128 of letters, digits and +=,.@_-' });
const iamPath = z.string().regex(/^\/([\x21-\x7e]*\/)?$/, { error: 'expected an IAM path such as / or /team/' }).default('/');
const inlinePolicies = z.array(z.strictObject({ name: z.string().min(1).max(128), document: policyDocument })).default([]);
/** A customer managed policy declared under iam.policies, by name or by ARN. */
const policyReference = z.string().min(1, { error: 'expected a policy name or ARN' });
const policyReferences = z.array(policyReference).default([]);
const iamTags = z.record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, { error: 'expected a tag key of 1-128 characters' }), z.string().max(256)).default({});

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const region = z.string().regex(REGION, { error: 'expected an AWS region name such as us-east-1' });

// `network:` — the VPC model (src/network/config.ts cross-checks it and builds
// the NetworkModel). Shapes and ID prefixes are checked here; references,
// containment and AWS's rules there.

/** `vpc-app`, `subnet-1a`...: the AWS prefix, then letters, digits, `_`, `.` or `-`. */
function awsId(prefix: string, what: string) {
  const shape = new RegExp(`^${prefix}-[A-Za-z0-9][\\w.-]*$`);
  return z
    .string({ error: `expected ${what} ID (${prefix}-…)` })
    .refine((value) => shape.test(value), { error: (issue) => `expected ${what} ID: ${prefix}- then letters, digits, _ . or - (got "${String(issue.input)}")` });
}
const vpcId = awsId('vpc', 'a VPC');
const subnetId = awsId('subnet', 'a subnet');
const routeTableId = awsId('rtb', 'a route table');
const securityGroupId = awsId('sg', 'a security group');
const internetGatewayId = awsId('igw', 'an internet gateway');
const natGatewayId = awsId('nat', 'a NAT gateway');
const endpointId = awsId('vpce', 'a VPC endpoint');
const peeringId = awsId('pcx', 'a VPC peering connection');
const vpnId = awsId('vpn', 'a VPN connection');
const dxvifId = awsId('dxvif', 'a Direct Connect virtual interface');
const vgwId = awsId('vgw', 'a virtual private gateway');

/** An IPv4 CIDR with no host bits set (AWS rejects `10.0.0.1/16` for VPCs, subnets, routes and rules). */
const cidr = z.string({ error: 'expected an IPv4 CIDR such as 10.0.0.0/16' }).superRefine((value, ctx) => {
  const parsed = parseCidr4(value);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `expected an IPv4 CIDR such as 10.0.0.0/16 (got "${value}")` });
  } else if (!parseCidr4(value, true)) {
    const n = parsed.network;
    ctx.addIssue({ code: 'custom', message: `${value} has host bits set: the network is ${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')}/${parsed.prefixLength}` });
  }
});
const ipv4 = z.string({ error: 'expected an IPv4 address' }).refine((value) => isIPv4(value), { error: (issue) => `expected an IPv4 address (got "${String(issue.input)}")` });
/**
 * A client-address range of a listener's source map: IPv4 (no host bits set) or
 * IPv6, as sockets report peers. IPv4-mapped IPv6 ranges never match: peers are
 * reported as plain IPv4.
 */
const sourceCidr = z.string({ error: 'expected a CIDR such as 10.8.0.0/16 or fd00::/8' }).superRefine((value, ctx) => {
  const slash = value.indexOf('/');
  const address = value.slice(0, slash);
  const bits = Number(value.slice(slash + 1));
  if (slash > 0 && isIPv4(address) && parseCidr4(value)) {
    if (!parseCidr4(value, true)) ctx.addIssue({ code: 'custom', message: `${value} has host bits set` });
  } else if (!(slash > 0 && isIPv6(address) && /^\d+$/.test(value.slice(slash + 1)) && bits <= 128)) {
    ctx.addIssue({ code: 'custom', message: `expected a CIDR such as 10.8.0.0/16 or fd00::/8 (got "${value}")` });
  } else if (/^::ffff:/i.test(address)) {
    ctx.addIssue({ code: 'custom', message: `${value} is IPv4-mapped; peers are matched as plain IPv4, so write the IPv4 CIDR` });
  }
});
const ipv6 = z.string({ error: 'expected an IPv6 address' }).refine((value) => isIPv6(value), { error: (issue) => `expected an IPv6 address (got "${String(issue.input)}")` });
/** `com.amazonaws.REGION.dynamodb` or a `pl-` ID. */
const prefixListRef = z
  .string({ error: 'expected a prefix list: com.amazonaws.REGION.dynamodb or a pl- ID' })
  .regex(/^(com\.amazonaws\.[a-z0-9-]+\.[a-z0-9.-]+|pl-[0-9a-zA-Z]+)$/, { error: 'expected a prefix list: com.amazonaws.REGION.dynamodb or a pl- ID' });
const routeTarget = z
  .string({ error: 'expected a route target: local or an igw-, nat-, vpce-, pcx- or vgw- ID' })
  .regex(/^(local|(igw|nat|vpce|pcx|vgw)-[A-Za-z0-9][\w.-]*)$/, { error: (issue) => `expected a route target: local or an igw-, nat-, vpce-, pcx- or vgw- ID (got "${String(issue.input)}")` });
/** YAML reads `-1` as a number; protocol numbers 6, 17, 1 are AWS's other spelling. */
const protocol = z.union([z.string(), z.number()], { error: 'expected a protocol: tcp, udp, icmp, or -1 (all)' }).transform((value, ctx) => {
  const text = String(value).toLowerCase();
  const normalized = ({ tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', '-1': '-1', all: '-1' } as Record<string, string>)[text];
  if (normalized === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a protocol: tcp, udp, icmp, or -1 (all) (got "${text}")` });
    return z.NEVER;
  }
  return normalized as 'tcp' | 'udp' | 'icmp' | '-1';
});
const port = z.number({ error: 'expected a port number' }).int({ error: 'expected a whole number' }).min(-1, { error: 'expected -1..65535' }).max(65535, { error: 'expected -1..65535' });
const onPremisesCidrs = z.array(cidr).min(1, { error: 'expected at least one on-premises CIDR' });

const networkSchema = z
  .strictObject({
    /** What an unreachable request gets: `reset` (the connection is dropped, as the network would) or `explain` (HTTP 503 with the reason). */
    unreachable: z.enum(['reset', 'explain'], { error: 'expected reset or explain' }).default('reset'),
    vpcs: z
      .array(
        z.strictObject({
          id: vpcId,
          cidr,
          /** Default: the top-level region. */
          region: region.optional(),
          enableDnsSupport: z.boolean().default(true),
          /** AWS's default for a VPC you create (only the default VPC has it on). */
          enableDnsHostnames: z.boolean().default(false),
          /** Custom DNS servers (DHCP options): whether they resolve dynamodb.REGION.amazonaws.com. */
          dns: z.strictObject({ servers: z.array(z.string().min(1)).min(1, { error: 'expected at least one DNS server' }), resolvesAwsServices: z.boolean({ error: 'expected true or false: do these servers resolve AWS service names?' }) }).optional(),
        }),
      )
      .default([]),
    subnets: z.array(z.strictObject({ id: subnetId, vpc: vpcId, cidr })).default([]),
    internetGateways: z.array(z.strictObject({ id: internetGatewayId, vpc: vpcId })).default([]),
    natGateways: z.array(z.strictObject({ id: natGatewayId, subnet: subnetId, publicIp: ipv4 })).default([]),
    routeTables: z
      .array(
        z.strictObject({
          id: routeTableId,
          vpc: vpcId,
          main: z.boolean().default(false),
          subnets: z.array(subnetId).default([]),
          routes: z.array(z.strictObject({ destination: cidr.optional(), prefixList: prefixListRef.optional(), target: routeTarget })).default([]),
        }),
      )
      .default([]),
    securityGroups: z
      .array(
        z.strictObject({
          id: securityGroupId,
          vpc: vpcId,
          /** Absent: AWS's default rule, all traffic to 0.0.0.0/0. `[]`: no egress at all. */
          egress: z
            .array(
              z.strictObject({
                protocol,
                fromPort: port.optional(),
                toPort: port.optional(),
                destination: cidr.optional(),
                prefixList: prefixListRef.optional(),
                securityGroup: securityGroupId.optional(),
              }),
            )
            .optional(),
        }),
      )
      .default([]),
    vpcEndpoints: z
      .array(
        z.strictObject({
          id: endpointId,
          vpc: vpcId,
          serviceName: z.string({ error: 'expected a service name such as com.amazonaws.us-east-1.dynamodb' }),
          type: z.literal(['Gateway', 'Interface', 'GatewayLoadBalancer'], { error: 'expected Gateway' }).default('Gateway'),
          routeTables: z.array(routeTableId).default([]),
          policy: policyDocument.optional(),
        }),
      )
      .default([]),
    vpcPeeringConnections: z
      .array(
        z.strictObject({
          id: peeringId,
          requesterVpc: vpcId,
          accepterVpc: vpcId,
          status: z.enum(['active', 'pending-acceptance', 'rejected', 'deleted'], { error: 'expected active, pending-acceptance, rejected or deleted' }).default('active'),
        }),
      )
      .default([]),
    vpnConnections: z.array(z.strictObject({ id: vpnId, vpc: vpcId, onPremisesCidrs, vgw: vgwId.optional() })).default([]),
    directConnectInterfaces: z.array(z.strictObject({ id: dxvifId, vpc: vpcId, onPremisesCidrs, vgw: vgwId.optional() })).default([]),
  })
  .prefault({});

/**
 * A listener's `tls:` — `auto` (cove's own CA issues the certificate), `{ mode: auto, minVersion }`,
 * or `{ cert: FILE, key: FILE, minVersion }` (PEM files, relative to cove.yaml's folder; reloaded
 * when they change). `ciphers:` lists TLS 1.2 suite names, each forward-secret (src/server/tlsPolicy.ts).
 */
export type ListenerTls = { mode: 'auto'; minVersion: TlsVersion; ciphers?: string[] } | { mode: 'files'; cert: string; key: string; minVersion: TlsVersion; ciphers?: string[] };

const TLS_SHAPES = 'expected tls: auto, { mode: auto, minVersion: TLSv1.2 }, or { cert: FILE, key: FILE, minVersion: TLSv1.2 }';
const cipherSuite = z.string({ error: 'expected a cipher suite name such as ECDHE-RSA-AES128-GCM-SHA256' }).superRefine((name, ctx) => {
  const refusal = suiteRefusal(name);
  if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
});
const tlsSchema = z
  // `auto` is short for `{ mode: auto }`: one object shape, so a fault inside it is reported where it is.
  .preprocess(
    (value) => (value === 'auto' ? { mode: 'auto' } : value),
    z.strictObject(
      {
        mode: z.literal('auto', { error: 'expected mode: auto (or cert: and key: files instead)' }).optional(),
        cert: z.string().min(1, { error: 'expected the path of a PEM certificate file' }).optional(),
        key: z.string().min(1, { error: 'expected the path of a PEM private key file' }).optional(),
        minVersion: z.enum(TLS_VERSIONS, { error: `expected minVersion: one of ${TLS_VERSIONS.join(', ')} (TLSv1 and TLSv1.1 are a legacy opt-in)` }).default(DEFAULT_MIN_VERSION),
        ciphers: z.array(cipherSuite).min(1, { error: 'expected at least one cipher suite, or no ciphers: for the default list' }).optional(),
      },
      { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}: ${TLS_SHAPES}, ciphers: [...]` : TLS_SHAPES) },
    ),
  )
  .transform((tls, ctx): ListenerTls => {
    const { mode, cert, key, minVersion, ciphers } = tls;
    const extra = ciphers ? { ciphers } : {};
    if (mode === 'auto' && cert === undefined && key === undefined) return { mode: 'auto', minVersion, ...extra };
    if (mode === undefined && cert !== undefined && key !== undefined) return { mode: 'files', cert, key, minVersion, ...extra };
    ctx.addIssue({ code: 'custom', message: mode === 'auto' ? 'mode: auto makes its own certificate: drop cert: and key:' : `${TLS_SHAPES}: give both cert: and key:` });
    return z.NEVER;
  });

/** A listener's `proxyProtocol:`: PROXY v1/v2 headers taken from these peers only. */
const proxyProtocolSchema = z.strictObject({
  trustedCidrs: z.array(sourceCidr).min(1, { error: 'expected at least one CIDR of the load balancers allowed to send PROXY headers' }),
  /** Every connection must carry a header from a trusted peer (cove only behind the load balancer). */
  required: z.boolean({ error: 'expected true or false' }).default(false),
});

const listenerName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a name of letters, digits, _ or -' });

/**
 * `attachments:` — a listener whose clients are somewhere in the model: a
 * workload in a subnet (`subnet`, `privateIp`...) or on premises
 * (`onPremises`). Which of the two, and the references, are checked in
 * src/network/config.ts.
 */
const attachmentSchema = z.strictObject({
  name: listenerName,
  /** Its own listener; optional when a listener's `sources` map clients to it instead. */
  listen: hostPort.optional(),
  /** HTTPS on its own listener (needs `listen`). */
  tls: tlsSchema.optional(),
  proxyProtocol: proxyProtocolSchema.optional(),
  subnet: subnetId.optional(),
  privateIp: ipv4.optional(),
  securityGroups: z.array(securityGroupId).optional(),
  /** An Elastic IP (or auto-assigned public IP) of an instance in a public subnet. */
  publicIp: ipv4.optional(),
  ipv6: ipv6.optional(),
  onPremises: z
    .strictObject({
      via: z.string({ error: 'expected a VPN connection (vpn-…) or Direct Connect interface (dxvif-…) ID' }),
      ip: ipv4,
      /** The on-premises network's own internet address (its NAT or proxy), if it has internet access. */
      publicIp: ipv4.optional(),
    })
    .optional(),
});

/** A listener's timeout: at least the interval at which node:http checks them, at most an hour. */
const timeoutMs = z
  .number({ error: 'expected a number of milliseconds' })
  .int({ error: 'expected a whole number of milliseconds' })
  .min(SERVER_LIMITS.timeoutCheckIntervalMs, { error: `expected at least ${SERVER_LIMITS.timeoutCheckIntervalMs} ms` })
  .max(3_600_000, { error: 'expected at most 3600000 ms (an hour)' });

/** A table's time in CREATING or DELETING: up to 10 minutes, about DynamoDB's longest. */
const lifecycleDelayMs = z
  .number({ error: 'expected a number of milliseconds' })
  .int({ error: 'expected a whole number of milliseconds' })
  .min(0, { error: 'expected at least 0 ms' })
  .max(600_000, { error: 'expected at most 600000 ms (10 minutes)' });

/** Upper bound of `workers:`; far above any core count cove would run on, low enough to catch a typo. */
export const MAX_WORKERS = 64;
/** `workers:`: serving processes; `auto` is one per core the process may use (os.availableParallelism()). */
export const workersSchema = z.union(
  [z.literal('auto'), z.number().int({ error: 'expected a whole number' }).min(1, { error: `expected 1..${MAX_WORKERS} or auto` }).max(MAX_WORKERS, { error: `expected 1..${MAX_WORKERS} or auto` })],
  { error: `expected a number of worker processes 1..${MAX_WORKERS}, or auto` },
);

/** A whole number in `min..max`, with the unit in the message. */
function bounded(min: number, max: number, unit: string) {
  const error = `expected ${min}..${max} ${unit}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** `audit:` — the trail's durability, delivery, digests and budget (defaults in src/audit/config.ts). */
const auditSchema = z
  .strictObject({
    /** `writes`: records of writes and of refusals are durable before the answer, reads' within a second; `sync`: every record before its answer. */
    durability: z.enum(['writes', 'sync'], { error: 'expected writes or sync' }).default(AUDIT_DEFAULTS.durability),
    /** A log file is delivered when its records are this old, or as many as `deliveryRecords`. */
    deliverySeconds: bounded(1, 3600, 'seconds').default(AUDIT_DEFAULTS.deliverySeconds),
    deliveryRecords: bounded(1, 100_000, 'records').default(AUDIT_DEFAULTS.deliveryRecords),
    /** CloudTrail digests hourly; tests shorten it. */
    digestPeriodSeconds: bounded(1, 86_400, 'seconds').default(AUDIT_DEFAULTS.digestPeriodSeconds),
    /** Log and digest files older than this are deleted. */
    retentionDays: bounded(1, 3650, 'days').default(AUDIT_DEFAULTS.retentionDays),
    /** The trail's size budget: a warning is logged from 80% of it. */
    maxSizeMb: bounded(1, 10_000_000, 'MB').default(AUDIT_DEFAULTS.maxSizeMb),
    /** The names the digests give the bucket and the trail (the directory stands for the bucket). */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected an S3 bucket name' }).default(AUDIT_DEFAULTS.bucket),
    /** Data events kept: all, none, or those on these tables (management events always). */
    dataEvents: z.union([z.enum(['all', 'none']), z.array(z.string().regex(/^[a-zA-Z0-9_.-]{3,255}$/, { error: 'expected a table name' }))], { error: 'expected all, none or a list of table names' }).default(AUDIT_DEFAULTS.dataEvents),
    trailName: z.string().regex(/^[A-Za-z0-9][\w.-]{2,127}$/, { error: 'expected a trail name: 3-128 of letters, digits, _ . -' }).default(AUDIT_DEFAULTS.trailName),
    /**
     * The data directories of the other cove nodes on the same database, as this machine sees
     * them (a shared filesystem; relative to cove.yaml's folder): LookupEvents answers from their
     * trails too. Each node still writes only its own.
     */
    peerDataDirectories: z.array(z.string().min(1, { error: 'expected a directory' }), { error: 'expected a list of directories' }).default([]),
  })
  .default(() => ({ ...AUDIT_DEFAULTS, peerDataDirectories: [] }));

/**
 * `storage:`: where the items, tables and IAM API entities live. `lmdb` (default): the data
 * directory. `postgres`: a PostgreSQL database (or one speaking its protocol) that several cove
 * nodes share (README "Scaling out"); `--storage-url` overrides the URL and implies it, so the
 * URL (which holds a password) may stay out of the file: serve.ts requires one or the other.
 */
const storageSchema = z
  .strictObject({
    engine: z.enum(['lmdb', 'postgres'], { error: 'expected lmdb or postgres' }).default('lmdb'),
    url: z.string().regex(/^postgres(ql)?:\/\/./, { error: 'expected a postgres:// URL, e.g. postgres://cove:secret@db.internal:5432/cove' }).optional(),
    poolSize: z.number().int({ error: 'expected a whole number' }).min(1, { error: `expected 1..${POSTGRES_LIMITS.poolSizeMax}` }).max(POSTGRES_LIMITS.poolSizeMax, { error: `expected 1..${POSTGRES_LIMITS.poolSizeMax}` }).optional(),
    statementTimeoutMs: z
      .number()
      .int({ error: 'expected a whole number of milliseconds' })
      .min(POSTGRES_LIMITS.statementTimeoutMsMin, { error: `expected at least ${POSTGRES_LIMITS.statementTimeoutMsMin} ms` })
      .max(POSTGRES_LIMITS.statementTimeoutMsMax, { error: `expected at most ${POSTGRES_LIMITS.statementTimeoutMsMax} ms` })
      .optional(),
  })
  .refine((storage) => storage.engine === 'postgres' || (storage.url === undefined && storage.poolSize === undefined && storage.statementTimeoutMs === undefined), { error: 'url, poolSize and statementTimeoutMs are settings of engine: postgres' })
  .default({ engine: 'lmdb' });

export type StorageConfig = z.infer<typeof storageSchema>;

/** Upper bound of `regions:`: about as many as AWS has. */
const MAX_REGIONS = 40;

const configObject = z.strictObject({
  /** The region cove serves (the first of `regions:` when both are given); default us-east-1. */
  region: region.optional(),
  /** Several regions, each with its own tables, chosen per request by its credential scope. */
  regions: z
    .array(region)
    .min(1, { error: 'expected at least one region' })
    .max(MAX_REGIONS, { error: `expected at most ${MAX_REGIONS} regions` })
    .refine((list) => new Set(list).size === list.length, { error: 'expected each region once' })
    .optional(),
  accountId: z.string({ error: 'expected a 12-digit account ID as a quoted string (YAML reads unquoted digits as a number)' }).regex(/^\d{12}$/, { error: 'expected a 12-digit account ID, quoted so YAML keeps it a string' }).default('000000000000'),
  listeners: z
    .array(
      z.strictObject({
        name: listenerName,
        listen: hostPort,
        /**
         * Self-hosted: the real client address decides where the client is. The longest
         * matching CIDR names the attachment; a client no entry matches is on the internet.
         */
        sources: z.array(z.strictObject({ cidr: sourceCidr, attachment: listenerName })).optional(),
        tls: tlsSchema.optional(),
        proxyProtocol: proxyProtocolSchema.optional(),
      }),
    )
    .min(1, { error: 'expected at least one listener' })
    .default([{ name: 'public', listen: '127.0.0.1:8000' }]),
  workers: workersSchema.default(1),
  storage: storageSchema,
  /** Open mode (as `--open`): every well-formed SigV4 request acts as the admin user, unverified. */
  open: z.boolean({ error: 'expected true or false' }).default(false),
  /**
   * DynamoDB's asynchronous table lifecycle, for code that must be tested against it: a new table
   * stays CREATING for `createDelayMs`, a deleted one DELETING for `deleteDelayMs` (default: the
   * same). Default 0: ACTIVE at once and gone at once, as DynamoDB Local.
   */
  tables: z
    .strictObject({ createDelayMs: lifecycleDelayMs.default(0), deleteDelayMs: lifecycleDelayMs.optional() })
    .transform(({ createDelayMs, deleteDelayMs }) => ({ createDelayMs, deleteDelayMs: deleteDelayMs ?? createDelayMs }))
    .default({ createDelayMs: 0, deleteDelayMs: 0 }),
  /** How long a listener waits for a client's request (slowloris); defaults in src/server/limits.ts. */
  http: z
    .strictObject({
      headersTimeoutMs: timeoutMs.default(SERVER_LIMITS.headersTimeoutMs),
      requestTimeoutMs: timeoutMs.default(SERVER_LIMITS.requestTimeoutMs),
      /** An idle keep-alive connection is closed after this long. */
      keepAliveTimeoutMs: timeoutMs.default(SERVER_LIMITS.keepAliveTimeoutMs),
      /** Open connections per listener (and per worker process); one more is closed as it arrives. */
      maxConnections: z.number({ error: 'expected a number of connections' }).int({ error: 'expected a whole number' }).min(1, { error: 'expected at least 1' }).max(1_000_000, { error: 'expected at most 1000000' }).default(SERVER_LIMITS.connectionsMax),
      /** Requests one keep-alive connection carries; the last is answered with `Connection: close`. */
      maxRequestsPerConnection: z.number({ error: 'expected a number of requests' }).int({ error: 'expected a whole number' }).min(1, { error: 'expected at least 1' }).default(SERVER_LIMITS.requestsPerConnectionMax),
    })
    .refine((http) => http.headersTimeoutMs <= http.requestTimeoutMs, { error: 'expected headersTimeoutMs no longer than requestTimeoutMs' })
    .default({ headersTimeoutMs: SERVER_LIMITS.headersTimeoutMs, requestTimeoutMs: SERVER_LIMITS.requestTimeoutMs, keepAliveTimeoutMs: SERVER_LIMITS.keepAliveTimeoutMs, maxConnections: SERVER_LIMITS.connectionsMax, maxRequestsPerConnection: SERVER_LIMITS.requestsPerConnectionMax }),
  iam: z
    .strictObject({
      policies: z.array(z.strictObject({ name: iamName, path: iamPath, document: policyDocument })).default([]),
      groups: z
        .array(z.strictObject({ name: iamName, path: iamPath, policies: inlinePolicies, managedPolicies: policyReferences }))
        .default([]),
      users: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM user name: 1-64 of letters, digits and +=,.@_-' }),
            path: iamPath,
            accessKeys: z
              .array(
                z.strictObject({
                  id: z.string().regex(/^\w{3,128}$/, { error: 'expected an access key ID of 3-128 characters [A-Za-z0-9_]' }),
                  secret: z.string().min(1, { error: 'expected a non-empty secret' }),
                }),
              )
              .default([]),
            policies: inlinePolicies,
            managedPolicies: policyReferences,
            groups: z.array(z.string()).default([]),
            permissionsBoundary: policyReference.optional(),
            tags: iamTags,
          }),
        )
        .default([]),
      roles: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM role name: 1-64 of letters, digits and +=,.@_-' }),
            path: iamPath,
            /** The trust policy: who may assume the role (sts:AssumeRole). */
            assumeRolePolicy: policyDocument,
            policies: inlinePolicies,
            managedPolicies: policyReferences,
            permissionsBoundary: policyReference.optional(),
            /** The longest session AssumeRole may ask for, in seconds: IAM's 3600..43200, default 3600. */
            maxSessionDuration: z.number().int().min(3600, { error: 'expected 3600..43200 seconds' }).max(43200, { error: 'expected 3600..43200 seconds' }).default(3600),
            tags: iamTags,
          }),
        )
        .default([]),
    })
    .default({ policies: [], groups: [], users: [], roles: [] }),
  network: networkSchema,
  attachments: z.array(attachmentSchema).default([]),
  audit: auditSchema,
});

/**
 * cove.yaml, validated. `region` is always the first served region and `regions` every one
 * (`region` first): given `regions:` alone, its first entry is `region`.
 */
export const configSchema = configObject
  .refine((config) => config.region === undefined || config.regions === undefined || config.regions.includes(config.region), {
    error: 'expected region to be one of regions',
    path: ['region'],
  })
  .transform(({ region, regions, ...rest }) => {
    const first = region ?? regions?.[0] ?? 'us-east-1';
    return { ...rest, region: first, regions: [first, ...(regions ?? []).filter((other) => other !== first)] };
  });

export type CoveConfig = z.infer<typeof configSchema>;
