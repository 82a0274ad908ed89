/**
 * The semantic passes DynamoDB runs on a parsed expression, in its order:
 *
 * 1. a walk over the parse tree in source order: function names and where functions may appear,
 *    reserved words used as bare names, list indexes out of int range, repeated update sections;
 * 2. validation, children before parents: placeholders resolved (`#name` in document paths,
 *    `:value` operands), document path depth, operator arity and operand types, operands that
 *    repeat the first path, BETWEEN bounds, IN size, the 300-operator limit; for updates and
 *    projections the paths are checked for overlap and conflict, in reverse source order (as
 *    DynamoDB builds its path tree).
 *
 * Errors are raised as ExpressionError with DynamoDB's text, without the "Invalid X: " prefix that
 * request.ts adds.
 */
import type { AttributeValue } from '../types.js';
import { LIMITS } from '../limits.js';
import type {
  Comparator,
  Condition,
  LeafAction,
  Operand,
  Path,
  PathElement,
  SetAction,
  UpdateActions,
  UpdateTreeChild,
  UpdateTreeNode,
  ValueAction,
} from './ast.js';
import { javaHashOrder, pathElementHash, pathElementId } from './javaHash.js';
import type { RCall, RCondition, ROperand, RPath, RArith, RSection } from './syntax.js';
import { LONG_TYPE_NAMES, type TypeCode, compareScalars, describeValue, formatPath, typeOf } from './values.js';
import reservedWords from './reservedWords.json' with { type: 'json' };

export class ExpressionError extends Error {}

const RESERVED: ReadonlySet<string> = new Set(reservedWords);

export function isReservedWord(name: string): boolean {
  return RESERVED.has(name.toUpperCase());
}

const MAX_INT = 2147483647;

/** Placeholders of one request and their usage across its expressions. */
export interface Substitutions {
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly values: Readonly<Record<string, AttributeValue>> | undefined;
  readonly usedNames: Map<string, number>;
  readonly usedValues: Map<string, number>;
}

export function newSubstitutions(
  names: Readonly<Record<string, string>> | undefined,
  values: Readonly<Record<string, AttributeValue>> | undefined,
): Substitutions {
  return { names, values, usedNames: new Map(), usedValues: new Map() };
}

function fail(message: string): never {
  throw new ExpressionError(message);
}

function has(record: Readonly<Record<string, unknown>> | undefined, key: string): boolean {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key);
}

// -------------------------------------------------------------------------------------------------
// Functions and operators
// -------------------------------------------------------------------------------------------------

type Category = 'condition' | 'update';

const ALL_TYPES: readonly TypeCode[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];
const ORDERED: readonly TypeCode[] = ['S', 'N', 'B'];
const ITERABLE: readonly TypeCode[] = ['S', 'B', 'SS', 'NS', 'BS', 'L', 'M'];

interface OperatorSpec {
  readonly name: string;
  readonly arity: number;
  /** IN takes `arity` or more operands. */
  readonly variadic: boolean;
  readonly operandTypes: readonly TypeCode[];
  /** Operators that tolerate missing operands also reject repeating the first path. */
  readonly allowMissing: boolean;
  readonly returns: readonly TypeCode[];
}

function spec(
  name: string,
  arity: number,
  operandTypes: readonly TypeCode[],
  allowMissing: boolean,
  returns: readonly TypeCode[],
  variadic = false,
): OperatorSpec {
  return { name, arity, variadic, operandTypes, allowMissing, returns };
}

const BOOL: readonly TypeCode[] = ['BOOL'];

const COMPARATOR_SPECS: Readonly<Record<Comparator, OperatorSpec>> = {
  '=': spec('=', 2, ALL_TYPES, true, BOOL),
  '<>': spec('<>', 2, ALL_TYPES, true, BOOL),
  '<': spec('<', 2, ORDERED, true, BOOL),
  '<=': spec('<=', 2, ORDERED, true, BOOL),
  '>': spec('>', 2, ORDERED, true, BOOL),
  '>=': spec('>=', 2, ORDERED, true, BOOL),
};
const BETWEEN_SPEC = spec('BETWEEN', 3, ORDERED, true, BOOL);
const IN_SPEC = spec('IN', 1, ALL_TYPES, true, BOOL, true);
const NOT_SPEC = spec('NOT', 1, BOOL, false, BOOL);
const AND_SPEC = spec('AND', 2, BOOL, false, BOOL);
const OR_SPEC = spec('OR', 2, BOOL, false, BOOL);
const PLUS_SPEC = spec('+', 2, ['N'], false, ['N']);
const MINUS_SPEC = spec('-', 2, ['N'], false, ['N']);

