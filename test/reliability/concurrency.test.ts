/**
 * Concurrency: many clients (each its own connections, spread over the workers) race on the
 * same keys, and the final state must be exact — one winner per conditional create, counters
 * and sets with every increment, optimistic locking without a lost update, transactions whole
 * (a transfer never creates or destroys money, in any snapshot) and cancelled with the right
 * reasons, ClientRequestToken twins applied once, a global index equal to its table under
 * racing moves, strongly consistent reads that see every write acknowledged before them, one
 * winner among racing CreateTables, no write acknowledged after DeleteTable's answer. With 1
 * and 2 workers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { alive, fullAccessConfig, removeDirectory, startCove, type CoveProcess } from '../support/cove.js';
import { reportFigures, scaled } from '../support/reliability.js';
import { probeSeed, seededRandom, type Random } from '../support/random.js';
import { GROUPS, indexDisagreements, LANE_TABLE, readTable, type Item } from '../support/writeLanes.js';

const KEY_ID = 'AKIARACER0000000001';
const SECRET = 'racer-secret';
const CONFIG = fullAccessConfig('racer', KEY_ID, SECRET);
const TABLE = 'race';
const RACERS = 50;
const CREATE_ROUNDS = scaled(6, 60);
const COUNTER_CLIENTS = 20;
const COUNTER_ADDS_PER_CLIENT = scaled(10, 100);
const LOCKING_CLIENTS = 10;
const LOCKING_WINS_PER_CLIENT = scaled(4, 30);
const ACCOUNTS = 5;
const OPENING_BALANCE = 100;
const TRANSFER_CLIENTS = 10;
const TRANSFERS_PER_CLIENT = scaled(8, 80);
const TWIN_ROUNDS = scaled(4, 40);
const INDEX_WRITERS = 20;
const INDEX_KEYS = 10;
const INDEX_WRITES_PER_CLIENT = scaled(15, 150);
const TABLE_ROUNDS = scaled(2, 20);
const READ_PAIRS = 10;
const READS_PER_PAIR = scaled(20, 200);
const DELETE_WRITERS = 20;
/** Writes each client sends to a doomed table before the DeleteTable goes out (then until refused). */
const WRITES_BEFORE_DELETE = 5;
/** Attempts a client makes at one transfer or locked update before giving up (contention, not failure). */
const ATTEMPTS_MAX = 200;

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });

interface AwsFailure extends Error {
  $metadata?: { httpStatusCode?: number };
  CancellationReasons?: { Code?: string }[];
}

/** Summed over both worker counts: reported once, as `concurrency`. */
const figures = { cycles: 0, requests: 0, acknowledged: 0, refused: 0, lost: 0, fiveXX: 0, crashes: 0, badSnapshots: 0, staleReads: 0, wrongAnswers: 0 };
after(() => reportFigures('concurrency', figures));

/** Sends one request, counting it; answers the error named `refusal`, counts and throws any other. */
async function attempt<T>(request: () => Promise<T>, refusal?: string): Promise<T | AwsFailure> {
  figures.requests++;
  try {
    return await request();
  } catch (thrown) {
    const error = thrown as AwsFailure;
    if ((error.$metadata?.httpStatusCode ?? 0) >= 500) figures.fiveXX++;
    if (refusal !== undefined && error.name === refusal) return error;
    figures.wrongAnswers++;
    throw error;
  }
}

const failed = (answer: unknown): answer is AwsFailure => answer instanceof Error;
const codesOf = (failure: AwsFailure) => (failure.CancellationReasons ?? []).map((reason) => reason.Code ?? '');

interface Racing {
  workers: number;
  cove: CoveProcess;
  /** One client per racer, each with its own connections (so they spread over the workers). */
  clients: DynamoDBClient[];
  random: Random;
}

