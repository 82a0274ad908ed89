/**
 * Every limit of the PostgreSQL engine, defined once; apart from it, so that cove.yaml's schema
 * checks them without loading `pg`.
 */
export const POSTGRES_LIMITS = {
  /** Connections each cove process keeps at most (cove.yaml `storage.poolSize`). */
  poolSizeDefault: 10,
  poolSizeMax: 200,
  statementTimeoutMsMin: 100,
  statementTimeoutMsMax: 600_000,
  /** A statement running longer is cancelled by the server (cove.yaml `storage.statementTimeoutMs`). */
  statementTimeoutMsDefault: 5_000,
  /** How long a request waits for a connection (a new one, or a free one of the pool) before it fails. */
  connectTimeoutMs: 5_000,
  /** An idle connection is closed after this long (a restarted database leaves none stale for long). */
  idleTimeoutMs: 30_000,
  /** Runs of one batch at most: the first, then retries after serialization failures. */
  batchAttemptsMax: 40,
  /** Backoff between retries: doubles from the first, jittered, up to the cap. */
  retryBackoffFirstMs: 1,
  retryBackoffCapMs: 64,
  /** Keys of one coalesced get statement at most (the gets of one event-loop turn; see PostgresEngine.get). */
  getBatchKeysMax: 500,
  /** Rows per range page: the first page is small (a Query often stops early), later ones grow. */
  rangePageRowsFirst: 64,
  rangePageRowsMax: 1024,
  /** How long a node opening the store waits for another that moves an earlier cove's table (migrateSingleKeyTable). */
  migrationWaitMs: 60 * 60 * 1000,
} as const;
