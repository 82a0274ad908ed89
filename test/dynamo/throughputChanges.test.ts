/**
 * The clocked rules of table settings, on the pure functions that apply them (the SDK tests in
 * lifecycle.test.ts cannot wait an hour): DynamoDB's budget of throughput decreases per UTC day,
 * and the interval between two changes of time to live.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { changedThroughput, payPerRequestSwitches, type ProvisionedThroughputDescription } from '../../src/dynamo/throughputChanges.js';
import { applyTimeToLive } from '../../src/dynamo/operations/updateTimeToLive.js';
import { settingsOf, type TableRecord } from '../../src/dynamo/tables.js';
import { AwsError } from '../../src/errors.js';

const HOUR = 3600;
const DAY_START = Date.UTC(2026, 9, 8) / 1000;

function decreasesFrom(start: ProvisionedThroughputDescription, times: number[]): ProvisionedThroughputDescription {
  let current = start;
  for (const at of times) current = changedThroughput(current, { ReadCapacityUnits: current.ReadCapacityUnits - 1, WriteCapacityUnits: current.WriteCapacityUnits }, at);
  return current;
}

describe('throughput decreases per UTC day', () => {
  const start: ProvisionedThroughputDescription = { ReadCapacityUnits: 100, WriteCapacityUnits: 5, NumberOfDecreasesToday: 0 };

  it('allows four at any time, then one an hour after the last, and counts afresh each UTC day', () => {
    const four = decreasesFrom(start, [DAY_START + 10, DAY_START + 11, DAY_START + 12, DAY_START + 13]);
    assert.equal(four.NumberOfDecreasesToday, 4);
    assert.throws(() => decreasesFrom(four, [DAY_START + 13 + HOUR - 1]), (error: unknown) => error instanceof AwsError && error.type.endsWith('LimitExceededException'));
    const fifth = decreasesFrom(four, [DAY_START + 13 + HOUR]);
    assert.equal(fifth.NumberOfDecreasesToday, 5);
    assert.equal(changedThroughput(fifth, { ReadCapacityUnits: 200, WriteCapacityUnits: 5 }, DAY_START + 14 + HOUR).LastIncreaseDateTime, DAY_START + 14 + HOUR, 'increases are never limited');
    const nextDay = decreasesFrom(fifth, [DAY_START + 24 * HOUR + 1]);
    assert.equal(nextDay.NumberOfDecreasesToday, 1);
  });

  it('names the count, the last decrease and the next allowed one (an hour later, or the next UTC midnight if sooner)', () => {
    const late = DAY_START + 23 * HOUR + 20 * 60 + 48;
    const four = decreasesFrom(start, [late - 3, late - 2, late - 1, late]);
    assert.throws(
      () => decreasesFrom(four, [late + 60]),
      (error: unknown) =>
        error instanceof AwsError &&
        error.message ===
          'Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. ' +
            'Number of decreases today: 4. Last decrease at Thursday, October 8, 2026 at 11:20:48 PM Coordinated Universal Time. Next decrease can be made at Friday, October 9, 2026 at 12:00:00 AM Coordinated Universal Time.',
    );
  });
});

describe('switches to on-demand', () => {
  it('takes four within any 24 hours, then refuses until the oldest is a day old', () => {
    let kept: number[] = [];
    for (const at of [DAY_START + 1, DAY_START + 2, DAY_START + 3, DAY_START + 4]) kept = payPerRequestSwitches(kept, at);
    assert.throws(
      () => payPerRequestSwitches(kept, DAY_START + 5),
      (error: unknown) =>
        error instanceof AwsError &&
        error.type.endsWith('LimitExceededException') &&
        error.message === 'Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day(s). Last update at Thu Oct 08 00:00:04 UTC 2026. Next update can be made at Fri Oct 09 00:00:01 UTC 2026',
    );
    assert.deepEqual(payPerRequestSwitches(kept, DAY_START + 24 * HOUR + 1), [DAY_START + 2, DAY_START + 3, DAY_START + 4, DAY_START + 24 * HOUR + 1]);
  });
});

describe('time to live changes', () => {
  const record = { description: {}, settings: {} } as unknown as TableRecord;
  const spec = (Enabled: boolean) => ({ Enabled, AttributeName: 'expires' });

  it('refuses a second change within the hour and accepts it after', () => {
    const enabled = applyTimeToLive(record, spec(true), 1_000_000);
    assert.deepEqual(settingsOf(enabled).timeToLive, { attributeName: 'expires' });
    assert.throws(() => applyTimeToLive(enabled, spec(false), 1_000_000 + HOUR * 1000 - 1), /Time to live has been modified multiple times within a fixed interval/);
    assert.throws(() => applyTimeToLive(enabled, spec(true), 1_000_000 + 1), /TimeToLive is already enabled/, 'the content first');
    assert.equal(settingsOf(applyTimeToLive(enabled, spec(false), 1_000_000 + HOUR * 1000)).timeToLive, null);
  });
});