describe('concurrency: racing writers, exact final state', () => {
  for (const workers of [1, 2]) {
    describe(`with ${workers} worker${workers > 1 ? 's' : ''}`, () => {
      const racing = {} as Racing;
      before(async () => {
        const seed = probeSeed(`concurrency-${workers}`);
        const cove = await startCove({ config: CONFIG, workers });
        const clients = Array.from({ length: RACERS }, () => cove.client(KEY_ID, SECRET));
        Object.assign(racing, { workers, cove, clients, random: seededRandom(seed) });
        await clients[0].send(new CreateTableCommand({ TableName: TABLE, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
        // Every client opens its connection first, so that the races race requests, not handshakes.
        await Promise.all(clients.map((client) => client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: S('warm-up') } }))));
      });
      after(async () => {
        const { cove } = racing;
        const died = cove.exitStatus() !== undefined || cove.workerPids().some((pid) => !alive(pid));
        if (died) figures.crashes++;
        await cove.stop();
        removeDirectory(cove.dataDirectory);
        assert.equal(died, false, `the server died by itself:\n${cove.output()}`);
      });
      it('one of 50 racing attribute_not_exists puts wins; the rest get ConditionalCheckFailedException', () => conditionalCreates(racing));
      it('one of 50 racing transactions creates the shared key; the rest are cancelled [ConditionalCheckFailed, None] and write nothing', () => transactionalCreates(racing));
      it('ADD from 20 clients counts every increment, each seeing its own predecessor', () => counters(racing));
      it('optimistic locking with a version attribute loses no update', () => optimisticLocking(racing));
      it('racing transfers keep every account exact and every snapshot whole', () => transfers(racing));
      it('twins with one ClientRequestToken apply once; each is answered 200 or TransactionInProgressException', () => tokenTwins(racing));
      it('racing writers that move items in and out of a global index leave it equal to the table', () => racingIndex(racing));
      it('a strongly consistent read sent after a write was acknowledged sees it, whichever worker serves it', () => readsAfterWrites(racing));
      it('one of 50 racing CreateTable wins; the rest get ResourceInUseException', () => racingCreateTable(racing));
      it('no write sent after DeleteTable was answered is acknowledged; the table recreated is empty', () => writesRacingDeleteTable(racing));
    });
  }
});

async function getItem(client: DynamoDBClient, pk: string): Promise<Record<string, AttributeValue> | undefined> {
  const answer = await attempt(() => client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: S(pk) }, ConsistentRead: true })));
  return (answer as { Item?: Record<string, AttributeValue> }).Item;
}

/** Counts a final state that differs from the oracle as lost writes, then asserts it. */
function expectExact(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) figures.lost++;
  assert.deepEqual(actual, expected, what);
}

/** Every client sends its write at once; exactly one may succeed, every other fails with `refusal`. */
async function race<T>(clients: readonly DynamoDBClient[], write: (client: DynamoDBClient, racer: number) => Promise<T>, refusal: string, round: number): Promise<{ answers: (T | AwsFailure)[]; winner: number }> {
  const answers = await Promise.all(clients.map((client, racer) => attempt(() => write(client, racer), refusal)));
  const winners = answers.flatMap((answer, racer) => (failed(answer) ? [] : [racer]));
  figures.acknowledged += winners.length;
  figures.refused += answers.length - winners.length;
  figures.cycles++;
  assert.equal(winners.length, 1, `round ${round}: exactly one winner`);
  return { answers, winner: winners[0] };
}

async function conditionalCreates({ workers, clients }: Racing): Promise<void> {
  for (let round = 0; round < CREATE_ROUNDS; round++) {
    const key = `claim-${workers}-${round}`;
    const put = (client: DynamoDBClient, racer: number) => client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: S(key), owner: N(racer) }, ConditionExpression: 'attribute_not_exists(pk)' }));
    const { winner } = await race(clients, put, 'ConditionalCheckFailedException', round);
    expectExact((await getItem(clients[0], key))?.owner, N(winner), `round ${round}: the winner's item stands`);
  }
}

async function transactionalCreates({ workers, clients }: Racing): Promise<void> {
  for (let round = 0; round < CREATE_ROUNDS; round++) {
    const shared = `txclaim-${workers}-${round}`;
    const own = (racer: number) => `${shared}-own${racer}`;
    const transact = (client: DynamoDBClient, racer: number) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: S(shared), owner: N(racer) }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: TABLE, Item: { pk: S(own(racer)), owner: N(racer) } } },
          ],
        }),
      );
    const { answers, winner } = await race(clients, transact, 'TransactionCanceledException', round);
    for (const answer of answers) if (failed(answer)) assert.deepEqual(codesOf(answer), ['ConditionalCheckFailed', 'None'], `round ${round}: cancellation reasons`);
    const owners = await Promise.all(clients.map(async (_, racer) => (await getItem(clients[racer], own(racer)))?.owner));
    expectExact(owners, clients.map((_, racer) => (racer === winner ? N(racer) : undefined)), `round ${round}: only the winner's own key exists`);
    expectExact((await getItem(clients[0], shared))?.owner, N(winner), `round ${round}: the winner's shared item stands`);
  }
}

