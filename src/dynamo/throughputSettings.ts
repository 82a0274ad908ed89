/**
 * OnDemandThroughput (an on-demand table's or global index's maximum request units) and
 * WarmThroughput (the throughput it is ready for), as settings: stored in the table's
 * description, shown by DescribeTable, checked as DynamoDB checks them. cove throttles nothing,
 * so neither changes how requests are served.
 *
 * Warm throughput is a high-water mark: the highest of on-demand's initial throughput (while the
 * table is on-demand), the provisioned units it has had and the WarmThroughput asked for; it
 * never goes down. Descriptions written before cove kept it have none: `withWarmThroughput`
 * derives it from the current settings, and UpdateTable stores it from then on.
 *
 * DynamoDB's texts: live responses recorded by third-party probes in 2026, unless a comment
 * says a text is unverified.
 */
import { dynamoError, validationError } from './errors.js';
import { LIMITS } from './limits.js';
import type { GlobalIndexDescription, TableDescription } from './tables.js';

export type BillingMode = 'PROVISIONED' | 'PAY_PER_REQUEST';

/** Maximum request units per second; in an UpdateTable request -1 removes a limit (never stored). */
export interface OnDemandThroughput {
  MaxReadRequestUnits?: number;
  MaxWriteRequestUnits?: number;
}

export interface WarmThroughputInput {
  ReadUnitsPerSecond?: number;
  WriteUnitsPerSecond?: number;
}

/** Status is TableStatus (a table's) or IndexStatus (an index's); cove stores ACTIVE. */
export interface WarmThroughputDescription {
  ReadUnitsPerSecond: number;
  WriteUnitsPerSecond: number;
  Status: 'ACTIVE' | 'UPDATING';
}

interface Units {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
}

/** An UpdateTable request's "no limit". */
export const NO_LIMIT = -1;

const ON_DEMAND_MEMBERS = [
  { member: 'MaxReadRequestUnits', quotaName: 'TableMaxReadCapacityUnits', quota: LIMITS.tableMaxReadCapacityUnits },
  { member: 'MaxWriteRequestUnits', quotaName: 'TableMaxWriteCapacityUnits', quota: LIMITS.tableMaxWriteCapacityUnits },
] as const;

const WARM_MEMBERS = [
  { member: 'ReadUnitsPerSecond', units: 'ReadCapacityUnits', onDemandInitial: LIMITS.onDemandInitialReadUnitsPerSecond },
  { member: 'WriteUnitsPerSecond', units: 'WriteCapacityUnits', onDemandInitial: LIMITS.onDemandInitialWriteUnitsPerSecond },
] as const;

const ON_DEMAND_INITIAL_DOC = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial';

const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);

/** The members a struct gives, in the model's order. */
const givenOnDemand = (value: OnDemandThroughput) => ON_DEMAND_MEMBERS.filter(({ member }) => value[member] !== undefined);
const givenWarm = (value: WarmThroughputInput) => WARM_MEMBERS.filter(({ member }) => value[member] !== undefined);

/** Whether an OnDemandThroughput sets or removes anything ({} does not). */
export const hasOnDemandMembers = (value: OnDemandThroughput | undefined): value is OnDemandThroughput => value !== undefined && givenOnDemand(value).length > 0;

/**
 * Each given limit is at least 1 — or -1, no limit, where `noLimitAllowed` (UpdateTable; CreateTable
 * refuses it) — and at most the account's per-table quota. `index`: the global index's name, or
 * undefined for the table. Unverified: the order (every range before any quota, as cove checks).
 */
export function checkOnDemandLimits(value: OnDemandThroughput, index: string | undefined, noLimitAllowed: boolean, region: string): void {
  const owner = index === undefined ? 'table' : `index : ${index}`;
  for (const { member } of givenOnDemand(value)) {
    const units = value[member]!;
    if (units < 1 && !(noLimitAllowed && units === NO_LIMIT)) throw invalid(`Requested ${member} for OnDemandThroughput for ${owner} is outside of valid range`);
  }
  for (const { member, quotaName, quota } of givenOnDemand(value)) {
    // Unverified text for an index: the table's, naming the index as the range text does.
    if (value[member]! > quota) {
      throw dynamoError('LimitExceededException', `Subscriber limit exceeded: Requested ${member} for OnDemandThroughput for ${owner} exceeds ${quotaName} of the account in region ${region}`);
    }
  }
}

