import { dynamoError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { tableArn, type Operation } from '../operation.js';
import { settingsOf, type TableRecord } from '../tables.js';

interface DescribeContinuousBackupsInput {
  TableName: string;
}

const SECONDS_PER_DAY = 86_400;

/**
 * What DynamoDB answers for a table's backups. ContinuousBackupsStatus is ENABLED for every
 * table (on-demand backups are always available); point-in-time recovery reports its window:
 * from when it was enabled (or the recovery period ago, whichever is later) to a few minutes ago.
 * cove keeps no backups: restores are not served.
 */
export function continuousBackupsDescription(record: TableRecord, nowSeconds: number): Record<string, unknown> {
  const pitr = settingsOf(record).pointInTimeRecovery;
  if (!pitr) return { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } };
  const earliestSeconds = Math.max(pitr.enabledAtSeconds, nowSeconds - pitr.recoveryPeriodInDays * SECONDS_PER_DAY);
  // Right after enabling, the lag would put the latest point before the earliest; it is never earlier.
  const latestSeconds = Math.max(earliestSeconds, nowSeconds - LIMITS.restorableLagSeconds);
  return {
    ContinuousBackupsStatus: 'ENABLED',
    PointInTimeRecoveryDescription: {
      PointInTimeRecoveryStatus: 'ENABLED',
      RecoveryPeriodInDays: pitr.recoveryPeriodInDays,
      EarliestRestorableDateTime: earliestSeconds,
      LatestRestorableDateTime: latestSeconds,
    },
  };
}

/** The backup APIs' error for a missing table. Unverified text (other emulators agree on it). */
export function tableNotFound(name: string) {
  return dynamoError('TableNotFoundException', `Table not found: ${name}`);
}

export const describeContinuousBackups: Operation<DescribeContinuousBackupsInput> = {
  name: 'DescribeContinuousBackups',
  readOnly: true,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:DescribeContinuousBackups', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => ({ tableName: input.TableName }),
  async execute(input, ctx) {
    const table = ctx.catalog.get(input.TableName);
    if (!table) throw tableNotFound(input.TableName);
    return { ContinuousBackupsDescription: continuousBackupsDescription(table.record, ctx.nowMs / 1000) };
  },
};
