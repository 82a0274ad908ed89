import type { AuthorizationTarget } from '../service.js';
import type { StorageEngine } from '../storage/engine.js';
import type { TableCatalog } from './tables.js';

export interface OperationContext {
  engine: StorageEngine;
  catalog: TableCatalog;
  region: string;
  accountId: string;
  nowMs: number;
  /** The Host header, for an operation that `readsHost`. */
  requestHost?: string;
}

/** What the interpret stage may consult: names and the catalog, never the engine. */
export type InterpretContext = Pick<OperationContext, 'region' | 'accountId' | 'catalog'>;

export type { AuthorizationTarget };

/**
 * One DynamoDB operation: semantics only. Input arrives already checked against
 * the service model (validation/); `authorization` and `requestParameters` run
 * before authorize and record; `execute` — including every check that needs the
 * table, as IAM answers before DynamoDB looks the table up — only once authorized.
 */
export interface Operation<Input = Record<string, unknown>, Output = Record<string, unknown>> {
  name: string;
  readOnly: boolean;
  /** CloudTrail's split: item APIs are Data events, table APIs Management events. */
  category: 'Data' | 'Management';
  authorization(input: Input, ctx: InterpretContext): AuthorizationTarget[];
  /** CloudTrail's requestParameters: camelCase names, never non-key attribute values. */
  requestParameters(input: Input, ctx: InterpretContext): Record<string, unknown> | null;
  execute(input: Input, ctx: OperationContext): Promise<Output>;
  /** The model gives the operation no output (TagResource, UntagResource): DynamoDB answers with an empty body. */
  emptyAnswer?: true;
  /** The operation answers with the address the client reached (DescribeEndpoints): its context carries the Host header. */
  readsHost?: true;
}

export function tableArn(ctx: Pick<OperationContext, 'region' | 'accountId'>, tableName: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`;
}

/** What Query and Scan are authorized on: the table, or the index they read (`table/T/index/I`). */
export function readResourceArn(ctx: Pick<OperationContext, 'region' | 'accountId'>, tableName: string, indexName: string | undefined): string {
  return indexName === undefined ? tableArn(ctx, tableName) : `${tableArn(ctx, tableName)}/index/${indexName}`;
}
