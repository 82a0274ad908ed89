import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestContext } from '../../src/context.js';
import { eventTime, type ApiCallRecord as CloudTrailRecord } from '../../src/audit/record.js';
import { buildRecord } from '../../src/audit/recordStage.js';
import { selects } from '../../src/audit/selection.js';
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


describe('data event selection', () => {
  const record = (category: 'Data' | 'Management', arn?: string) =>
    ({ eventCategory: category, ...(arn ? { resources: [{ accountId: '1', type: 'AWS::DynamoDB::Table', ARN: arn }] } : {}) }) as unknown as CloudTrailRecord;
  it('keeps management events always, and data events as the selection says, by table (its indexes and streams too)', () => {
    const songs = 'arn:aws:dynamodb:us-east-1:123456789012:table/songs';
    assert.equal(selects('none', record('Management', songs)), true);
    assert.equal(selects('all', record('Data', songs)), true);
    assert.equal(selects('none', record('Data', songs)), false);
    assert.equal(selects(['songs'], record('Data', songs)), true);
    assert.equal(selects(['songs'], record('Data', `${songs}/index/byArtist`)), true);
    assert.equal(selects(['songs'], record('Data', 'arn:aws:dynamodb:us-east-1:123456789012:table/songs2')), false);
    assert.equal(selects(['songs'], record('Data')), false);
  });
});
