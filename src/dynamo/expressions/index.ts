/**
 * DynamoDB's expression language: one grammar and one evaluator for condition, filter, key
 * condition, projection and update expressions, and for the legacy parameters they replaced.
 * See README.md for the contract.
 */
export type {
  Comparator,
  Condition,
  KeyCondition,
  KeyConditionTerm,
  KeyOperator,
  Operand,
  Path,
  PathElement,
  ResolvedKeyCondition,
  SetAction,
  UpdateActions,
  ValueAction,
} from './ast.js';
export {
  checkExpressionParameters,
  checkFilterKeyAttributes,
  checkNestedKeyAccess,
  checkUpdateKeyAttributes,
  compileExpressions,
  compileRequestExpressions,
  pathsReferenced,
  type CompiledExpressions,
  type ExpressionInput,
  type RequestKind,
} from './request.js';
export { checkKeyCondition, validateComparisonArguments } from './keyCondition.js';
export { evaluateCondition, project } from './evaluate.js';
export {
  addNumbers,
  applyUpdate,
  MSG_ATTRIBUTE_NOT_FOUND,
  MSG_INVALID_PATH,
  MSG_LEGACY_TYPE_MISMATCH,
  MSG_OPERAND_TYPE,
} from './update.js';
export { compareUtf8, formatPath, getPath, valuesEqual } from './values.js';
export { isReservedWord } from './semantics.js';
