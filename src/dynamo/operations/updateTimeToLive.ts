import { dynamoError, validationError } from '../errors.js';
import { LIMITS } from '../limits.js';
import { tableArn, type Operation } from '../operation.js';
import { settingsOf, type TableRecord } from '../tables.js';

interface TimeToLiveSpecification {
  Enabled: boolean;
  AttributeName: string;
}

interface UpdateTimeToLiveInput {
  TableName: string;
  TimeToLiveSpecification: TimeToLiveSpecification;
}

/**
 * DynamoDB's rules, in its order (texts from live responses recorded by third-party probes; an
 * enabled setting moves to another attribute only through a disable; the content of the request
 * is checked before the interval since the last change). Pure: it runs inside the catalog's
 * write transaction, on the record as it is there.
 */
export function applyTimeToLive(record: TableRecord, spec: TimeToLiveSpecification, nowMs: number): TableRecord {
  const settings = settingsOf(record);
  const current = settings.timeToLive;
  if (current && current.attributeName !== spec.AttributeName) {
    throw validationError(`TimeToLive is active on a different AttributeName: current AttributeName is ${current.attributeName}`);
  }
  if (current && spec.Enabled) throw validationError('TimeToLive is already enabled');
  if (!current && !spec.Enabled) throw validationError('TimeToLive is already disabled');
  // A time ahead of this node's clock (another node's, skewed) counts as now: the wait never exceeds the interval.
  const changedAtMs = settings.timeToLiveChangedAtMs === undefined ? undefined : Math.min(settings.timeToLiveChangedAtMs, nowMs);
  if (changedAtMs !== undefined && nowMs - changedAtMs < LIMITS.timeToLiveChangeIntervalMs) {
    throw validationError('Time to live has been modified multiple times within a fixed interval');
  }
  return { ...record, settings: { ...record.settings, timeToLive: spec.Enabled ? { attributeName: spec.AttributeName } : null, timeToLiveChangedAtMs: nowMs } };
}

/**
 * Stores the setting. DynamoDB passes through ENABLING/DISABLING for up to an hour and refuses
 * another change meanwhile; cove applies it at once and refuses the next change for that hour.
 */
export const updateTimeToLive: Operation<UpdateTimeToLiveInput> = {
  name: 'UpdateTimeToLive',
  readOnly: false,
  category: 'Management',
  authorization: (input, ctx) => [{ action: 'dynamodb:UpdateTimeToLive', resource: tableArn(ctx, input.TableName) }],
  requestParameters: (input) => ({
    tableName: input.TableName,
    timeToLiveSpecification: { enabled: input.TimeToLiveSpecification.Enabled, attributeName: input.TimeToLiveSpecification.AttributeName },
  }),
  async execute(input, ctx) {
    const table = ctx.catalog.get(input.TableName);
    if (!table) throw dynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
    const spec = input.TimeToLiveSpecification;
    await ctx.catalog.update(table, (record) => applyTimeToLive(record, spec, ctx.nowMs));
    // DynamoDB echoes the specification it accepted.
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  },
};
