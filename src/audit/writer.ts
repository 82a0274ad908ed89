import { mkdirSync, openSync, writeSync, fsync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudTrailRecord } from './record.js';

export interface AuditWriterOptions {
  directory: string;
  accountId: string;
  region: string;
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
 */
export class AuditWriter {
  private pending: CloudTrailRecord[] = [];
  private scheduled = false;
  private fd: number | undefined;
  private fileDay = '';
  /** Written since the last fsync began. */
  private dirty = false;
  /** The descriptor a background fsync is running on; it is not closed until that fsync returns. */
  private syncingFd: number | undefined;
  /** Descriptors to close once their background fsync returns. */
  private readonly closeAfterSync = new Set<number>();
  private readonly syncTimer: NodeJS.Timeout;

  constructor(private readonly options: AuditWriterOptions, syncIntervalMs = 1000) {
    mkdirSync(options.directory, { recursive: true });
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

  /** Writes what is pending; synchronous so that records are never interleaved. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    let lines = '';
    for (const record of records) {
      try {
        lines += JSON.stringify(record) + '\n';
      } catch (error) {
        // A record that cannot be serialized is a bug; it must not cost the other records their place.
        console.error(`cove: audit record of request ${record.requestID} not written:`, error);
      }
    }
    if (lines.length === 0) return;
    const fd = this.fileFor(new Date());
    const bytes = Buffer.from(lines, 'utf8');
    let written = writeSync(fd, bytes);
    // A regular file takes a write whole unless the disk is full or it exceeds 2 GB; should the
    // kernel take less, the rest follows (another process's lines could then come between).
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    this.dirty = true;
  }

  private fileFor(now: Date): number {
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    if (this.fd === undefined || day !== this.fileDay) {
      if (this.fd !== undefined) this.retire(this.fd);
      const name = `${this.options.accountId}_CloudTrail_${this.options.region}_${day}.jsonl`;
      this.fd = openSync(join(this.options.directory, name), 'a');
      this.fileDay = day;
    }
    return this.fd;
  }

  /** Makes a file the writer leaves (the day changed, or close) durable, and closes it once no fsync runs on it. */
  private retire(fd: number): void {
    if (this.dirty || this.syncingFd === fd) fsyncSync(fd);
    this.dirty = false;
    if (this.syncingFd === fd) this.closeAfterSync.add(fd);
    else closeSync(fd);
  }

  private syncInBackground(): void {
    if (!this.dirty || this.fd === undefined || this.syncingFd !== undefined) return;
    const fd = this.fd;
    this.dirty = false;
    this.syncingFd = fd;
    fsync(fd, (error) => {
      this.syncingFd = undefined;
      if (this.closeAfterSync.delete(fd)) closeSync(fd);
      // As when this fsync was synchronous: a failed fsync stops the process. Retrying would be
      // wrong, since the kernel may already have dropped the pages it could not write.
      if (error) throw error;
    });
  }

  close(): void {
    clearInterval(this.syncTimer);
    this.flush();
    if (this.fd !== undefined) this.retire(this.fd);
    this.fd = undefined;
  }
}
