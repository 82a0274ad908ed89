/**
 * Delivery: a journal segment (JSON lines a writer closed) becomes one CloudTrail log file,
 * `{"Records":[...]}` gzipped, written beside its final name, fsynced, renamed into place, and
 * only then is the segment removed. The file's name is derived from the segment's, so a
 * delivery interrupted by a crash and done again yields the same object, not a second one.
 *
 * Segments are named `<pid>-<tag>-<seq>-<openedAtMs>.jsonl` (tag: random per process). A
 * segment whose process is gone (a kill -9) is an orphan: any process claims it by renaming it
 * (`claimed-<pid>-<tag>~<name>`: one rename wins) and delivers it.
 */
import { createReadStream, createWriteStream, promises as fsp, constants as fsConstants } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip } from 'node:zlib';
import { dirname, join } from 'node:path';
import { JOURNAL_DIRECTORY, logFileObject, logFileSuffix, objectPath, type TrailLocation } from './layout.js';

/**
 * Log files are compressed at zlib's fastest level: on a busy server every record is compressed
 * once, on the thread pool the fsyncs also need; JSON records still shrink about eightfold.
 */
const DELIVERY_GZIP = { level: zlibConstants.Z_BEST_SPEED };

export interface SegmentName {
  pid: number;
  tag: string;
  seq: number;
  openedAtMs: number;
}

const SEGMENT = /^(\d+)-([0-9a-f]+)-(\d+)-(\d+)\.jsonl$/;
const CLAIMED = /^claimed-(\d+)-([0-9a-f]+)~(.+)$/;

export function segmentFileName(name: SegmentName): string {
  return `${name.pid}-${name.tag}-${name.seq}-${name.openedAtMs}.jsonl`;
}

export function parseSegmentFileName(file: string): SegmentName | undefined {
  const match = SEGMENT.exec(file);
  if (!match) return undefined;
  return { pid: Number(match[1]), tag: match[2], seq: Number(match[3]), openedAtMs: Number(match[4]) };
}

/** The records of a segment: whole lines only (a kill -9 can leave the last one cut short). */
export function wholeLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a, start)) {
    if (end > start) lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

const NEWLINE = 0x0a;
const OPEN = Buffer.from('{"Records":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/**
 * A segment's bytes as they stream in → `{"Records":[line,line,...]}`: no record is parsed again,
 * and the work comes in pieces of a read's size (a segment holds up to `deliveryRecords` lines,
 * and this runs on the event loop). Empty lines are skipped and a cut last line left out, as
 * `wholeLines` does; `lines` counts what went out.
 */
export class LogFileFraming extends Transform {
  lines = 0;
  /** The start of a line whose end has not arrived yet. */
  private partial: Buffer[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const out: Buffer[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      const line = this.partial.length === 0 ? piece : Buffer.concat([...this.partial.splice(0), piece]);
      if (line.length > 0) out.push(this.lines++ === 0 ? OPEN : COMMA, line);
      start = newline + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.subarray(start));
    done(null, out.length === 0 ? undefined : Buffer.concat(out));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.lines === 0 ? undefined : CLOSE);
  }
}

/**
 * Delivers the segment at `path` (named `segmentName` when it was written) and removes it; the
 * object's key, or undefined when the segment held no whole record. Throws on an I/O fault: the
 * segment stays, to be delivered later. The segment streams through the framing and gzip into
 * the log file: reading a segment whole and building the file in memory stalled the event loop
 * for milliseconds each time and, with tens of megabytes of buffers a second, made the garbage
 * collector run full collections (most of GetItem's p99; bench/README.md).
 */
export async function deliverSegment(trail: TrailLocation, path: string, segmentName: string): Promise<string | undefined> {
  const parsed = parseSegmentFileName(segmentName);
  if (!parsed) throw new Error(`not a journal segment: ${segmentName}`);
  const object = logFileObject(trail, parsed.openedAtMs, logFileSuffix(segmentName));
  const delivered = await writeDurablyFrom(objectPath(trail, object), async (temporary, mode) => {
    const framing = new LogFileFraming();
    await pipeline(createReadStream(path), framing, createGzip(DELIVERY_GZIP), createWriteStream(temporary, { mode }));
    return framing.lines > 0;
  });
  await fsp.rm(path, { force: true });
  return delivered ? object : undefined;
}

/**
 * `write` fills a temporary file beside `path` (creating it with `mode`); if it says so, the file
 * is fsynced, renamed to `path` and the folder fsynced (all or nothing), else the temporary file
 * is removed. Whether the file was kept.
 */
async function writeDurablyFrom(path: string, write: (temporary: string, mode: number) => Promise<boolean>, mode = 0o644): Promise<boolean> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  if (!(await write(temporary, mode))) {
    await fsp.rm(temporary, { force: true });
    return false;
  }
  const file = await fsp.open(temporary, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  await fsp.rename(temporary, path);
  await syncDirectory(dirname(path));
  return true;
}

/** Writes `bytes` to a temporary name, fsyncs it, renames it to `path` and fsyncs the folder: all or nothing. */
export async function writeDurably(path: string, bytes: Buffer, mode = 0o644): Promise<void> {
  await writeDurablyFrom(
    path,
    async (temporary, fileMode) => {
      await fsp.writeFile(temporary, bytes, { mode: fileMode });
      return true;
    },
    mode,
  );
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await fsp.open(path, fsConstants.O_RDONLY);
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a segment (or a claim) of (`pid`, `tag`) is no live writer's: its process is gone, or
 * its pid is ours but under another tag (a container restarts with the same pids).
 */
function orphaned(pid: number, tag: string, me: { pid: number; tag: string }): boolean {
  if (tag === me.tag) return false;
  return pid === me.pid || !processAlive(pid);
}

/**
 * Delivers the segments of processes that are gone; returns how many. Each is claimed first
 * (a rename, which only one process wins), so two processes never deliver the same one.
 */
export async function recoverOrphans(trail: TrailLocation, me: { pid: number; tag: string }, log: (line: string) => void): Promise<number> {
  const journal = join(trail.directory, JOURNAL_DIRECTORY);
  let files: string[];
  try {
    files = await fsp.readdir(journal);
  } catch {
    return 0;
  }
  let delivered = 0;
  for (const file of files.sort()) {
    const claim = claimable(file, me);
    if (claim === undefined) continue;
    const claimedPath = join(journal, `claimed-${me.pid}-${me.tag}~${claim}`);
    try {
      await fsp.rename(join(journal, file), claimedPath);
    } catch {
      continue; // another process claimed it first
    }
    try {
      await deliverSegment(trail, claimedPath, claim);
      delivered++;
    } catch (error) {
      log(`cove: audit: could not deliver the records of a stopped process (${claim}): ${String(error)}; trying again later`);
    }
  }
  return delivered;
}

/** The segment name to deliver, when `file` is an orphan segment or an orphan's claim (or one of ours left by a failed delivery). */
function claimable(file: string, me: { pid: number; tag: string }): string | undefined {
  const claimed = CLAIMED.exec(file);
  if (claimed) {
    const ours = Number(claimed[1]) === me.pid && claimed[2] === me.tag;
    return ours || orphaned(Number(claimed[1]), claimed[2], me) ? claimed[3] : undefined;
  }
  const segment = parseSegmentFileName(file);
  return segment && orphaned(segment.pid, segment.tag, me) ? file : undefined;
}
