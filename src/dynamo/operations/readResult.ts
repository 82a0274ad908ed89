import { validationError } from '../../errors.js';
import type { CompiledExpressions } from '../expressions/index.js';
import type { Page } from '../reads.js';
import type { Item } from '../types.js';

export type Select = 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT';

/** DynamoDB's rules tying Select to a projection, with its texts (Query wraps one of them, Scan does not). */
export function readSelect(input: { Select?: string; IndexName?: string; ProjectionExpression?: unknown; AttributesToGet?: unknown }, expressions: CompiledExpressions, operation: 'Query' | 'Scan' = 'Scan'): Select {
  const select = input.Select as Select | undefined;
  const projectionName = input.ProjectionExpression !== undefined ? 'ProjectionExpression' : 'AttributesToGet';
  const hasProjection = expressions.projection !== undefined;
  switch (select) {
    case undefined:
      return hasProjection ? 'SPECIFIC_ATTRIBUTES' : 'ALL_ATTRIBUTES';
    case 'ALL_ATTRIBUTES':
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get ALL_ATTRIBUTES`);
      return select;
    case 'ALL_PROJECTED_ATTRIBUTES':
      if (input.IndexName === undefined) throw validationError('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get ALL_PROJECTED_ATTRIBUTES`);
      return select;
    case 'COUNT':
      if (hasProjection) throw validationError(`Cannot specify the ${projectionName} when choosing to get only the Count`);
      return select;
    case 'SPECIFIC_ATTRIBUTES':
      if (!hasProjection) {
        const message = 'Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES';
        throw validationError(operation === 'Query' ? `1 validation error detected: ${message}` : message);
      }
      return select;
  }
}

/** The page as DynamoDB answers it: Items unless COUNT, then Count, ScannedCount and LastEvaluatedKey. */
export function shapeReadResult(select: Select, items: Item[], page: Page): Record<string, unknown> {
  return {
    ...(select === 'COUNT' ? {} : { Items: items }),
    Count: items.length,
    ScannedCount: page.scannedCount,
    ...(page.lastEvaluatedKey ? { LastEvaluatedKey: page.lastEvaluatedKey } : {}),
  };
}
