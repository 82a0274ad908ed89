import { LIMITS } from '../../dynamo/limits.js';
import type { StreamsOperation } from '../operation.js';
import { STREAM_ARN } from '../input.js';
import { parseStreamArn, streamArnsOf } from '../shards.js';

interface ListStreamsInput {
  TableName?: string;
  Limit?: number;
  ExclusiveStartStreamArn?: string;
}

const LIST_STREAMS_MEMBERS = [
  { name: 'TableName', kind: 'string', minLength: 3, maxLength: 255, pattern: /^[a-zA-Z0-9_.-]+$/ },
  { name: 'Limit', kind: 'integer', min: 1, max: LIMITS.maxListStreamsLimit },
  { name: 'ExclusiveStartStreamArn', ...STREAM_ARN },
] as const;

/**
 * The visible streams (enabled, or disabled less than 24 hours ago) of every table, or of one,
 * ordered by table name, then label (creation time), paged by ARN.
 */
export const listStreams: StreamsOperation<ListStreamsInput> = {
  name: 'ListStreams',
  members: LIST_STREAMS_MEMBERS,
  readOnly: true,
  category: 'Management',
  // dynamodb:ListStreams has no resource type (AWS's service authorization reference): it is authorized on `*`.
  authorization: () => [{ action: 'dynamodb:ListStreams', resource: '*' }],
  requestParameters: (input) => ({
    ...(input.TableName !== undefined ? { tableName: input.TableName } : {}),
    ...(input.Limit !== undefined ? { limit: input.Limit } : {}),
    ...(input.ExclusiveStartStreamArn !== undefined ? { exclusiveStartStreamArn: input.ExclusiveStartStreamArn } : {}),
  }),
  async execute(input, ctx) {
    if (input.ExclusiveStartStreamArn !== undefined) parseStreamArn(input.ExclusiveStartStreamArn);
    // Unverified: DynamoDB's answer for a TableName that names no table; cove lists no streams.
    const names = input.TableName !== undefined ? [input.TableName] : ctx.catalog.names();
    const all = names.flatMap((name) => {
      const table = ctx.catalog.get(name);
      return table ? streamArnsOf(ctx, table, ctx.nowMs).map(({ arn, stream }) => ({ StreamArn: arn, TableName: name, StreamLabel: stream.label })) : [];
    });
    const after = input.ExclusiveStartStreamArn;
    const from = after === undefined ? 0 : all.findIndex((entry) => entry.StreamArn === after) + 1;
    const limit = input.Limit ?? LIMITS.maxListStreamsLimit;
    const page = all.slice(from, from + limit);
    const more = from + limit < all.length;
    return { Streams: page, ...(more ? { LastEvaluatedStreamArn: page.at(-1)!.StreamArn } : {}) };
  },
};

