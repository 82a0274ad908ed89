/**
 * The IAM API's entities in the engine: one value (key `20`) holds every record created through
 * the API, as JSON, secrets included (the data directory holds them, as it holds the items); a
 * counter (key `21`) is bumped in the same atomic batch as every change. A process compares the
 * counter with the one its mirror was read at once per request (one engine get), and re-reads the
 * records only when another process changed them: every worker sees a key created through
 * another at its next request.
 *
 * One value keeps a change serializable without a lock: a change is a function of the records as
 * the write transaction reads them (the engine may run it more than once), so two workers creating
 * the same user cannot both succeed. IAM changes are rare and the records few: rewriting them all
 * per change is the price of that simplicity.
 */
import { IAM_STATE_TAG, IAM_VERSION_TAG } from '../storage/keyspace.js';
import type { StorageEngine } from '../storage/engine.js';
import { parseRecords, serializeRecords, type IamRecords } from './state.js';

const STATE_KEY = Buffer.of(IAM_STATE_TAG);
const VERSION_KEY = Buffer.of(IAM_VERSION_TAG);
const VERSION_BYTES = 8;

function nextVersion(current: Buffer | undefined): Buffer {
  const out = Buffer.alloc(VERSION_BYTES);
  out.writeBigUInt64BE((current === undefined ? 0n : current.readBigUInt64BE(0)) + 1n);
  return out;
}

const sameVersion = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));

export class IamStore {
  private version: Buffer | undefined;
  private records: IamRecords = parseRecords(undefined);

  private constructor(private readonly engine: StorageEngine) {}

  static async open(engine: StorageEngine): Promise<IamStore> {
    const store = new IamStore(engine);
    await store.refresh();
    return store;
  }

  /** The records as this process last read or wrote them. Callers never mutate them. */
  get current(): IamRecords {
    return this.records;
  }

  /** Re-reads the records if another process changed them; resolves to whether they changed. */
  refresh(): boolean | Promise<boolean> {
    const version = this.engine.get(VERSION_KEY);
    if (version instanceof Promise) return version.then((v) => this.reloadIfNewer(v));
    return this.reloadIfNewer(version);
  }

  private reloadIfNewer(version: Buffer | undefined): boolean | Promise<boolean> {
    if (sameVersion(version, this.version)) return false;
    const state = this.engine.get(STATE_KEY);
    const install = (bytes: Buffer | undefined) => {
      this.records = parseRecords(bytes);
      this.version = version;
      return true;
    };
    return state instanceof Promise ? state.then(install) : install(state);
  }

  /**
   * Changes the records: `change` gets them as the write transaction reads them (fresh each run)
   * and returns the records to store and what the caller gets; an error it throws refuses the
   * change and is thrown here. Resolves once the change is durable.
   */
  async update<R>(change: (records: IamRecords) => { records: IamRecords; result: R }): Promise<R> {
    let result: R | undefined;
    let written: IamRecords | undefined;
    const outcome = await this.engine.writeBatch<unknown>([
      {
        key: STATE_KEY,
        value: (current) => {
          const changed = change(parseRecords(current));
          result = changed.result;
          written = changed.records;
          return serializeRecords(changed.records);
        },
      },
      { key: VERSION_KEY, value: (current) => nextVersion(current) },
    ]);
    if (!outcome.ok) throw outcome.error;
    // The batch read the version it bumped: the mirror is now exactly what was committed.
    const previousVersion = outcome.previous[1];
    this.records = written!;
    this.version = nextVersion(previousVersion);
    return result as R;
  }
}
