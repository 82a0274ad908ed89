import type { CloudTrailRecord } from './record.js';

/**
 * Which data events the trail keeps, as CloudTrail's event selectors choose them: all (the
 * default), none, or those on the named tables (their indexes and streams included). Management
 * events and network activity events are always kept.
 */
export type DataEventSelection = 'all' | 'none' | readonly string[];

const TABLE_OF_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)/;

export function selects(selection: DataEventSelection, record: CloudTrailRecord): boolean {
  if (record.eventCategory !== 'Data' || selection === 'all') return true;
  if (selection === 'none') return false;
  return (record.resources ?? []).some((resource) => {
    const table = TABLE_OF_ARN.exec(resource.ARN)?.[1];
    return table !== undefined && selection.includes(table);
  });
}
