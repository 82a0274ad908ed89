/**
 * Request validation compiled from the official DynamoDB service model.
 *
 * For each operation, on first use, the model's input shape is compiled into a tree of nodes.
 * Validating a request then runs two passes, as DynamoDB does:
 *
 * 1. the type pass (DynamoDB's JSON binder): walks the request in document order and throws a
 *    SerializationException at the first JSON value of the wrong type. Unknown members are
 *    ignored; JSON null is the same as absent.
 * 2. the constraint pass (DynamoDB's validator): collects, in DynamoDB's order, every
 *    `required`, length, range, pattern and enum violation, at most ten, and throws one
 *    ValidationException "N validation error(s) detected: ...; ...".
 *
 * A few constraints that DynamoDB enforces in this same pass are not in the public model (it
 * was relaxed when table ARNs became valid table names); they are listed in SERVER OVERLAYS.
 */
import { enumOrder, hashMapOrder, memberOrder } from './javaOrder.js';
import { loadModel, type ModelShape } from './model.js';
import {
  blobTypeError,
  booleanTypeError,
  JAVA_PACKAGE,
  MSG_PARAMETERIZED_CAST,
  MSG_START_OF_STRUCTURE,
  MSG_UNEXPECTED_FIELD_TYPE,
  MSG_UNEXPECTED_VALUE_TYPE,
  numericTypeError,
  serializationError,
  stringTypeError,
  base64DecodedLength,
} from './serialization.js';
import { validationException } from './exceptions.js';
import { MSG_NESTING } from '../attributeValue.js';
import { LIMITS } from '../limits.js';

/** DynamoDB lists at most this many constraint violations in one message. */
export const MAX_REPORTED_ERRORS = 10;

type ScalarKind = 'string' | 'integer' | 'long' | 'double' | 'timestamp' | 'boolean' | 'blob';

interface NodeBase {
  shape: string;
  /** The node itself carries a length/range/pattern/enum constraint. */
  direct: boolean;
  /** The constraint pass has anything to check at or below this node. */
  deep: boolean;
}

interface ScalarNode extends NodeBase {
  kind: ScalarKind;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  enumValues?: ReadonlySet<string>;
  enumText?: string;
}

interface ListNode extends NodeBase {
  kind: 'list';
  member: Node;
  min?: number;
  max?: number;
}

interface MapNode extends NodeBase {
  kind: 'map';
  key: ScalarNode;
  value: Node;
  min?: number;
  max?: number;
  /** Keys are table names or ARNs: non-ARN keys are held to the TableName shape. */
  keyTableName?: ScalarNode;
}

interface Member {
  name: string;
  path: string;
  node: Node;
  required: boolean;
  /** Member named TableName of shape TableArn: a non-ARN value is held to the TableName shape. */
  tableName?: ScalarNode;
  /** BatchGetItem's KeysAndAttributes.Keys: DynamoDB words its bounds differently. */
  keysOverride?: boolean;
}

interface StructNode extends NodeBase {
  kind: 'structure';
  members: Member[];
  byName: Map<string, Member>;
  errorOrder: Member[];
  requiredMembers: Member[];
}

type Node = ScalarNode | ListNode | MapNode | StructNode;

// ---------------------------------------------------------------------------------------------
// SERVER OVERLAYS: constraints DynamoDB applies that the public model no longer states.
// ---------------------------------------------------------------------------------------------

/** Extra or replaced constraints per shape. KeySchema: "Member must have length less than or equal to 2". */
const SHAPE_OVERLAYS: Record<string, Partial<ModelShape>> = {
  KeySchema: { max: 2 },
};

/**
 * A GSI's KeySchema may have up to four HASH and four RANGE elements (multi-attribute keys), so
 * CreateTable's GlobalSecondaryIndex.KeySchema is its own shape, without the tables' bound of 2.
 * Unverified: DynamoDB's answer for more than 8 elements (this gives the model-style length text).
 */
