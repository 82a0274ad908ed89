import { DynamoDBStreamsClient, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CoveProcess } from '../support/cove.js';

export const KEY = { accessKeyId: 'AKIASTREAMS00000001', secretAccessKey: 'streams-secret' };

export function streamsClient(cove: CoveProcess): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint: cove.endpoint, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
}

export type ViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** A table keyed by `pk` (S) and `sk` (N), with a stream of `viewType`; returns its stream's ARN. */
export async function createStreamedTable(db: DynamoDBClient, name: string, viewType: ViewType | undefined): Promise<string | undefined> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...(viewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } } : {}),
    }),
  );
  return (await db.send(new DescribeTableCommand({ TableName: name }))).Table?.LatestStreamArn;
}

export async function shardIdOf(streams: DynamoDBStreamsClient, streamArn: string): Promise<string> {
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  return described.StreamDescription!.Shards![0].ShardId!;
}

/** Every record from TRIM_HORIZON to the current end (or the shard's end, for a disabled stream). */
export async function readAll(streams: DynamoDBStreamsClient, streamArn: string, limit?: number): Promise<{ records: _Record[]; closed: boolean }> {
  const ShardId = await shardIdOf(streams, streamArn);
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  const records: _Record[] = [];
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    records.push(...(page.Records ?? []));
    iterator = page.NextShardIterator;
    if ((page.Records ?? []).length === 0) return { records, closed: iterator === undefined };
  }
  return { records, closed: true };
}
