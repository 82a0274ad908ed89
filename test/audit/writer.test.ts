import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ApiCallRecord } from '../../src/audit/record.js';
import { buildRecord } from '../../src/audit/recordStage.js';
import { AuditWriter, type AuditFileOps, type AuditWriterOptions } from '../../src/audit/writer.js';
import { allLogObjects, logFileSuffix } from '../../src/audit/layout.js';
import { readLogFile, readTrail, TrailFollower } from '../../src/audit/reader.js';
import { LogFileFraming, segmentFileName } from '../../src/audit/delivery.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { testContext } from '../support/context.js';
import { trailIn } from '../support/audit.js';

const OPTIONS = { region: 'us-east-1', accountId: '123456789012' };


function writerIn(directory: string, extra: Partial<AuditWriterOptions> = {}): AuditWriter {
  return new AuditWriter({ trail: trailIn(directory), deliveryIntervalMs: 60_000, deliveryRecords: 10_000, syncIntervalMs: 5, ...extra });
}

function record(requestId: string): ApiCallRecord {
  return buildRecord(testContext({ requestId, eventId: `event-${requestId}`, operationName: 'GetItem' }), OPTIONS) as ApiCallRecord;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1000 && !condition(); attempt++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(condition(), what);
}

function journalFiles(directory: string): string[] {
  return fs.readdirSync(join(directory, 'journal'));
}

/** The real file operations, counting fsyncs. */
function countingIo(): { io: AuditFileOps; fsyncs: () => number } {
  let fsyncs = 0;
  const io: AuditFileOps = {
    openSync: (path, flags) => fs.openSync(path, flags),
    closeSync: (fd) => fs.closeSync(fd),
    writeSync: (fd, bytes) => fs.writeSync(fd, bytes),
    fsyncSync: (fd) => fs.fsyncSync(fd),
    fsync: (fd, callback) => {
      fsyncs++;
      fs.fsync(fd, callback);
    },
  };
  return { io, fsyncs: () => fsyncs };
}