async function counters({ workers, clients }: Racing): Promise<void> {
  const key = `counter-${workers}`;
  const seen: number[] = [];
  const adder = async (client: DynamoDBClient, racer: number) => {
    for (let add = 0; add < COUNTER_ADDS_PER_CLIENT; add++) {
      const update = new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: S(key) },
        UpdateExpression: 'ADD #n :one, #tags :tag',
        ExpressionAttributeNames: { '#n': 'n', '#tags': 'tags' },
        ExpressionAttributeValues: { ':one': N(1), ':tag': { SS: [`client${racer}-add${add}`] } },
        ReturnValues: 'UPDATED_NEW',
      });
      const answer = (await attempt(() => client.send(update))) as { Attributes?: Record<string, AttributeValue> };
      figures.acknowledged++;
      seen.push(Number(answer.Attributes?.n?.N));
    }
  };
  await Promise.all(clients.slice(0, COUNTER_CLIENTS).map(adder));
  figures.cycles++;
  const total = COUNTER_CLIENTS * COUNTER_ADDS_PER_CLIENT;
  const item = await getItem(clients[0], key);
  expectExact(item?.n, N(total), 'the counter holds every increment');
  expectExact(item?.tags?.SS?.length, total, 'the set holds every element added');
  // Each increment applied to its own predecessor: the values returned are 1..total, each once.
  expectExact([...seen].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1), 'every increment saw a distinct value');
}

/**
 * Each client adds seeded amounts to a total by read, compute, then write conditional on the
 * version it read (retrying on ConditionalCheckFailedException). Every version is won once, and
 * the total is the sum of every acknowledged amount.
 */
async function optimisticLocking({ workers, clients, random }: Racing): Promise<void> {
  const key = `locked-${workers}`;
  await attempt(() => clients[0].send(new PutItemCommand({ TableName: TABLE, Item: { pk: S(key), version: N(0), total: N(0) } })));
  const winners = new Map<number, number>();
  let expectedTotal = 0;
  let duplicateWins = 0;
  const locker = async (client: DynamoDBClient, racer: number) => {
    const amounts = random.fork(`locker${racer}`);
    for (let won = 0; won < LOCKING_WINS_PER_CLIENT; won++) {
      const amount = amounts.between(1, 9);
      for (let attempts = 0; ; attempts++) {
        assert.ok(attempts < ATTEMPTS_MAX, `client ${racer} lost ${ATTEMPTS_MAX} races in a row`);
        const item = (await getItem(client, key))!;
        const version = Number(item.version.N);
        const update = new UpdateItemCommand({
          TableName: TABLE,
          Key: { pk: S(key) },
          UpdateExpression: 'SET version = :next, #total = :total',
          ConditionExpression: 'version = :read',
          ExpressionAttributeNames: { '#total': 'total' },
          ExpressionAttributeValues: { ':read': N(version), ':next': N(version + 1), ':total': N(Number(item.total.N) + amount) },
        });
        if (failed(await attempt(() => client.send(update), 'ConditionalCheckFailedException'))) {
          figures.refused++;
          continue;
        }
        figures.acknowledged++;
        if (winners.has(version + 1)) duplicateWins++;
        winners.set(version + 1, racer);
        expectedTotal += amount;
        break;
      }
    }
  };
  await Promise.all(clients.slice(0, LOCKING_CLIENTS).map(locker));
  figures.cycles++;
  const wins = LOCKING_CLIENTS * LOCKING_WINS_PER_CLIENT;
  expectExact(duplicateWins, 0, 'no version was won twice');
  const item = await getItem(clients[0], key);
  expectExact([item?.version, item?.total], [N(wins), N(expectedTotal)], 'the version counts every win and the total every amount');
}

/**
 * Transfers between accounts: each a TransactWriteItems of two Updates, conditional on the
 * versions read and on the balance covering the amount. A cancellation lists a reason per
 * action, None or ConditionalCheckFailed, at least one the latter. Meanwhile an auditor reads
 * every account in one TransactGetItems: the sum never moves. At the end every balance and
 * version is what the acknowledged transfers make it.
 */