const GSI_KEY_SCHEMA_SHAPE = 'GlobalSecondaryIndexKeySchema';
const MEMBER_SHAPE_OVERLAYS: ReadonlyMap<string, string> = new Map([
  ['GlobalSecondaryIndex.KeySchema', GSI_KEY_SCHEMA_SHAPE],
  ['CreateGlobalSecondaryIndexAction.KeySchema', GSI_KEY_SCHEMA_SHAPE],
]);
const SYNTHETIC_SHAPES: Readonly<Record<string, (shapes: Record<string, ModelShape>) => ModelShape>> = {
  [GSI_KEY_SCHEMA_SHAPE]: (shapes) => ({ ...shapes.KeySchema, max: LIMITS.maxIndexPartitionKeyAttributes + LIMITS.maxIndexSortKeyAttributes }),
};

/**
 * Maps that DynamoDB echoes as the request's JSON, not as Java's toString, when a key breaks its
 * constraints: BatchGetItem's RequestItems (captured from the service in us-east-1 and eu-west-2,
 * 2026-10, by a public conformance suite; dynalite recorded the same). BatchWriteItem's echo of
 * the same fault is unverified and stays Java's toString, as its other echoes are.
 */
const JSON_ECHO_SHAPES: ReadonlySet<string> = new Set(['BatchGetRequestMap']);

/** Shape used for the name form of a TableName member whose model shape is TableArn. */
const TABLE_NAME_SHAPE = 'TableName';
const TABLE_ARN_SHAPE = 'TableArn';

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

const toLowerFirst = (s: string): string => (s.length === 0 ? s : s[0].toLowerCase() + s.slice(1));

/** Java regular expression (as the model writes them) to an anchored JavaScript RegExp. */
function compilePattern(javaPattern: string): RegExp | undefined {
  const translated = javaPattern.replace(/\\p\{Print\}/g, '[\\x20-\\x7E]');
  const attempts = [
    translated,
    // Java tolerates escaping any punctuation; JavaScript's unicode mode does not.
    translated.replace(/\\([^A-Za-z0-9^$\\.*+?()[\]{}|/-])/g, '$1'),
  ];
  for (const source of attempts) {
    try {
      return new RegExp(`^(?:${source})$`, 'u');
    } catch {
      // try the next form
    }
  }
  return undefined;
}

class Compiler {
  private readonly shapes: Record<string, ModelShape>;
  private readonly nodes = new Map<string, Node>();
  readonly all: Node[] = [];

  constructor(shapes: Record<string, ModelShape>) {
    this.shapes = shapes;
  }

