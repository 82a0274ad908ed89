import * as fs from 'node:fs';
import { join } from 'node:path';
import type { CloudTrailRecord } from './record.js';

/** The writer's limits, in one place. */
export const AUDIT_WRITER_LIMITS = {
  /** A healthy writer fsyncs at most this often, in the background. */
  syncIntervalMs: 1000,
  /** While the trail cannot be written, the writer tries again this often. */
  retryIntervalMs: 250,
  /**
   * Serialized records held in memory: those not written yet (a fault) and those written but not
   * yet confirmed by an fsync (rewritten if the fsync fails). Beyond it, new records are dropped
   * and counted; confirmations give way first.
   */
  heldBytesMax: 64 * 1024 * 1024,
  /** A fault that lasts is reported again this often, with its counts. */
  faultReportIntervalMs: 10_000,
} as const;

/** The file operations the writer uses; tests substitute failing ones. */
export interface AuditFileOps {
  openSync(path: string, flags: 'a'): number;
  writeSync(fd: number, bytes: Buffer): number;
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export interface AuditWriterOptions {
  directory: string;
  accountId: string;
  region: string;
  retryIntervalMs?: number;
  /** Where fault reports go; default stderr. */
  log?: (line: string) => void;
  io?: AuditFileOps;
}

const NEWLINE = Buffer.from('\n');

/** Whether the file is empty or ends with a newline (a file that cannot be read counts as whole). */
function endsWithNewline(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const size = fs.fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } catch {
    return true;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Serialized lines of one or more records. */
interface Chunk {
  bytes: Buffer;
  /** Records whose line ends in these bytes. */
  records: number;
}

/** Why the trail cannot be written now, and what that has cost so far. */
interface Fault {
  reason: string;
  dropped: number;
  reportedAtMs: number;
}

/**
 * Appends one JSON line per record to `<dir>/<account>_CloudTrail_<region>_<YYYYMMDD>.jsonl`.
 * Records of one event turn are serialized and written with a single write(2) at the end of
 * that turn (setImmediate), after the turn's responses have gone out, so the request path pays
 * only a push. A record must therefore not change once appended (`buildRecord` makes each one
 * from values no later stage touches). The file is fsynced at most once per sync interval, on
 * libuv's thread pool so that the event loop never waits for the disk, and synchronously on
 * close and when the day's file changes.
 *
 * Several processes (`cove serve --workers N`) append to the same day's file, each with its own
 * writer: the file is opened with O_APPEND and each flush is one write(2) of whole lines, which
 * Linux applies at the end of the file as one piece, so lines of different processes never
 * interleave within a line.
 *
 * Faults (a full or failing disk, no file descriptor left) never stop the process: the writer
 * holds what it could not write, and what it wrote since the last confirmed fsync, up to
 * `heldBytesMax`; it reports the fault once (and again every `faultReportIntervalMs` with its
 * counts), tries again every `retryIntervalMs` and is healthy again once everything it held is
 * written and fsynced. Meanwhile `unavailable()` names the fault, so that the pipeline refuses
 * requests whose record could not be kept. A failed fsync is not retried on the same descriptor
 * (the kernel may have dropped the pages it could not write, and would not say so twice): the
 * descriptor is closed and the lines it covered are written again, so a record may appear twice
 * (same eventID) but is not lost.
 */
export class AuditWriter {
  private pending: CloudTrailRecord[] = [];
  private scheduled = false;
  private fd: number | undefined;
  private fileDay = '';
  /** Serialized, not written yet; the first may be partly written already (its bytes are the rest). */
  private backlog: Chunk[] = [];
  /** Written since the last fsync began. */
  private unsynced: Chunk[] = [];
  /** Written before the running background fsync began. */
  private syncing: Chunk[] = [];
  /** Bytes in backlog, unsynced and syncing. */
  private heldBytes = 0;
  /** Some written lines were not held (over the bound): a failed fsync cannot be made good for them. */
  private confirmationsGaveWay = false;
  private fault: Fault | undefined;
  /** The descriptor a background fsync is running on; it is not closed until that fsync returns. */
  private syncingFd: number | undefined;
  /** Descriptors to close once their background fsync returns. */
  private readonly closeAfterSync = new Set<number>();
  private readonly syncTimer: NodeJS.Timeout;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly io: AuditFileOps;
  private readonly log: (line: string) => void;

  constructor(private readonly options: AuditWriterOptions, syncIntervalMs: number = AUDIT_WRITER_LIMITS.syncIntervalMs) {
    this.io = options.io ?? fs;
    this.log = options.log ?? ((line) => console.error(line));
    fs.mkdirSync(options.directory, { recursive: true });
    this.syncTimer = setInterval(() => this.syncInBackground(), syncIntervalMs);
    this.syncTimer.unref();
  }

  append(record: CloudTrailRecord): void {
    this.pending.push(record);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Why records cannot be kept now (a disk or descriptor fault), or undefined when they can. */
  unavailable(): string | undefined {
    return this.fault?.reason;
  }

  /** Serializes what is pending and writes what is held; synchronous so that records are never interleaved. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length > 0) {
      const chunk = serialize(this.pending, this.log);
      this.pending = [];
      if (chunk) this.hold(chunk);
    }
    // During a fault only the retry timer writes, so that a failing disk is not hit every turn.
    if (this.fault === undefined) this.writeBacklog();
  }

  private hold(chunk: Chunk): void {
    if (this.heldBytes + chunk.bytes.length > AUDIT_WRITER_LIMITS.heldBytesMax) this.releaseConfirmations();
    if (this.heldBytes + chunk.bytes.length > AUDIT_WRITER_LIMITS.heldBytesMax) {
      this.dropped(chunk.records);
      return;
    }
    this.backlog.push(chunk);
    this.heldBytes += chunk.bytes.length;
  }

  /** Stops holding written lines for their fsync's sake, to make room for lines not written at all. */
  private releaseConfirmations(): void {
    for (const chunk of [...this.unsynced, ...this.syncing]) this.heldBytes -= chunk.bytes.length;
    if (this.unsynced.length + this.syncing.length > 0) this.confirmationsGaveWay = true;
    this.unsynced = [];
    this.syncing = [];
  }

  private dropped(records: number): void {
    const fault = this.fault ?? this.enterFault('held records over the bound');
    if (fault.dropped === 0) this.log(`cove: audit: DROPPING records: ${AUDIT_WRITER_LIMITS.heldBytesMax} bytes of unwritten records are held already`);
    fault.dropped += records;
  }

  /** Writes the backlog; on a fault, keeps what is left of it and enters (or stays in) the fault state. */
  private writeBacklog(): boolean {
    if (this.backlog.length === 0) return true;
    try {
      const fd = this.fileFor(new Date());
      while (this.backlog.length > 0) {
        const chunk = this.backlog[0];
        // A regular file takes a write whole unless the disk is full or it exceeds 2 GB; should the
        // kernel take less, the rest follows (another process's lines could then come between).
        const written = this.io.writeSync(fd, chunk.bytes);
        if (written === 0) throw new Error('write(2) took no byte');
        const complete = written >= chunk.bytes.length;
        this.unsynced.push({ bytes: chunk.bytes.subarray(0, written), records: complete ? chunk.records : 0 });
        if (complete) this.backlog.shift();
        else chunk.bytes = chunk.bytes.subarray(written);
      }
      return true;
    } catch (error) {
      this.enterFault(describe('write', error));
      this.closeDescriptor();
      return false;
    }
  }

  private fileFor(now: Date): number {
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    if (this.fd === undefined || day !== this.fileDay) {
      if (this.fd !== undefined) this.retire(this.fd);
      const name = `${this.options.accountId}_CloudTrail_${this.options.region}_${day}.jsonl`;
      const path = join(this.options.directory, name);
      this.fd = this.io.openSync(path, 'a');
      this.fileDay = day;
      // A kill -9 can cut a write of several pages short, leaving the file's last line torn; the
      // next line written must not be glued to it. (Should another process be appending right
      // then, its line is whole and this only adds an empty line, which readers skip.)
      if (!endsWithNewline(path)) this.io.writeSync(this.fd, NEWLINE);
    }
    return this.fd;
  }

  /** Makes a file the writer leaves (the day changed, or close) durable, and closes it once no fsync runs on it. */
  private retire(fd: number): void {
    this.fd = undefined;
    if (this.unsynced.length > 0 || this.syncingFd === fd) {
      try {
        this.io.fsyncSync(fd);
        this.confirmed(this.unsynced);
        this.unsynced = [];
      } catch (error) {
        this.enterFault(describe('fsync', error));
        this.rewriteUnconfirmed(this.unsynced);
        this.unsynced = [];
      }
    }
    if (this.syncingFd === fd) this.closeAfterSync.add(fd);
    else this.closeQuietly(fd);
  }

  /** Forgets the descriptor after a fault: the next attempt opens the file afresh. */
  private closeDescriptor(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    if (this.syncingFd === fd) this.closeAfterSync.add(fd);
    else this.closeQuietly(fd);
  }

  private closeQuietly(fd: number): void {
    try {
      this.io.closeSync(fd);
    } catch {
      // Nothing is left to lose on a descriptor being given up.
    }
  }

  private syncInBackground(): void {
    if (this.fault !== undefined || this.fd === undefined || this.syncingFd !== undefined || this.unsynced.length === 0) return;
    this.startSync(this.fd);
  }

  /** fsyncs `fd` on the thread pool; what was written before it began is confirmed when it succeeds. */
  private startSync(fd: number): void {
    this.syncing = this.unsynced;
    this.unsynced = [];
    this.syncingFd = fd;
    this.io.fsync(fd, (error) => {
      this.syncingFd = undefined;
      const covered = this.syncing;
      this.syncing = [];
      if (this.closeAfterSync.delete(fd)) this.closeQuietly(fd);
      if (error) {
        this.enterFault(describe('fsync', error));
        if (this.fd === fd) this.closeDescriptor();
        // Lines written on this descriptor after the fsync began share its fate.
        this.rewriteUnconfirmed([...covered, ...this.unsynced]);
        this.unsynced = [];
      } else {
        this.confirmed(covered);
        if (this.fault !== undefined && this.backlog.length === 0 && this.unsynced.length === 0) this.leaveFault();
      }
    });
  }

  private confirmed(chunks: readonly Chunk[]): void {
    for (const chunk of chunks) this.heldBytes -= chunk.bytes.length;
  }

  /** Lines an fsync failed to confirm go back to the front of the backlog, to be written again. */
  private rewriteUnconfirmed(chunks: readonly Chunk[]): void {
    if (this.confirmationsGaveWay) this.log('cove: audit: some lines written before the failed fsync were not held, and may be lost');
    this.confirmationsGaveWay = false;
    // Still counted in heldBytes: they move from one list to the other.
    this.backlog.unshift(...chunks.filter((chunk) => chunk.bytes.length > 0));
  }

  private enterFault(reason: string): Fault {
    if (this.fault !== undefined) {
      this.fault.reason = reason;
      this.reportIfDue();
      return this.fault;
    }
    this.fault = { reason, dropped: 0, reportedAtMs: Date.now() };
    this.log(`cove: audit: cannot keep records (${reason}): holding up to ${AUDIT_WRITER_LIMITS.heldBytesMax} bytes of them in memory, retrying every ${this.retryIntervalMs()} ms; requests are refused until the trail is writable`);
    if (!this.closed) {
      this.retryTimer = setInterval(() => this.retry(), this.retryIntervalMs());
      this.retryTimer.unref();
    }
    return this.fault;
  }

  private reportIfDue(): void {
    const fault = this.fault!;
    if (Date.now() - fault.reportedAtMs < AUDIT_WRITER_LIMITS.faultReportIntervalMs) return;
    fault.reportedAtMs = Date.now();
    this.log(`cove: audit: still cannot keep records (${fault.reason}): ${this.heldRecords()} records held, ${fault.dropped} dropped so far`);
  }

  private leaveFault(): void {
    const fault = this.fault!;
    this.fault = undefined;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    const lost = fault.dropped > 0 ? `; ${fault.dropped} records were DROPPED during the fault` : '';
    this.log(`cove: audit: records are written again (the fault was ${fault.reason})${lost}`);
  }

  /** During a fault: write what is held, then confirm it with an fsync; the fault ends when that succeeds. */
  private retry(): void {
    if (this.syncingFd !== undefined) return;
    let fd: number;
    try {
      fd = this.fileFor(new Date());
    } catch (error) {
      this.enterFault(describe('open', error));
      return;
    }
    if (!this.writeBacklog()) return;
    // An fsync of a fresh descriptor also confirms lines written before the fault on an old one.
    if (this.unsynced.length > 0) this.startSync(fd);
    else this.leaveFault();
  }

  private heldRecords(): number {
    let records = 0;
    for (const chunk of [...this.backlog, ...this.unsynced, ...this.syncing]) records += chunk.records;
    return records;
  }

  private retryIntervalMs(): number {
    return this.options.retryIntervalMs ?? AUDIT_WRITER_LIMITS.retryIntervalMs;
  }

  /** Writes and fsyncs what it can, synchronously; reports what a fault leaves unwritten. Never throws. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    clearInterval(this.retryTimer);
    this.flush();
    if (this.fault !== undefined) this.writeBacklog();
    if (this.fd !== undefined) this.retire(this.fd);
    const unwritten = this.backlog.reduce((sum, chunk) => sum + chunk.records, 0);
    if (unwritten > 0 || (this.fault?.dropped ?? 0) > 0) {
      this.log(`cove: audit: closing with ${unwritten} records not written (${this.fault?.reason ?? 'unknown fault'}) and ${this.fault?.dropped ?? 0} dropped: they are LOST`);
    }
  }
}

/** One chunk of JSON lines; a record that cannot be serialized is a bug, and must not cost the others their place. */
function serialize(records: readonly CloudTrailRecord[], log: (line: string) => void): Chunk | undefined {
  let lines = '';
  let count = 0;
  for (const record of records) {
    try {
      lines += JSON.stringify(record) + '\n';
      count++;
    } catch (error) {
      log(`cove: audit record of request ${record.requestID} not written: ${String(error)}`);
    }
  }
  return count === 0 ? undefined : { bytes: Buffer.from(lines, 'utf8'), records: count };
}

function describe(operation: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return `${operation}: ${code ?? String(error)}`;
}
