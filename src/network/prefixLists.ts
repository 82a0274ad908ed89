import { createHash } from 'node:crypto';
import type { PrefixList } from './model.js';

/**
 * The AWS-managed prefix lists `com.amazonaws.REGION.dynamodb`: the addresses
 * of DynamoDB's regional endpoint, which a gateway endpoint's route
 * (`pl-… → vpce-…`) and security-group rules refer to. Data only: cove never
 * contacts these addresses.
 *
 * Sources. us-east-1: the ID pl-02cd2c6b is the one AWS publishes (seen in
 * `aws ec2 describe-prefix-lists` output and route tables in many public
 * write-ups); its CIDRs are the current four that moto models (AWS-FACTS.md).
 * The other regions: IDs and CIDRs from a published `aws ec2
 * describe-prefix-lists` run over every region (an older capture: AWS has
 * since added ranges to some lists, never changed an ID); eu-west-1's list
 * matches the example in the AWS Tools for PowerShell documentation, and
 * us-west-2 carries the extra 52.94.10.0/24 seen in later captures. A prefix
 * list ID is regional: the same ID may name another list in another region
 * (pl-78a54011 is ap-northeast-1's DynamoDB list and ap-south-1's S3 list),
 * but the DynamoDB lists below are all distinct.
 */
const KNOWN: Readonly<Record<string, { id: string; cidrs: readonly string[] }>> = {
  'us-east-1': { id: 'pl-02cd2c6b', cidrs: ['3.218.182.0/24', '3.218.180.0/23', '52.94.0.0/22', '52.119.224.0/20'] },
  'us-east-2': { id: 'pl-4ca54025', cidrs: ['52.94.4.0/24'] },
  'us-west-1': { id: 'pl-6ea54007', cidrs: ['52.94.12.0/24'] },
  'us-west-2': { id: 'pl-00a54069', cidrs: ['52.94.10.0/24', '52.94.28.0/23'] },
  'ca-central-1': { id: 'pl-4ea54027', cidrs: ['52.94.14.0/24'] },
  'sa-east-1': { id: 'pl-60a54009', cidrs: ['52.94.7.0/24'] },
  'eu-west-1': { id: 'pl-6fa54006', cidrs: ['52.94.5.0/24', '52.119.240.0/21', '52.94.24.0/23'] },
  'eu-west-2': { id: 'pl-b3a742da', cidrs: ['52.94.15.0/24'] },
  'eu-west-3': { id: 'pl-abb451c2', cidrs: ['52.94.16.0/24'] },
  'eu-central-1': { id: 'pl-66a5400f', cidrs: ['52.94.17.0/24'] },
  'ap-south-1': { id: 'pl-66a7420f', cidrs: ['52.94.20.0/24'] },
  'ap-northeast-1': { id: 'pl-78a54011', cidrs: ['52.94.8.0/24'] },
  'ap-northeast-2': { id: 'pl-48a54021', cidrs: ['52.94.6.0/24'] },
  'ap-southeast-1': { id: 'pl-67a5400e', cidrs: ['52.94.11.0/24'] },
  'ap-southeast-2': { id: 'pl-62a5400b', cidrs: ['52.94.13.0/24'] },
};

export function dynamodbServiceName(region: string): string {
  return `com.amazonaws.${region}.dynamodb`;
}

/** Regions whose DynamoDB prefix list cove knows (real IDs and CIDRs). */
export const KNOWN_PREFIX_LIST_REGIONS: readonly string[] = Object.keys(KNOWN);

function known(region: string): PrefixList | undefined {
  const entry = KNOWN[region];
  return entry && { id: entry.id, name: dynamodbServiceName(region), region, cidrs: [...entry.cidrs] };
}

/**
 * The /29 blocks synthetic lists take their CIDR from: the documentation
 * ranges TEST-NET-1 (192.0.2.0/24) and TEST-NET-2 (198.51.100.0/24), 64 blocks
 * in all. (TEST-NET-3, 203.0.113.0/24, is left to the examples' public IPs.)
 */
const SYNTHETIC_BLOCKS = 64;

function syntheticBlock(slot: number): string {
  const base = slot < 32 ? '192.0.2' : '198.51.100';
  return `${base}.${(slot % 32) * 8}/29`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A region cove has no data for (a newer AWS region, or a made-up one for a
 * test) gets a synthetic list: the ID is `pl-` and the first 8 hex digits of
 * SHA-256(name), the CIDR a /29 of a documentation range chosen by the next
 * digits. Both depend only on the region's name, so they are the same on
 * every start; when two synthetic lists of one model would collide (the ID,
 * or the block: 64 of them), the later region in name order takes the next
 * free one.
 */
function synthetic(region: string, takenIds: Set<string>, takenSlots: Set<number>): PrefixList {
  const name = dynamodbServiceName(region);
  const hash = digest(name);
  let id = `pl-${hash.slice(0, 8)}`;
  for (let n = 1; takenIds.has(id); n++) id = `pl-${digest(`${name}#${n}`).slice(0, 8)}`;
  let slot = parseInt(hash.slice(8, 12), 16) % SYNTHETIC_BLOCKS;
  for (let n = 0; takenSlots.has(slot) && n < SYNTHETIC_BLOCKS; n++) slot = (slot + 1) % SYNTHETIC_BLOCKS;
  takenIds.add(id);
  takenSlots.add(slot);
  return { id, name, region, cidrs: [syntheticBlock(slot)] };
}

/** Whether `region` has a real prefix list in cove's table (else it is synthetic). */
export function isKnownPrefixListRegion(region: string): boolean {
  return KNOWN[region] !== undefined;
}

/**
 * Every DynamoDB prefix list of a model: each known region's, plus a synthetic
 * one for each region in `regions` cove has no data for.
 */
export function dynamodbPrefixLists(regions: Iterable<string>): PrefixList[] {
  const lists = KNOWN_PREFIX_LIST_REGIONS.map((region) => known(region)!);
  const takenIds = new Set(lists.map((list) => list.id));
  const takenSlots = new Set<number>();
  const unknown = [...new Set(regions)].filter((region) => !isKnownPrefixListRegion(region)).sort();
  for (const region of unknown) lists.push(synthetic(region, takenIds, takenSlots));
  return lists;
}

/** The DynamoDB prefix list of one region, on its own (synthetic when the region is not in cove's table). */
export function dynamodbPrefixList(region: string): PrefixList {
  return known(region) ?? synthetic(region, new Set(Object.values(KNOWN).map((entry) => entry.id)), new Set());
}