const CONDITION_FUNCTIONS: Readonly<Record<string, OperatorSpec>> = {
  attribute_exists: spec('attribute_exists', 1, ALL_TYPES, true, BOOL),
  attribute_not_exists: spec('attribute_not_exists', 1, ALL_TYPES, true, BOOL),
  attribute_type: spec('attribute_type', 2, ALL_TYPES, true, BOOL),
  begins_with: spec('begins_with', 2, ['S', 'B'], true, BOOL),
  contains: spec('contains', 2, ALL_TYPES, true, BOOL),
  size: spec('size', 1, ITERABLE, true, ['N']),
};

const UPDATE_FUNCTIONS: Readonly<Record<string, OperatorSpec>> = {
  if_not_exists: spec('if_not_exists', 2, ALL_TYPES, true, ALL_TYPES),
  list_append: spec('list_append', 2, ['L'], false, ['L']),
};

function functionSpec(name: string): OperatorSpec | undefined {
  return has(CONDITION_FUNCTIONS, name) ? CONDITION_FUNCTIONS[name] : has(UPDATE_FUNCTIONS, name) ? UPDATE_FUNCTIONS[name] : undefined;
}

/**
 * How DynamoDB prints the possible types of a document path operand. The order of this set is not
 * deterministic in DynamoDB; this is the order one observed response used (dynalite's tests).
 */
const PATH_TYPES_TEXT = '{NS,SS,L,BS,N,M,B,BOOL,NULL,S}';

/** attribute_type's valid type names, as DynamoDB lists them (DynamoDB Local's order). */
const VALID_TYPES_TEXT = '{N,BS,L,B,NULL,M,S,SS,NS,BOOL}';

function typesText(types: readonly TypeCode[]): string {
  if (types === ALL_TYPES) return PATH_TYPES_TEXT;
  return types.length === 1 ? types[0] : `{${types.join(',')}}`;
}

// -------------------------------------------------------------------------------------------------
// Pass 1: the parse-tree walk
// -------------------------------------------------------------------------------------------------

const MSG_MISUSED = 'The function is not allowed to be used this way in an expression; function: ';

function walkPath(path: RPath): void {
  for (const element of path.elements) {
    if (element.k === 'id') {
      if (isReservedWord(element.text)) fail(`Attribute name is a reserved keyword; reserved keyword: ${element.text}`);
    } else if (element.k === 'index') {
      if (element.digits.length > 10 || Number(element.digits) > MAX_INT) {
        fail(`List index is not within the allowable range; index: [${element.digits}]`);
      }
    }
  }
}

function enterCall(call: RCall, nesting: number, category: Category): void {
  const name = call.name;
  const known = functionSpec(name);
  if (known === undefined) fail(`Invalid function name; function: ${name}`);
  if (category === 'update') {
    if (!has(UPDATE_FUNCTIONS, name)) fail(`The function is not allowed in an update expression; function: ${name}`);
    if (nesting > 0 && name !== 'if_not_exists') fail(MSG_MISUSED + name);
  } else {
    if (!has(CONDITION_FUNCTIONS, name)) fail(`The function is not allowed in a condition expression; function: ${name}`);
    if (nesting === 0 && !known.returns.includes('BOOL')) fail(MSG_MISUSED + name);
    if (nesting > 0 && name !== 'size') fail(MSG_MISUSED + name);
  }
}

function walkOperand(operand: ROperand, nesting: number, category: Category): void {
  if (operand.k === 'path') walkPath(operand);
  else if (operand.k === 'call') {
    enterCall(operand, nesting, category);
    for (const arg of operand.args) walkOperand(arg, nesting + 1, category);
  }
}

function walkCondition(c: RCondition): void {
  switch (c.k) {
    case 'cmp':
      walkOperand(c.left, 1, 'condition');
      walkOperand(c.right, 1, 'condition');
      return;
    case 'in':
      walkOperand(c.left, 1, 'condition');
      for (const o of c.list) walkOperand(o, 1, 'condition');
      return;
    case 'between':
      walkOperand(c.left, 1, 'condition');
      walkOperand(c.low, 1, 'condition');
      walkOperand(c.high, 1, 'condition');
      return;
    case 'fcond':
      walkOperand(c.call, 0, 'condition');
      return;
    case 'and':
    case 'or':
      walkCondition(c.left);
      walkCondition(c.right);
      return;
    case 'not':
      walkCondition(c.operand);
      return;
  }
}