  compile(shapeName: string): Node {
    const existing = this.nodes.get(shapeName);
    if (existing) return existing;
    const raw = Object.hasOwn(SYNTHETIC_SHAPES, shapeName) ? SYNTHETIC_SHAPES[shapeName](this.shapes) : this.shapes[shapeName];
    if (!raw) throw new Error(`DynamoDB model has no shape ${shapeName}`);
    const shape: ModelShape = { ...raw, ...SHAPE_OVERLAYS[shapeName] };
    let node: Node;
    switch (shape.type) {
      case 'structure': {
        const struct: StructNode = {
          kind: 'structure', shape: shapeName, direct: false, deep: false,
          members: [], byName: new Map(), errorOrder: [], requiredMembers: [],
        };
        this.register(shapeName, struct);
        const required = new Set(shape.required ?? []);
        for (const [name, ref] of Object.entries(shape.members ?? {})) {
          const memberShape = MEMBER_SHAPE_OVERLAYS.get(`${shapeName}.${name}`) ?? ref.shape;
          const member: Member = { name, path: toLowerFirst(name), node: this.compile(memberShape), required: required.has(name) };
          if (name === 'TableName' && ref.shape === TABLE_ARN_SHAPE) {
            member.tableName = this.compile(TABLE_NAME_SHAPE) as ScalarNode;
          }
          if (shapeName === 'KeysAndAttributes' && name === 'Keys') member.keysOverride = true;
          struct.members.push(member);
          struct.byName.set(name, member);
        }
        struct.requiredMembers = struct.members.filter((m) => m.required);
        const byPath = new Map(struct.members.map((m) => [m.path, m]));
        struct.errorOrder = memberOrder(struct.members.map((m) => m.path)).map((p) => byPath.get(p)!);
        return struct;
      }
      case 'list': {
        const list = { kind: 'list', shape: shapeName, direct: false, deep: false, min: shape.min, max: shape.max } as ListNode;
        this.register(shapeName, list);
        list.member = this.compile(shape.member!.shape);
        list.direct = list.min !== undefined || list.max !== undefined;
        return list;
      }
      case 'map': {
        const map = { kind: 'map', shape: shapeName, direct: false, deep: false, min: shape.min, max: shape.max } as MapNode;
        this.register(shapeName, map);
        map.key = this.compile(shape.key!.shape) as ScalarNode;
        map.value = this.compile(shape.value!.shape);
        if (shape.key!.shape === TABLE_ARN_SHAPE) map.keyTableName = this.compile(TABLE_NAME_SHAPE) as ScalarNode;
        map.direct = map.min !== undefined || map.max !== undefined;
        return map;
      }
      case 'string':
      case 'integer':
      case 'long':
      case 'double':
      case 'timestamp':
      case 'boolean':
      case 'blob': {
        const scalar: ScalarNode = { kind: shape.type, shape: shapeName, direct: false, deep: false, min: shape.min, max: shape.max };
        if (shape.pattern !== undefined) {
          scalar.pattern = compilePattern(shape.pattern);
          if (scalar.pattern) scalar.patternText = shape.pattern;
        }
        if (shape.enum) {
          scalar.enumValues = new Set(shape.enum);
          scalar.enumText = `[${enumOrder(shape.enum).join(', ')}]`;
        }
        scalar.direct = scalar.min !== undefined || scalar.max !== undefined || scalar.pattern !== undefined || scalar.enumValues !== undefined;
        node = scalar;
        this.register(shapeName, node);
        return node;
      }
      default: {
        // float, or anything new: accepted as is.
        const scalar: ScalarNode = { kind: 'double', shape: shapeName, direct: false, deep: false };
        this.register(shapeName, scalar);
        return scalar;
      }
    }
  }

  private register(name: string, node: Node): void {
    this.nodes.set(name, node);
    this.all.push(node);
  }

