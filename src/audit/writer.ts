import { mkdirSync, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudTrailRecord } from './record.js';

export interface AuditWriterOptions {
  directory: string;
  accountId: string;
  region: string;
}

/**
 * Appends one JSON line per record to `<dir>/<account>_CloudTrail_<region>_<YYYYMMDD>.jsonl`.
 * Records of one event turn are written with a single write(2), so the request
 * path pays only a push; the file is fsynced at most once per flush interval and on close.
 */
export class AuditWriter {
  private pending: string[] = [];
  private scheduled = false;
  private fd: number | undefined;
  private fileDay = '';
  private dirty = false;
  private readonly syncTimer: NodeJS.Timeout;

  constructor(private readonly options: AuditWriterOptions, syncIntervalMs = 1000) {
    mkdirSync(options.directory, { recursive: true });
    this.syncTimer = setInterval(() => this.sync(), syncIntervalMs);
    this.syncTimer.unref();
  }

  append(record: CloudTrailRecord): void {
    this.pending.push(JSON.stringify(record));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is pending; synchronous so that records are never interleaved. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const lines = this.pending.join('\n') + '\n';
    this.pending = [];
    writeSync(this.fileFor(new Date()), lines);
    this.dirty = true;
  }

  private fileFor(now: Date): number {
    const day = now.toISOString().slice(0, 10).replaceAll('-', '');
    if (this.fd === undefined || day !== this.fileDay) {
      if (this.fd !== undefined) closeSync(this.fd);
      const name = `${this.options.accountId}_CloudTrail_${this.options.region}_${day}.jsonl`;
      this.fd = openSync(join(this.options.directory, name), 'a');
      this.fileDay = day;
    }
    return this.fd;
  }

  private sync(): void {
    if (this.dirty && this.fd !== undefined) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  close(): void {
    clearInterval(this.syncTimer);
    this.flush();
    this.sync();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