async function transfers({ workers, clients, random }: Racing): Promise<void> {
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `account-${workers}-${i}`);
  await Promise.all(accounts.map((pk) => attempt(() => clients[0].send(new PutItemCommand({ TableName: TABLE, Item: { pk: S(pk), balance: N(OPENING_BALANCE), ver: N(0) } })))));
  const expected = accounts.map(() => ({ balance: OPENING_BALANCE, ver: 0 }));
  let transferring = true;
  // Its failure is thrown once the transfers are over.
  const auditing = audit(clients[clients.length - 1], accounts, () => transferring).then(
    () => undefined,
    (error: Error) => error,
  );
  const transferrer = async (client: DynamoDBClient, racer: number) => {
    const choices = random.fork(`transferrer${racer}`);
    for (let done = 0; done < TRANSFERS_PER_CLIENT; done++) {
      const [from, to] = choices.sample([...accounts.keys()], 2);
      const wanted = choices.between(1, 30);
      for (let attempts = 0; ; attempts++) {
        assert.ok(attempts < ATTEMPTS_MAX, `client ${racer} lost ${ATTEMPTS_MAX} races in a row`);
        const [source, target] = await readAccounts(client, [accounts[from], accounts[to]]);
        const amount = Math.min(wanted, source.balance);
        if (amount === 0) break; // nothing to move from an empty account: this transfer is void
        const answer = await attempt(() => client.send(transferCommand(accounts[from], source.ver, accounts[to], target.ver, amount)), 'TransactionCanceledException');
        if (failed(answer)) {
          figures.refused++;
          const codes = codesOf(answer);
          const sane = codes.length === 2 && codes.every((code) => code === 'None' || code === 'ConditionalCheckFailed') && codes.includes('ConditionalCheckFailed');
          if (!sane) figures.wrongAnswers++;
          assert.ok(sane, `cancellation reasons ${JSON.stringify(codes)}`);
          continue;
        }
        figures.acknowledged++;
        expected[from].balance -= amount;
        expected[to].balance += amount;
        expected[from].ver++;
        expected[to].ver++;
        break;
      }
    }
  };
  try {
    await Promise.all(clients.slice(0, TRANSFER_CLIENTS).map(transferrer));
  } finally {
    transferring = false;
  }
  const auditFailure = await auditing;
  if (auditFailure) throw auditFailure;
  figures.cycles++;
  expectExact(await readAccounts(clients[0], accounts), expected, 'every balance and version is what the acknowledged transfers made it');
}

function transferCommand(from: string, fromVer: number, to: string, toVer: number, amount: number): TransactWriteItemsCommand {
  const leg = (pk: string, ver: number, sign: '-' | '+', condition: string) => ({
    Update: {
      TableName: TABLE,
      Key: { pk: S(pk) },
      UpdateExpression: `SET balance = balance ${sign} :amount, ver = ver + :one`,
      ConditionExpression: condition,
      ExpressionAttributeValues: { ':amount': N(amount), ':one': N(1), ':ver': N(ver) },
    },
  });
  return new TransactWriteItemsCommand({ TransactItems: [leg(from, fromVer, '-', 'ver = :ver AND balance >= :amount'), leg(to, toVer, '+', 'ver = :ver')] });
}

/** The accounts' balances and versions, from one TransactGetItems snapshot. */
async function readAccounts(client: DynamoDBClient, accounts: readonly string[]): Promise<{ balance: number; ver: number }[]> {
  const answer = (await attempt(() => client.send(new TransactGetItemsCommand({ TransactItems: accounts.map((pk) => ({ Get: { TableName: TABLE, Key: { pk: S(pk) } } })) })))) as {
    Responses?: { Item?: Record<string, AttributeValue> }[];
  };
  return answer.Responses!.map((response) => ({ balance: Number(response.Item!.balance.N), ver: Number(response.Item!.ver.N) }));
}

/** Reads every account in one snapshot until the transfers end: money is never created nor destroyed. */
async function audit(client: DynamoDBClient, accounts: readonly string[], running: () => boolean): Promise<void> {
  while (running()) {
    const sum = (await readAccounts(client, accounts)).reduce((total, account) => total + account.balance, 0);
    if (sum !== ACCOUNTS * OPENING_BALANCE) figures.badSnapshots++;
  }
  assert.equal(figures.badSnapshots, 0, 'every snapshot sums to the money opened with');
}

