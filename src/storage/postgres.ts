/**
 * The scale-out engine: the same contract as LMDB's, through `pg` on PostgreSQL (or a database
 * that speaks its protocol). One table of opaque byte keys and values; several cove processes,
 * on as many machines, share it. See README.md "Scaling out" and src/storage/README.md.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { checkOpKeys, runBatch, type BatchWrites } from './batch.js';
import type { BatchOutcome, Entry, RangeOptions, StorageEngine, WriteOp } from './engine.js';
import { endsPrefix, partitionOf } from './keyspace.js';
import { POSTGRES_LIMITS } from './postgresLimits.js';

export { POSTGRES_LIMITS } from './postgresLimits.js';

/**
 * The one table. Its name is the engine's, never a DynamoDB name: items, catalog and IAM records
 * are all rows of it, each key split into its partition prefix (`part`, keyspace.ts) and the rest:
 * for an item, (table id and partition hash, sort key). `part` is the column a distributed
 * database distributes by; ordered by (part, rest), the rows are in the keys' order.
 */
export const KV_TABLE = 'cove_rows';
/** The table of cove before the split: one `key` column. Its rows move to KV_TABLE at open (migrateSingleKeyTable). */
const SINGLE_KEY_TABLE = 'cove_kv';
/** SQLSTATEs of a CREATE TABLE IF NOT EXISTS that lost a race with another one (createTable). */
const CREATE_RACE_STATES: ReadonlySet<string> = new Set(['23505', '42P07', '42710']);

export interface PostgresEngineOptions {
  /** postgres://user:password@host:port/database (libpq's URL; `?options=-c search_path=...` picks a schema). */
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Where the engine reports an outage and the recovery from it (default: console.error). */
  log?: (line: string) => void;
}

/** SQLSTATEs after which a transaction is retried: serialization_failure, deadlock_detected. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** The database failed or was unreachable: the request is answered as a fault (500), never acknowledged. */
export class StorageUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageUnavailableError';
    // The pipeline logs every request that fails this way: one line each during an outage, not a
    // stack; the message names the cause.
    this.stack = `${this.name}: ${message}`;
  }
}

interface Row {
  key: Buffer;
  value: Buffer;
}

interface PendingGet {
  key: Buffer;
  resolve(value: Buffer | undefined): void;
  reject(error: unknown): void;
}

/**
 * Reads are single statements (READ COMMITTED: each sees every commit before it), so the engine
 * needs no `refreshSnapshot`: a write acknowledged by any process is committed, hence visible
 * to the next statement of every other. `getMany` is one statement, hence one snapshot.
 * A batch is one SERIALIZABLE transaction: it reads its keys, runs the ops' functions on them
 * (batch.ts, as LMDB does), writes, commits; a serialization failure reruns all of it.
 */
export class PostgresEngine implements StorageEngine {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;
  private readonly log: (line: string) => void;
  /** Set while the database fails: the outage is logged once, and its end once. */
  private outageSince: number | undefined;
  /** Gets waiting for the end of the event-loop turn (see `get`). */
  private pendingGets: PendingGet[] = [];

  private constructor(pool: pg.Pool, log: (line: string) => void) {
    this.pool = pool;
    this.log = log;
    // A connection that fails while idle (the database restarted) is dropped by the pool; without
    // this listener, its 'error' event would end the process.
    pool.on('error', (error) => this.noteFailure(error));
  }

