/**
 * Evaluation of compiled conditions and projections against items.
 *
 * Conditions follow DynamoDB's rules: an operand that names a missing attribute makes `=`, the
 * orderings, BETWEEN, IN and the functions false and `<>` true; comparing values of different
 * types (or ordering types that have no order) is false, never an error. Strings order by UTF-8
 * bytes, binaries by unsigned bytes, numbers numerically.
 */
import type { AttributeValue, Item } from '../types.js';
import type { Condition, Operand, Path } from './ast.js';
import { beginsWith, compareScalars, containsValue, getPath, sizeOf, typeOf, valuesEqual } from './values.js';

const EMPTY: Item = {};

function operandValue(operand: Operand, item: Item): AttributeValue | undefined {
  switch (operand.kind) {
    case 'path':
      return getPath(item, operand.path);
    case 'value':
      return operand.value;
    case 'size': {
      const inner = operandValue(operand.operand, item);
      if (inner === undefined) return undefined;
      const size = sizeOf(inner);
      return size === undefined ? undefined : { N: String(size) };
    }
    default:
      // Update-only operands never appear in conditions.
      return undefined;
  }
}

function ordered(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  return compareScalars(a, b);
}

function evaluate(c: Condition, item: Item): boolean {
  switch (c.kind) {
    case 'compare': {
      const left = operandValue(c.left, item);
      const right = operandValue(c.right, item);
      switch (c.op) {
        case '=':
          return left !== undefined && right !== undefined && valuesEqual(left, right);
        case '<>':
          return !(left !== undefined && right !== undefined && valuesEqual(left, right));
        case '<': {
          const r = ordered(left, right);
          return r !== undefined && r < 0;
        }
        case '<=': {
          const r = ordered(left, right);
          return r !== undefined && r <= 0;
        }
        case '>': {
          const r = ordered(left, right);
          return r !== undefined && r > 0;
        }
        case '>=': {
          const r = ordered(left, right);
          return r !== undefined && r >= 0;
        }
      }
      return false;
    }
    case 'between': {
      const value = operandValue(c.operand, item);
      const high = ordered(value, operandValue(c.high, item));
      if (high === undefined || high > 0) return false;
      const low = ordered(value, operandValue(c.low, item));
      return low !== undefined && low >= 0;
    }
    case 'in': {
      const value = operandValue(c.operand, item);
      if (value === undefined) return false;
      for (const candidate of c.list) {
        const other = operandValue(candidate, item);
        if (other !== undefined && valuesEqual(value, other)) return true;
      }
      return false;
    }
    case 'and':
      return evaluate(c.left, item) && evaluate(c.right, item);
    case 'or':
      return evaluate(c.left, item) || evaluate(c.right, item);
    case 'not':
      return !evaluate(c.operand, item);
    case 'attribute_exists':
      return getPath(item, c.path) !== undefined;
    case 'attribute_not_exists':
      return getPath(item, c.path) === undefined;
    case 'attribute_type': {
      const value = operandValue(c.operand, item);
      const type = operandValue(c.type, item);
      return value !== undefined && type !== undefined && 'S' in type && typeOf(value) === type.S;
    }
    case 'begins_with': {
      const value = operandValue(c.operand, item);
      const prefix = operandValue(c.prefix, item);
      return value !== undefined && prefix !== undefined && beginsWith(value, prefix);
    }
    case 'contains': {
      const value = operandValue(c.operand, item);
      const member = operandValue(c.value, item);
      return value !== undefined && member !== undefined && containsValue(value, member);
    }
  }
}

/** Evaluates a condition against an item; `undefined` means there is no item. */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  return evaluate(condition, item ?? EMPTY);
}

// -------------------------------------------------------------------------------------------------
// Projection
// -------------------------------------------------------------------------------------------------

interface ProjectionNode {
  /** Children in first-mention order; a null node selects the whole value. */
  readonly children: Map<string | number, ProjectionNode | null>;
}

const trees = new WeakMap<readonly Path[], ProjectionNode>();

function projectionTree(paths: readonly Path[]): ProjectionNode {
  let root = trees.get(paths);
  if (root !== undefined) return root;
  root = { children: new Map() };
  for (const path of paths) {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const element = path[i];
      const last = i === path.length - 1;
      const existing = node.children.get(element);
      if (existing === null) break; // an ancestor is already selected whole
      if (last) {
        node.children.set(element, null);
        break;
      }
      if (existing === undefined) {
        const child: ProjectionNode = { children: new Map() };
        node.children.set(element, child);
        node = child;
      } else {
        node = existing;
      }
    }
  }
  trees.set(paths, root);
  return root;
}

function setEntry(target: Record<string, AttributeValue>, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function projectValue(node: ProjectionNode, value: AttributeValue): AttributeValue | undefined {
  if ('M' in value) {
    const out: Record<string, AttributeValue> = {};
    let any = false;
    for (const [element, child] of node.children) {
      if (typeof element !== 'string' || !Object.prototype.hasOwnProperty.call(value.M, element)) continue;
      const selected = child === null ? value.M[element] : projectValue(child, value.M[element]);
      if (selected === undefined) continue;
      setEntry(out, element, selected);
      any = true;
    }
    return any ? { M: out } : undefined;
  }
  if ('L' in value) {
    const picked: [number, AttributeValue][] = [];
    for (const [element, child] of node.children) {
      if (typeof element !== 'number' || element >= value.L.length) continue;
      const selected = child === null ? value.L[element] : projectValue(child, value.L[element]);
      if (selected !== undefined) picked.push([element, selected]);
    }
    if (picked.length === 0) return undefined;
    // Selected elements come back compacted, in index order.
    picked.sort((a, b) => a[0] - b[0]);
    return { L: picked.map((p) => p[1]) };
  }
  return undefined;
}

/**
 * The item restricted to the given document paths (a ProjectionExpression or AttributesToGet).
 * List elements selected by index come back compacted in index order; missing paths are skipped.
 */
export function project(paths: readonly Path[], item: Item): Item {
  const root = projectionTree(paths);
  const out: Item = {};
  for (const [element, child] of root.children) {
    if (typeof element !== 'string' || !Object.prototype.hasOwnProperty.call(item, element)) continue;
    const selected = child === null ? item[element] : projectValue(child, item[element]);
    if (selected !== undefined) setEntry(out, element, selected);
  }
  return out;
}
