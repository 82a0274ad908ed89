import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestContext } from '../../src/context.js';
import { eventTime, type ApiCallRecord as CloudTrailRecord } from '../../src/audit/record.js';
import { buildRecord } from '../../src/audit/recordStage.js';
import { AuditWriter } from '../../src/audit/writer.js';
import { removeDirectory, tempDirectory } from '../support/cove.js';
import { testContext } from '../support/context.js';

const OPTIONS = { region: 'us-east-1', accountId: '123456789012' };

function context(requestId: string): RequestContext {
  return testContext({
    requestId,
    operationName: 'GetItem',
    eventId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    receivedAtMs: Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    raw: { method: 'POST', url: '/', rawHeaders: [], body: Buffer.alloc(0) },
    userAgent: 'audit-test "quoted" \u0001',
    attribution: { listener: 'public', remoteAddress: '127.0.0.1', remotePort: 5000, secureTransport: false },
    trace: [{ stage: 'attribute', decision: 'continue', detail: 'listener public, peer 127.0.0.1:5000' }],
  });
}

function lines(directory: string): string[] {
  return readdirSync(directory).flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter(Boolean));
}

describe('audit records', () => {
  it('formats eventTime as ISO 8601 UTC to the second, whatever order the times come in', () => {
    const reference = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const times = [0, 999, 1000, 1001, -1, -1000, -1001, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), 1_700_000_000_123, 1_700_000_000_999, 1_699_999_999_000];
    for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * 4_000_000_000_000) - 1_000_000_000_000);
    for (const ms of [...times, ...times.reverse()]) assert.equal(eventTime(ms), reference(ms), `eventTime(${ms})`);
    assert.throws(() => eventTime(Number.NaN), RangeError);
  });

  it('keeps the trace as it was when the record was built', () => {
    const ctx = context('REQ1');
    const record = buildRecord(ctx, OPTIONS);
    ctx.trace.push({ stage: 'execute', decision: 'done', detail: 'later' });
    assert.deepEqual(record.additionalEventData, { coveTrace: [{ stage: 'attribute', decision: 'continue', detail: 'listener public, peer 127.0.0.1:5000' }] });
  });
});

describe('audit writer', () => {
  it('never glues a record to a line a kill -9 left torn at the end of the file', async () => {
    const directory = tempDirectory('cove-audit-');
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const { writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const file = join(directory, `${OPTIONS.accountId}_CloudTrail_${OPTIONS.region}_${day}.jsonl`);
    writeFileSync(file, '{"whole":1}\n{"torn":');
    const writer = new AuditWriter({ directory, ...OPTIONS }, 5);
    try {
      writer.append(buildRecord(context('AFTER'), OPTIONS));
      writer.close();
      const written = readFileSync(file, 'utf8').split('\n');
      assert.equal(written[1], '{"torn":', 'the torn line stays as it was');
      assert.equal((JSON.parse(written[2]) as CloudTrailRecord).requestID, 'AFTER', 'the next record starts a line of its own');
    } finally {
      writer.close();
      removeDirectory(directory);
    }
  });

  it('writes each record as its JSON, one line each, after the event turn', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = new AuditWriter({ directory, ...OPTIONS }, 5);
    try {
      const records = ['A', 'B', 'C'].map((id) => buildRecord(context(id), OPTIONS));
      for (const record of records) writer.append(record);
      assert.deepEqual(lines(directory), [], 'nothing written within the turn');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(lines(directory), records.map((r) => JSON.stringify(r)));
      // Background fsyncs come and go while the writer keeps appending; close waits for none.
      for (let i = 0; i < 20; i++) {
        writer.append(buildRecord(context(`D${i}`), OPTIONS));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      writer.append(buildRecord(context('LAST'), OPTIONS));
      writer.close();
      const written = lines(directory).map((line) => JSON.parse(line) as CloudTrailRecord);
      assert.deepEqual(
        written.map((r) => r.requestID),
        ['A', 'B', 'C', ...Array.from({ length: 20 }, (_, i) => `D${i}`), 'LAST'],
      );
    } finally {
      writer.close();
      removeDirectory(directory);
    }
  });

  it('does not let one record that cannot be serialized cost the others their lines', async () => {
    const directory = tempDirectory('cove-audit-');
    const writer = new AuditWriter({ directory, ...OPTIONS });
    const logged: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const broken = buildRecord(context('BROKEN'), OPTIONS) as CloudTrailRecord;
      broken.requestParameters = { size: 1n };
      writer.append(buildRecord(context('BEFORE'), OPTIONS));
      writer.append(broken);
      writer.append(buildRecord(context('AFTER'), OPTIONS));
      writer.close();
      assert.deepEqual(
        lines(directory).map((line) => (JSON.parse(line) as CloudTrailRecord).requestID),
        ['BEFORE', 'AFTER'],
      );
      assert.equal(logged.length, 1);
    } finally {
      console.error = consoleError;
      writer.close();
      removeDirectory(directory);
    }
  });
});