/**
 * Every client sends the same TransactWriteItems with the same ClientRequestToken at once: it
 * applies once (the counter moves by one), and each twin is answered as the one that committed
 * (200) or told it is in progress — never cancelled, which would deny a write that happened.
 */
async function tokenTwins({ workers, clients }: Racing): Promise<void> {
  for (let round = 0; round < TWIN_ROUNDS; round++) {
    const counter = `twin-${workers}-${round}`;
    const claim = `${counter}-claim`;
    const command = new TransactWriteItemsCommand({
      ClientRequestToken: `token-${workers}-${round}`,
      TransactItems: [
        { Update: { TableName: TABLE, Key: { pk: S(counter) }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':one': N(1) } } },
        { Put: { TableName: TABLE, Item: { pk: S(claim) }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    });
    const answers = await Promise.all(clients.map((client) => attempt(() => client.send(command), 'TransactionInProgressException')));
    const committed = answers.filter((answer) => !failed(answer)).length;
    figures.acknowledged += committed;
    figures.refused += answers.length - committed;
    figures.cycles++;
    assert.ok(committed >= 1, `round ${round}: the twin that committed is answered 200`);
    expectExact((await getItem(clients[0], counter))?.n, N(1), `round ${round}: applied exactly once`);
  }
}

/**
 * Writers race on a few keys with puts, updates and deletes that set, change or remove the
 * index key `g` (so entries move between index partitions, and in and out of the index); the
 * index must then list exactly what the table implies.
 */
async function racingIndex({ workers, clients, random }: Racing): Promise<void> {
  const table = `indexed-${workers}`;
  await attempt(() => clients[0].send(new CreateTableCommand({ TableName: table, ...LANE_TABLE })));
  const keys = Array.from({ length: INDEX_KEYS }, (_, i) => `moving-${i}`);
  const writer = async (client: DynamoDBClient, racer: number) => {
    const choices = random.fork(`indexer${racer}`);
    for (let write = 0; write < INDEX_WRITES_PER_CLIENT; write++) {
      const pk = S(choices.pick(keys));
      const g = choices.next() < 0.8 ? S(choices.pick(GROUPS)) : undefined;
      const v = N(choices.int(100));
      const roll = choices.next();
      if (roll < 0.4) await attempt(() => client.send(new PutItemCommand({ TableName: table, Item: { pk, v, writer: N(racer), ...(g ? { g } : {}) } })));
      else if (roll < 0.85) {
        const set = g ? 'SET g = :g, v = :v, writer = :w' : 'SET v = :v, writer = :w REMOVE g';
        const values: Item = { ':v': v, ':w': N(racer), ...(g ? { ':g': g } : {}) };
        await attempt(() => client.send(new UpdateItemCommand({ TableName: table, Key: { pk }, UpdateExpression: set, ExpressionAttributeValues: values })));
      } else await attempt(() => client.send(new DeleteItemCommand({ TableName: table, Key: { pk } })));
      figures.acknowledged++;
    }
  };
  await Promise.all(clients.slice(0, INDEX_WRITERS).map(writer));
  figures.cycles++;
  const disagreements = await indexDisagreements(clients[0], table, await readTable(clients[0], table));
  figures.lost += disagreements.length;
  assert.deepEqual(disagreements, [], 'the index equals what the table implies');
}

async function racingCreateTable({ workers, clients }: Racing): Promise<void> {
  for (let round = 0; round < TABLE_ROUNDS; round++) {
    const table = `created-${workers}-${round}`;
    await race(clients, (client) => client.send(new CreateTableCommand({ TableName: table, ...LANE_TABLE })), 'ResourceInUseException', round);
  }
}

/**
 * Writers put items into a table while another client deletes it (through any worker). Once
 * DeleteTable is answered, no write sent afterwards may be acknowledged; each writer goes on
 * until refused with ResourceNotFoundException. A table recreated under the name is empty.
 */
async function writesRacingDeleteTable({ workers, clients }: Racing): Promise<void> {
  for (let round = 0; round < TABLE_ROUNDS; round++) {
    const table = `doomed-${workers}-${round}`;
    await attempt(() => clients[0].send(new CreateTableCommand({ TableName: table, ...LANE_TABLE })));
    let acknowledged = 0;
    let deleteAnswered = false;
    const late: string[] = [];
    let writing!: () => void;
    const underWay = new Promise<void>((resolve) => (writing = resolve));
    const writer = async (client: DynamoDBClient, racer: number) => {
      for (let write = 0; write < 10_000; write++) {
        const sentAfterDelete = deleteAnswered;
        const pk = `writer${racer}-${write}`;
        const put = new PutItemCommand({ TableName: table, Item: { pk: S(pk), g: S('red'), v: N(write) } });
        if (failed(await attempt(() => client.send(put), 'ResourceNotFoundException'))) return void figures.refused++;
        figures.acknowledged++;
        if (sentAfterDelete) late.push(pk);
        if (++acknowledged === DELETE_WRITERS * WRITES_BEFORE_DELETE) writing();
      }
      assert.fail(`writer ${racer}: 10000 writes acknowledged on a deleted table`);
    };
    const writers = Promise.all(clients.slice(0, DELETE_WRITERS).map(writer));
    await underWay;
    await attempt(() => clients[clients.length - 1].send(new DeleteTableCommand({ TableName: table })));
    deleteAnswered = true;
    await writers;
    figures.cycles++;
    figures.lost += late.length;
    assert.deepEqual(late, [], 'writes sent after DeleteTable was answered were refused');
    await attempt(() => clients[0].send(new CreateTableCommand({ TableName: table, ...LANE_TABLE })));
    const stored = await readTable(clients[clients.length - 1], table);
    expectExact([...stored.keys()], [], 'the recreated table holds none of the deleted one\'s items');
    expectExact(await indexDisagreements(clients[1], table, stored), [], 'nor does its index');
  }
}

/** The counter `n` of item `pk`, read strongly consistently in one of five ways. */
const READS: Record<string, (client: DynamoDBClient, pk: string) => Promise<Item | undefined>> = {
  GetItem: async (client, pk) => (await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: S(pk) }, ConsistentRead: true }))).Item,
  BatchGetItem: async (client, pk) => (await client.send(new BatchGetItemCommand({ RequestItems: { [TABLE]: { Keys: [{ pk: S(pk) }], ConsistentRead: true } } }))).Responses?.[TABLE]?.[0],
  Query: async (client, pk) => (await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': S(pk) }, ConsistentRead: true }))).Items?.[0],
  Scan: async (client, pk) => (await client.send(new ScanCommand({ TableName: TABLE, FilterExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': S(pk) }, ConsistentRead: true }))).Items?.[0],
  TransactGetItems: async (client, pk) => (await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: TABLE, Key: { pk: S(pk) } } }] }))).Responses?.[0]?.Item,
};

