/**
 * AttributeValue semantics used by expressions: types, ordering, equality, size, document paths.
 *
 * Values reaching here are normalised (`../attributeValue.ts`): numbers are canonical, so equal
 * numbers are equal strings, and binaries are strict Base64, so equal bytes are equal strings.
 */
import type { AttributeValue, Item } from '../types.js';
import { compareNumbers } from '../numbers.js';
import { base64DecodedLength } from '../validation/serialization.js';
import type { Path } from './ast.js';

export type TypeCode = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';

export function typeOf(value: AttributeValue): TypeCode {
  // A normalised value has exactly one member.
  for (const key in value) return key as TypeCode;
  throw new Error('empty AttributeValue');
}

/** DynamoDB's internal (DocumentNodeType) names, used by ADD/DELETE operand type messages. */
export const LONG_TYPE_NAMES: Readonly<Record<TypeCode, string>> = {
  S: 'STRING',
  SS: 'STRING_SET',
  N: 'NUMBER',
  NS: 'NUMBER_SET',
  B: 'BINARY',
  BS: 'BINARY_SET',
  BOOL: 'BOOLEAN',
  NULL: 'NULL',
  L: 'LIST',
  M: 'MAP',
};

/** Compares two strings in UTF-8 byte order (code point order), not JavaScript's UTF-16 order. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800-DFFF) encode code points above U+FFFF, which sort after U+E000-FFFF.
    const fx = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
    const fy = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
    return fx < fy ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function decodeBinary(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

/** Compares two Base64-encoded binaries as unsigned bytes. */
export function compareBinary(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(decodeBinary(a), decodeBinary(b));
}

/**
 * Order of two scalars of the same ordered type (S, N or B); undefined when the types differ or
 * are not ordered.
 */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('S' in a) return 'S' in b ? compareUtf8(a.S, b.S) : undefined;
  if ('N' in a) return 'N' in b ? compareNumbers(a.N, b.N) : undefined;
  if ('B' in a) return 'B' in b ? compareBinary(a.B, b.B) : undefined;
  return undefined;
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length < 8) {
    for (const x of a) if (!b.includes(x)) return false;
    return true;
  }
  const set = new Set(b);
  for (const x of a) if (!set.has(x)) return false;
  return true;
}

/** DynamoDB equality: same type and same value; sets compare as sets, lists in order, maps by key. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if ('S' in a) return 'S' in b && a.S === b.S;
  if ('N' in a) return 'N' in b && a.N === b.N;
  if ('B' in a) return 'B' in b && a.B === b.B;
  if ('BOOL' in a) return 'BOOL' in b && a.BOOL === b.BOOL;
  if ('NULL' in a) return 'NULL' in b;
  if ('SS' in a) return 'SS' in b && sameMembers(a.SS, b.SS);
  if ('NS' in a) return 'NS' in b && sameMembers(a.NS, b.NS);
  if ('BS' in a) return 'BS' in b && sameMembers(a.BS, b.BS);
  if ('L' in a) {
    if (!('L' in b) || a.L.length !== b.L.length) return false;
    for (let i = 0; i < a.L.length; i++) if (!valuesEqual(a.L[i], b.L[i])) return false;
    return true;
  }
  if ('M' in a) {
    if (!('M' in b)) return false;
    const ak = Object.keys(a.M);
    if (ak.length !== Object.keys(b.M).length) return false;
    for (const k of ak) {
      if (!Object.prototype.hasOwnProperty.call(b.M, k) || !valuesEqual(a.M[k], b.M[k])) return false;
    }
    return true;
  }
  return false;
}

/**
 * size(): characters of a string (UTF-16 units, as Java counts them), bytes of a binary, members
 * of a set, elements of a list or map; undefined for numbers, booleans and nulls.
 */
export function sizeOf(value: AttributeValue): number | undefined {
  if ('S' in value) return value.S.length;
  if ('B' in value) return base64DecodedLength(value.B);
  if ('SS' in value) return value.SS.length;
  if ('NS' in value) return value.NS.length;
  if ('BS' in value) return value.BS.length;
  if ('L' in value) return value.L.length;
  if ('M' in value) return Object.keys(value.M).length;
  return undefined;
}

/** contains(): substring, byte subsequence, set membership or list element. */
export function containsValue(container: AttributeValue, value: AttributeValue): boolean {
  if ('S' in container) return 'S' in value && container.S.includes(value.S);
  if ('B' in container) {
    if (!('B' in value)) return false;
    return decodeBinary(container.B).indexOf(decodeBinary(value.B)) !== -1;
  }
  if ('SS' in container) return 'S' in value && container.SS.includes(value.S);
  if ('NS' in container) return 'N' in value && container.NS.includes(value.N);
  if ('BS' in container) return 'B' in value && container.BS.includes(value.B);
  if ('L' in container) {
    for (const element of container.L) if (valuesEqual(element, value)) return true;
    return false;
  }
  return false;
}

/** begins_with(): string prefix or byte prefix, same types only. */
export function beginsWith(value: AttributeValue, prefix: AttributeValue): boolean {
  if ('S' in value) return 'S' in prefix && value.S.startsWith(prefix.S);
  if ('B' in value) {
    if (!('B' in prefix)) return false;
    const v = decodeBinary(value.B);
    const p = decodeBinary(prefix.B);
    return p.length <= v.length && v.subarray(0, p.length).equals(p);
  }
  return false;
}

/** The value at a document path, or undefined when any step is missing or of the wrong type. */
export function getPath(item: Item | undefined, path: Path): AttributeValue | undefined {
  if (item === undefined) return undefined;
  const head = path[0] as string;
  if (!Object.prototype.hasOwnProperty.call(item, head)) return undefined;
  let current: AttributeValue | undefined = item[head];
  for (let i = 1; i < path.length && current !== undefined; i++) {
    const element = path[i];
    if (typeof element === 'number') {
      current = 'L' in current ? current.L[element] : undefined;
    } else if ('M' in current) {
      current = Object.prototype.hasOwnProperty.call(current.M, element) ? current.M[element] : undefined;
    } else {
      current = undefined;
    }
  }
  return current;
}

/** A path as DynamoDB prints it in messages: `[a, b, [3]]`. */
export function formatPath(path: Path): string {
  return '[' + path.map((e) => (typeof e === 'number' ? `[${e}]` : e)).join(', ') + ']';
}

/** An AttributeValue as DynamoDB's BETWEEN messages print it (`AttributeValue: {N:1}`). */
export function describeValue(value: AttributeValue): string {
  if ('S' in value) return `AttributeValue: {S:${value.S}}`;
  if ('N' in value) return `AttributeValue: {N:${value.N}}`;
  if ('B' in value) {
    // Unconfirmed: DynamoDB prints the Java ByteBuffer here (as DynamoDB Local does).
    const n = base64DecodedLength(value.B);
    return `AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=${n} cap=${n}]}`;
  }
  const type = typeOf(value);
  return `AttributeValue: {${type}:${JSON.stringify((value as Record<string, unknown>)[type])}}`;
}