  /** Connects, and creates the table if it is missing. Throws StorageUnavailableError when the database cannot be reached. */
  static async open(options: PostgresEngineOptions): Promise<PostgresEngine> {
    const poolSize = options.poolSize ?? POSTGRES_LIMITS.poolSizeDefault;
    assert(poolSize >= 1 && poolSize <= POSTGRES_LIMITS.poolSizeMax, `pool size ${poolSize} outside 1..${POSTGRES_LIMITS.poolSizeMax}`);
    const statementTimeoutMs = options.statementTimeoutMs ?? POSTGRES_LIMITS.statementTimeoutMsDefault;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: poolSize,
      connectionTimeoutMillis: POSTGRES_LIMITS.connectTimeoutMs,
      idleTimeoutMillis: POSTGRES_LIMITS.idleTimeoutMs,
      statement_timeout: statementTimeoutMs,
      // The server cancels a slow statement; this bounds one the server never answers (a dead host).
      query_timeout: statementTimeoutMs + POSTGRES_LIMITS.connectTimeoutMs,
      idle_in_transaction_session_timeout: statementTimeoutMs + POSTGRES_LIMITS.connectTimeoutMs,
      keepAlive: true,
      application_name: 'cove',
    });
    const engine = new PostgresEngine(pool, options.log ?? ((line) => console.error(line)));
    try {
      await engine.createTable();
    } catch (error) {
      await pool.end().catch(() => {});
      throw new StorageUnavailableError(`cannot use PostgreSQL at ${redactedUrl(options.url)}: ${describe(error)}`);
    }
    return engine;
  }

  /**
   * Two nodes (or two workers) starting at once may both create it: the loser's duplicate error
   * is the winner's table. PostgreSQL reports the race as a unique violation on its catalog
   * (23505), a duplicate table (42P07), or a duplicate object: the table's row type (42710).
   */
  private async createTable(): Promise<void> {
    // bytea compares bytewise (memcmp, then length), the order of the engine's keys; no collation applies.
    const ddl = `CREATE TABLE IF NOT EXISTS ${KV_TABLE} (part bytea NOT NULL, rest bytea NOT NULL, value bytea NOT NULL, PRIMARY KEY (part, rest))`;
    try {
      await this.pool.query(ddl);
    } catch (error) {
      if (!CREATE_RACE_STATES.has(sqlState(error) ?? '')) throw error;
    }
    await this.migrateSingleKeyTable();
  }

  /**
   * Moves the rows of a database an earlier cove made (one `key` column) into KV_TABLE and drops
   * the old table, in one transaction holding the old table's exclusive lock, without a statement
   * timeout: a node that starts meanwhile waits for it, then finds the old table gone; a node of
   * the earlier version still running fails its statements (a 500) instead of writing where nobody
   * reads. Only into an empty KV_TABLE: rows in both tables mean an earlier node started afresh
   * after the move (it recreated the old table), and merging them would overwrite live rows.
   */
  private async migrateSingleKeyTable(): Promise<void> {
    const exists = await this.pool.query<{ found: string | null }>(`SELECT to_regclass('${SINGLE_KEY_TABLE}')::text AS found`);
    if (exists.rows[0]?.found == null) return;
    const client = await this.pool.connect();
    try {
      // A node that finds another moving the rows waits for the lock as long as the move takes.
      await client.query({
        text: `BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0; LOCK TABLE ${SINGLE_KEY_TABLE} IN ACCESS EXCLUSIVE MODE`,
        query_timeout: POSTGRES_LIMITS.migrationWaitMs,
      } as pg.QueryConfig);
      const occupied = await client.query(`SELECT 1 FROM ${KV_TABLE} LIMIT 1`);
      if (occupied.rows.length > 0) {
        throw new Error(
          `both ${SINGLE_KEY_TABLE} (an earlier cove's table) and ${KV_TABLE} hold rows: a node of an earlier version started after the move and wrote to ${SINGLE_KEY_TABLE}; ` +
            `stop it, then drop ${SINGLE_KEY_TABLE} once nothing in it is wanted (cove never merges the two)`,
        );
      }
      const moved = await copySingleKeyRows(client);
      await client.query(`DROP TABLE ${SINGLE_KEY_TABLE}; COMMIT`);
      this.log(`cove: storage: moved ${moved} rows of ${SINGLE_KEY_TABLE} (an earlier cove's table) to ${KV_TABLE}, keyed by (partition, rest of key)`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // Another node moved them while this one waited for the lock.
      if (sqlState(error) !== '42P01') throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Gets issued in one event-loop turn (the version checks and item reads of every request that
   * arrived in it) go to the database as one statement: under load, one round trip and one
   * connection serve many requests. Sent after the turn, so it sees every commit acknowledged
   * before any of them was asked for.
   */
  get(key: Buffer): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pendingGets.length === 0) setImmediate(() => this.flushGets());
      this.pendingGets.push({ key, resolve, reject });
    });
  }

  private flushGets(): void {
    const gets = this.pendingGets;
    this.pendingGets = [];
    for (let from = 0; from < gets.length; from += POSTGRES_LIMITS.getBatchKeysMax) {
      const chunk = gets.slice(from, from + POSTGRES_LIMITS.getBatchKeysMax);
      this.read(() => selectKeys(this.pool, chunk.map((get) => get.key))).then(
        (found) => {
          // Each caller gets a buffer of its own (the contract: the caller's, never shared): a
          // key asked for twice in the turn is copied for its second caller.
          const handedOut = new Set<string>();
          for (const get of chunk) {
            const hex = get.key.toString('hex');
            const value = found.get(hex);
            get.resolve(handedOut.has(hex) ? copyOf(value) : value);
            handedOut.add(hex);
          }
        },
        (error: unknown) => chunk.forEach((get) => get.reject(error)),
      );
    }
  }

  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.read(async () => {
      const found = await selectKeys(this.pool, keys);
      return keys.map((key) => found.get(key.toString('hex')));
    });
  }

  /** Pages by key (keyset pagination): each page is one statement; no cursor is held between them. */
  async *range(options: RangeOptions): AsyncIterable<Entry> {
    const { start, end, reverse = false, limit } = options;
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    let after: Buffer | undefined;
    let pageRows: number = POSTGRES_LIMITS.rangePageRowsFirst;
    while (remaining > 0) {
      const rows = Math.min(pageRows, remaining);
      const page = await this.read(() => this.rangePage(start, end, reverse, after, rows));
      for (const row of page) yield { key: row.key, value: row.value };
      if (page.length < rows) return;
      remaining -= page.length;
      after = page[page.length - 1].key;
      pageRows = Math.min(pageRows * 2, POSTGRES_LIMITS.rangePageRowsMax);
    }
  }

  private async rangePage(start: Buffer, end: Buffer, reverse: boolean, after: Buffer | undefined, rows: number): Promise<Row[]> {
    const query = rangePageQuery(start, end, reverse, after, rows);
    return (await this.pool.query<Row>(query)).rows;
  }

  async writeBatch<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>> {
    checkOpKeys(ops);
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.runTransaction(ops);
        this.noteSuccess();
        return outcome;
      } catch (error) {
        if (RETRYABLE_SQLSTATES.has(sqlState(error) ?? '') && attempt < POSTGRES_LIMITS.batchAttemptsMax) {
          await sleep(backoffMs(attempt));
          continue;
        }
        throw this.failure(error, attempt);
      }
    }
  }

  /**
   * One run of the batch. A vetoed batch commits too (it wrote nothing): under SERIALIZABLE, only
   * a committed transaction's reads are guaranteed to be those of a serial order, so the veto's
   * reasons are only answered once its commit succeeds.
   */
  private async runTransaction<E>(ops: WriteOp<E>[]): Promise<BatchOutcome<E>> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The pool listens for a connection's failure only while it is idle; checked out, one that
    // fails between statements (the database shutting down) emits 'error', which would end the
    // process unheard. Heard here, it closes the connection at release.
    const onError = (error: Error) => {
      broken = error;
      this.noteFailure(error);
    };
    client.on('error', onError);
    try {
      // Two round trips per run: begin and read; write and commit (a vetoed batch only commits).
      const found = await beginAndRead(client, ops.map((op) => op.key));
      const previous = ops.map((op) => found.get(op.key.toString('hex')));
      const run = runBatch(ops, previous);
      await client.query(run.ok ? writeAndCommitSql(lastWritePerKey(ops, run.writes)) : 'COMMIT');
      return run.ok ? { ok: true, previous } : run;
    } catch (error) {
      broken = (await rollback(client, error)) ?? broken;
      throw error;
    } finally {
      // A connection whose state is unknown (it failed mid-transaction) is closed, not reused.
      client.off('error', onError);
      client.release(broken);
    }
  }

  /** A read, retried once if the connection it took was a stale one (the database restarted since). */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (!isConnectionLoss(error)) throw this.failure(error, 1);
      try {
        const result = await query();
        this.noteSuccess();
        return result;
      } catch (retryError) {
        throw this.failure(retryError, 2);
      }
    }
  }

  private failure(error: unknown, attempts: number): Error {
    if (sqlState(error) !== undefined && !isServerUnavailable(error)) {
      // An answer of a working database (a statement timeout, a constraint): not an outage.
      return new StorageUnavailableError(`PostgreSQL refused a statement after ${attempts} attempt(s): ${describe(error)}`);
    }
    this.noteFailure(error);
    return new StorageUnavailableError(`PostgreSQL is unavailable: ${describe(error)}`);
  }

  private noteFailure(error: unknown): void {
    if (this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    this.log(`cove: storage: PostgreSQL is unavailable (${describe(error)}); requests that need it are answered 500 until it returns`);
  }

  private noteSuccess(): void {
    if (this.outageSince === undefined) return;
    this.log(`cove: storage: PostgreSQL is available again after ${Date.now() - this.outageSince} ms`);
    this.outageSince = undefined;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function copyOf(value: Buffer | undefined): Buffer | undefined {
  return value === undefined ? undefined : Buffer.from(value);
}

/** Rows of the earlier table copied per statement: 64 items of at most 400 KB stay far below any statement limit. */
const MIGRATION_PAGE_ROWS = 64;

/** Copies every row of the earlier single-key table into KV_TABLE, split by partition; the number of rows. */
async function copySingleKeyRows(client: pg.PoolClient): Promise<number> {
  let moved = 0;
  for (let after: Buffer | undefined; ; ) {
    const page = await client.query<Row>({
      text: `SELECT key, value FROM ${SINGLE_KEY_TABLE} ${after ? 'WHERE key > $2' : ''} ORDER BY key LIMIT $1`,
      values: after ? [MIGRATION_PAGE_ROWS, after] : [MIGRATION_PAGE_ROWS],
    });
    if (page.rows.length === 0) return moved;
    const split = page.rows.map((row) => partitionOf(row.key));
    await client.query({
      text: `INSERT INTO ${KV_TABLE} (part, rest, value) SELECT * FROM unnest($1::bytea[], $2::bytea[], $3::bytea[])`,
      values: [split.map((key) => key.part), split.map((key) => key.rest), page.rows.map((row) => row.value)],
    });
    moved += page.rows.length;
    after = page.rows[page.rows.length - 1].key;
  }
}

/** The columns of a row as the engine hands it out: its key whole. */
const ROW_COLUMNS = 'part || rest AS key, value';

/**
 * The values of `keys` that exist, by key (hex): one statement, hence one snapshot. A lone key is
 * asked for by its partition (a distributed database sends it to one node).
 */
async function selectKeys(queryable: pg.Pool | pg.PoolClient, keys: readonly Buffer[]): Promise<Map<string, Buffer>> {
  const split = keys.map(partitionOf);
  const query =
    split.length === 1
      ? { text: `SELECT ${ROW_COLUMNS} FROM ${KV_TABLE} WHERE part = $1 AND rest = $2`, values: [split[0].part, split[0].rest], name: 'cove-select-key' }
      : {
          text: `SELECT ${ROW_COLUMNS} FROM ${KV_TABLE} WHERE (part, rest) IN (SELECT * FROM unnest($1::bytea[], $2::bytea[]))`,
          values: [split.map((key) => key.part), split.map((key) => key.rest)],
          name: 'cove-select-keys',
        };
  const result = await queryable.query<Row>(query);
  return new Map(result.rows.map((row) => [row.key.toString('hex'), row.value]));
}

/**
 * One page of a range, in key order: (part, rest) compared as a pair. A range inside one
 * partition (a Query) names it (`part = $1`), so a distributed database reads one node. Forward
 * pages continue above the last key seen (`after`), reverse ones below it.
 */
export function rangePageQuery(start: Buffer, end: Buffer, reverse: boolean, after: Buffer | undefined, rows: number): pg.QueryConfig {
  const direction = reverse ? 'DESC' : 'ASC';
  const continues = reverse ? '<' : '>';
  const from = partitionOf(start);
  const to = partitionOf(end);
  const last = after === undefined ? undefined : partitionOf(after);
  const bounded = to.part.equals(from.part);
  const onePartition = from.fullPrefix && (bounded || endsPrefix(end, from.part));
  const name = `cove-range-${onePartition ? `p${bounded ? 'e' : ''}` : 'm'}${reverse ? 'r' : 'f'}${last ? 'n' : ''}`;
  if (onePartition) {
    const values: unknown[] = [rows, from.part, from.rest];
    const conditions = ['part = $2', 'rest >= $3'];
    if (bounded) conditions.push(`rest < $${values.push(to.rest)}`);
    if (last) conditions.push(`rest ${continues} $${values.push(last.rest)}`);
    return { text: `SELECT ${ROW_COLUMNS} FROM ${KV_TABLE} WHERE ${conditions.join(' AND ')} ORDER BY rest ${direction} LIMIT $1`, values, name };
  }
  const values: unknown[] = [rows, from.part, from.rest, to.part, to.rest];
  const conditions = ['(part, rest) >= ($2, $3)', '(part, rest) < ($4, $5)'];
  if (last) conditions.push(`(part, rest) ${continues} ($${values.push(last.part)}, $${values.push(last.rest)})`);
  return { text: `SELECT ${ROW_COLUMNS} FROM ${KV_TABLE} WHERE ${conditions.join(' AND ')} ORDER BY part ${direction}, rest ${direction} LIMIT $1`, values, name };
}

/**
 * What the batch leaves under each key it writes, in the order LMDB applies them (ops in order,
 * then derived writes): a later write to a key replaces an earlier one, as a second put would.
 */
function lastWritePerKey<E>(ops: readonly WriteOp<E>[], writes: BatchWrites): Map<string, { key: Buffer; value: Buffer | null }> {
  const last = new Map<string, { key: Buffer; value: Buffer | null }>();
  ops.forEach((op, i) => {
    const value = writes.values[i];
    if (value !== undefined) last.set(op.key.toString('hex'), { key: op.key, value });
  });
  for (const write of writes.derived) last.set(write.key.toString('hex'), write);
  return last;
}

/**
 * A byte string as an SQL expression. Hex digits only: nothing in it can end the literal, and no
 * server setting (standard_conforming_strings) changes its meaning. Literals, not parameters,
 * because only a statement without parameters may hold several statements: the batch's
 * BEGIN and its read go in one round trip, its writes and COMMIT in another.
 */
function bytea(bytes: Buffer): string {
  return `decode('${bytes.toString('hex')}', 'hex')`;
}

/** A key as the SQL row value `(part, rest)`. */
function rowKey(key: Buffer): string {
  const { part, rest } = partitionOf(key);
  return `(${bytea(part)}, ${bytea(rest)})`;
}

/** Begins the batch's SERIALIZABLE transaction and reads its keys, in one round trip. */
async function beginAndRead(client: pg.PoolClient, keys: readonly Buffer[]): Promise<Map<string, Buffer>> {
  const text = `BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT ${ROW_COLUMNS} FROM ${KV_TABLE} WHERE (part, rest) IN (${keys.map(rowKey).join(', ')})`;
  // Several statements in one query: pg answers with one result each.
  const results = (await client.query<Row>(text)) as unknown as pg.QueryResult<Row>[];
  assert(Array.isArray(results) && results.length === 2, 'BEGIN and SELECT answer two results');
  return new Map(results[1].rows.map((row) => [row.key.toString('hex'), row.value]));
}

/** The batch's upserts and deletes, then COMMIT: one round trip. */
function writeAndCommitSql(writes: Map<string, { key: Buffer; value: Buffer | null }>): string {
  const puts = [...writes.values()].filter((write): write is { key: Buffer; value: Buffer } => write.value !== null);
  const deletes = [...writes.values()].filter((write) => write.value === null).map((write) => write.key);
  const statements: string[] = [];
  if (puts.length > 0) statements.push(upsertSql(puts));
  if (deletes.length > 0) statements.push(`DELETE FROM ${KV_TABLE} WHERE (part, rest) IN (${deletes.map(rowKey).join(', ')})`);
  statements.push('COMMIT');
  return statements.join('; ');
}

/** One statement that writes `rows` (each key once), whether or not they exist. */
function upsertSql(rows: readonly { key: Buffer; value: Buffer }[]): string {
  const values = rows.map(({ key, value }) => {
    const { part, rest } = partitionOf(key);
    return `(${bytea(part)}, ${bytea(rest)}, ${bytea(value)})`;
  });
  return `INSERT INTO ${KV_TABLE} (part, rest, value) VALUES ${values.join(', ')} ON CONFLICT (part, rest) DO UPDATE SET value = EXCLUDED.value`;
}

/** Rolls back after a failed statement; returns the error to close the connection with when it is not reusable. */
async function rollback(client: pg.PoolClient, error: unknown): Promise<Error | undefined> {
  if (isConnectionLoss(error) || sqlState(error) === undefined) return error instanceof Error ? error : new Error(String(error));
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (rollbackError) {
    return rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  // SQLSTATEs are five characters; Node's own codes (ECONNREFUSED) are longer.
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

/** The database is shutting down, starting up, or out of connections: an outage, not an answer. */
function isServerUnavailable(error: unknown): boolean {
  const state = sqlState(error) ?? '';
  return state.startsWith('08') || state.startsWith('57P') || state === '53300';
}

/** The connection failed (refused, reset, closed by a restarting server): another connection may work. */
function isConnectionLoss(error: unknown): boolean {
  if (isServerUnavailable(error)) return true;
  if (sqlState(error) !== undefined) return false;
  const message = error instanceof Error ? error.message : '';
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' || /Connection terminated|not queryable|ended/i.test(message);
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  const state = sqlState(error);
  const message = error instanceof Error ? error.message || error.name : String(error);
  return state ? `${message} (SQLSTATE ${state})` : message;
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(POSTGRES_LIMITS.retryBackoffFirstMs * 2 ** (attempt - 1), POSTGRES_LIMITS.retryBackoffCapMs);
  return Math.random() * ceiling;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