  /** Computes `deep` over the (possibly recursive) node graph by fixpoint iteration. */
  finish(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const node of this.all) {
        if (node.deep) continue;
        let deep = node.direct;
        if (!deep) {
          switch (node.kind) {
            case 'structure':
              deep = node.members.some((m) => m.required || m.node.deep || m.tableName !== undefined);
              break;
            case 'list':
              deep = node.member.deep;
              break;
            case 'map':
              deep = node.key.direct || node.keyTableName !== undefined || node.value.deep;
              break;
            default:
              break;
          }
        }
        if (deep) {
          node.deep = true;
          changed = true;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Type pass
// ---------------------------------------------------------------------------------------------

type Position = 'field' | 'element';

function javaTypeOf(node: Node): string {
  switch (node.kind) {
    case 'structure':
      return JAVA_PACKAGE + node.shape;
    case 'list':
      return `java.util.List<${javaTypeOf(node.member)}>`;
    case 'map':
      return `java.util.Map<java.lang.String, ${javaTypeOf(node.value)}>`;
    case 'string':
      return 'java.lang.String';
    case 'boolean':
      return 'java.lang.Boolean';
    case 'integer':
      return 'java.lang.Integer';
    case 'long':
      return 'java.lang.Long';
    case 'double':
      return 'java.lang.Double';
    case 'timestamp':
      return 'java.util.Date';
    case 'blob':
      return 'java.nio.ByteBuffer';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeStruct(node: StructNode, obj: Record<string, unknown>, depth = 0): void {
  for (const key in obj) {
    const member = node.byName.get(key);
    if (member === undefined) continue;
    const value = obj[key];
    if (value === null || value === undefined) {
      // The binder reads a null member as absent; so must the operation, which tests members
      // against undefined (a null NextToken was a 500).
      delete obj[key];
      continue;
    }
    typeValue(member.node, value, 'field', depth + 1);
    // DynamoDB's Java binder truncates integral members (Segment 1.5 is Segment 1); so must the
    // value the operation sees, not only the one the constraints check.
    if (member.node.kind === 'integer' || member.node.kind === 'long') obj[key] = Math.trunc(Number(value));
  }
}

/**
 * JSON nesting beyond any legal AttributeValue (32 levels, two JSON objects each)
 * is refused before recursing further, so a hostile body cannot exhaust the stack.
 */
export const MAX_JSON_DEPTH = 2 * LIMITS.maxNestingLevels + 8;

function typeValue(node: Node, value: unknown, position: Position, depth = 0): void {
  if (depth > MAX_JSON_DEPTH) throw validationException(MSG_NESTING);
  let message: string | undefined;
  switch (node.kind) {
    case 'string':
      message = stringTypeError(value);
      break;
    case 'boolean':
      message = booleanTypeError(value);
      break;
    case 'integer':
      message = numericTypeError(value, 'Integer', 'java.lang.Integer');
      break;
    case 'long':
      message = numericTypeError(value, 'Long', 'java.lang.Long');
      break;
    case 'double':
      message = numericTypeError(value, 'Double', 'java.lang.Double');
      break;
    case 'timestamp':
      message = numericTypeError(value, 'Date', 'java.util.Date');
      break;
    case 'blob':
      message = blobTypeError(value);
      break;
    case 'list':
      if (Array.isArray(value)) {
        for (const element of value) {
          if (element !== null && element !== undefined) typeValue(node.member, element, 'element', depth + 1);
        }
        return;
      }
      message = typeof value === 'object' ? MSG_START_OF_STRUCTURE : position === 'field' ? MSG_UNEXPECTED_FIELD_TYPE : MSG_PARAMETERIZED_CAST;
      break;
    case 'map':
      if (isObject(value)) {
        for (const key in value) {
          const element = value[key];
          if (element !== null && element !== undefined) typeValue(node.value, element, 'element', depth + 1);
        }
        return;
      }
      message = Array.isArray(value)
        ? `Unrecognized collection type java.util.Map<java.lang.String, ${javaTypeOf(node.value)}>`
        : position === 'field' ? MSG_UNEXPECTED_FIELD_TYPE : MSG_PARAMETERIZED_CAST;
      break;
    case 'structure':
      if (isObject(value)) {
        typeStruct(node, value, depth);
        return;
      }
      message = Array.isArray(value)
        ? `Unrecognized collection type class ${JAVA_PACKAGE}${node.shape}`
        : position === 'field' ? MSG_UNEXPECTED_FIELD_TYPE : MSG_UNEXPECTED_VALUE_TYPE;
      break;
  }
  if (message !== undefined) throw serializationError(message);
}

// ---------------------------------------------------------------------------------------------
// Rendering values as DynamoDB (Java toString) prints them in messages
// ---------------------------------------------------------------------------------------------

function javaDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  return String(n);
}

export function renderValue(node: Node, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (node.kind) {
    case 'string':
      return String(value);
    case 'boolean':
      return String(value);
    case 'integer':
    case 'long':
      return typeof value === 'number' ? String(Math.trunc(value)) : String(value);
    case 'double':
      return typeof value === 'number' ? javaDouble(value) : String(value);
    case 'timestamp':
      return String(value);
    case 'blob': {
      const n = typeof value === 'string' ? base64DecodedLength(value) : 0;
      return `java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]`;
    }
    case 'list':
      if (!Array.isArray(value)) return String(value);
      return `[${value.map((element) => renderValue(node.member, element)).join(', ')}]`;
    case 'map': {
      if (!isObject(value)) return String(value);
      const parts = hashMapOrder(Object.keys(value)).map((key) => `${key}=${renderValue(node.value, value[key])}`);
      return `{${parts.join(', ')}}`;
    }
    case 'structure': {
      if (!isObject(value)) return String(value);
      const parts = node.members.map((m) => `${m.path}=${renderValue(m.node, value[m.name])}`);
      return `${node.shape}(${parts.join(', ')})`;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Constraint pass
// ---------------------------------------------------------------------------------------------

class Errors {
  readonly list: string[] = [];

  get full(): boolean {
    return this.list.length >= MAX_REPORTED_ERRORS;
  }

  add(rendered: string | null, path: string, constraint: string): void {
    if (this.full) return;
    const value = rendered === null ? 'null' : `'${rendered}'`;
    this.list.push(`Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  raw(message: string): void {
    if (!this.full) this.list.push(message);
  }
}

function lengthOf(node: Node, value: unknown): number {
  if (typeof value === 'string') return node.kind === 'blob' ? base64DecodedLength(value) : value.length;
  if (Array.isArray(value)) return value.length;
  if (isObject(value)) return Object.keys(value).length;
  return 0;
}

const isNumeric = (node: Node): boolean =>
  node.kind === 'integer' || node.kind === 'long' || node.kind === 'double' || node.kind === 'timestamp';

function numericValue(node: Node, value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return node.kind === 'integer' || node.kind === 'long' ? Math.trunc(n) : n;
}

/** Reports the node's own constraints, each as its own error, in DynamoDB's order. */
function checkDirect(node: Node, value: unknown, path: string, errors: Errors): void {
  if (!node.direct) return;
  if (node.kind === 'structure') return;
  if (node.kind !== 'list' && node.kind !== 'map') {
    if (node.enumValues && !node.enumValues.has(String(value))) {
      errors.add(renderValue(node, value), path, `Member must satisfy enum value set: ${node.enumText}`);
    }
    if (node.pattern && typeof value === 'string' && !node.pattern.test(value)) {
      errors.add(value, path, `Member must satisfy regular expression pattern: ${node.patternText}`);
    }
    if (isNumeric(node)) {
      const n = numericValue(node, value);
      if (node.min !== undefined && n < node.min) {
        errors.add(renderValue(node, value), path, `Member must have value greater than or equal to ${node.min}`);
      }
      if (node.max !== undefined && n > node.max) {
        errors.add(renderValue(node, value), path, `Member must have value less than or equal to ${node.max}`);
      }
      return;
    }
  }
  if (node.min === undefined && node.max === undefined) return;
  const length = lengthOf(node, value);
  if (node.min !== undefined && length < node.min) {
    errors.add(renderValue(node, value), path, `Member must have length greater than or equal to ${node.min}`);
  }
  if (node.max !== undefined && length > node.max) {
    errors.add(renderValue(node, value), path, `Member must have length less than or equal to ${node.max}`);
  }
}

/** Whether a value breaks any of the node's own constraints. */
function violates(node: Node, value: unknown): boolean {
  if (!node.direct || node.kind === 'structure') return false;
  if (node.kind !== 'list' && node.kind !== 'map') {
    if (node.enumValues && !node.enumValues.has(String(value))) return true;
    if (node.pattern && typeof value === 'string' && !node.pattern.test(value)) return true;
    if (isNumeric(node)) {
      const n = numericValue(node, value);
      return (node.min !== undefined && n < node.min) || (node.max !== undefined && n > node.max);
    }
  }
  const length = lengthOf(node, value);
  return (node.min !== undefined && length < node.min) || (node.max !== undefined && length > node.max);
}

/** The bracketed list of a node's constraints used for collection elements, keys and values. */
function constraintList(node: Node): string {
  const parts: string[] = [];
  if (node.kind === 'structure') return '[]';
  const numeric = isNumeric(node);
  if (node.max !== undefined) parts.push(`Member must have ${numeric ? 'value' : 'length'} less than or equal to ${node.max}`);
  if (node.min !== undefined) parts.push(`Member must have ${numeric ? 'value' : 'length'} greater than or equal to ${node.min}`);
  if (node.kind !== 'list' && node.kind !== 'map') {
    if (node.patternText !== undefined) parts.push(`Member must satisfy regular expression pattern: ${node.patternText}`);
    if (node.enumText !== undefined) parts.push(`Member must satisfy enum value set: ${node.enumText}`);
  }
  return `[${parts.join(', ')}]`;
}

const isContainer = (node: Node): boolean => node.kind === 'structure' || node.kind === 'list' || node.kind === 'map';

function isTableArn(name: string): boolean {
  return name.startsWith('arn:');
}

class ConstraintPass {
  constructor(
    readonly errors: Errors,
    /** Visit map entries in DynamoDB's (Java HashMap) order rather than document order. */
    readonly ordered: boolean,
  ) {}

  struct(node: StructNode, obj: Record<string, unknown>, prefix: string): void {
    if (!this.ordered) {
      // Fast pass: only whether anything fails matters, so visit what is present.
      for (const member of node.requiredMembers) {
        const value = obj[member.name];
        if (value === null || value === undefined) {
          this.errors.add(null, prefix === '' ? member.path : `${prefix}.${member.path}`, 'Member must not be null');
        }
      }
      for (const key in obj) {
        const member = node.byName.get(key);
        if (member === undefined || (!member.node.deep && member.tableName === undefined)) continue;
        const value = obj[key];
        if (value === null || value === undefined) continue;
        this.member(member, value, prefix === '' ? member.path : `${prefix}.${member.path}`);
        if (this.errors.full) return;
      }
      return;
    }
    for (const member of node.errorOrder) {
      if (this.errors.full) return;
      const value = obj[member.name];
      const path = prefix === '' ? member.path : `${prefix}.${member.path}`;
      if (value === null || value === undefined) {
        if (member.required) this.errors.add(null, path, 'Member must not be null');
        continue;
      }
      if (!member.node.deep && member.tableName === undefined) continue;
      this.member(member, value, path);
    }
  }

  private member(member: Member, value: unknown, path: string): void {
    const node = member.node;
    if (member.keysOverride && node.kind === 'list' && Array.isArray(value) && violates(node, value)) {
      // DynamoDB words this one check in its own style, both bounds: PascalCase path and no value
      // (captured from the service for an empty Keys and for 101 keys, 2026-10).
      const pascal = path.replace(/^requestItems\./, 'RequestItems.').replace(/\.keys$/, '.Keys');
      const bound = node.max !== undefined && value.length > node.max
        ? `less than or equal to ${node.max}`
        : `greater than or equal to ${node.min}`;
      this.errors.raw(`Value at '${pascal}' failed to satisfy constraint: Member must have length ${bound}`);
    } else {
      const before = this.errors.list.length;
      checkDirect(node, value, path, this.errors);
      if (member.tableName && this.errors.list.length === before && typeof value === 'string' && !isTableArn(value)) {
        checkDirect(member.tableName, value, path, this.errors);
      }
    }
    this.descend(node, value, path);
  }

  /** Checks what lies below a value whose own constraints have already been reported. */
  descend(node: Node, value: unknown, path: string): void {
    if (!node.deep || this.errors.full) return;
    switch (node.kind) {
      case 'structure':
        if (isObject(value)) this.struct(node, value, path);
        return;
      case 'list': {
        if (!Array.isArray(value)) return;
        const member = node.member;
        // Unverified against AWS: a null list element (a structure, a string: TagKeys [null] was
        // a 500). Operations read these elements, so a null must never get past validation.
        for (let i = 0; i < value.length && !this.errors.full; i++) {
          if (value[i] === null || value[i] === undefined) this.errors.add(null, `${path}.${i + 1}.member`, 'Member must not be null');
        }
        if (member.direct && value.some((element) => element !== null && element !== undefined && violates(member, element))) {
          this.errors.add(renderValue(node, value), path, `Member must satisfy constraint: ${constraintList(member)}`);
        }
        if (isContainer(member) && member.deep) {
          for (let i = 0; i < value.length && !this.errors.full; i++) {
            const element = value[i];
            if (element !== null && element !== undefined) this.descend(member, element, `${path}.${i + 1}.member`);
          }
        }
        return;
      }
      case 'map': {
        if (!isObject(value)) return;
        const keys = Object.keys(value);
        const keyNode = node.key;
        if (keyNode.direct || node.keyTableName) {
          let offending: ScalarNode | undefined;
          for (const key of keys) {
            if (violates(keyNode, key)) {
              offending = keyNode;
              break;
            }
            if (node.keyTableName && !isTableArn(key) && violates(node.keyTableName, key)) {
              offending = node.keyTableName;
              break;
            }
          }
          if (offending) {
            const echo = JSON_ECHO_SHAPES.has(node.shape) ? JSON.stringify(value) : renderValue(node, value);
            this.errors.add(echo, path, `Map keys must satisfy constraint: ${constraintList(offending)}`);
          }
        }
        const valueNode = node.value;
        if (valueNode.direct) {
          for (const key of keys) {
            const element = value[key];
            if (element !== null && element !== undefined && violates(valueNode, element)) {
              this.errors.add(renderValue(node, value), path, `Map value must satisfy constraint: ${constraintList(valueNode)}`);
              break;
            }
          }
        }
        if (isContainer(valueNode) && valueNode.deep) {
          const order = this.ordered ? hashMapOrder(keys) : keys;
          for (const key of order) {
            if (this.errors.full) return;
            const element = value[key];
            if (element !== null && element !== undefined) this.descend(valueNode, element, `${path}.${key}.member`);
          }
        }
        return;
      }
      default:
        return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operation validators
// ---------------------------------------------------------------------------------------------

/** Operation-specific checks DynamoDB makes after the type pass and before the constraint pass. */
type PreCheck = (body: Record<string, unknown>) => string | undefined;

/**
 * The table operations whose absent (or null) TableName DynamoDB answers in its own words, not in
 * the constraint list (recorded from the service by dynalite, validations/*.js `required`); the
 * item operations answer "Value null at 'tableName' ..." in the list.
 */
const TABLE_NAME_REQUIRED = "The parameter 'TableName' is required but was not present in the request";
const tableNameRequired: PreCheck = (body) => (body.TableName === null || body.TableName === undefined ? TABLE_NAME_REQUIRED : undefined);

/** Tagging operations without a ResourceArn (dynalite's recording of the service). */
const resourceArnRequired: PreCheck = (body) => (body.ResourceArn === null || body.ResourceArn === undefined ? 'Invalid TableArn' : undefined);

const PRE_CHECKS: Record<string, PreCheck> = {
  CreateTable: tableNameRequired,
  DeleteTable: tableNameRequired,
  DescribeTable: tableNameRequired,
  UpdateTable: tableNameRequired,
  DescribeTimeToLive: tableNameRequired,
  TagResource: resourceArnRequired,
  UntagResource: resourceArnRequired,
  ListTagsOfResource: resourceArnRequired,
  BatchGetItem: (body) => {
    if (!isObject(body.RequestItems)) return undefined;
    if (Object.keys(body.RequestItems).length === 0) return 'The requestItems parameter is required for BatchGetItem';
    // DynamoDB Local's text for a table without its KeysAndAttributes (BATCH_GET_NULL_OR_EMPTY_KAS).
    // Unverified against AWS: whether the service adds the table to it.
    return nullEntry(body.RequestItems) === undefined ? undefined : 'The list of keys in RequestItems for BatchGetItem is required';
  },
  BatchWriteItem: (body) => {
    if (!isObject(body.RequestItems)) return undefined;
    if (Object.keys(body.RequestItems).length === 0) return 'The requestItems parameter is required for BatchWriteItem';
    // Recorded from DynamoDB (and DynamoDB Local) for a table whose request list is empty; the
    // same check there covers a null list.
    const table = nullEntry(body.RequestItems);
    return table === undefined ? undefined : `The batch write request list for a table cannot be null or empty: ${table}`;
  },
};

/** The first key of a map whose value is JSON null: the binder keeps such entries. */
function nullEntry(map: Record<string, unknown>): string | undefined {
  for (const key in map) if (map[key] === null) return key;
  return undefined;
}

export type RequestValidator = (body: unknown) => void;

function buildValidator(operation: string, root: StructNode | undefined): RequestValidator {
  const preCheck = PRE_CHECKS[operation];
  return (body: unknown): void => {
    if (root === undefined) return;
    let obj: Record<string, unknown>;
    if (body === null || body === undefined) obj = {};
    else if (isObject(body)) obj = body;
    else if (Array.isArray(body)) throw serializationError(`Unrecognized collection type class ${JAVA_PACKAGE}${root.shape}`);
    else throw serializationError(MSG_UNEXPECTED_VALUE_TYPE);

    typeStruct(root, obj);

    if (preCheck) {
      const message = preCheck(obj);
      if (message !== undefined) throw validationException(message);
    }

    if (!root.deep) return;
    // Fast pass in document order; on failure, redo it in DynamoDB's order for the message.
    const fast = new ConstraintPass(new Errors(), false);
    fast.struct(root, obj, '');
    if (fast.errors.list.length === 0) return;
    const exact = new ConstraintPass(new Errors(), true);
    exact.struct(root, obj, '');
    const list = exact.errors.list.length > 0 ? exact.errors.list : fast.errors.list;
    const n = list.length;
    throw validationException(`${n} validation error${n === 1 ? '' : 's'} detected: ${list.join('; ')}`);
  };
}

let compiler: Compiler | undefined;
let inputShapes: Map<string, string | undefined> | undefined;
const validators = new Map<string, RequestValidator>();

function operations(): Map<string, string | undefined> {
  if (!inputShapes) {
    const model = loadModel();
    inputShapes = new Map(Object.entries(model.operations).map(([name, op]) => [name, op.input?.shape]));
  }
  return inputShapes;
}

/** Whether the model defines the operation. */
export function hasOperation(operation: string): boolean {
  return operations().has(operation);
}

/** The compiled validator of an operation (compiled on first use). */
export function validatorFor(operation: string): RequestValidator {
  let validator = validators.get(operation);
  if (validator) return validator;
  const ops = operations();
  if (!ops.has(operation)) throw new Error(`Unknown DynamoDB operation ${operation}`);
  const shape = ops.get(operation);
  let root: StructNode | undefined;
  if (shape !== undefined) {
    compiler ??= new Compiler(loadModel().shapes);
    root = compiler.compile(shape) as StructNode;
    compiler.finish();
  }
  validator = buildValidator(operation, root);
  validators.set(operation, validator);
  return validator;
}

/**
 * Validates a parsed DynamoDB request body against the operation's input shape.
 * Throws AwsError: SerializationException for wrong JSON types, ValidationException for
 * constraint violations. Returns normally when the request passes.
 */
export function validateInput(operation: string, body: unknown): void {
  validatorFor(operation)(body);
  checkStillRequired(operation, body);
}

/**
 * Members the live service still requires though the current model no longer marks them so:
 * DynamoDB answers a CreateTable without AttributeDefinitions (or KeySchema) with "Value null at
 * 'attributeDefinitions' failed to satisfy constraint: Member must not be null" (recorded from
 * the live service by public emulators' test catalogues); cove, reading the model alone, went on
 * and failed with a 500. Checked once the model's own constraints pass, as the model's checks
 * come first in what the service reports (unverified for a request with both kinds of fault).
 */
const STILL_REQUIRED: ReadonlyMap<string, readonly string[]> = new Map([['CreateTable', ['AttributeDefinitions', 'KeySchema']]]);

function checkStillRequired(operation: string, body: unknown): void {
  const required = STILL_REQUIRED.get(operation);
  if (!required || typeof body !== 'object' || body === null) return;
  const fields = body as Record<string, unknown>;
  const missing = required.filter((name) => !Object.hasOwn(fields, name) || fields[name] === null || fields[name] === undefined);
  if (missing.length === 0) return;
  const list = missing.map((name) => `Value null at '${name[0].toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  throw validationException(`${list.length} validation error${list.length === 1 ? '' : 's'} detected: ${list.join('; ')}`);
}
