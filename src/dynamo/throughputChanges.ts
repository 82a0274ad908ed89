/**
 * A change of a provisioned table's or index's ReadCapacityUnits/WriteCapacityUnits: its time
 * stamps, its count of decreases per UTC day, and DynamoDB's budget of decreases: four at any
 * time in a UTC day, then one per hour after the last (the table and each index counted apart).
 * Texts and rules from live responses recorded by third-party probes (2026-10).
 */
import { dynamoError } from './errors.js';
import { LIMITS } from './limits.js';

export interface ProvisionedUnits {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

export interface ProvisionedThroughputDescription extends ProvisionedUnits {
  NumberOfDecreasesToday: number;
  LastIncreaseDateTime?: number;
  LastDecreaseDateTime?: number;
}

const DAY_SECONDS = 86_400;
const utcDay = (seconds: number) => Math.floor(seconds / DAY_SECONDS);

/** A time as DynamoDB writes it in this message (Java's full form): "Thursday, October 8, 2026 at 11:20:48 PM Coordinated Universal Time". */
const FULL_UTC = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'full', timeZone: 'UTC' });
const fullUtc = (seconds: number) => FULL_UTC.format(new Date(seconds * 1000)).replace(/\u202f/g, ' ');

/** Java's Date.toString in UTC, as DynamoDB's billing-mode quota text prints times: "Sat Feb 23 03:07:45 UTC 2019". */
function javaDate(seconds: number): string {
  const [weekday, day, month, year, time] = new Date(Math.floor(seconds) * 1000).toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${time} UTC ${year}`;
}

/**
 * The switches to on-demand kept after one more at `nowSeconds` (those of the last 24 hours);
 * refused when there were LIMITS.payPerRequestSwitchesPerDay already (LimitExceededException).
 * Unverified text: DynamoDB's of 2019, when the quota was one a day, with today's count.
 */
export function payPerRequestSwitches(earlierSeconds: readonly number[], nowSeconds: number): number[] {
  // Times ahead of this node's clock (another node's, skewed) count as now.
  const recent = earlierSeconds.map((at) => Math.min(at, nowSeconds)).filter((at) => at > nowSeconds - DAY_SECONDS);
  if (recent.length >= LIMITS.payPerRequestSwitchesPerDay) {
    throw dynamoError(
      'LimitExceededException',
      `Subscriber limit exceeded: Update to PayPerRequest mode are limited to ${LIMITS.payPerRequestSwitchesPerDay} times in 1 day(s). ` +
        `Last update at ${javaDate(recent[recent.length - 1])}. Next update can be made at ${javaDate(recent[0] + DAY_SECONDS)}`,
    );
  }
  return [...recent, nowSeconds];
}

/** `current` changed to `units` at `nowSeconds`; a decrease beyond the day's budget is refused (LimitExceededException). */
export function changedThroughput(current: ProvisionedThroughputDescription, units: ProvisionedUnits, nowSeconds: number): ProvisionedThroughputDescription {
  const increased = units.ReadCapacityUnits > current.ReadCapacityUnits || units.WriteCapacityUnits > current.WriteCapacityUnits;
  const decreased = units.ReadCapacityUnits < current.ReadCapacityUnits || units.WriteCapacityUnits < current.WriteCapacityUnits;
  // A time ahead of this node's clock (another node's, skewed) counts as now.
  const last = current.LastDecreaseDateTime === undefined ? undefined : Math.min(current.LastDecreaseDateTime, nowSeconds);
  const decreasesToday = last !== undefined && utcDay(last) === utcDay(nowSeconds) ? current.NumberOfDecreasesToday : 0;
  if (decreased && last !== undefined && decreasesToday >= LIMITS.throughputDecreasesAnytimePerDay && nowSeconds < last + LIMITS.throughputDecreaseIntervalSeconds) {
    const next = Math.min(last + LIMITS.throughputDecreaseIntervalSeconds, (utcDay(nowSeconds) + 1) * DAY_SECONDS);
    throw dynamoError(
      'LimitExceededException',
      `Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first ${LIMITS.throughputDecreasesAnytimePerDay} decreases, ` +
        `each subsequent decrease in the same UTC day can be performed at most once every ${LIMITS.throughputDecreaseIntervalSeconds} seconds. ` +
        `Number of decreases today: ${decreasesToday}. Last decrease at ${fullUtc(Math.floor(last))}. Next decrease can be made at ${fullUtc(Math.floor(next))}.`,
    );
  }
  return {
    ...current,
    ...units,
    ...(increased ? { LastIncreaseDateTime: nowSeconds } : {}),
    ...(decreased ? { LastDecreaseDateTime: nowSeconds, NumberOfDecreasesToday: decreasesToday + 1 } : {}),
  };
}
