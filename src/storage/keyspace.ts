/**
 * The engine's top-level key tags: the first byte of every key says whose it is. One place lists
 * them all, so that a new user of the engine takes a free tag.
 *
 *   00  DynamoDB table catalog        src/dynamo/keys.ts
 *   01  DynamoDB items                src/dynamo/keys.ts
 *   02  purge markers (deleted tables and indexes)   src/dynamo/keys.ts
 *   03  DynamoDB catalog version      src/dynamo/keys.ts
 *   04  secondary index entries       src/dynamo/keys.ts
 *   05  stream counters and records   src/dynamo/keys.ts
 *   06  DynamoDB table catalog of a region other than the home one   src/dynamo/keys.ts
 *   07  that catalog's version        src/dynamo/keys.ts
 *   08  item collection sizes (tables with local indexes)   src/dynamo/keys.ts
 *   10  TransactWriteItems client tokens              src/dynamo/keys.ts
 *   11  client token expiries         src/dynamo/keys.ts
 *   12  the account a shared store holds (PostgreSQL)   src/cli/serve.ts
 *   20  IAM principals and policies created through the IAM API   src/iam/store.ts
 *   21  IAM store version              src/iam/store.ts
 *   22  STS session token key, in a store several machines share (PostgreSQL)   src/auth/sessionTokens.ts
 */
/** 12: `{"accountId": ...}`, written by the first node that opens a shared store. */
export const STORE_ACCOUNT_KEY = Buffer.of(0x12);
export const IAM_STATE_TAG = 0x20;
export const IAM_VERSION_TAG = 0x21;
export const STS_SESSION_KEY_TAG = 0x22;

/**
 * How many leading bytes of a key name the partition it belongs to, by its tag: the rows a
 * distributed database should keep together (a Query reads one partition; a stream's records and
 * the small catalogs are read as ranges). Items and index entries: tag, table or index id
 * (8 bytes), partition hash (16 bytes); a stream's counter and records: tag and stream id;
 * client tokens, read one at a time: the whole key; anything else: its tag. The rule depends on
 * the tag alone and its lengths are fixed, which keeps (partition, rest) in the keys' order
 * (partitionOf).
 */
export const PARTITION_PREFIX_BYTES: ReadonlyMap<number, number | 'whole key'> = new Map<number, number | 'whole key'>([
  [0x01, 25],
  [0x04, 25],
  [0x05, 9],
  [0x08, 25],
  [0x10, 'whole key'],
]);

/** A key split into its partition prefix and the rest; `part` + `rest` is the key. */
export interface PartitionedKey {
  part: Buffer;
  rest: Buffer;
  /** The part is a whole partition prefix of a tag split by length (a range inside it reads one partition). */
  fullPrefix: boolean;
}

/**
 * The key's partition prefix and the rest. Comparing (part, rest) pairs part first, then rest,
 * bytewise, orders them as the keys themselves: within one tag the parts have one length unless
 * a key is shorter than it (then its part is the whole key, a prefix of any longer key's part it
 * starts), and keys of different tags differ in their first byte.
 */
export function partitionOf(key: Buffer): PartitionedKey {
  const rule = PARTITION_PREFIX_BYTES.get(key[0]) ?? 1;
  const bytes = rule === 'whole key' ? key.length : Math.min(rule, key.length);
  return { part: key.subarray(0, bytes), rest: key.subarray(bytes), fullPrefix: rule !== 'whole key' && bytes === rule };
}

/** The smallest key greater than every key that starts with `prefix`. */
export function successor(prefix: Buffer): Buffer {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] !== 0xff) {
      out[i]++;
      return out.subarray(0, i + 1);
    }
  }
  throw new Error('no successor for an all-0xff prefix');
}

/** Whether `end` is the first key after every key that starts with `prefix` (false when none is). */
export function endsPrefix(end: Buffer, prefix: Buffer): boolean {
  return prefix.some((byte) => byte !== 0xff) && end.equals(successor(prefix));
}