/**
 * A provisioned table (or one an UpdateTable leaves provisioned) takes no OnDemandThroughput; the
 * text names the first member given. CreateTable's text ends with a period, UpdateTable's does not.
 * Unverified: that an index's OnDemandThroughput is refused in the same words.
 */
export function checkOnDemandBillingMode(value: OnDemandThroughput, mode: BillingMode, operation: 'CreateTable' | 'UpdateTable'): void {
  const first = givenOnDemand(value)[0];
  if (mode !== 'PROVISIONED' || !first) return;
  if (operation === 'CreateTable') throw invalid(`${first.member} for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.`);
  throw invalid(`${first.member} for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED`);
}

/** The limits once a request's are merged in, member by member, -1 kept (UpdateTable echoes it). */
export function mergedOnDemand(current: OnDemandThroughput | undefined, requested: OnDemandThroughput): OnDemandThroughput {
  const merged: OnDemandThroughput = { ...current };
  for (const { member } of givenOnDemand(requested)) merged[member] = requested[member];
  return merged;
}

/** What is stored: the limits set (-1 dropped); undefined when none is, so DescribeTable omits it. */
export function storedOnDemand(value: OnDemandThroughput): OnDemandThroughput | undefined {
  const stored: OnDemandThroughput = {};
  for (const { member } of givenOnDemand(value)) if (value[member] !== NO_LIMIT) stored[member] = value[member];
  return givenOnDemand(stored).length > 0 ? stored : undefined;
}

/** A description with its OnDemandThroughput set to `value` (stored form), or without one. */
export function withOnDemand<D extends { OnDemandThroughput?: OnDemandThroughput }>(description: D, value: OnDemandThroughput | undefined): D {
  const { OnDemandThroughput: _old, ...rest } = description;
  return (value ? { ...rest, OnDemandThroughput: value } : rest) as D;
}

/** A table switched to PROVISIONED keeps no OnDemandThroughput, nor do its indexes (cove's reading; unverified). */
export function withoutOnDemand(d: TableDescription): TableDescription {
  const indexes = d.GlobalSecondaryIndexes;
  return { ...withOnDemand(d, undefined), ...(indexes ? { GlobalSecondaryIndexes: indexes.map((index) => withOnDemand(index, undefined)) } : {}) };
}

const ownerOfWarm = (index: string | undefined) => (index === undefined ? 'table' : `index ${index}`);

/**
 * A WarmThroughput given at creation is at least what the settings give anyway: on-demand's
 * initial throughput, or the provisioned units. Unverified: the provisioned text for an index.
 */
export function checkInitialWarm(value: WarmThroughputInput, index: string | undefined, mode: BillingMode, units: Units): void {
  for (const { member, units: unitsName, onDemandInitial } of givenWarm(value)) {
    const requested = value[member]!;
    if (mode === 'PAY_PER_REQUEST' && requested < onDemandInitial) {
      throw invalid(`Requested ${member} for WarmThroughput for ${ownerOfWarm(index)} is lower than initial throughput for OnDemand. See: ${ON_DEMAND_INITIAL_DOC}`);
    }
    if (mode === 'PROVISIONED' && requested < units[unitsName]) throw invalid(`Requested ${member} for WarmThroughput for ${ownerOfWarm(index)} is lower than ${unitsName} of ProvisionedThroughput`);
  }
}

/** An UpdateTable's WarmThroughput names at least one member. Unverified text for the table (the index's, without its name). */
export function checkWarmGiven(value: WarmThroughputInput, index: string | undefined): void {
  if (givenWarm(value).length > 0) return;
  throw invalid(`WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond specified${index === undefined ? '' : ` for index: ${index}`}`);
}

/** Warm throughput only grows: UpdateTable refuses a member below the current value (equal is accepted). */
export function checkWarmNotDecreased(value: WarmThroughputInput, current: WarmThroughputDescription, index: string | undefined): void {
  for (const { member } of givenWarm(value)) {
    if (value[member]! < current[member]) {
      throw invalid(`Requested ${member} for WarmThroughput for ${ownerOfWarm(index)} is lower than current WarmThroughput, decreasing WarmThroughput is not supported`);
    }
  }
}

