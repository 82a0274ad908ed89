/**
 * DynamoDB numbers: parsing, canonical form, comparison, byte size and an
 * order-preserving byte encoding.
 *
 * DynamoDB accepts a number as a decimal string (optional sign, digits with an
 * optional point, optional exponent), keeps at most 38 significant digits and a
 * magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125, and
 * returns it in plain decimal form with leading and trailing zeros removed and no
 * exponent ("1.0" -> "1", "-0" -> "0", "1.5E2" -> "150", "1E125" -> "1" followed
 * by 125 zeros).
 */
import type { AwsError } from '../errors.js';
import { validationException } from './validation/exceptions.js';
import { LIMITS } from './limits.js';

function numberError(message: string): AwsError {
  return validationException(message);
}

export const MSG_NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';
export const MSG_OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
export const MSG_UNDERFLOW = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
export const MSG_TOO_PRECISE = 'Attempting to store more than 38 significant digits in a Number';

/**
 * A decomposed non-zero number: value = (negative ? -1 : 1) * d1.d2d3... * 10^exponent,
 * where `digits` has no leading or trailing zeros. Zero is `digits === ''`.
 */
export interface DecomposedNumber {
  negative: boolean;
  digits: string;
  exponent: number;
}

const ZERO: DecomposedNumber = { negative: false, digits: '', exponent: 0 };
const CODE_0 = 48;
const CODE_9 = 57;

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

/**
 * Parses DynamoDB's number syntax (that of Java's BigDecimal: `[+-]digits[.digits][e[+-]digits]`,
 * at least one mantissa digit). Returns undefined when the text is not a number.
 */
function parse(text: string): DecomposedNumber | undefined {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (i < n && (text.charCodeAt(i) === 45 /* - */ || text.charCodeAt(i) === 43 /* + */)) {
    negative = text.charCodeAt(i) === 45;
    i++;
  }
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++;
    fracStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return undefined;
  let exp = 0;
  if (i < n && (text.charCodeAt(i) === 101 /* e */ || text.charCodeAt(i) === 69 /* E */)) {
    i++;
    let expNegative = false;
    if (i < n && (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43)) {
      expNegative = text.charCodeAt(i) === 45;
      i++;
    }
    const expStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart) return undefined;
    // Java's BigDecimal rejects exponents outside the int range.
    let e = 0;
    for (let k = expStart; k < i; k++) {
      e = e * 10 + (text.charCodeAt(k) - CODE_0);
      if (e > 2147483648) return undefined;
    }
    if (!expNegative && e > 2147483647) return undefined;
    exp = expNegative ? -e : e;
  }
  if (i !== n) return undefined;

  // Locate the first and last non-zero mantissa digits across integer and fraction parts.
  const intLen = intEnd - intStart;
  const total = intLen + (fracEnd - fracStart);
  const at = (k: number): number =>
    k < intLen ? text.charCodeAt(intStart + k) : text.charCodeAt(fracStart + (k - intLen));
  let first = 0;
  while (first < total && at(first) === CODE_0) first++;
  if (first === total) return ZERO;
  let last = total - 1;
  while (at(last) === CODE_0) last--;
  let digits: string;
  if (last < intLen) digits = text.slice(intStart + first, intStart + last + 1);
  else if (first >= intLen) digits = text.slice(fracStart + first - intLen, fracStart + last - intLen + 1);
  else digits = text.slice(intStart + first, intEnd) + text.slice(fracStart, fracStart + last - intLen + 1);
  return { negative, digits, exponent: intLen - 1 - first + exp };
}

/** Writes a decomposed number in DynamoDB's canonical plain form. */
function format(d: DecomposedNumber): string {
  const { digits, exponent } = d;
  if (digits === '') return '0';
  let body: string;
  const len = digits.length;
  if (exponent >= len - 1) body = exponent === len - 1 ? digits : digits + '0'.repeat(exponent - len + 1);
  else if (exponent >= 0) body = digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
  else body = '0.' + '0'.repeat(-exponent - 1) + digits;
  return d.negative ? '-' + body : body;
}

/**
 * Parses and range-checks a number, returning its decomposition.
 * Throws DynamoDB's ValidationException texts.
 */
export function decomposeNumber(text: string): DecomposedNumber {
  const d = parse(text);
  if (d === undefined) {
    throw numberError(text === '' ? MSG_NOT_NUMERIC : `${MSG_NOT_NUMERIC}: ${text}`);
  }
  if (d.digits === '') return ZERO;
  if (d.exponent > LIMITS.maxNumberExponent) throw numberError(MSG_OVERFLOW);
  if (d.exponent < LIMITS.minNumberExponent) throw numberError(MSG_UNDERFLOW);
  if (d.digits.length > LIMITS.maxNumberSignificantDigits) throw numberError(MSG_TOO_PRECISE);
  return d;
}

/** Canonical form of a DynamoDB number, as DynamoDB returns it. Throws AwsError. */
export function canonicalNumber(text: string): string {
  return format(decomposeNumber(text));
}

/** Decomposes a string already in canonical form (no validation). */
export function decomposeCanonical(canonical: string): DecomposedNumber {
  if (canonical === '0') return ZERO;
  const negative = canonical.charCodeAt(0) === 45;
  const start = negative ? 1 : 0;
  const point = canonical.indexOf('.', start);
  if (point < 0) {
    // Integer: strip trailing zeros.
    let end = canonical.length;
    while (end > start + 1 && canonical.charCodeAt(end - 1) === CODE_0) end--;
    return { negative, digits: canonical.slice(start, end), exponent: canonical.length - start - 1 };
  }
  if (point === start + 1 && canonical.charCodeAt(start) === CODE_0) {
    // 0.000ddd
    let first = point + 1;
    while (canonical.charCodeAt(first) === CODE_0) first++;
    return { negative, digits: canonical.slice(first), exponent: point - first };
  }
  return {
    negative,
    digits: canonical.slice(start, point) + canonical.slice(point + 1),
    exponent: point - start - 1,
  };
}

