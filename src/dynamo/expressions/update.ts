/**
 * Application of compiled update actions (UpdateExpression or legacy AttributeUpdates).
 *
 * DynamoDB's semantics, reproduced here:
 * - every right-hand side reads the item as it was before the update (`SET a = b, b = a` swaps);
 * - list indexes refer to the list before the update: removed elements disappear, SET beyond the
 *   end appends (several appends in index order), REMOVE beyond the end is a no-op;
 * - a path through a missing or non-container attribute is "invalid for update", except REMOVE
 *   on an item that does not exist, which is ignored;
 * - `+`, `-` and ADD are exact decimal arithmetic within DynamoDB's number limits;
 * - DELETE removing every element of a set removes the attribute.
 */
import { Decimal } from 'decimal.js';
import { validationError } from '../errors.js';
import { itemSize } from '../attributeValue.js';
import { checkItemSize, LIMITS } from '../limits.js';
import { canonicalNumber } from '../numbers.js';
import type { AttributeValue, Item } from '../types.js';
import type { LeafAction, Operand, Path, UpdateActions, UpdateTreeNode } from './ast.js';
import { getPath, typeOf } from './values.js';

export const MSG_ATTRIBUTE_NOT_FOUND = 'The provided expression refers to an attribute that does not exist in the item';
export const MSG_OPERAND_TYPE = 'An operand in the update expression has an incorrect data type';
export const MSG_INVALID_PATH = 'The document path provided in the update expression is invalid for update';
export const MSG_LEGACY_TYPE_MISMATCH = 'Type mismatch for attribute to update';
/** Unconfirmed against DynamoDB: DynamoDB Local raises this text, without detail, for updates. */
export const MSG_UPDATE_NESTING = 'Nesting Levels have exceeded supported limits';

const Exact = Decimal.clone({ precision: 1000, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });

/** Exact sum or difference of two canonical numbers, checked against DynamoDB's limits. */
export function addNumbers(a: string, b: string, subtract = false): string {
  const x = new Exact(a);
  const result = subtract ? x.minus(b) : x.plus(b);
  return canonicalNumber(result.toFixed());
}

