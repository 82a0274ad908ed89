/**
 * StreamSpecification at CreateTable and UpdateTable: its checks, and the record change that
 * enables a new stream or ends the enabled one (pure: UpdateTable runs it inside the catalog's
 * write transaction). A table's streams are listed in its settings (`TableSettings.streams`);
 * its description shows StreamSpecification while one is enabled and LatestStreamLabel /
 * LatestStreamArn of the last one, as DynamoDB's DescribeTable does.
 */
import { randomBytes } from 'node:crypto';
import { validationError } from './errors.js';
import { TABLE_ID_BYTES } from './keys.js';
import { enabledStream, streamArn, streamLabelAt, type StreamInfo, type StreamViewType } from './streams.js';
import { settingsOf, type TableRecord } from './tables.js';

export interface StreamSpecificationInput {
  StreamEnabled: boolean;
  StreamViewType?: StreamViewType;
}

const invalid = (detail: string) => validationError(`One or more parameter values were invalid: ${detail}`);

/** The request's own checks (the model has checked the types and the view type's enum). */
export function checkStreamSpecification(spec: StreamSpecificationInput): void {
  // Unverified text: DynamoDB's answer for an enabled stream without a view type.
  if (spec.StreamEnabled && spec.StreamViewType === undefined) throw invalid('StreamViewType is required when StreamEnabled is true');
  // Unverified text: DynamoDB's answer for a view type with StreamEnabled false.
  if (!spec.StreamEnabled && spec.StreamViewType !== undefined) throw invalid('StreamViewType cannot be specified when StreamEnabled is false');
}

/** A new stream's entry: a fresh storage id, so a re-enabled stream never sees an older one's records. */
export function newStream(viewType: StreamViewType, nowMs: number): StreamInfo {
  return { label: streamLabelAt(nowMs), storageId: randomBytes(TABLE_ID_BYTES).toString('hex'), viewType, createdAtMs: nowMs };
}

/** The description's stream members for a record whose streams are `streams`. */
export function streamDescription(tableArn: string, streams: readonly StreamInfo[]): Pick<TableRecord['description'], 'StreamSpecification' | 'LatestStreamLabel' | 'LatestStreamArn'> {
  const latest = streams.at(-1);
  if (!latest) return {};
  const enabled = enabledStream(streams);
  return {
    // Unverified: whether DynamoDB's DescribeTable still shows StreamSpecification (StreamEnabled false) once the stream is disabled; cove shows none.
    ...(enabled ? { StreamSpecification: { StreamEnabled: true as const, StreamViewType: enabled.viewType } } : {}),
    LatestStreamLabel: latest.label,
    LatestStreamArn: streamArn(tableArn, latest.label),
  };
}

/**
 * UpdateTable's StreamSpecification on the record as the write transaction finds it. `created` is
 * the stream to add when enabling (made before the transaction: its id and label are random and
 * timed, and the change must be pure). Texts from live responses recorded by the ACK controller's
 * API-quirks notes.
 */
export function applyStreamSpecification(record: TableRecord, spec: StreamSpecificationInput, created: StreamInfo, nowMs: number): TableRecord {
  const settings = settingsOf(record);
  const enabled = enabledStream(settings.streams);
  const tableName = record.description.TableName;
  let streams: StreamInfo[];
  if (spec.StreamEnabled) {
    if (enabled) throw validationError(`Table already has an enabled stream: TableName: ${tableName}`);
    const previous = settings.streams.at(-1);
    // Labels are unique per table: one more millisecond after a previous stream of the same (or a later) time.
    const atMs = previous && previous.createdAtMs >= created.createdAtMs ? previous.createdAtMs + 1 : created.createdAtMs;
    const stream = atMs === created.createdAtMs ? created : { ...created, createdAtMs: atMs, label: streamLabelAt(atMs) };
    streams = [...settings.streams, stream];
  } else {
    if (!enabled) throw validationError(`Table has no stream to disable: TableName: ${tableName}`);
    streams = settings.streams.map((stream) => (stream === enabled ? { ...stream, disabledAtMs: nowMs } : stream));
  }
  const { StreamSpecification: _old, ...description } = record.description;
  return { ...record, settings: { ...record.settings, streams }, description: { ...description, ...streamDescription(description.TableArn, streams) } };
}
