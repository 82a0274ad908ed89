/**
 * DynamoDB AttributeValues: validation with DynamoDB's messages, normalisation (numbers in
 * canonical form everywhere, including inside NS, L and M) and item size accounting.
 *
 * Checks, per value: exactly one datatype; N is a valid, in-range number of at most 38
 * significant digits; NS/SS/BS are non-empty and duplicate-free; NULL is true; M and L are
 * checked recursively up to DynamoDB's 32 levels of nesting. Empty S and B values are valid
 * (DynamoDB rejects them only in key attributes, which needs the table schema: not done here).
 *
 * JSON type errors inside a value (e.g. {"S": 5}) raise the SerializationException DynamoDB's
 * JSON binder raises. validateInput() already reports those for whole requests, before any
 * of the checks here; on their own, these functions report a type error in preference to a
 * semantic one, so the result is the same either way.
 */
import type { AwsError } from '../errors.js';
import type { AttributeValue, Item } from './types.js';
import { LIMITS } from './limits.js';
import { canonicalNumber, decomposeCanonical, decomposedSize } from './numbers.js';
import { validationException } from './validation/exceptions.js';
import { hashMapOrder } from './validation/javaOrder.js';
import {
  base64DecodedLength,
  blobTypeError,
  booleanFromString,
  booleanTypeError,
  JAVA_PACKAGE,
  MSG_PARAMETERIZED_CAST,
  MSG_START_OF_STRUCTURE,
  MSG_UNEXPECTED_FIELD_TYPE,
  MSG_UNEXPECTED_VALUE_TYPE,
  serializationError,
  stringTypeError,
} from './validation/serialization.js';

export type { AttributeValue, Item };

/** The datatype keys of an AttributeValue. */
export type AttributeType = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

/** A value under construction: at most one key is set once validation succeeds. */
type Draft = Partial<Record<AttributeType, unknown>>;

/** The datatypes, in the order DynamoDB checks them. */
export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];

const INVALID = 'One or more parameter values were invalid: ';
export const MSG_EMPTY = 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes';
export const MSG_MULTIPLE =
  'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes';
export const MSG_NULL_NOT_TRUE = `${INVALID}Null attribute value types must have the value of true`;
export const MSG_EMPTY_SS = `${INVALID}An string set  may not be empty`;
export const MSG_EMPTY_NS = `${INVALID}An number set  may not be empty`;
export const MSG_EMPTY_BS = `${INVALID}Binary sets should not be empty`;
export const MSG_NS_DUPLICATES = 'Input collection contains duplicates';
/**
 * Unverified against AWS: a set with a JSON null element (the binder keeps it). Refused like a
 * null AttributeValue, before anything sizes or stores the set (a null element was a 500).
 */
/**
 * An attribute name of no characters, at any depth of an item or key. Unverified text: DynamoDB
 * Local's (ErrorFactory.EMPTY_ATTRIBUTE_NAME); the live service words the same fault in
 * ExpressionAttributeNames as "... contains invalid value: Empty attribute name for key #a".
 */
export const MSG_EMPTY_ATTRIBUTE_NAME = 'Empty attribute name';
export const MSG_SET_NULL_ELEMENT = `${INVALID}A set may not contain a null element`;
export const MSG_NESTING =
  'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

const ssDuplicates = (values: readonly string[]): string => `${INVALID}Input collection [${values.join(', ')}] contains duplicates.`;
const bsDuplicates = (values: readonly string[]): string =>
  `${INVALID}Input collection [${values.join(', ')}]of type BS contains duplicates.`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const present = (value: unknown): boolean => value !== null && value !== undefined;