/** The warm throughput the settings alone give: on-demand's initial throughput, or the provisioned units. */
function warmOfSettings(mode: BillingMode, units: Units): WarmThroughputDescription {
  const onDemand = mode === 'PAY_PER_REQUEST';
  return {
    ReadUnitsPerSecond: onDemand ? LIMITS.onDemandInitialReadUnitsPerSecond : units.ReadCapacityUnits,
    WriteUnitsPerSecond: onDemand ? LIMITS.onDemandInitialWriteUnitsPerSecond : units.WriteCapacityUnits,
    Status: 'ACTIVE',
  };
}

/** The higher of each member of `current` and `raise` (a member `raise` lacks is kept). */
export function raisedWarm(current: WarmThroughputDescription, raise: WarmThroughputInput): WarmThroughputDescription {
  return {
    ReadUnitsPerSecond: Math.max(current.ReadUnitsPerSecond, raise.ReadUnitsPerSecond ?? 0),
    WriteUnitsPerSecond: Math.max(current.WriteUnitsPerSecond, raise.WriteUnitsPerSecond ?? 0),
    Status: 'ACTIVE',
  };
}

/** A new table's or index's warm throughput: its settings', raised to the one requested. */
export function initialWarm(mode: BillingMode, units: Units, requested: WarmThroughputInput | undefined): WarmThroughputDescription {
  return raisedWarm(warmOfSettings(mode, units), requested ?? {});
}

export const billingModeOf = (d: Pick<TableDescription, 'BillingModeSummary'>): BillingMode => d.BillingModeSummary?.BillingMode ?? 'PROVISIONED';

/** The table's warm throughput, stored or (a description written before cove kept it) derived. */
export function tableWarm(d: TableDescription): WarmThroughputDescription {
  return d.WarmThroughput ?? warmOfSettings(billingModeOf(d), d.ProvisionedThroughput);
}

/** A global index's warm throughput, stored or derived from its table's billing mode and its units. */
export function indexWarm(index: GlobalIndexDescription, mode: BillingMode): WarmThroughputDescription {
  return index.WarmThroughput ?? warmOfSettings(mode, index.ProvisionedThroughput);
}

/** The description with every warm throughput present (derived where it was never stored). */
export function withWarmThroughput(d: TableDescription): TableDescription {
  const mode = billingModeOf(d);
  const indexes = d.GlobalSecondaryIndexes;
  return {
    ...d,
    WarmThroughput: tableWarm(d),
    ...(indexes ? { GlobalSecondaryIndexes: indexes.map((index) => ({ ...index, WarmThroughput: indexWarm(index, mode) })) } : {}),
  };
}

/**
 * The high-water mark after a change of billing mode or throughput: each warm throughput raised to
 * what the new settings give. Run on a description `withWarmThroughput` filled before the change.
 */
export function settleWarmThroughput(d: TableDescription): TableDescription {
  const mode = billingModeOf(d);
  const indexes = d.GlobalSecondaryIndexes;
  const settled = (current: WarmThroughputDescription, units: Units) => raisedWarm(current, warmOfSettings(mode, units));
  return {
    ...d,
    WarmThroughput: settled(tableWarm(d), d.ProvisionedThroughput),
    ...(indexes ? { GlobalSecondaryIndexes: indexes.map((index) => ({ ...index, WarmThroughput: settled(indexWarm(index, mode), index.ProvisionedThroughput) })) } : {}),
  };
}

/** CloudTrail's form (camelCase, as its other parameters) of the settings a request gives; members not given stay out. */
export function throughputSettingsForAudit(input: { OnDemandThroughput?: OnDemandThroughput; WarmThroughput?: WarmThroughputInput }): Record<string, unknown> {
  const limits = input.OnDemandThroughput;
  const warm = input.WarmThroughput;
  return {
    ...(limits ? { onDemandThroughput: { maxReadRequestUnits: limits.MaxReadRequestUnits, maxWriteRequestUnits: limits.MaxWriteRequestUnits } } : {}),
    ...(warm ? { warmThroughput: { readUnitsPerSecond: warm.ReadUnitsPerSecond, writeUnitsPerSecond: warm.WriteUnitsPerSecond } } : {}),
  };
}
