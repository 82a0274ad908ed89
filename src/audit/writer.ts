import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { CloudTrailRecord } from './record.js';
import { JOURNAL_DIRECTORY, type TrailLocation } from './layout.js';
import { deliverSegment, recoverOrphans, segmentFileName } from './delivery.js';
import { atEndOfTurn } from '../endOfTurn.js';
import { LineSlabs, type Slab } from './slabs.js';

/** The writer's limits, in one place. */
export const AUDIT_WRITER_LIMITS = {
  /** Records nobody waits for (successful reads) are fsynced within this. */
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
  /** How often the writer looks whether its segment is due for delivery, and for other processes' orphans. */
  deliveryCheckIntervalMs: 250,
  /** Orphans of stopped processes are looked for at most this often. */
  orphanCheckIntervalMs: 10_000,
} as const;

/** The file operations the journal uses; tests substitute failing ones. */
export interface AuditFileOps {
  openSync(path: string, flags: 'a'): number;
  writeSync(fd: number, bytes: Buffer): number;
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
}

export interface AuditWriterOptions {
  trail: TrailLocation;
  /** A segment is delivered as a log file once it is this old (ms) or holds `deliveryRecords`. */
  deliveryIntervalMs: number;
  deliveryRecords: number;
  retryIntervalMs?: number;
  syncIntervalMs?: number;
  /** Where fault reports go; default stderr. */
  log?: (line: string) => void;
  io?: AuditFileOps;
}

/** The requests of one event turn that wait for their records to be durable. */
class Waiters {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: Error) => void;
  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A turn's requests may all have gone (a reset): a rejection nobody awaits is not a crash.
    this.promise.catch(() => {});
  }
}

/** One journal file being written: the records of one future log file. */
interface Segment {
  name: string;
  path: string;
  fd: number;
  openedAtMs: number;
  records: number;
  /** Chunks written to it and not yet confirmed by an fsync: it is closed and delivered only at 0. */
  unconfirmed: number;
  /** No more writes go to it. */
  retired: boolean;
  /** Its directory entry is durable (the journal folder was fsynced since it was created). */
  named: boolean;
}

/** Serialized lines of one or more records. */
interface Chunk {
  /** The lines, in `slab` (returned to it once confirmed or given up). */
  bytes: Buffer;
  slab: Slab | undefined;
  records: number;
  /** Requests waiting for these lines to be durable (none after a fault answered them). */
  waiters: Waiters | undefined;
  /** Where they were written (undefined while they wait in the backlog). */
  segment: Segment | undefined;
}

/** Why the trail cannot be written now, and what that has cost so far. */
interface Fault {
  reason: string;
  dropped: number;
  reportedAtMs: number;
}

/** What a request's record waits for before its answer is sent. */
export type Durability = 'before-answer' | 'within-a-second';

/**
 * The journal of one process: records appended during an event turn are serialized and written
 * with one write(2) at the end of that turn (after its answers: src/endOfTurn.ts) to this process's current segment
 * under `<audit>/journal/`. A request that must not be answered before its record is durable
 * gets a promise from `append`; one fsync (on libuv's thread pool, never on the event loop) then
 * confirms every record written before it began — group commit — and a new one starts as soon as
 * it returns if more records wait. Records nobody waits for are fsynced within a second.
 *
 * Each segment is delivered as a CloudTrail log file (delivery.ts) once it is old or large
 * enough, after every line in it is confirmed; segments of processes killed before delivering
 * theirs are delivered by whichever process finds them.
 *
 * Faults (a full or failing disk, no file descriptor left) never stop the process: the writer
 * rejects the promises of the requests waiting on the lines it could not make durable (their
 * answer is a 500), holds the lines up to `heldBytesMax` and writes them again into a fresh
 * segment every `retryIntervalMs` until that works and is fsynced; meanwhile `unavailable()`
 * names the fault so that the pipeline refuses new requests. A failed fsync is never retried on
 * the same descriptor (the kernel may have dropped the pages and would not say so twice), so a
 * record may appear twice (same eventID), never vanish; readers keep the first.
 */
export class AuditWriter {
  private pending: CloudTrailRecord[] = [];
  private pendingWaiters: Waiters | undefined;
  private scheduled = false;
  private segment: Segment | undefined;
  private segmentSeq = 0;
  private readonly tag = randomBytes(4).toString('hex');
  /** Serialized, not written yet. */
  private backlog: Chunk[] = [];
  /** Written, no fsync begun for them. */
  private unsynced: Chunk[] = [];
  /** Some chunk in `unsynced` has requests waiting (kept, not searched for: unsynced holds a second of reads). */
  private unsyncedWaiters = false;
  /** Covered by the fsync running now. */
  private syncing: Chunk[] | undefined;
  /** Bytes in backlog, unsynced and syncing. */
  private heldBytes = 0;
  private readonly slabs = new LineSlabs();
  /** Retired segments (closed) not delivered yet: delivery failed, or runs. */
  private readonly undelivered: Segment[] = [];
  private delivering: Promise<void> | undefined;
  private lastOrphanCheckMs = 0;
  private deliveryFault: string | undefined;
  private fault: Fault | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly io: AuditFileOps;
  private readonly log: (line: string) => void;
  private readonly journal: string;
  /** The journal folder, held open to fsync it when a segment is created. */
  private readonly journalFd: number;