/**
 * Numeric comparison of two canonical numbers: negative, zero or positive as a < b, a == b, a > b.
 */
export function compareNumbers(a: string, b: string): number {
  if (a === b) return 0;
  const aNeg = a.charCodeAt(0) === 45;
  const bNeg = b.charCodeAt(0) === 45;
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  const aZero = a === '0';
  const bZero = b === '0';
  if (aZero || bZero) {
    // Exactly one is zero (they differ); the other has the sign aNeg === bNeg.
    if (aZero) return bNeg ? 1 : -1;
    return aNeg ? -1 : 1;
  }
  const magnitude = compareMagnitudes(aNeg ? a.slice(1) : a, bNeg ? b.slice(1) : b);
  return aNeg ? -magnitude : magnitude;
}

/** Compares two non-negative canonical numbers (no sign, no leading or trailing zeros). */
function compareMagnitudes(a: string, b: string): number {
  const ap = a.indexOf('.');
  const bp = b.indexOf('.');
  const aIntLen = ap < 0 ? a.length : ap;
  const bIntLen = bp < 0 ? b.length : bp;
  // A canonical integer part has no leading zeros, except the lone "0" of a pure fraction.
  const aIntIsZero = aIntLen === 1 && a.charCodeAt(0) === CODE_0;
  const bIntIsZero = bIntLen === 1 && b.charCodeAt(0) === CODE_0;
  if (aIntIsZero !== bIntIsZero) return aIntIsZero ? -1 : 1;
  if (aIntLen !== bIntLen) return aIntLen < bIntLen ? -1 : 1;
  const aInt = a.slice(0, aIntLen);
  const bInt = b.slice(0, bIntLen);
  if (aInt !== bInt) return aInt < bInt ? -1 : 1;
  // Fractions have no trailing zeros, so plain lexicographic order is numeric order.
  const aFrac = ap < 0 ? '' : a.slice(ap + 1);
  const bFrac = bp < 0 ? '' : b.slice(bp + 1);
  if (aFrac === bFrac) return 0;
  return aFrac < bFrac ? -1 : 1;
}

const TAG_NEGATIVE = 0x01;
const TAG_ZERO = 0x02;
const TAG_POSITIVE = 0x03;

/**
 * A byte encoding of a canonical number whose unsigned lexicographic order is numeric order.
 * It is also prefix-free (no encoding is a proper prefix of another), so encoded numbers
 * can be followed by other bytes in a composite key without disturbing the order.
 *
 * Layout: a sign tag (negative 0x01, zero 0x02, positive 0x03); then for non-zero values an
 * exponent byte (exponent + 130, complemented for negatives); then one byte per significant
 * digit (digit + 1 for positives, 9 - digit + 1 for negatives) and a terminator (0x00 for
 * positives, 0xFF for negatives).
 */
export function encodeNumberOrderPreserving(canonical: string): Buffer {
  const d = decomposeCanonical(canonical);
  if (d.digits === '') return Buffer.from([TAG_ZERO]);
  const len = d.digits.length;
  const out = Buffer.allocUnsafe(len + 3);
  // The stored key format: the exponent biased by the smallest one DynamoDB accepts, 0 .. 255.
  const biased = d.exponent - LIMITS.minNumberExponent;
  if (!d.negative) {
    out[0] = TAG_POSITIVE;
    out[1] = biased;
    for (let i = 0; i < len; i++) out[i + 2] = d.digits.charCodeAt(i) - CODE_0 + 1;
    out[len + 2] = 0x00;
  } else {
    out[0] = TAG_NEGATIVE;
    out[1] = 255 - biased;
    for (let i = 0; i < len; i++) out[i + 2] = 10 - (d.digits.charCodeAt(i) - CODE_0);
    out[len + 2] = 0xff;
  }
  return out;
}

/** Inverse of encodeNumberOrderPreserving: returns the canonical string. */
export function decodeNumberOrderPreserving(encoded: Uint8Array): string {
  if (encoded[0] === TAG_ZERO) return '0';
  const negative = encoded[0] === TAG_NEGATIVE;
  const biased = negative ? 255 - encoded[1] : encoded[1];
  let digits = '';
  for (let i = 2; i < encoded.length - 1; i++) {
    digits += String.fromCharCode(CODE_0 + (negative ? 10 - encoded[i] : encoded[i] - 1));
  }
  return format({ negative, digits, exponent: biased + LIMITS.minNumberExponent });
}

/**
 * Bytes a number occupies in DynamoDB's item-size accounting: one byte for the exponent, one
 * byte per base-100 digit of the mantissa (digit pairs aligned on the decimal point, so leading
 * and trailing zero pairs are free), and one more byte for a negative number. Zero costs 1.
 *
 * This reproduces every figure captured against live DynamoDB in the public conformance suite
 * ("1" -> 2, "12" -> 2, "123" -> 3, "1.5" -> 3, "3.14159" -> 5, "1E125" -> 2, "-42" -> 3, ...).
 */
export function numberSize(canonical: string): number {
  const d = decomposeCanonical(canonical);
  return decomposedSize(d);
}

export function decomposedSize(d: DecomposedNumber): number {
  const len = d.digits.length;
  if (len === 0) return 1;
  // Digit positions run from exponent down to exponent - len + 1; base-100 pairs group
  // positions (2k+1, 2k). Count the pairs spanned.
  const high = Math.floor(d.exponent / 2);
  const low = Math.floor((d.exponent - len + 1) / 2);
  return 1 + (high - low + 1) + (d.negative ? 1 : 0);
}