/**
 * Pairs of clients (so, with workers, often two processes): one increments a counter and gets
 * its new value back; once that answer is in, the other reads the counter with a strongly
 * consistent read of each kind in turn. The read must see that value or a later one.
 */
async function readsAfterWrites({ workers, clients }: Racing): Promise<void> {
  const kinds = Object.keys(READS);
  const stale: string[] = [];
  const pair = async (writer: DynamoDBClient, reader: DynamoDBClient, index: number) => {
    const pk = `read-${workers}-${index}`;
    for (let round = 0; round < READS_PER_PAIR; round++) {
      const update = new UpdateItemCommand({ TableName: TABLE, Key: { pk: S(pk) }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':one': N(1) }, ReturnValues: 'UPDATED_NEW' });
      const written = Number(((await attempt(() => writer.send(update))) as { Attributes?: Item }).Attributes?.n?.N);
      figures.acknowledged++;
      const kind = kinds[round % kinds.length];
      const item = await attempt(() => READS[kind](reader, pk));
      const read = Number((item as Item | undefined)?.n?.N ?? 0);
      if (read < written) stale.push(`${kind} of ${pk} read ${read} after ${written} was acknowledged`);
    }
  };
  await Promise.all(Array.from({ length: READ_PAIRS }, (_, i) => pair(clients[2 * i], clients[2 * i + 1], i)));
  figures.cycles++;
  figures.staleReads += stale.length;
  assert.deepEqual(stale, [], 'no strongly consistent read missed an acknowledged write');
}
