import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { ApiCallRecord as CloudTrailRecord } from '../../src/audit/record.js';
import { buildRecord } from '../../src/audit/recordStage.js';
import { AUDIT_WRITER_LIMITS, AuditWriter, type AuditFileOps } from '../../src/audit/writer.js';
import { logFilePaths, readLogFile } from '../../src/audit/reader.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { testContext } from '../support/context.js';

const OPTIONS = { region: 'us-east-1', accountId: '123456789012' };

/** The real file operations, failing as `fault` says: writes (and opens) with ENOSPC, or fsyncs with EIO. */
function faultyIo(): { io: AuditFileOps; set(fault: 'full' | 'fsync' | undefined): void } {
  let fault: 'full' | 'fsync' | undefined;
  const failure = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
  const io: AuditFileOps = {
    openSync: (path, flags) => fs.openSync(path, flags),
    closeSync: (fd) => fs.closeSync(fd),
    writeSync: (fd, bytes) => {
      if (fault === 'full') throw failure('ENOSPC');
      return fs.writeSync(fd, bytes);
    },
    fsyncSync: (fd) => {
      if (fault === 'fsync') throw failure('EIO');
      fs.fsyncSync(fd);
    },
    fsync: (fd, callback) => {
      if (fault === 'fsync') setImmediate(() => callback(failure('EIO')));
      else fs.fsync(fd, callback);
    },
  };
  return { io, set: (next) => (fault = next) };
}

function record(requestId: string, padding = ''): CloudTrailRecord {
  const built = buildRecord(testContext({ requestId, eventId: `event-${requestId}`, operationName: 'GetItem' }), OPTIONS) as CloudTrailRecord;
  if (padding) built.requestParameters = { padding };
  return built;
}

/**
 * Request IDs in the trail, delivered (a segment given up after a fault is delivered as it is)
 * then journaled; a record written twice (after a failed fsync) counts twice here.
 */
function requestIds(directory: string): string[] {
  const delivered = logFilePaths(directory).flatMap(readLogFile);
  const journal = join(directory, 'journal');
  const journaled = fs.readdirSync(journal).flatMap((f) => fs.readFileSync(join(journal, f), 'utf8').split('\n').filter(Boolean));
  return [...delivered, ...journaled.map((line) => JSON.parse(line) as CloudTrailRecord)].map((record) => record.requestID);
}

function writerWith(directory: string, io: AuditFileOps, log: (line: string) => void, fast = true): AuditWriter {
  const trail = { directory, ...OPTIONS, bucket: 'cove-audit', trailName: 'cove' };
  return new AuditWriter({ trail, deliveryIntervalMs: 3_600_000, deliveryRecords: 100_000, io, log, ...(fast ? { retryIntervalMs: 5, syncIntervalMs: 5 } : {}) });
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1000 && !condition(); attempt++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

describe('audit writer faults', () => {
  it('survives a full disk, holds the records, refuses meanwhile, and writes them once space is back', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, set } = faultyIo();
    const logged: string[] = [];
    const writer = writerWith(directory, io, (line) => logged.push(line));
    try {
      writer.append(record('A'));
      await turn();
      set('full');
      writer.append(record('B'));
      writer.append(record('C'));
      await turn();
      assert.match(writer.unavailable() ?? '', /write: ENOSPC/);
      assert.match(logged.join('\n'), /cannot keep records \(write: ENOSPC\)/);
      writer.append(record('D'));
      await turn();
      assert.deepEqual(requestIds(directory), ['A']);
      set(undefined);
      await until(() => writer.unavailable() === undefined, 'the writer recovers by itself');
      assert.deepEqual(requestIds(directory), ['A', 'B', 'C', 'D']);
      assert.match(logged.at(-1)!, /records are written again/);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('writes again what a failed fsync covered, on a fresh descriptor', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, set } = faultyIo();
    const logged: string[] = [];
    const writer = writerWith(directory, io, (line) => logged.push(line));
    try {
      set('fsync');
      writer.append(record('E'));
      await until(() => writer.unavailable() !== undefined, 'the failed fsync is noticed');
      assert.match(writer.unavailable()!, /fsync: EIO/);
      set(undefined);
      await until(() => writer.unavailable() === undefined, 'the writer recovers by itself');
      const ids = requestIds(directory);
      assert.ok(ids.length >= 1 && ids.every((id) => id === 'E'), `E written, possibly twice: ${ids.join(',')}`);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('rejects the durable appends a failed fsync or write covered (their answer is a 500), and still writes their records', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, set } = faultyIo();
    const logged: string[] = [];
    const writer = writerWith(directory, io, (line) => logged.push(line));
    try {
      await writer.append(record('OK'), 'before-answer');
      set('fsync');
      await assert.rejects(writer.append(record('SYNC'), 'before-answer')!, /fsync: EIO/);
      set('full');
      await assert.rejects(writer.append(record('FULL'), 'before-answer')!, /cannot be written/);
      set(undefined);
      await until(() => writer.unavailable() === undefined, 'the writer recovers by itself');
      assert.deepEqual([...new Set(requestIds(directory))].sort(), ['FULL', 'OK', 'SYNC']);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('drops records beyond its bound, counts them and says so', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, set } = faultyIo();
    const logged: string[] = [];
    const writer = writerWith(directory, io, (line) => logged.push(line));
    const recordBytes = 1024 * 1024;
    const held = Math.floor(AUDIT_WRITER_LIMITS.heldBytesMax / recordBytes) - 1;
    const dropped = 5;
    try {
      set('full');
      for (let i = 0; i < held + dropped; i++) {
        writer.append(record(`R${i}`, 'x'.repeat(recordBytes - 1024)));
        await turn();
      }
      assert.match(logged.join('\n'), /DROPPING/);
      set(undefined);
      await until(() => writer.unavailable() === undefined, 'the writer recovers by itself');
      const ids = requestIds(directory);
      assert.ok(ids.length >= held && ids.length < held + dropped, `${ids.length} of ${held + dropped} kept`);
      assert.deepEqual(ids, ids.map((_, i) => `R${i}`), 'the oldest are kept, in order');
      assert.match(logged.at(-1)!, new RegExp(`${held + dropped - ids.length} records were DROPPED`));
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('never throws from close while the disk is full, and says what is lost', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, set } = faultyIo();
    const logged: string[] = [];
    const writer = writerWith(directory, io, (line) => logged.push(line), false);
    try {
      set('full');
      writer.append(record('LOST'));
      await writer.close();
      assert.match(logged.at(-1)!, /closing with 1 records not written \(write: ENOSPC\)/);
    } finally {
      removeDirectory(directory);
    }
  });
});
