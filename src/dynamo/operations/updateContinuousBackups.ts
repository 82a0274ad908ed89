import { validationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { tableArn, type Operation } from '../operation.js';
import { settingsOf, type TableRecord } from '../tables.js';
import { continuousBackupsDescription, tableNotFound } from './describeContinuousBackups.js';

interface PointInTimeRecoverySpecification {
  PointInTimeRecoveryEnabled: boolean;
  /** 1..35, checked by the model's constraint. */
  RecoveryPeriodInDays?: number;
}

interface UpdateContinuousBackupsInput {
  TableName: string;
  PointInTimeRecoverySpecification: PointInTimeRecoverySpecification;
}

/** Pure: runs inside the catalog's write transaction. Enabling again keeps the window's start. */
function applyPointInTimeRecovery(record: TableRecord, spec: PointInTimeRecoverySpecification, nowSeconds: number): TableRecord {
  const current = settingsOf(record).pointInTimeRecovery;
  const pointInTimeRecovery = spec.PointInTimeRecoveryEnabled
    ? {
        recoveryPeriodInDays: spec.RecoveryPeriodInDays ?? current?.recoveryPeriodInDays ?? LIMITS.maxRecoveryPeriodInDays,
        enabledAtSeconds: current?.enabledAtSeconds ?? nowSeconds,
      }
    : null;
  return { ...record, settings: { ...record.settings, pointInTimeRecovery } };
}

/** Stores the setting; cove keeps no continuous backups and serves no restores. */
export const updateContinuousBackups: Operation<UpdateContinuousBackupsInput> = {
  name: 'UpdateContinuousBackups',
  readOnly: false,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:UpdateContinuousBackups', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => {
    const spec = input.PointInTimeRecoverySpecification;
    return {
      tableName: input.TableName,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: spec.PointInTimeRecoveryEnabled,
        ...(spec.RecoveryPeriodInDays !== undefined ? { recoveryPeriodInDays: spec.RecoveryPeriodInDays } : {}),
      },
    };
  },
  async execute(input, ctx) {
    const spec = input.PointInTimeRecoverySpecification;
    // DynamoDB's text, from live responses recorded by third-party probes.
    if (!spec.PointInTimeRecoveryEnabled && spec.RecoveryPeriodInDays !== undefined) {
      throw validationError('Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.');
    }
    const table = ctx.catalog.get(input.TableName);
    if (!table) throw tableNotFound(input.TableName);
    const nowSeconds = ctx.nowMs / 1000;
    const updated = await ctx.catalog.update(table, (record) => applyPointInTimeRecovery(record, spec, nowSeconds));
    return { ContinuousBackupsDescription: continuousBackupsDescription(updated.record, nowSeconds) };
  },
};