function walkUpdate(sections: readonly RSection[]): void {
  const seen = new Set<string>();
  for (const section of sections) {
    for (const action of section.actions) {
      walkPath(action.path);
      if (section.kind !== 'SET' || action.value === undefined) continue;
      const value = action.value;
      if (value.k === 'arith') {
        walkOperand(value.left, 1, 'update');
        walkOperand(value.right, 1, 'update');
      } else {
        walkOperand(value, 0, 'update');
      }
    }
    if (seen.has(section.kind)) fail(`The "${section.kind}" section can only be used once in an update expression;`);
    seen.add(section.kind);
  }
}

// -------------------------------------------------------------------------------------------------
// Pass 2: validation and compilation
// -------------------------------------------------------------------------------------------------

/** A validated operand with the type information DynamoDB's operator checks use. */
type VNode =
  | { readonly t: 'path'; readonly operand: Operand & { kind: 'path' }; readonly path: Path }
  | { readonly t: 'value'; readonly operand: Operand & { kind: 'value' }; readonly type: TypeCode; readonly value: AttributeValue }
  | { readonly t: 'op'; readonly operand: Operand | undefined; readonly returns: readonly TypeCode[] };

/** Per-expression validation state. */
export class Validator {
  private operators = 0;
  /** Top-level attributes reached through `.` or `[]` (DynamoDB's nested-access check on keys). */
  readonly nestedHeads = new Set<string>();
  /** Every top-level attribute the expression names. */
  readonly heads = new Set<string>();

  constructor(private readonly subs: Substitutions) {}

