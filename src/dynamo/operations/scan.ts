import { validationError } from '../errors.js';
import type { ReturnConsumedCapacity } from '../capacity.js';
import { checkNestedKeyAccess, compileRequestExpressions } from '../expressions/index.js';
import { keyNamesOf } from '../items.js';
import { itemConditionKeys } from '../conditionKeys.js';
import { readResourceArn, type Operation } from '../operation.js';
import { keySpaceOf, normalizeStartKey, rangeContains, resumeAfter, segmentRange } from '../reads.js';
import { readPageResult, readSelect } from './readResult.js';

interface ScanInput {
  TableName: string;
  IndexName?: string;
  Limit?: number;
  Segment?: number;
  TotalSegments?: number;
  ExclusiveStartKey?: Record<string, unknown>;
  ConsistentRead?: boolean;
  Select?: string;
  ReturnConsumedCapacity?: ReturnConsumedCapacity;
  [other: string]: unknown;
}

export const scan: Operation<ScanInput> = {
  name: 'Scan',
  readOnly: true,
  category: 'Data',
  authorization: (input, ctx) => [
    {
      action: 'dynamodb:Scan',
      resource: readResourceArn(ctx, input.TableName, input.IndexName),
      conditionKeys: () => itemConditionKeys(ctx, input.TableName, { kind: 'Scan', input, items: [], returnsItems: true, takesReturnValues: false, returnConsumedCapacity: input.ReturnConsumedCapacity }),
    },
  ],
  requestParameters: (input) => ({
    tableName: input.TableName,
    ...(input.Limit !== undefined ? { limit: input.Limit } : {}),
    ...(input.TotalSegments !== undefined ? { segment: input.Segment, totalSegments: input.TotalSegments } : {}),
    ...(input.IndexName !== undefined ? { indexName: input.IndexName } : {}),
  }),
  async execute(input, ctx) {
    const { Segment: segment, TotalSegments: totalSegments } = input;
    // DynamoDB's texts as dynalite recorded them (validations/scan.js).
    if ((segment === undefined) !== (totalSegments === undefined)) {
      throw validationError(
        segment === undefined
          ? 'The Segment parameter is required but was not present in the request when parameter TotalSegments is present'
          : 'The TotalSegments parameter is required but was not present in the request when Segment parameter is present',
      );
    }
    if (segment !== undefined && totalSegments !== undefined && segment >= totalSegments) {
      throw validationError(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${totalSegments}`);
    }
    const expressions = compileRequestExpressions(input, 'Scan');
    const select = readSelect(input, expressions, 'Scan');
    const startItem = input.ExclusiveStartKey === undefined ? undefined : normalizeStartKey(input.ExclusiveStartKey);
    const table = ctx.catalog.require(input.TableName);
    const space = keySpaceOf(table, input.IndexName, input.ConsistentRead, select);
    checkNestedKeyAccess(expressions, keyNamesOf(table));
    const segmentKeys = segmentRange(space, segment ?? 0, totalSegments ?? 1);
    const startKey = startItem === undefined ? undefined : space.startKeyOf(startItem, 'Scan');
    if (startKey && !rangeContains(segmentKeys, startKey)) {
      // Unverified text: DynamoDB's answer for a start key hashed outside the segment.
      throw validationError('The provided Exclusive start key does not map to the provided segment');
    }
    const range = resumeAfter(segmentKeys, startKey, false);
    return readPageResult(ctx, { space, range, reverse: false, select, expressions, input });
  },
};