/** Sets an own entry, even for the attribute name "__proto__". */
function setEntry(target: Record<string, AttributeValue>, key: string, value: AttributeValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// ---------------------------------------------------------------------------------------------
// Type checks (SerializationException), in document order
// ---------------------------------------------------------------------------------------------

type Position = 'field' | 'element';

function typeAttributeValue(value: unknown, position: Position): void {
  if (!isObject(value)) {
    if (Array.isArray(value)) throw serializationError(`Unrecognized collection type class ${JAVA_PACKAGE}AttributeValue`);
    throw serializationError(position === 'field' ? MSG_UNEXPECTED_FIELD_TYPE : MSG_UNEXPECTED_VALUE_TYPE);
  }
  for (const key in value) {
    const v = value[key];
    if (!present(v)) continue;
    let message: string | undefined;
    switch (key) {
      case 'S':
      case 'N':
        message = stringTypeError(v);
        break;
      case 'B':
        message = blobTypeError(v);
        break;
      case 'NULL':
      case 'BOOL':
        message = booleanTypeError(v);
        break;
      case 'SS':
      case 'NS':
      case 'BS':
        if (!Array.isArray(v)) {
          message = typeof v === 'object' ? MSG_START_OF_STRUCTURE : MSG_UNEXPECTED_FIELD_TYPE;
          break;
        }
        for (const element of v) {
          if (!present(element)) continue;
          message = key === 'BS' ? blobTypeError(element) : stringTypeError(element);
          if (message !== undefined) break;
        }
        break;
      case 'L':
        if (!Array.isArray(v)) {
          message = typeof v === 'object' ? MSG_START_OF_STRUCTURE : MSG_UNEXPECTED_FIELD_TYPE;
          break;
        }
        for (const element of v) if (present(element)) typeAttributeValue(element, 'element');
        break;
      case 'M':
        typeAttributeMap(v, 'field');
        break;
      default:
        break; // unknown members are ignored
    }
    if (message !== undefined) throw serializationError(message);
  }
}

function typeAttributeMap(value: unknown, position: Position): void {
  if (!isObject(value)) {
    if (Array.isArray(value)) {
      throw serializationError(
        `Unrecognized collection type java.util.Map<java.lang.String, ${JAVA_PACKAGE}AttributeValue>`,
      );
    }
    throw serializationError(position === 'field' ? MSG_UNEXPECTED_FIELD_TYPE : MSG_PARAMETERIZED_CAST);
  }
  for (const key in value) {
    const v = value[key];
    if (present(v)) typeAttributeValue(v, 'element');
  }
}

/**
 * An attribute name of an item, a key, a map value or AttributesToGet is at least one character
 * (the model bounds its length above, at every depth, before this runs).
 */
export function checkAttributeName(name: string): void {
  if (name.length === 0) throw validationException(MSG_EMPTY_ATTRIBUTE_NAME);
}

// ---------------------------------------------------------------------------------------------
// Semantic checks and normalisation
// ---------------------------------------------------------------------------------------------

class Normalizer {
  constructor(
    /** Visit map entries in DynamoDB's (Java HashMap) order, to report the error DynamoDB reports. */
    private readonly ordered: boolean,
  ) {}

  map(value: unknown, depth: number): Record<string, AttributeValue> {
    if (!isObject(value)) {
      typeAttributeMap(value, 'field');
      return {};
    }
    const out: Record<string, AttributeValue> = {};
    const keys = this.ordered ? hashMapOrder(Object.keys(value)) : Object.keys(value);
    for (const key of keys) {
      const v = value[key];
      // The value first, then its name (DynamoDB Local's order: a fault inside the value wins).
      setEntry(out, key, this.value(present(v) ? v : undefined, depth));
      checkAttributeName(key);
    }
    if (this.ordered) {
      // Keep the caller's attribute order in the result.
      const ordered: Record<string, AttributeValue> = {};
      for (const key of Object.keys(value)) setEntry(ordered, key, out[key]);
      return ordered;
    }
    return out;
  }

  value(value: unknown, depth: number): AttributeValue {
    if (depth > LIMITS.maxNestingLevels) throw validationException(MSG_NESTING);
    if (value === undefined || value === null) throw validationException(MSG_EMPTY);
    if (!isObject(value)) {
      typeAttributeValue(value, 'element');
      throw validationException(MSG_EMPTY);
    }
    const out: Draft = {};
    let count = 0;
    // DynamoDB checks the datatypes in a fixed order; document order gives the same result
    // whenever the value is valid, and any failure is re-run in the fixed order.
    const types: readonly string[] = this.ordered ? ATTRIBUTE_TYPES : Object.keys(value);
    for (const type of types) {
      const v = value[type];
      if (!present(v)) continue;
      switch (type) {
        case 'S': {
          const message = stringTypeError(v);
          if (message !== undefined) throw serializationError(message);
          out.S = v as string;
          break;
        }
        case 'N': {
          const message = stringTypeError(v);
          if (message !== undefined) throw serializationError(message);
          out.N = canonicalNumber(v as string);
          break;
        }
        case 'B': {
          const message = blobTypeError(v);
          if (message !== undefined) throw serializationError(message);
          out.B = v as string;
          break;
        }
        case 'SS':
          out.SS = this.stringSet(v);
          break;
        case 'NS':
          out.NS = this.numberSet(v);
          break;
        case 'BS':
          out.BS = this.binarySet(v);
          break;
        case 'M':
          out.M = this.map(v, depth + 1);
          break;
        case 'L': {
          if (!Array.isArray(v)) {
            throw serializationError(typeof v === 'object' ? MSG_START_OF_STRUCTURE : MSG_UNEXPECTED_FIELD_TYPE);
          }
          const list: AttributeValue[] = new Array(v.length);
          for (let i = 0; i < v.length; i++) list[i] = this.value(v[i], depth + 1);
          out.L = list;
          break;
        }
        case 'NULL': {
          const flag = this.boolean(v);
          if (!flag) throw validationException(MSG_NULL_NOT_TRUE);
          out.NULL = true;
          break;
        }
        case 'BOOL':
          out.BOOL = this.boolean(v);
          break;
        default:
          continue; // unknown members are ignored
      }
      count++;
    }
    if (count === 0) throw validationException(MSG_EMPTY);
    if (count > 1) throw validationException(MSG_MULTIPLE);
    return out as AttributeValue;
  }

  private boolean(v: unknown): boolean {
    const message = booleanTypeError(v);
    if (message !== undefined) throw serializationError(message);
    return typeof v === 'boolean' ? v : booleanFromString(v as string)!;
  }

  private elements(v: unknown): unknown[] {
    if (!Array.isArray(v)) {
      throw serializationError(typeof v === 'object' ? MSG_START_OF_STRUCTURE : MSG_UNEXPECTED_FIELD_TYPE);
    }
    return v;
  }

  /** After the elements' type checks: a type error anywhere in the set is reported first. */
  private noNullElement(elements: readonly unknown[]): void {
    if (elements.some((element) => !present(element))) throw validationException(MSG_SET_NULL_ELEMENT);
  }

  private stringSet(v: unknown): string[] {
    const elements = this.elements(v);
    for (const element of elements) {
      const message = present(element) ? stringTypeError(element) : undefined;
      if (message !== undefined) throw serializationError(message);
    }
    if (elements.length === 0) throw validationException(MSG_EMPTY_SS);
    this.noNullElement(elements);
    const values = elements as string[];
    if (new Set(values).size !== values.length) throw validationException(ssDuplicates(values));
    return values.slice();
  }

  private numberSet(v: unknown): string[] {
    const elements = this.elements(v);
    for (const element of elements) {
      const message = present(element) ? stringTypeError(element) : undefined;
      if (message !== undefined) throw serializationError(message);
    }
    if (elements.length === 0) throw validationException(MSG_EMPTY_NS);
    this.noNullElement(elements);
    const values = (elements as string[]).map((text) => canonicalNumber(text ?? ''));
    if (new Set(values).size !== values.length) throw validationException(MSG_NS_DUPLICATES);
    return values;
  }

  private binarySet(v: unknown): string[] {
    const elements = this.elements(v);
    for (const element of elements) {
      const message = present(element) ? blobTypeError(element) : undefined;
      if (message !== undefined) throw serializationError(message);
    }
    if (elements.length === 0) throw validationException(MSG_EMPTY_BS);
    this.noNullElement(elements);
    const values = elements as string[];
    if (new Set(values).size !== values.length) throw validationException(bsDuplicates(values));
    return values.slice();
  }
}

/**
 * Runs a normalisation; on failure, determines the error DynamoDB would report: a JSON type
 * error anywhere wins (DynamoDB binds the whole request before validating it), otherwise the
 * first semantic error in DynamoDB's traversal order.
 */
function normalizeWith<T>(run: (n: Normalizer) => T, typeCheck: () => void): T {
  try {
    return run(new Normalizer(false));
  } catch (error) {
    typeCheck();
    try {
      run(new Normalizer(true));
    } catch (ordered) {
      throw ordered as AwsError;
    }
    throw error;
  }
}

/** Validates one AttributeValue and returns it normalised. Throws AwsError. */
export function normalizeAttributeValue(value: unknown): AttributeValue {
  return normalizeWith(
    (n) => n.value(value, 1),
    () => {
      if (present(value)) typeAttributeValue(value, 'element');
    },
  );
}

/**
 * Validates an attribute map (an Item, a Key, ExpressionAttributeValues, ...) and returns it
 * normalised. Throws AwsError.
 */
export function normalizeItem(item: unknown): Item {
  return normalizeWith(
    (n) => n.map(item, 1),
    () => typeAttributeMap(item, 'field'),
  );
}

// ---------------------------------------------------------------------------------------------
// Sizes
// ---------------------------------------------------------------------------------------------

function utf8Length(text: string): number {
  // Fast path for ASCII.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  }
  return text.length;
}

/**
 * Size of a normalised value in DynamoDB's accounting ("Item sizes and formats"): strings are
 * their UTF-8 bytes, binaries their raw bytes, numbers 1 byte plus 1 per base-100 digit (plus 1
 * if negative), BOOL and NULL 1 byte, sets the sum of their elements, and L and M 3 bytes plus,
 * per element, 1 byte and its size (and, for M, its name's UTF-8 bytes).
 */
export function attributeValueSize(value: AttributeValue): number {
  if ('S' in value) return utf8Length(value.S);
  if ('N' in value) return decomposedSize(decomposeCanonical(value.N));
  if ('B' in value) return base64DecodedLength(value.B);
  if ('SS' in value) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if ('NS' in value) return value.NS.reduce((sum, n) => sum + decomposedSize(decomposeCanonical(n)), 0);
  if ('BS' in value) return value.BS.reduce((sum, b) => sum + base64DecodedLength(b), 0);
  if ('M' in value) {
    let size = 3;
    for (const key in value.M) size += 1 + utf8Length(key) + attributeValueSize(value.M[key]);
    return size;
  }
  if ('L' in value) {
    let size = 3;
    for (const element of value.L) size += 1 + attributeValueSize(element);
    return size;
  }
  return 1; // NULL, BOOL
}

/** Size of a normalised item: per attribute, its name's UTF-8 bytes plus its value's size. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const name in item) size += utf8Length(name) + attributeValueSize(item[name]);
  return size;
}

/** Alias of itemSize. */
export const itemSizeBytes = itemSize;