  constructor(private readonly options: AuditWriterOptions) {
    this.io = options.io ?? fs;
    this.log = options.log ?? ((line) => console.error(line));
    this.journal = join(options.trail.directory, JOURNAL_DIRECTORY);
    fs.mkdirSync(this.journal, { recursive: true });
    this.journalFd = fs.openSync(this.journal, 'r');
    this.every(options.syncIntervalMs ?? AUDIT_WRITER_LIMITS.syncIntervalMs, () => this.startSync());
    this.every(AUDIT_WRITER_LIMITS.deliveryCheckIntervalMs, () => this.deliveryCheck());
  }

  private every(intervalMs: number, run: () => void): void {
    const timer = setInterval(run, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * Queues a record; with `before-answer`, the promise settles once it is durable (rejects when
   * it cannot be made so). Records of one turn share one write and one fsync.
   */
  append(record: CloudTrailRecord, durability: Durability = 'within-a-second'): Promise<void> | undefined {
    this.pending.push(record);
    if (!this.scheduled) {
      this.scheduled = true;
      atEndOfTurn('records', () => this.flush());
    }
    if (durability === 'within-a-second') return undefined;
    this.pendingWaiters ??= new Waiters();
    return this.pendingWaiters.promise;
  }

  /** Why records cannot be kept now (a disk or descriptor fault), or undefined when they can. */
  unavailable(): string | undefined {
    return this.fault?.reason;
  }

  /** Serializes what is pending and writes what is held; synchronous so that records are never interleaved. */
  flush(): void {
    this.scheduled = false;
    const waiters = this.pendingWaiters;
    this.pendingWaiters = undefined;
    if (this.pending.length > 0) {
      const chunk = serialize(this.pending, waiters, this.slabs, this.log);
      this.pending = [];
      if (chunk) this.hold(chunk);
    } else waiters?.resolve();
    // During a fault only the retry timer writes, so that a failing disk is not hit every turn.
    if (this.fault !== undefined) {
      this.answerBacklog();
      return;
    }
    if (this.writeBacklog() && this.unsyncedWaiters) this.startSync();
    if ((this.segment?.records ?? 0) >= this.options.deliveryRecords) this.deliveryCheck();
  }

  private hold(chunk: Chunk): void {
    if (this.heldBytes + chunk.bytes.length > AUDIT_WRITER_LIMITS.heldBytesMax) {
      chunk.waiters?.reject(new Error('audit records over the held bound'));
      this.slabs.release(chunk.slab);
      this.dropped(chunk.records);
      return;
    }
    this.backlog.push(chunk);
    this.heldBytes += chunk.bytes.length;
  }

  private dropped(records: number): void {
    const fault = this.fault ?? this.enterFault('held records over the bound');
    if (fault.dropped === 0) this.log(`cove: audit: DROPPING records: ${AUDIT_WRITER_LIMITS.heldBytesMax} bytes of unwritten records are held already`);
    fault.dropped += records;
  }

  /** Answers (with a rejection) the requests whose lines wait in the backlog: they are not durable yet. */
  private answerBacklog(): void {
    for (const chunk of this.backlog) {
      chunk.waiters?.reject(new Error(`the audit trail cannot be written (${this.fault?.reason ?? 'fault'})`));
      chunk.waiters = undefined;
    }
  }

  /**
   * Writes the backlog to the current segment (opening one when needed). A write that fails or
   * takes less than the whole chunk ends the segment: the chunk goes whole into the next one, so
   * that no record is split across two files (the cut one's torn line is dropped at delivery).
   */
  private writeBacklog(): boolean {
    while (this.backlog.length > 0) {
      const chunk = this.backlog[0];
      let segment: Segment | undefined;
      let written = 0;
      try {
        segment = this.currentSegment();
        written = this.io.writeSync(segment.fd, chunk.bytes);
        if (written < chunk.bytes.length) throw Object.assign(new Error(`write(2) took ${written} of ${chunk.bytes.length} bytes`), { code: 'ENOSPC' });
      } catch (error) {
        this.enterFault(describe(segment === undefined ? 'open' : 'write', error));
        // A failed write(2) wrote nothing: the segment goes on. A short one left a torn line: it ends there.
        if (segment && written > 0) this.retire(segment);
        this.answerBacklog();
        return false;
      }
      this.backlog.shift();
      chunk.segment = segment;
      segment.records += chunk.records;
      segment.unconfirmed++;
      this.unsynced.push(chunk);
      if (chunk.waiters !== undefined) this.unsyncedWaiters = true;
    }
    return true;
  }

  private currentSegment(): Segment {
    this.segment ??= this.openSegment();
    return this.segment;
  }

  private openSegment(): Segment {
    const openedAtMs = Date.now();
    const name = segmentFileName({ pid: process.pid, tag: this.tag, seq: this.segmentSeq++, openedAtMs });
    const path = join(this.journal, name);
    const fd = this.io.openSync(path, 'a');
    return { name, path, fd, openedAtMs, records: 0, unconfirmed: 0, retired: false, named: false };
  }

  /** No more writes to `segment`; it is closed and delivered once its lines are confirmed. */
  private retire(segment: Segment): void {
    if (segment.retired) return;
    segment.retired = true;
    if (this.segment === segment) this.segment = undefined;
    this.undelivered.push(segment);
    this.closeIfConfirmed(segment);
  }

  private closeIfConfirmed(segment: Segment): void {
    if (!segment.retired || segment.unconfirmed > 0 || segment.fd < 0) return;
    try {
      this.io.closeSync(segment.fd);
    } catch {
      // Nothing is left to lose on a descriptor whose lines are confirmed.
    }
    segment.fd = -1;
  }

  /** One fsync per segment written since the last began, off the event loop; a no-op while one runs. */
  private startSync(): void {
    if (this.syncing !== undefined || this.unsynced.length === 0 || this.fault !== undefined) return;
    const chunks = this.unsynced;
    this.unsynced = [];
    this.unsyncedWaiters = false;
    this.syncing = chunks;
    const segments = [...new Set(chunks.map((chunk) => chunk.segment!))];
    // A new segment's name must be as durable as its lines: the journal folder is fsynced with them once.
    const named = segments.filter((segment) => !segment.named);
    const fds = [...segments.map((segment) => segment.fd), ...(named.length > 0 ? [this.journalFd] : [])];
    let remaining = fds.length;
    let failure: NodeJS.ErrnoException | undefined;
    for (const fd of fds) {
      this.io.fsync(fd, (error) => {
        failure ??= error ?? undefined;
        if (--remaining > 0) return;
        if (failure === undefined) for (const segment of named) segment.named = true;
        this.synced(chunks, failure);
      });
    }
  }

  private synced(chunks: Chunk[], failure: NodeJS.ErrnoException | undefined): void {
    this.syncing = undefined;
    if (failure) return this.syncFailed(chunks, failure);
    for (const chunk of chunks) {
      this.heldBytes -= chunk.bytes.length;
      this.slabs.release(chunk.slab);
      chunk.waiters?.resolve();
      chunk.segment!.unconfirmed--;
      this.closeIfConfirmed(chunk.segment!);
    }
    if (this.fault !== undefined && this.backlog.length === 0 && this.unsynced.length === 0) this.leaveFault();
    if (this.unsyncedWaiters) this.startSync();
  }

  /**
   * The segments a failed fsync covered are given up (their descriptors too), and every line
   * written to them and not confirmed goes back to the backlog, for a fresh segment.
   */
  private syncFailed(chunks: Chunk[], failure: NodeJS.ErrnoException): void {
    this.enterFault(describe('fsync', failure));
    const failed = new Set(chunks.map((chunk) => chunk.segment!));
    const later = this.unsynced.filter((chunk) => failed.has(chunk.segment!));
    this.unsynced = this.unsynced.filter((chunk) => !failed.has(chunk.segment!));
    this.unsyncedWaiters = this.unsynced.some((chunk) => chunk.waiters !== undefined);
    const again = [...chunks, ...later];
    for (const chunk of again) {
      chunk.waiters?.reject(new Error(`the audit trail cannot be made durable (${describe('fsync', failure)})`));
      chunk.waiters = undefined;
      chunk.segment!.unconfirmed--;
      chunk.segment = undefined;
    }
    for (const segment of failed) this.retire(segment);
    this.backlog.unshift(...again);
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

  /** During a fault: write what is held to a fresh segment, then fsync it; the fault ends when that succeeds. */
  private retry(): void {
    if (this.syncing !== undefined) return;
    if (!this.writeBacklog()) return;
    if (this.unsynced.length === 0) return this.leaveFault();
    const reason = this.fault;
    // startSync does nothing during a fault: this one fsync is the test of the disk.
    this.fault = undefined;
    this.startSync();
    this.fault = reason;
  }

  private heldRecords(): number {
    let records = 0;
    for (const chunk of [...this.backlog, ...this.unsynced, ...(this.syncing ?? [])]) records += chunk.records;
    return records;
  }

  private retryIntervalMs(): number {
    return this.options.retryIntervalMs ?? AUDIT_WRITER_LIMITS.retryIntervalMs;
  }

  /** Retires the current segment when it is due, and delivers what is retired and confirmed. */
  private deliveryCheck(): void {
    const segment = this.segment;
    if (segment && segment.records > 0 && (segment.records >= this.options.deliveryRecords || Date.now() - segment.openedAtMs >= this.options.deliveryIntervalMs)) {
      // The next segment is opened first: without a descriptor to spare (EMFILE) the writer goes
      // on in this one rather than refuse requests.
      let next: Segment;
      try {
        next = this.openSegment();
      } catch {
        return;
      }
      this.retire(segment);
      this.segment = next;
      this.startSync();
    }
    if (this.delivering === undefined) this.delivering = this.deliverRetired().finally(() => (this.delivering = undefined));
  }

  private async deliverRetired(): Promise<void> {
    for (const segment of this.undelivered.filter((s) => s.fd < 0)) {
      try {
        await deliverSegment(this.options.trail, segment.path, segment.name);
        this.undelivered.splice(this.undelivered.indexOf(segment), 1);
        this.deliveryRecovered();
      } catch (error) {
        this.deliveryFailed(describe('delivery', error));
        return;
      }
    }
    if (Date.now() - this.lastOrphanCheckMs >= AUDIT_WRITER_LIMITS.orphanCheckIntervalMs) {
      this.lastOrphanCheckMs = Date.now();
      await recoverOrphans(this.options.trail, { pid: process.pid, tag: this.tag }, this.log);
    }
  }

  /** A delivery that fails costs no request: the records are durable in the journal, and delivery is tried again. */
  private deliveryFailed(reason: string): void {
    if (this.deliveryFault === undefined) this.log(`cove: audit: cannot deliver a log file (${reason}): its records stay in the journal; trying again`);
    this.deliveryFault = reason;
  }

  private deliveryRecovered(): void {
    if (this.deliveryFault !== undefined) this.log('cove: audit: log files are delivered again');
    this.deliveryFault = undefined;
  }

  /**
   * Writes, fsyncs and delivers what it can; reports what a fault leaves in the journal or in
   * memory. Never throws. What stays in the journal is delivered by the next start.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    clearInterval(this.retryTimer);
    this.flush();
    if (this.fault !== undefined) this.writeBacklog();
    while (this.syncing !== undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    this.syncNowForClose();
    if (this.segment) this.retire(this.segment);
    await this.delivering;
    await this.deliverRetired();
    const unwritten = this.backlog.reduce((sum, chunk) => sum + chunk.records, 0);
    if (unwritten > 0 || (this.fault?.dropped ?? 0) > 0) {
      this.log(`cove: audit: closing with ${unwritten} records not written (${this.fault?.reason ?? 'unknown fault'}) and ${this.fault?.dropped ?? 0} dropped: they are LOST`);
    }
    try {
      fs.closeSync(this.journalFd);
    } catch {
      // Only a folder's descriptor.
    }
    if (this.undelivered.length > 0) this.log(`cove: audit: closing with ${this.undelivered.length} journal segments not delivered (${this.deliveryFault ?? 'fault'}): the next start delivers them`);
  }

  /** The last fsync, synchronous: the process is stopping. */
  private syncNowForClose(): void {
    const chunks = this.unsynced;
    this.unsynced = [];
    this.unsyncedWaiters = false;
    const segments = [...new Set(chunks.map((chunk) => chunk.segment!))];
    try {
      for (const segment of segments) this.io.fsyncSync(segment.fd);
      if (segments.some((segment) => !segment.named)) this.io.fsyncSync(this.journalFd);
      this.synced(chunks, undefined);
    } catch (error) {
      this.syncFailed(chunks, error as NodeJS.ErrnoException);
      this.writeBacklog();
    }
  }
}

/** One chunk of JSON lines; a record that cannot be serialized is a bug, and must not cost the others their place. */
function serialize(records: readonly CloudTrailRecord[], waiters: Waiters | undefined, slabs: LineSlabs, log: (line: string) => void): Chunk | undefined {
  const lines: string[] = [];
  let byteLength = 0;
  for (const record of records) {
    try {
      const line = JSON.stringify(record);
      lines.push(line);
      byteLength += Buffer.byteLength(line, 'utf8') + 1;
    } catch (error) {
      log(`cove: audit record of request ${record.requestID} not written: ${String(error)}`);
    }
  }
  if (lines.length === 0) {
    waiters?.reject(new Error('no record of this turn could be serialized'));
    return undefined;
  }
  const { bytes, slab } = slabs.take(lines, byteLength);
  return { bytes, slab, records: lines.length, waiters, segment: undefined };
}

function describe(operation: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return `${operation}: ${code ?? String(error)}`;
}
