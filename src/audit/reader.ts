/**
 * The one reader of the trail: `cove audit tail`, LookupEvents, `cove audit validate` and the
 * tests read records only through it. A trail is the delivered log files (gzipped
 * `{"Records":[...]}`) and, for records not delivered yet, the journal segments; a record
 * written twice after a failed fsync (same eventID) is read once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { CloudTrailRecord } from './record.js';
import { JOURNAL_DIRECTORY, allLogObjects, objectPath } from './layout.js';
import { parseSegmentFileName, wholeLines } from './delivery.js';

/** The records of one delivered log file. Throws when it is not a gzipped `{"Records":[...]}`. */
export function readLogFile(path: string): CloudTrailRecord[] {
  const parsed: unknown = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'));
  const records = (parsed as { Records?: unknown }).Records;
  if (!Array.isArray(records)) throw new Error(`${path}: not a CloudTrail log file (no Records list)`);
  return records as CloudTrailRecord[];
}

/** Delivered log files, oldest first: by the time in their names, then by when they were written. */
export function logFilePaths(directory: string): string[] {
  const objects = allLogObjects(directory).map((object) => {
    const path = objectPath({ directory }, object);
    const name = object.slice(object.lastIndexOf('/') + 1);
    return { path, time: name.split('_')[3] ?? '', writtenAtMs: mtimeMs(path) };
  });
  objects.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.writtenAtMs - b.writtenAtMs));
  return objects.map((object) => object.path);
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Journal segments (and claimed ones) not delivered yet, oldest first. */
function journalPaths(directory: string): string[] {
  const journal = join(directory, JOURNAL_DIRECTORY);
  let files: string[];
  try {
    files = readdirSync(journal);
  } catch {
    return [];
  }
  const segments = files.flatMap((file) => {
    const name = parseSegmentFileName(file.includes('~') ? file.slice(file.indexOf('~') + 1) : file);
    return name ? [{ path: join(journal, file), openedAtMs: name.openedAtMs, seq: name.seq }] : [];
  });
  segments.sort((a, b) => a.openedAtMs - b.openedAtMs || a.seq - b.seq);
  return segments.map((segment) => segment.path);
}

/** The whole lines of a journal segment that parse; undefined for a file gone meanwhile (claimed or delivered). */
function readSegment(path: string, read: (path: string) => Buffer = readFileSync): CloudTrailRecord[] | undefined {
  let bytes: Buffer;
  try {
    bytes = read(path);
  } catch {
    return undefined;
  }
  return wholeLines(bytes).flatMap((line) => {
    try {
      return [JSON.parse(line.toString('utf8')) as CloudTrailRecord];
    } catch {
      return [];
    }
  });
}

/**
 * Every record under the audit directory `directory` (`<data>/audit`), delivered first then the
 * journal, each eventID once. A segment delivered while this reads is read from its log file
 * or not at all in this call, never twice; a log file that does not read is skipped.
 */
export function readTrail(directory: string): CloudTrailRecord[] {
  return new TrailFollower(directory).poll();
}

/**
 * Reads a trail as it grows (`cove audit tail --follow`): each poll returns the records not
 * returned before, reading only the log files it has not read yet, and the journal.
 */
export class TrailFollower {
  private readonly readFiles = new Set<string>();
  private readonly seen = new Set<string>();

  /** `readFile`: how journal segments are read (a test makes one vanish mid-poll). */
  constructor(
    private readonly directory: string,
    private readonly readFile: (path: string) => Buffer = readFileSync,
  ) {}

  poll(): CloudTrailRecord[] {
    const segments = journalPaths(this.directory).map((path) => readSegment(path, this.readFile));
    const journal = segments.flatMap((records) => records ?? []);
    const fresh = this.newLogFiles();
    if (segments.includes(undefined)) {
      // A segment gone between the listing and its read was claimed for delivery (renamed), and
      // its log file may appear only after the log files were listed: the journal is listed again
      // (the claimed file is there until its log file is written), then the log files.
      journal.push(...journalPaths(this.directory).flatMap((path) => readSegment(path, this.readFile) ?? []));
      fresh.push(...this.newLogFiles());
    }

    // A segment whose log file is written but not yet removed is read twice in one poll: the
    // check and the mark are one step, so its records are returned once.
    const records: CloudTrailRecord[] = [];
    for (const record of [...fresh, ...journal]) {
      if (this.seen.has(record.eventID)) continue;
      this.seen.add(record.eventID);
      records.push(record);
    }
    return records;
  }

  /** The records of the log files not read before (a file that is not a log file is skipped: `cove audit validate` reports it). */
  private newLogFiles(): CloudTrailRecord[] {
    const fresh: CloudTrailRecord[] = [];
    for (const path of logFilePaths(this.directory)) {
      if (this.readFiles.has(path)) continue;
      this.readFiles.add(path);
      try {
        fresh.push(...readLogFile(path));
      } catch {
        // Not a log file.
      }
    }
    return fresh;
  }
}