  /** Resolves and checks a document path (DynamoDB's validateDocPath). */
  path(raw: RPath): Path {
    const elements = raw.elements;
    if (elements.length > LIMITS.maxDocumentPathLevels) fail(`The document path has too many nesting levels; nesting levels: ${elements.length}`);
    const out: PathElement[] = new Array(elements.length);
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i];
      switch (e.k) {
        case 'id':
          out[i] = e.text;
          break;
        case 'index':
          out[i] = Number(e.digits);
          break;
        case 'name': {
          this.subs.usedNames.set(e.text, (this.subs.usedNames.get(e.text) ?? 0) + 1);
          if (!has(this.subs.names, e.text)) {
            fail(`An expression attribute name used in the document path is not defined; attribute name: ${e.text}`);
          }
          out[i] = this.subs.names![e.text];
          break;
        }
        case 'valueref':
          // Unconfirmed: DynamoDB's grammar accepts `a.:v`, which it does not support.
          fail(`The document path cannot contain attribute value parameters; attribute value: ${e.text}`);
      }
    }
    const head = out[0] as string;
    this.heads.add(head);
    if (out.length > 1) this.nestedHeads.add(head);
    return out;
  }

  private value(text: string): AttributeValue {
    this.subs.usedValues.set(text, (this.subs.usedValues.get(text) ?? 0) + 1);
    if (!has(this.subs.values, text)) {
      fail(`An expression attribute value used in expression is not defined; attribute value: ${text}`);
    }
    return this.subs.values![text];
  }

  private countOperator(): void {
    this.operators++;
    if (this.operators > LIMITS.maxExpressionOperators) fail(`The expression contains too many operators; operator count: ${this.operators}`);
  }

  /** DynamoDB's validateOperator: arity, operand types, repeated first path, operator rules. */
  private operator(op: OperatorSpec, children: readonly VNode[]): void {
    const n = children.length;
    if (op.variadic ? n < op.arity : n !== op.arity) {
      fail(`Incorrect number of operands for operator or function; operator or function: ${op.name}, number of operands: ${n}`);
    }
    for (const child of children) {
      let ok: boolean;
      let text: string;
      if (child.t === 'path') {
        ok = true;
        text = PATH_TYPES_TEXT;
      } else if (child.t === 'value') {
        ok = op.operandTypes.includes(child.type);
        text = child.type;
      } else {
        ok = child.returns.some((type) => op.operandTypes.includes(type));
        text = typesText(child.returns);
      }
      if (!ok) fail(`Incorrect operand type for operator or function; operator or function: ${op.name}, operand type: ${text}`);
    }
    const first = children[0];
    if (op.allowMissing && n > 1 && first.t === 'path') {
      for (let i = 1; i < n; i++) {
        const later = children[i];
        if (later.t === 'path' && samePath(first.path, later.path)) {
          fail(
            'The first operand must be distinct from the remaining operands for this operator or function; ' +
              `operator: ${op.name}, first operand: ${formatPath(first.path)}`,
          );
        }
      }
    }
    switch (op.name) {
      case 'BETWEEN': {
        const low = children[1];
        const high = children[2];
        if (low.t === 'value' && high.t === 'value') {
          const bounds = `lower bound operand: ${describeValue(low.value)}, upper bound operand: ${describeValue(high.value)}`;
          if (low.type !== high.type) fail(`The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
          if ((compareScalars(low.value, high.value) ?? 0) > 0) {
            fail(`The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
          }
        }
        break;
      }
      case 'IN':
        if (n > LIMITS.maxInOperands + 1) fail(`The IN operator is provided with too many operands; number of operands: ${n - 1}`);
        break;
      case 'attribute_exists':
      case 'attribute_not_exists':
      case 'if_not_exists':
        if (first.t !== 'path') fail(`Operator or function requires a document path; operator or function: ${op.name}`);
        break;
      case 'attribute_type': {
        const type = children[1];
        if (type.t !== 'value' || type.type !== 'S') {
          const text = type.t === 'path' ? PATH_TYPES_TEXT : type.t === 'value' ? type.type : typesText(type.returns);
          fail(`Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${text}`);
        }
        const name = (type.value as { S: string }).S;
        if (!(ALL_TYPES as readonly string[]).includes(name)) {
          fail(`Invalid attribute type name found; type: ${name}, valid types: ${VALID_TYPES_TEXT}`);
        }
        break;
      }
      default:
        break;
    }
    this.countOperator();
  }

  operand(raw: ROperand): VNode {
    if (raw.k === 'path') {
      const path = this.path(raw);
      return { t: 'path', operand: { kind: 'path', path }, path };
    }
    if (raw.k === 'value') {
      const value = this.value(raw.text);
      return { t: 'value', operand: { kind: 'value', value }, type: typeOf(value), value };
    }
    return this.call(raw).node;
  }

  private call(raw: RCall): { node: VNode; args: readonly VNode[] } {
    const op = functionSpec(raw.name)!;
    const args = raw.args.map((arg) => this.operand(arg));
    this.operator(op, args);
    let operand: Operand | undefined;
    if (raw.name === 'size') operand = { kind: 'size', operand: args[0].operand! };
    else if (raw.name === 'if_not_exists') {
      operand = { kind: 'if_not_exists', path: (args[0] as { path: Path }).path, fallback: args[1].operand! };
    } else if (raw.name === 'list_append') operand = { kind: 'list_append', left: args[0].operand!, right: args[1].operand! };
    // Boolean functions are compiled by condition(); they are never operands of a valid expression.
    return { node: { t: 'op', operand, returns: op.returns }, args };
  }

  arithmetic(raw: RArith): Operand {
    const left = this.operand(raw.left);
    const right = this.operand(raw.right);
    this.operator(raw.op === '+' ? PLUS_SPEC : MINUS_SPEC, [left, right]);
    return { kind: raw.op === '+' ? 'plus' : 'minus', left: left.operand!, right: right.operand! };
  }

  /** Validates and compiles a condition, children first. */
  condition(raw: RCondition): Condition {
    switch (raw.k) {
      case 'cmp': {
        const left = this.operand(raw.left);
        const right = this.operand(raw.right);
        this.operator(COMPARATOR_SPECS[raw.op], [left, right]);
        return { kind: 'compare', op: raw.op, left: left.operand!, right: right.operand! };
      }
      case 'between': {
        const children = [this.operand(raw.left), this.operand(raw.low), this.operand(raw.high)];
        this.operator(BETWEEN_SPEC, children);
        return { kind: 'between', operand: children[0].operand!, low: children[1].operand!, high: children[2].operand! };
      }
      case 'in': {
        const children = [this.operand(raw.left), ...raw.list.map((o) => this.operand(o))];
        this.operator(IN_SPEC, children);
        return { kind: 'in', operand: children[0].operand!, list: children.slice(1).map((c) => c.operand!) };
      }
      case 'fcond': {
        const args = this.call(raw.call).args;
        switch (raw.call.name) {
          case 'attribute_exists':
          case 'attribute_not_exists':
            return { kind: raw.call.name, path: (args[0] as { path: Path }).path };
          case 'attribute_type':
            return { kind: 'attribute_type', operand: args[0].operand!, type: args[1].operand! };
          case 'begins_with':
            return { kind: 'begins_with', operand: args[0].operand!, prefix: args[1].operand! };
          default:
            return { kind: 'contains', operand: args[0].operand!, value: args[1].operand! };
        }
      }
      case 'and':
      case 'or': {
        const left = this.condition(raw.left);
        const right = this.condition(raw.right);
        this.operator(raw.k === 'and' ? AND_SPEC : OR_SPEC, [BOOLEAN_NODE, BOOLEAN_NODE]);
        return { kind: raw.k, left, right };
      }
      case 'not': {
        const operand = this.condition(raw.operand);
        this.operator(NOT_SPEC, [BOOLEAN_NODE]);
        return { kind: 'not', operand };
      }
    }
  }
}

