import type { ContextValue } from '../policy/conditionContext.js';
import { compileRequestExpressions, pathsReferenced, type RequestKind } from './expressions/index.js';
import type { InterpretContext } from './operation.js';
import type { Table } from './tables.js';
import type { AttributeValue, Item } from './types.js';

/**
 * DynamoDB's own IAM condition keys for one authorization target, as the
 * fine-grained access control guide defines them:
 * - `dynamodb:LeadingKeys`: the partition-key values the request names (absent
 *   for Scan, which names none). Numbers and binaries as sent on the wire.
 * - `dynamodb:Attributes`: the top-level attribute names the request names —
 *   key attributes, item attributes written, and every name in its projection,
 *   condition, filter, key condition and update expressions. Never the
 *   response's names: a read without a projection names only the key.
 * - `dynamodb:Select`: for operations that return items; `SPECIFIC_ATTRIBUTES`
 *   when a projection is given, else `ALL_ATTRIBUTES` unless `Select` says otherwise.
 * - `dynamodb:ReturnValues`: writes, default `NONE`.
 * - `dynamodb:ReturnConsumedCapacity`: every operation that takes it, default `NONE`.
 * Computed only when a policy reads one of them (see policy/authorize.ts).
 */
export type ConditionKeys = Record<string, ContextValue | undefined>;

export interface ItemAccess {
  /** Which expressions the input may carry; undefined for BatchWriteItem, which has none. */
  kind: RequestKind | undefined;
  /** The (per-table) input the expressions and `Select` come from. */
  input: Record<string, unknown>;
  /** Keys or whole items the request names (a write names the item's attribute names too). */
  items: readonly Item[];
  /** Whether the operation returns items (so `dynamodb:Select` applies). */
  returnsItems: boolean;
  /** Whether the operation takes `ReturnValues`. */
  takesReturnValues: boolean;
  /** The request's top-level ReturnConsumedCapacity. */
  returnConsumedCapacity: unknown;
}

function scalarText(value: AttributeValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if ('S' in value) return value.S;
  if ('N' in value) return value.N;
  if ('B' in value) return typeof value.B === 'string' ? value.B : Buffer.from(value.B as Uint8Array).toString('base64');
  return undefined;
}

function leadingKeysOf(table: Table | undefined, access: ItemAccess, queryPartitionValue: AttributeValue | undefined): string[] | undefined {
  if (!table || access.kind === 'Scan') return undefined;
  const values = access.kind === 'Query' ? [queryPartitionValue] : access.items.map((item) => item[table.hashKey.name]);
  const texts = values.map(scalarText).filter((text): text is string => text !== undefined);
  return texts.length > 0 ? [...new Set(texts)] : undefined;
}

export function itemConditionKeys(ctx: InterpretContext, tableName: string, access: ItemAccess): ConditionKeys {
  const table = ctx.catalog.get(tableName);
  const compiled = access.kind ? compileRequestExpressions(access.input, access.kind) : {};
  const names = new Set<string>();
  for (const item of access.items) for (const name of Object.keys(item)) names.add(name);
  for (const name of pathsReferenced(compiled)) names.add(name);
  const input = access.input;
  const indexName = typeof input.IndexName === 'string' ? input.IndexName : undefined;
  // A query of an index names the index's partition key (AWS's per-user policies rely on it there too).
  const partitionName = indexName === undefined ? table?.hashKey.name : table?.indexNamed.get(indexName)?.partitionKeys[0].name;
  const partitionTerm = partitionName !== undefined ? compiled.keyCondition?.terms.find((term) => term.name === partitionName && term.op === 'EQ') : undefined;
  // The request's own default: everything the table holds, or everything an index projects.
  const select = typeof input.Select === 'string' ? input.Select : compiled.projection ? 'SPECIFIC_ATTRIBUTES' : indexName !== undefined ? 'ALL_PROJECTED_ATTRIBUTES' : 'ALL_ATTRIBUTES';
  return {
    'dynamodb:LeadingKeys': leadingKeysOf(table, access, partitionTerm?.values[0]),
    'dynamodb:Attributes': names.size > 0 ? [...names] : undefined,
    'dynamodb:Select': access.returnsItems ? select : undefined,
    'dynamodb:ReturnValues': access.takesReturnValues ? (typeof input.ReturnValues === 'string' ? input.ReturnValues : 'NONE') : undefined,
    'dynamodb:ReturnConsumedCapacity': typeof access.returnConsumedCapacity === 'string' ? access.returnConsumedCapacity : 'NONE',
  };
}