function setEntry(target: Record<string, AttributeValue>, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function union(existing: readonly string[], added: readonly string[]): string[] {
  const seen = new Set(existing);
  const out = existing.slice();
  for (const x of added) {
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  }
  return out;
}

function difference(existing: readonly string[], removed: readonly string[]): string[] {
  const drop = new Set(removed);
  return existing.filter((x) => !drop.has(x));
}

class Applier {
  constructor(
    /** The item as it was before the update, for right-hand sides. */
    private readonly before: Item,
    private readonly legacy: boolean,
    private readonly itemMissing: boolean,
  ) {}

  private typeError(): never {
    throw validationError(this.legacy ? MSG_LEGACY_TYPE_MISMATCH : MSG_OPERAND_TYPE);
  }

  /** Evaluates a SET right-hand side (undefined when it names a missing attribute). */
  private value(operand: Operand): AttributeValue | undefined {
    switch (operand.kind) {
      case 'path':
        return getPath(this.before, operand.path);
      case 'value':
        return operand.value;
      case 'if_not_exists': {
        const current = getPath(this.before, operand.path);
        const fallback = this.value(operand.fallback);
        if (fallback === undefined) throw validationError(MSG_ATTRIBUTE_NOT_FOUND);
        return current ?? fallback;
      }
      case 'list_append': {
        const left = this.value(operand.left);
        const right = this.value(operand.right);
        const l = this.operandOf(left, 'L') as { L: AttributeValue[] };
        const r = this.operandOf(right, 'L') as { L: AttributeValue[] };
        return { L: [...l.L, ...r.L] };
      }
      case 'plus':
      case 'minus': {
        const left = this.value(operand.left);
        const right = this.value(operand.right);
        const l = this.operandOf(left, 'N') as { N: string };
        const r = this.operandOf(right, 'N') as { N: string };
        return { N: addNumbers(l.N, r.N, operand.kind === 'minus') };
      }
      default:
        return undefined;
    }
  }

  /** An operator's operand: present (else "does not exist") and of the required type. */
  private operandOf(value: AttributeValue | undefined, type: 'L' | 'N'): AttributeValue {
    if (value === undefined) throw validationError(MSG_ATTRIBUTE_NOT_FOUND);
    if (!(type in value)) throw validationError(MSG_OPERAND_TYPE);
    return value;
  }

  private leaf(action: LeafAction, current: AttributeValue | undefined): AttributeValue | undefined {
    switch (action.kind) {
      case 'set': {
        const value = this.value(action.value);
        if (value === undefined) throw validationError(MSG_ATTRIBUTE_NOT_FOUND);
        return value;
      }
      case 'remove':
        return undefined;
      case 'add': {
        const value = action.value;
        if (current === undefined) return value;
        if (typeOf(current) !== typeOf(value)) this.typeError();
        if ('N' in value) return { N: addNumbers((current as { N: string }).N, value.N) };
        if ('SS' in value) return { SS: union((current as { SS: string[] }).SS, value.SS) };
        if ('NS' in value) return { NS: union((current as { NS: string[] }).NS, value.NS) };
        if ('BS' in value) return { BS: union((current as { BS: string[] }).BS, value.BS) };
        if ('L' in value) return { L: [...(current as { L: AttributeValue[] }).L, ...value.L] };
        return this.typeError();
      }
      case 'delete': {
        const value = action.value;
        if (current === undefined) return undefined;
        if (typeOf(current) !== typeOf(value)) this.typeError();
        let rest: string[];
        if ('SS' in value) rest = difference((current as { SS: string[] }).SS, value.SS);
        else if ('NS' in value) rest = difference((current as { NS: string[] }).NS, value.NS);
        else if ('BS' in value) rest = difference((current as { BS: string[] }).BS, value.BS);
        else return this.typeError();
        if (rest.length === 0) return undefined;
        return { [typeOf(value)]: rest } as AttributeValue;
      }
    }
  }

  /** True when a subtree holds nothing but REMOVE actions. */
  private onlyRemoves(node: UpdateTreeNode): boolean {
    for (const child of node.children) {
      if (child.node !== undefined ? !this.onlyRemoves(child.node) : child.action?.kind !== 'remove') return false;
    }
    return true;
  }

  /** Applies a subtree to a container; undefined result entries mean "removed". */
  private container(node: UpdateTreeNode, current: AttributeValue): AttributeValue {
    if ('M' in current) return { M: this.map(node, current.M) };
    if ('L' in current) return { L: this.list(node, current.L) };
    throw validationError(MSG_INVALID_PATH);
  }

  private child(
    child: UpdateTreeNode['children'][number],
    current: AttributeValue | undefined,
  ): { value: AttributeValue | undefined; keep: boolean } {
    if (child.action !== undefined) return { value: this.leaf(child.action, current), keep: false };
    if (current === undefined) {
      if (this.itemMissing && this.onlyRemoves(child.node!)) return { value: undefined, keep: true };
      throw validationError(MSG_INVALID_PATH);
    }
    return { value: this.container(child.node!, current), keep: false };
  }

  map(node: UpdateTreeNode, map: Readonly<Record<string, AttributeValue>>): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = {};
    for (const key of Object.keys(map)) setEntry(out, key, map[key]);
    for (const child of node.children) {
      if (typeof child.element !== 'string') throw validationError(MSG_INVALID_PATH);
      const key = child.element;
      const current = Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
      const result = this.child(child, current);
      if (result.keep) continue;
      if (result.value === undefined) delete out[key];
      else setEntry(out, key, result.value);
    }
    return out;
  }

  list(node: UpdateTreeNode, list: readonly AttributeValue[]): AttributeValue[] {
    const changed = new Map<number, AttributeValue | undefined>();
    for (const child of node.children) {
      if (typeof child.element !== 'number') throw validationError(MSG_INVALID_PATH);
      const index = child.element;
      const result = this.child(child, index < list.length ? list[index] : undefined);
      if (!result.keep) changed.set(index, result.value);
    }
    const out: AttributeValue[] = [];
    for (let i = 0; i < list.length; i++) {
      if (!changed.has(i)) out.push(list[i]);
      else {
        const value = changed.get(i);
        if (value !== undefined) out.push(value);
      }
    }
    const appended = [...changed.keys()].filter((i) => i >= list.length).sort((a, b) => a - b);
    for (const i of appended) {
      const value = changed.get(i);
      if (value !== undefined) out.push(value);
    }
    return out;
  }
}

function containerDepth(value: AttributeValue): number {
  if ('M' in value) {
    let max = 0;
    for (const key in value.M) max = Math.max(max, containerDepth(value.M[key]));
    return max + 1;
  }
  if ('L' in value) {
    let max = 0;
    for (const element of value.L) max = Math.max(max, containerDepth(element));
    return max + 1;
  }
  return 0;
}

function allPaths(update: UpdateActions): Path[] {
  return [
    ...update.set.map((a) => a.path),
    ...update.remove,
    ...update.add.map((a) => a.path),
    ...update.delete.map((a) => a.path),
  ];
}

/**
 * Applies an update to an item (`undefined`: there is no item; pass the request's Key as `key` so
 * that the new item starts from it, as DynamoDB's does). Returns the new item and the paths the
 * update wrote (for ReturnValues UPDATED_OLD / UPDATED_NEW: project both items on them), and
 * the new item's size, which it checks against the item size limit (the one check of UpdateItem's
 * new item). Throws DynamoDB's ValidationExceptions for runtime update errors.
 */
export function applyUpdate(update: UpdateActions, item: Item | undefined, key?: Item): { item: Item; sizeBytes: number; updatedPaths: Path[] } {
  const before: Item = item ?? key ?? {};
  const applier = new Applier(before, update.legacy, item === undefined);
  const result = applier.map(update.tree, before);
  // Nesting: a container at DynamoDB's deepest level or deeper (an attribute's own value is level 1).
  for (const path of allPaths(update)) {
    const value = getPath(result, path);
    if (value !== undefined && path.length + containerDepth(value) - 1 >= LIMITS.maxNestingLevels) {
      throw validationError(MSG_UPDATE_NESTING);
    }
  }
  const sizeBytes = itemSize(result);
  checkItemSize(sizeBytes, 'update');
  return { item: result, sizeBytes, updatedPaths: allPaths(update) };
}