const BOOLEAN_NODE: VNode = { t: 'op', operand: undefined, returns: BOOL };

function samePath(a: Path, b: Path): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// -------------------------------------------------------------------------------------------------
// Path trees (overlap and conflict checks; update application order)
// -------------------------------------------------------------------------------------------------

interface TreeChild {
  readonly element: PathElement;
  node: TreeNode | null;
  action?: LeafAction;
}

class TreeNode {
  readonly children = new Map<string, TreeChild>();
  /** Children in insertion order. */
  readonly inserted: TreeChild[] = [];
  private cachedOrder: TreeChild[] | undefined;

  add(child: TreeChild): void {
    this.children.set(pathElementId(child.element), child);
    this.inserted.push(child);
    this.cachedOrder = undefined;
  }

  /** Children in Java HashMap iteration order. */
  order(): TreeChild[] {
    if (this.cachedOrder === undefined) {
      this.cachedOrder = javaHashOrder(
        this.inserted,
        (c) => pathElementId(c.element),
        (c) => pathElementHash(c.element),
      );
    }
    return this.cachedOrder;
  }
}

function chain(path: Path, from: number): TreeNode | null {
  if (from >= path.length) return null;
  const node = new TreeNode();
  node.add({ element: path[from], node: chain(path, from + 1) });
  return node;
}

/** The path DynamoDB names as "path two": the first branch of the tree below `depth`. */
function leafPath(path: Path, depth: number, node: TreeNode): Path {
  const out: PathElement[] = path.slice(0, depth);
  let current: TreeNode | null = node;
  do {
    const first: TreeChild = current.order()[0];
    out.push(first.element);
    current = first.node;
  } while (current !== null && current.children.size > 0);
  return out;
}

function twoPaths(kind: 'overlap' | 'conflict', one: Path, two: Path): never {
  fail(
    `Two document paths ${kind} with each other; must remove or rewrite one of these paths; ` +
      `path one: ${formatPath(one)}, path two: ${formatPath(two)}`,
  );
}

/** Inserts a path into the tree, raising DynamoDB's overlap and conflict errors. */
function insertPath(root: TreeNode, path: Path): TreeChild {
  let node = root;
  for (let depth = 0; ; depth++) {
    const element = path[depth];
    const existing = node.children.get(pathElementId(element));
    if (existing === undefined) {
      if (node.children.size > 0 && typeof node.order()[0].element !== typeof element) {
        twoPaths('conflict', path, leafPath(path, depth, node));
      }
      const child: TreeChild = { element, node: chain(path, depth + 1) };
      node.add(child);
      let leaf = child;
      while (leaf.node !== null) leaf = leaf.node.inserted[0];
      return leaf;
    }
    if (existing.node === null || depth + 1 >= path.length) twoPaths('overlap', path, leafPath(path, depth, node));
    node = existing.node;
  }
}

function freeze(node: TreeNode): UpdateTreeNode {
  const children: UpdateTreeChild[] = node.order().map((child) =>
    child.node === null ? { element: child.element, action: child.action } : { element: child.element, node: freeze(child.node) },
  );
  return { children };
}

// -------------------------------------------------------------------------------------------------
// Entry points
// -------------------------------------------------------------------------------------------------

export interface CompiledCondition {
  readonly condition: Condition;
  readonly validator: Validator;
}

export function compileConditionTree(raw: RCondition, subs: Substitutions): CompiledCondition {
  walkCondition(raw);
  const validator = new Validator(subs);
  return { condition: validator.condition(raw), validator };
}

