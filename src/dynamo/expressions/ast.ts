/**
 * The compiled forms of DynamoDB's expressions. Every expression parameter (and every legacy
 * parameter: Expected, QueryFilter, ScanFilter, KeyConditions, AttributesToGet, AttributeUpdates)
 * compiles to these structures, so one evaluator serves both request styles.
 *
 * Names and values are already resolved: `#name` placeholders are replaced by the attribute
 * names they stand for and `:value` placeholders by their (normalised) AttributeValues.
 */
import type { AttributeValue } from '../types.js';

/** A map key (string) or a list index (number). */
export type PathElement = string | number;

/** A document path: `a.b[3].c` is `['a', 'b', 3, 'c']`. The first element is always a string. */
export type Path = readonly PathElement[];

/** Comparators of condition expressions, spelled as in the expression. */
export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** A value-producing operand. `if_not_exists`, `list_append`, `+` and `-` only occur in updates. */
export type Operand =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'value'; readonly value: AttributeValue }
  | { readonly kind: 'size'; readonly operand: Operand }
  | { readonly kind: 'if_not_exists'; readonly path: Path; readonly fallback: Operand }
  | { readonly kind: 'list_append'; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'plus' | 'minus'; readonly left: Operand; readonly right: Operand };

/** A boolean condition (ConditionExpression, FilterExpression, Expected, QueryFilter, ScanFilter). */
export type Condition =
  | { readonly kind: 'compare'; readonly op: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'between'; readonly operand: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly operand: Operand; readonly list: readonly Operand[] }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly operand: Condition }
  | { readonly kind: 'attribute_exists' | 'attribute_not_exists'; readonly path: Path }
  | { readonly kind: 'attribute_type'; readonly operand: Operand; readonly type: Operand }
  | { readonly kind: 'begins_with'; readonly operand: Operand; readonly prefix: Operand }
  | { readonly kind: 'contains'; readonly operand: Operand; readonly value: Operand };

/** Sort-key operators of a key condition (legacy ComparisonOperator names). */
export type KeyOperator = 'EQ' | 'LT' | 'LE' | 'GT' | 'GE' | 'BETWEEN' | 'BEGINS_WITH';

/** One key condition term as written (before it is matched against the key schema). */
export interface KeyConditionTerm {
  readonly name: string;
  /** Legacy KeyConditions may carry any ComparisonOperator; expressions only produce KeyOperators. */
  readonly op: KeyOperator | 'NE' | 'IN' | 'NULL' | 'NOT_NULL' | 'CONTAINS' | 'NOT_CONTAINS';
  readonly values: readonly AttributeValue[];
}

/**
 * A compiled KeyConditionExpression or KeyConditions: one or two terms, validated in shape only.
 * `checkKeyCondition` matches it against the table's (or index's) key schema.
 */
export interface KeyCondition {
  readonly terms: readonly KeyConditionTerm[];
}

/** A key attribute and the value a key condition requires of it. */
export interface KeyEquality {
  readonly name: string;
  readonly value: AttributeValue;
}

/** A KeyCondition matched against a key schema by `checkKeyCondition`. */
export interface ResolvedKeyCondition {
  /** Equality on every partition key attribute, in KeySchema order (several for a GSI's multi-attribute key). */
  readonly partitionKeys: readonly KeyEquality[];
  /** Equality on the leading sort key attributes, in KeySchema order: only a multi-attribute sort key has them. */
  readonly sortEquals: readonly KeyEquality[];
  /** The condition on the next sort key attribute (a single sort key's, whatever its operator). */
  readonly sortKey?: { readonly name: string; readonly op: KeyOperator; readonly values: readonly AttributeValue[] };
}

export interface SetAction {
  readonly path: Path;
  readonly value: Operand;
}

export interface ValueAction {
  readonly path: Path;
  readonly value: AttributeValue;
}

/** The actions of an UpdateExpression (or of legacy AttributeUpdates). */
export interface UpdateActions {
  readonly set: readonly SetAction[];
  readonly remove: readonly Path[];
  readonly add: readonly ValueAction[];
  /** DELETE of set elements. */
  readonly delete: readonly ValueAction[];
  /**
   * True for legacy AttributeUpdates: top-level paths only, ADD also appends lists, and type
   * clashes with the stored item report "Type mismatch for attribute to update".
   */
  readonly legacy: boolean;
  /** @internal The action tree in DynamoDB's traversal order (built once at compile time). */
  readonly tree: UpdateTreeNode;
}

/** @internal One level of the update tree. */
export interface UpdateTreeNode {
  /** Children in the order DynamoDB visits them. */
  readonly children: readonly UpdateTreeChild[];
}

/** @internal */
export interface UpdateTreeChild {
  readonly element: PathElement;
  readonly node?: UpdateTreeNode;
  readonly action?: LeafAction;
}

/** @internal */
export type LeafAction =
  | { readonly kind: 'set'; readonly value: Operand }
  | { readonly kind: 'remove' }
  | { readonly kind: 'add'; readonly value: AttributeValue }
  | { readonly kind: 'delete'; readonly value: AttributeValue };
