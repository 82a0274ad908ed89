/**
 * Writer lanes with an exact oracle, for probes that kill the server under load.
 *
 * Each key belongs to one lane, and a lane sends one write at a time, so at any moment at most
 * one write per key is unanswered. After a crash a key must hold its last acknowledged value or
 * the value of that one unanswered write; a transaction's keys all the one or all the other.
 * Every written value carries a sequence number unique in its lane, so no two writes of a key
 * produce equal items and "which write is this" has one answer.
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { Random } from './random.js';

export type Item = Record<string, AttributeValue>;
/** What a key holds: an item, or null when it does not exist. */
export type Value = Item | null;

/** The values of the index key `g`; an item without `g` is not in the index (sparse). */
export const GROUPS = ['red', 'green', 'blue'] as const;
/** The table the lanes write: key `pk`, and the global index `byGroup` on (g, v), projecting all. */
export const LANE_TABLE = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'g', AttributeType: 'S' as const },
    { AttributeName: 'v', AttributeType: 'N' as const },
  ],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byGroup',
      KeySchema: [
        { AttributeName: 'g', KeyType: 'HASH' as const },
        { AttributeName: 'v', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST' as const,
};
const INDEX = 'byGroup';
const PAD_BYTES_MAX = 1500;
const NAMES = { '#seq': 'seq', '#v': 'v', '#pad': 'pad', '#g': 'g', '#n': 'n' };

/** The write a lane sent and has not seen answered: what each key it names holds if it was applied. */
interface Pending {
  /** 'all': a transaction, every key changed or none; 'each': every key on its own (a batch). */
  atomicity: 'all' | 'each';
  next: Map<string, Value>;
  what: string;
  /** Sends the same transaction again with the same ClientRequestToken: a client's retry after an unknown outcome. */
  retry?: (client: DynamoDBClient) => Promise<unknown>;
}

/** One write to send: the command, and what applying it means. */
interface Write {
  send: (client: DynamoDBClient) => Promise<unknown>;
  pending: Pending;
  /** The write's condition is false: it must be refused (with these cancellation codes, for a transaction). */
  refusal?: { error: string; codes?: string[] };
}

/** What the lanes saw while the server ran. */
export interface LoadCounts {
  /** Writes answered 200. */
  acknowledged: number;
  /** Their request IDs (x-amzn-RequestId), to look for in the audit trail. */
  acknowledgedRequestIds: string[];
  /** Writes refused as they had to be (a false condition). */
  refused: number;
  fiveXX: number;
  /** Answers no correct server gives (a false condition accepted, an unexpected error); each described. */
  wrong: string[];
}

export function newLoadCounts(): LoadCounts {
  return { acknowledged: 0, acknowledgedRequestIds: [], refused: 0, fiveXX: 0, wrong: [] };
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

export class Lane {
  private seq = 0;
  /** The write sent and not answered when the lane stopped (the server was killed). */
  pending: Pending | undefined;
  readonly keys: string[];

  constructor(
    readonly id: number,
    keyCount: number,
    private readonly random: Random,
    /** Every lane's acknowledged values, by key. */
    private readonly model: Map<string, Value>,
  ) {
    this.keys = Array.from({ length: keyCount }, (_, i) => `lane${id}-key${i}`);
    for (const key of this.keys) model.set(key, null);
  }

  /** Sends one write after the other until `stopping` says so or a write goes unanswered. */
  async run(client: DynamoDBClient, table: string, stopping: () => boolean, counts: LoadCounts): Promise<void> {
    while (!stopping()) {
      const write = this.nextWrite(table);
      this.pending = write.pending;
      if (!(await this.send(client, write, stopping, counts))) return;
      this.pending = undefined;
    }
  }

  /** Sends the write and records its answer; false when its outcome is unknown (the lane stops). */
  private async send(client: DynamoDBClient, write: Write, stopping: () => boolean, counts: LoadCounts): Promise<boolean> {
    let answer: { $metadata?: { requestId?: string } };
    try {
      answer = (await write.send(client)) as typeof answer;
    } catch (thrown) {
      const error = thrown as Error & { $metadata?: { httpStatusCode?: number }; CancellationReasons?: { Code?: string }[] };
      const status = error.$metadata?.httpStatusCode;
      if (status === undefined) {
        // No answer: the server was killed (or died) with the write in flight.
        if (!stopping()) counts.wrong.push(`${write.pending.what}: no answer while the server should run (${error.message})`);
        return false;
      }
      if (status >= 500) {
        counts.fiveXX++;
        counts.wrong.push(`${write.pending.what}: ${status} ${error.name}: ${error.message}`);
        return false;
      }
      const codes = error.CancellationReasons?.map((reason) => reason.Code ?? '');
      if (write.refusal && error.name === write.refusal.error && (!write.refusal.codes || JSON.stringify(codes) === JSON.stringify(write.refusal.codes))) {
        counts.refused++;
        return true;
      }
      counts.wrong.push(`${write.pending.what}: ${status} ${error.name}: ${error.message} ${codes ? JSON.stringify(codes) : ''}`);
      return false;
    }
    if (write.refusal) {
      counts.wrong.push(`${write.pending.what}: accepted although its condition was false`);
      return false;
    }
    counts.acknowledged++;
    if (answer.$metadata?.requestId) counts.acknowledgedRequestIds.push(answer.$metadata.requestId);
    for (const [key, value] of write.pending.next) this.model.set(key, value);
    return true;
  }

  private nextWrite(table: string): Write {
    const roll = this.random.next();
    if (roll < 0.25) return this.put(table);
    if (roll < 0.5) return this.update(table);
    if (roll < 0.6) return this.delete(table);
    if (roll < 0.65) return this.refusedUpdate(table);
    if (roll < 0.8) return this.batch(table);
    return this.transaction(table);
  }

  /** A new item for `key`, with a fresh sequence number; in the index (some `g`) four times in five. */
  private item(key: string): Item {
    const item: Item = { pk: S(key), seq: N(++this.seq), v: N(this.random.int(1000)), n: N(this.random.int(100)), pad: S(this.pad(key)) };
    if (this.random.next() < 0.8) item.g = S(this.random.pick(GROUPS));
    return item;
  }

  /** Filler of 0..PAD_BYTES_MAX bytes, so that items vary in size and span pages. */
  private pad(key: string): string {
    const text = `${key}:${this.seq}:`;
    return text.repeat(Math.ceil(this.random.int(PAD_BYTES_MAX) / text.length));
  }

  private put(table: string): Write {
    const key = this.random.pick(this.keys);
    const item = this.item(key);
    return { send: (c) => c.send(new PutItemCommand({ TableName: table, Item: item })), pending: single(key, item, `PutItem ${key}`) };
  }

  private update(table: string): Write {
    const key = this.random.pick(this.keys);
    const { update, next } = this.updateOf(key);
    return { send: (c) => c.send(new UpdateItemCommand({ TableName: table, ...update })), pending: single(key, next, `UpdateItem ${key}`) };
  }

  /**
   * An optimistic-locking update: SET the new sequence number, v and pad, SET or REMOVE g (moving
   * the item in the index, or out of it), ADD 1 to the counter n; conditional on the sequence
   * number the lane last saw acknowledged (or on the item's absence).
   */
  private updateOf(key: string): { update: Omit<Extract<TransactWriteItem['Update'], object>, 'TableName'>; next: Item } {
    const old = this.model.get(key) ?? null;
    const fresh = this.item(key);
    const g = fresh.g;
    const values: Item = { ':seq': fresh.seq, ':v': fresh.v, ':pad': fresh.pad, ':one': N(1) };
    if (g) values[':g'] = g;
    if (old) values[':prev'] = old.seq;
    const next: Item = { ...(old ?? { pk: S(key) }), seq: fresh.seq, v: fresh.v, pad: fresh.pad, n: N(Number(old?.n?.N ?? 0) + 1) };
    if (g) next.g = g;
    else delete next.g;
    return {
      update: {
        Key: { pk: S(key) },
        UpdateExpression: `SET #seq = :seq, #v = :v, #pad = :pad${g ? ', #g = :g' : ' REMOVE #g'} ADD #n :one`,
        ConditionExpression: old ? '#seq = :prev' : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: values,
      },
      next,
    };
  }

  private delete(table: string): Write {
    const key = this.random.pick(this.keys);
    const exists = this.model.get(key) !== null;
    const command = new DeleteItemCommand({ TableName: table, Key: { pk: S(key) }, ...(exists ? { ConditionExpression: 'attribute_exists(pk)' } : {}) });
    return { send: (c) => c.send(command), pending: single(key, null, `DeleteItem ${key}`) };
  }

  /** An update whose condition names a sequence number no write ever had: refused, nothing changes. */
  private refusedUpdate(table: string): Write {
    const key = this.random.pick(this.keys);
    const command = new UpdateItemCommand({
      TableName: table,
      Key: { pk: S(key) },
      UpdateExpression: 'ADD #n :one',
      ConditionExpression: '#seq = :never',
      ExpressionAttributeNames: { '#seq': 'seq', '#n': 'n' },
      ExpressionAttributeValues: { ':one': N(1), ':never': N(-1) },
    });
    return { send: (c) => c.send(command), pending: single(key, this.model.get(key) ?? null, `refused UpdateItem ${key}`), refusal: { error: 'ConditionalCheckFailedException' } };
  }

  private batch(table: string): Write {
    const keys = this.random.sample(this.keys, this.random.between(2, Math.min(8, this.keys.length)));
    const next = new Map<string, Value>();
    const requests = keys.map((key) => {
      if (this.random.next() < 0.25) {
        next.set(key, null);
        return { DeleteRequest: { Key: { pk: S(key) } } };
      }
      const item = this.item(key);
      next.set(key, item);
      return { PutRequest: { Item: item } };
    });
    const command = new BatchWriteItemCommand({ RequestItems: { [table]: requests } });
    return { send: (c) => c.send(command), pending: { atomicity: 'each', next, what: `BatchWriteItem ${keys.join(' ')}` } };
  }

  /**
   * TransactWriteItems over 2 to 4 of the lane's keys: Put, Update (as `update`), Delete and
   * ConditionCheck. One in eight carries a ConditionCheck that fails: it must be cancelled with
   * ConditionalCheckFailed at that action and None at every other, changing nothing.
   */
  private transaction(table: string): Write {
    const keys = this.random.sample(this.keys, this.random.between(2, Math.min(4, this.keys.length)));
    const refusedAt = this.random.next() < 0.125 ? this.random.int(keys.length) : -1;
    const next = new Map<string, Value>();
    const items: TransactWriteItem[] = keys.map((key, i) => {
      const old = this.model.get(key) ?? null;
      const check = (expression: string, values?: Item): TransactWriteItem => {
        next.set(key, old);
        return { ConditionCheck: { TableName: table, Key: { pk: S(key) }, ConditionExpression: expression, ExpressionAttributeNames: { '#seq': 'seq' }, ...(values ? { ExpressionAttributeValues: values } : {}) } };
      };
      if (i === refusedAt) return check('#seq = :never', { ':never': N(-1) });
      const roll = this.random.next();
      if (roll < 0.3) {
        const item = this.item(key);
        next.set(key, item);
        return { Put: { TableName: table, Item: item } };
      }
      if (roll < 0.65) {
        const { update, next: updated } = this.updateOf(key);
        next.set(key, updated);
        return { Update: { TableName: table, ...update } };
      }
      if (roll < 0.85) {
        next.set(key, null);
        return { Delete: { TableName: table, Key: { pk: S(key) } } };
      }
      return old ? check('#seq = :prev', { ':prev': old.seq }) : check('attribute_not_exists(#seq)');
    });
    const what = `TransactWriteItems ${keys.join(' ')}`;
    // Half the transactions that must commit carry a token, to be retried after a crash left them unanswered.
    const token = refusedAt < 0 && this.random.next() < 0.5 ? `lane${this.id}-tx${++this.seq}` : undefined;
    const command = new TransactWriteItemsCommand({ TransactItems: items, ...(token ? { ClientRequestToken: token } : {}) });
    const send = (c: DynamoDBClient) => c.send(command);
    if (refusedAt < 0) return { send, pending: { atomicity: 'all', next, what, ...(token ? { retry: send } : {}) } };
    const unchanged = new Map(keys.map((key) => [key, this.model.get(key) ?? null]));
    const codes = keys.map((_, i) => (i === refusedAt ? 'ConditionalCheckFailed' : 'None'));
    return { send, pending: { atomicity: 'all', next: unchanged, what: `refused ${what}` }, refusal: { error: 'TransactionCanceledException', codes } };
  }
}

function single(key: string, value: Value, what: string): Pending {
  return { atomicity: 'each', next: new Map([[key, value]]), what };
}

/** What a check of the store against the lanes' oracle found. */
export interface Verdict {
  /** Keys holding neither their acknowledged value nor their unanswered write's. */
  lost: number;
  /** Transactions found partly applied. */
  torn: number;
  /** Items the table holds that no lane wrote. */
  strangers: number;
  /** Keys whose index entries differ from what their item implies (missing, extra or stale). */
  indexMismatches: number;
  /** Unanswered writes found applied, and found not applied. */
  inFlightApplied: number;
  inFlightDropped: number;
  /** Unanswered transactions sent again with their ClientRequestToken, which must then be applied exactly once. */
  tokenRetries: number;
  problems: string[];
}

/**
 * Reads the whole table and its index, and checks them against the oracle: every key its
 * acknowledged value or its unanswered write's (a transaction's keys all one or all the
 * other), no other item, and the index exactly what the items imply. Then takes what it read as
 * the new acknowledged state, so that the lanes go on from there.
 */
export async function verifyLanes(client: DynamoDBClient, table: string, lanes: readonly Lane[], model: Map<string, Value>): Promise<Verdict> {
  const verdict: Verdict = { lost: 0, torn: 0, strangers: 0, indexMismatches: 0, inFlightApplied: 0, inFlightDropped: 0, tokenRetries: 0, problems: [] };
  const retries: Pending[] = [];
  const stored = await readTable(client, table);
  for (const lane of lanes) {
    const pending = lane.pending;
    const asOld = new Set<string>();
    const asNew = new Set<string>();
    for (const key of lane.keys) {
      const actual = stored.get(key) ?? null;
      if (same(actual, model.get(key) ?? null)) asOld.add(key);
      if (pending?.next.has(key) && same(actual, pending.next.get(key)!)) asNew.add(key);
      if (!asOld.has(key) && !asNew.has(key)) {
        verdict.lost++;
        verdict.problems.push(`${key}: holds ${show(actual)}, acknowledged ${show(model.get(key) ?? null)}${pending?.next.has(key) ? `, or in flight (${pending.what}) ${show(pending.next.get(key)!)}` : ''}`);
      }
    }
    if (pending) {
      const keys = [...pending.next.keys()];
      const applied = keys.every((key) => asNew.has(key));
      const untouched = keys.every((key) => asOld.has(key));
      if (pending.atomicity === 'all' && !applied && !untouched) {
        verdict.torn++;
        verdict.problems.push(`${pending.what}: partly applied (new: ${keys.filter((k) => asNew.has(k)).join(' ')}; old: ${keys.filter((k) => asOld.has(k)).join(' ')})`);
      }
      if (applied && !untouched) verdict.inFlightApplied++;
      else if (untouched && !applied) verdict.inFlightDropped++;
    }
    for (const key of lane.keys) model.set(key, stored.get(key) ?? null);
    if (pending?.retry) retries.push(pending);
    lane.pending = undefined;
  }
  // The model's keys that no lane writes were written once, before the kills: they must stay as they are.
  const laneKeys = new Set(lanes.flatMap((lane) => lane.keys));
  for (const [key, value] of model) {
    if (laneKeys.has(key) || same(stored.get(key) ?? null, value)) continue;
    verdict.lost++;
    verdict.problems.push(`${key}: holds ${show(stored.get(key) ?? null)}, written once as ${show(value)}`);
  }
  for (const key of stored.keys()) {
    if (!model.has(key)) {
      verdict.strangers++;
      verdict.problems.push(`${key}: an item no lane wrote`);
    }
  }
  const disagreements = await indexDisagreements(client, table, stored);
  verdict.indexMismatches += disagreements.length;
  verdict.problems.push(...disagreements);
  for (const pending of retries) await retryWithToken(client, table, pending, model, verdict);
  return verdict;
}

/**
 * Sends an unanswered transaction again with its token: it must succeed (answered as the first
 * was, or applied now if the first was not) and leave its keys at its new values, applied once.
 */
async function retryWithToken(client: DynamoDBClient, table: string, pending: Pending, model: Map<string, Value>, verdict: Verdict): Promise<void> {
  verdict.tokenRetries++;
  try {
    await pending.retry!(client);
  } catch (thrown) {
    const error = thrown as Error;
    verdict.problems.push(`${pending.what}: its retry with the same ClientRequestToken failed: ${error.name}: ${error.message}`);
    return;
  }
  for (const [key, value] of pending.next) {
    const actual = (await client.send(new GetItemCommand({ TableName: table, Key: { pk: S(key) }, ConsistentRead: true }))).Item ?? null;
    if (!same(actual, value)) {
      verdict.lost++;
      verdict.problems.push(`${key}: holds ${show(actual)} after the token retry of ${pending.what}, which writes ${show(value)}`);
    }
    model.set(key, actual);
  }
}

/** Every item of the table, by `pk`, from a strongly consistent Scan. */
export async function readTable(client: DynamoDBClient, table: string): Promise<Map<string, Item>> {
  return byKey(await readAll(client, { TableName: table, ConsistentRead: true }, ScanCommand));
}

/** Every entry of a global index, by `pk`, from a Scan of the index. */
export async function readIndex(client: DynamoDBClient, table: string, index: string): Promise<Map<string, Item>> {
  return byKey(await readAll(client, { TableName: table, IndexName: index }, ScanCommand));
}

/**
 * Where the index disagrees with the table: each group's Query must list exactly the table's
 * items with that `g`, each as stored (projection ALL). One line per key that differs.
 */
export async function indexDisagreements(client: DynamoDBClient, table: string, stored: Map<string, Item>): Promise<string[]> {
  const disagreements: string[] = [];
  for (const group of GROUPS) {
    const query = { TableName: table, IndexName: INDEX, KeyConditionExpression: 'g = :g', ExpressionAttributeValues: { ':g': S(group) } };
    const listed = byKey(await readAll(client, query, QueryCommand));
    const expected = new Map([...stored].filter(([, item]) => item.g?.S === group));
    for (const key of new Set([...listed.keys(), ...expected.keys()])) {
      const entry = listed.get(key) ?? null;
      const item = expected.get(key) ?? null;
      if (!same(entry, item)) disagreements.push(`index ${INDEX}, g = ${group}, ${key}: lists ${show(entry)}, the table implies ${show(item)}`);
    }
  }
  return disagreements;
}

/** Every page of a Scan or Query. */
async function readAll<I extends object>(client: DynamoDBClient, input: I, Command: new (input: I & { ExclusiveStartKey?: Item }) => ScanCommand | QueryCommand): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new Command({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }) as ScanCommand);
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function byKey(items: readonly Item[]): Map<string, Item> {
  return new Map(items.map((item) => [item.pk.S!, item]));
}

function same(a: Value, b: Value): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: Value): string {
  return value === null ? 'null' : JSON.stringify(Object.keys(value).sort().map((name) => [name, value[name]]));
}

/** An item in a problem line: its sequence number and counter tell which write it came from. */
function show(value: Value): string {
  return value === null ? 'nothing' : `{seq ${value.seq?.N}, n ${value.n?.N}, g ${value.g?.S ?? '-'}, v ${value.v?.N}}`;
}