export function compileProjectionTree(raw: readonly RPath[], subs: Substitutions): { paths: Path[]; validator: Validator } {
  const validator = new Validator(subs);
  for (const path of raw) walkPath(path);
  const resolved: Path[] = new Array(raw.length);
  const root = new TreeNode();
  // DynamoDB builds its projection tree from the last path to the first.
  for (let i = raw.length - 1; i >= 0; i--) {
    resolved[i] = validator.path(raw[i]);
    insertPath(root, resolved[i]);
  }
  return { paths: resolved, validator };
}

const ADD_TYPES: readonly TypeCode[] = ['N', 'SS', 'NS', 'BS'];
const DELETE_TYPES: readonly TypeCode[] = ['SS', 'NS', 'BS'];

export interface CompiledUpdate {
  readonly update: UpdateActions;
  readonly validator: Validator;
  /** Top-level names written by SET and ADD and the values they use (for the item size check). */
  readonly sizeNames: readonly string[];
  readonly sizeValues: readonly string[];
}

export function compileUpdateTree(sections: readonly RSection[], subs: Substitutions): CompiledUpdate {
  walkUpdate(sections);
  const validator = new Validator(subs);
  const actions: { kind: RSection['kind']; raw: RSection['actions'][number] }[] = [];
  for (const section of sections) for (const raw of section.actions) actions.push({ kind: section.kind, raw });
  // DynamoDB collects the actions from a stack: last action first.
  actions.reverse();
  const root = new TreeNode();
  const paths: Path[] = [];
  const leaves: TreeChild[] = [];
  for (const action of actions) {
    const path = validator.path(action.raw.path);
    paths.push(path);
    leaves.push(insertPath(root, path));
  }
  const set: SetAction[] = [];
  const remove: Path[] = [];
  const add: ValueAction[] = [];
  const del: ValueAction[] = [];
  const sizeNames: string[] = [];
  const sizeValues: string[] = [];
  for (let i = 0; i < actions.length; i++) {
    const { kind, raw } = actions[i];
    const path = paths[i];
    if (kind === 'REMOVE') {
      leaves[i].action = { kind: 'remove' };
      remove.push(path);
      continue;
    }
    if (kind === 'SET') {
      const rawValue = raw.value!;
      const before = new Map(subs.usedValues);
      const value = rawValue.k === 'arith' ? validator.arithmetic(rawValue) : validator.operand(rawValue).operand!;
      leaves[i].action = { kind: 'set', value };
      set.push({ path, value });
      collectSize(path, before, subs.usedValues, sizeNames, sizeValues);
      continue;
    }
    const before = new Map(subs.usedValues);
    const node = validator.operand(raw.value as ROperand);
    const value = (node as { value: AttributeValue }).value;
    const type = typeOf(value);
    const allowed = kind === 'ADD' ? ADD_TYPES : DELETE_TYPES;
    if (!allowed.includes(type)) {
      fail(
        `Incorrect operand type for operator or function; operator: ${kind}, operand type: ${LONG_TYPE_NAMES[type]}, ` +
          `typeSet: ALLOWED_FOR_${kind}_OPERAND`,
      );
    }
    if (kind === 'ADD') {
      leaves[i].action = { kind: 'add', value };
      add.push({ path, value });
      collectSize(path, before, subs.usedValues, sizeNames, sizeValues);
    } else {
      leaves[i].action = { kind: 'delete', value };
      del.push({ path, value });
    }
  }
  // Present the actions in source order.
  set.reverse();
  remove.reverse();
  add.reverse();
  del.reverse();
  return {
    update: { set, remove, add, delete: del, legacy: false, tree: freeze(root) },
    validator,
    sizeNames,
    sizeValues,
  };
}

function collectSize(
  path: Path,
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  names: string[],
  values: string[],
): void {
  const seen = new Set<string>();
  for (const element of path) {
    if (typeof element === 'string' && !seen.has(element)) {
      seen.add(element);
      names.push(element);
    }
  }
  for (const [key, count] of after) {
    const added = count - (before.get(key) ?? 0);
    for (let i = 0; i < added; i++) values.push(key);
  }
}

/** Builds an update tree for legacy AttributeUpdates (top-level attributes, never overlapping). */
export function legacyUpdateTree(
  entries: readonly { name: string; action: LeafAction }[],
): UpdateTreeNode {
  const root = new TreeNode();
  for (const entry of entries) {
    const leaf = insertPath(root, [entry.name]);
    leaf.action = entry.action;
  }
  return freeze(root);
}