describe('audit writer: journal and delivery', () => {
  it('journals the records of a turn after it, and delivers them on close as a CloudTrail log file', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = writerIn(directory);
    try {
      for (const id of ['A', 'B', 'C']) writer.append(record(id));
      assert.deepEqual(readTrail(directory), [], 'nothing written within the turn');
      await turn();
      assert.deepEqual(readTrail(directory).map((r) => r.requestID), ['A', 'B', 'C'], 'journaled at the end of the turn');
      writer.append(record('LAST'));
      await writer.close();
      assert.deepEqual(journalFiles(directory), [], 'a graceful stop delivers what is pending');
      const [object, ...others] = allLogObjects(directory);
      assert.deepEqual(others, []);
      assert.match(object, /^AWSLogs\/123456789012\/CloudTrail\/us-east-1\/\d{4}\/\d{2}\/\d{2}\/123456789012_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/);
      const records = readLogFile(join(directory, object));
      assert.deepEqual(records.map((r) => r.requestID), ['A', 'B', 'C', 'LAST']);
      assert.deepEqual(records[0], JSON.parse(JSON.stringify(record('A'))));
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('answers a durable append after one fsync covering the whole turn (group commit)', async () => {
    const directory = tempDirectory('cove-audit-');
    const { io, fsyncs } = countingIo();
    const writer = writerIn(directory, { io, syncIntervalMs: 60_000 });
    try {
      const durable = ['W1', 'W2', 'W3', 'W4'].map((id) => writer.append(record(id), 'before-answer'));
      assert.equal(writer.append(record('READ')), undefined, 'a successful read waits for nothing');
      await Promise.all(durable);
      assert.equal(fsyncs(), 2, 'one fsync for the turn, and one of the journal folder for the new segment\'s name');
      await Promise.all(['W5', 'W6'].map((id) => writer.append(record(id), 'before-answer')));
      assert.equal(fsyncs(), 3, 'one fsync for the next turn');
      assert.deepEqual(readTrail(directory).map((r) => r.requestID), ['W1', 'W2', 'W3', 'W4', 'READ', 'W5', 'W6']);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('rolls a log file every N records, each from one segment, named uniquely', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = writerIn(directory, { deliveryRecords: 3 });
    try {
      for (let i = 0; i < 7; i++) {
        writer.append(record(`R${i}`));
        await turn();
      }
      await until(() => allLogObjects(directory).length >= 2, 'two full files are delivered');
      await writer.close();
      const objects = allLogObjects(directory);
      assert.equal(objects.length, 3);
      assert.equal(new Set(objects.map((o) => o.slice(-23))).size, 3, 'unique suffixes');
      assert.deepEqual(readTrail(directory).map((r) => r.requestID), ['R0', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('delivers the segment of a killed process, without its torn last line, under a name fixed by the segment', async () => {
    const directory = tempDirectory('cove-audit-');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const name = segmentFileName({ pid: dead, tag: 'deadbeef', seq: 0, openedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5) });
    fs.mkdirSync(join(directory, 'journal'), { recursive: true });
    fs.writeFileSync(join(directory, 'journal', name), `${JSON.stringify(record('ORPHAN'))}\n{"eventVersion":"1.`);
    const writer = writerIn(directory);
    try {
      await until(() => allLogObjects(directory).length === 1 && journalFiles(directory).length === 0, 'the orphan is delivered, then removed');
      const [object] = allLogObjects(directory);
      assert.equal(object, `AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/02/123456789012_CloudTrail_us-east-1_20260102T0304Z_${logFileSuffix(name)}.json.gz`);
      assert.deepEqual(readLogFile(join(directory, object)).map((r) => r.requestID), ['ORPHAN']);
      assert.deepEqual(journalFiles(directory), []);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });

  it('does not let one record that cannot be serialized cost the others their lines', async () => {
    const directory = tempDirectory('cove-audit-');
    const logged: string[] = [];
    const writer = writerIn(directory, { log: (line) => logged.push(line) });
    try {
      const broken = record('BROKEN');
      broken.requestParameters = { size: 1n };
      writer.append(record('BEFORE'));
      writer.append(broken);
      writer.append(record('AFTER'));
      await writer.close();
      assert.deepEqual(readTrail(directory).map((r) => r.requestID), ['BEFORE', 'AFTER']);
      assert.equal(logged.length, 1);
    } finally {
      removeDirectory(directory);
    }
  });

  it('reads each record once while a delivered segment still lies in the journal (log file written, segment not yet removed)', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = writerIn(directory);
    writer.append(record('D1'));
    writer.append(record('D2'));
    await writer.close();
    try {
      assert.equal(allLogObjects(directory).length, 1);
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const name = segmentFileName({ pid: dead, tag: 'feedface', seq: 0, openedAtMs: Date.now() });
      fs.mkdirSync(join(directory, 'journal'), { recursive: true });
      fs.writeFileSync(join(directory, 'journal', name), `${JSON.stringify(record('D1'))}\n${JSON.stringify(record('D2'))}\n`);
      assert.deepEqual(readTrail(directory).map((r) => r.requestID), ['D1', 'D2']);
    } finally {
      removeDirectory(directory);
    }
  });

  it('reads a segment claimed for delivery between the journal\'s listing and its read (from its claimed name)', () => {
    const directory = tempDirectory('cove-audit-');
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const name = segmentFileName({ pid: dead, tag: 'c1a13ed0', seq: 0, openedAtMs: Date.now() });
      const journal = join(directory, 'journal');
      fs.mkdirSync(journal, { recursive: true });
      fs.writeFileSync(join(journal, name), `${JSON.stringify(record('C1'))}\n${JSON.stringify(record('C2'))}\n`);
      // The first read finds the segment renamed by a deliverer that claims it (`<claimer>~<name>`).
      let claimed = false;
      const readFile = (path: string): Buffer => {
        if (!claimed && path.endsWith(name)) {
          claimed = true;
          fs.renameSync(path, join(journal, `claimed-1-abc~${name}`));
        }
        return fs.readFileSync(path);
      };
      assert.deepEqual(new TrailFollower(directory, readFile).poll().map((r) => r.requestID), ['C1', 'C2']);
    } finally {
      removeDirectory(directory);
    }
  });

  it('is followed as it grows: each poll returns the records not returned before, across a delivery', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = writerIn(directory, { deliveryRecords: 2 });
    const follower = new TrailFollower(directory);
    try {
      writer.append(record('F1'));
      await turn();
      assert.deepEqual(follower.poll().map((r) => r.requestID), ['F1']);
      writer.append(record('F2'));
      writer.append(record('F3'));
      await turn();
      await until(() => allLogObjects(directory).length === 1, 'F1 and F2 delivered');
      assert.deepEqual(follower.poll().map((r) => r.requestID).sort(), ['F2', 'F3']);
      assert.deepEqual(follower.poll(), []);
    } finally {
      await writer.close();
      removeDirectory(directory);
    }
  });
});

/** The log file body LogFileFraming makes of `segment` arriving in `pieces` reads. */
async function framed(segment: string, cuts: readonly number[] = []): Promise<{ text: string; lines: number }> {
  const bytes = Buffer.from(segment);
  const bounds = [0, ...cuts, bytes.length];
  const framing = new LogFileFraming();
  const out: Buffer[] = [];
  await pipeline(Readable.from(bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end))), framing, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return { text: Buffer.concat(out).toString(), lines: framing.lines };
}

describe('a log file body from a journal segment', () => {
  it('joins the whole lines as one Records array, skipping empty lines and a cut last line, however the reads split it', async () => {
    const segment = '{"a":1}\n\n{"b":"x\\ny"}\n{"c":3}\n{"cut';
    const whole = await framed(segment);
    assert.deepEqual(JSON.parse(whole.text), { Records: [{ a: 1 }, { b: 'x\ny' }, { c: 3 }] });
    assert.equal(whole.lines, 3);
    for (let cut = 1; cut < segment.length; cut++) {
      for (const second of [cut + 1, cut + 7]) {
        const cuts = second < segment.length ? [cut, second] : [cut];
        assert.equal((await framed(segment, cuts)).text, whole.text, `split at ${cuts.join(', ')}`);
      }
    }
  });

  it('makes nothing of a segment without a whole line', async () => {
    for (const segment of ['', '\n\n', '{"cut']) assert.deepEqual(await framed(segment), { text: '', lines: 0 });
  });
});
