/**
 * DynamoDB's SerializationException texts for JSON values of the wrong type, as its
 * (Java) JSON binder words them. Raised as `com.amazon.coral.service#SerializationException`
 * with the message under the capitalised `Message` key.
 */
import type { AwsError } from '../../errors.js';
import { serializationException } from './exceptions.js';

export const JAVA_PACKAGE = 'com.amazonaws.dynamodb.v20120810.';

export const MSG_START_OF_STRUCTURE = 'Start of structure or map found where not expected';
export const MSG_UNEXPECTED_FIELD_TYPE = 'Unexpected field type';
export const MSG_UNEXPECTED_VALUE_TYPE = 'Unexpected value type in payload';
export const MSG_UNEXPECTED_TOKEN = 'Unexpected token received from parser';
export const MSG_NOT_BASE64 = 'only base-64-encoded strings are convertible to bytes';
/** A collection met where the binder expected a raw class (a list or map nested in a list or map). */
export const MSG_PARAMETERIZED_CAST =
  "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
  "(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')";

export function serializationError(message: string): AwsError {
  return serializationException(message);
}

/** The token name the binder reports for a JSON scalar. */
export function tokenName(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
    case 'number':
      return Number.isInteger(value) ? 'NUMBER_VALUE' : 'DECIMAL_VALUE';
    default:
      return 'STRING_VALUE';
  }
}

/** Strings the binder accepts for a Boolean member. */
const BOOLEAN_STRINGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
  ['1', true],
  ['0', false],
]);

export function booleanFromString(value: string): boolean | undefined {
  return BOOLEAN_STRINGS.get(value.toLowerCase());
}

/** Message for a value that is not a string where a String is expected, or undefined if fine. */
export function stringTypeError(value: unknown): string | undefined {
  if (typeof value === 'string') return undefined;
  if (Array.isArray(value)) return 'Unrecognized collection type class java.lang.String';
  if (typeof value === 'object') return MSG_START_OF_STRUCTURE;
  return `${tokenName(value)} cannot be converted to String`;
}

export function booleanTypeError(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'string') return booleanFromString(value) === undefined ? MSG_UNEXPECTED_TOKEN : undefined;
  if (Array.isArray(value)) return 'Unrecognized collection type class java.lang.Boolean';
  if (typeof value === 'object') return MSG_START_OF_STRUCTURE;
  return `${tokenName(value)} cannot be converted to Boolean`;
}

/** Integer, Long, Double and Date (timestamp) members take JSON numbers. */
export function numericTypeError(value: unknown, javaName: string, javaClass: string): string | undefined {
  if (typeof value === 'number') return undefined;
  if (Array.isArray(value)) return `Unrecognized collection type class ${javaClass}`;
  if (typeof value === 'object') return MSG_START_OF_STRUCTURE;
  return `${tokenName(value)} cannot be converted to ${javaName}`;
}

export function blobTypeError(value: unknown): string | undefined {
  if (typeof value === 'string') return base64Error(value);
  if (Array.isArray(value)) return 'Unrecognized collection type class java.nio.ByteBuffer';
  if (typeof value === 'object') return MSG_START_OF_STRUCTURE;
  return MSG_NOT_BASE64;
}

const BASE64_VALUES = new Int8Array(128).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) BASE64_VALUES[alphabet.charCodeAt(i)] = i;
}

function base64Value(code: number): number {
  return code < 128 ? BASE64_VALUES[code] : -1;
}

/**
 * DynamoDB's strict Base64 decoder: padded, length a multiple of 4, no stray bits in the last
 * character. Returns the error message, or undefined when the text is valid.
 */
export function base64Error(text: string): string | undefined {
  const len = text.length;
  if (len === 0) return undefined;
  if (len % 4 !== 0) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${len}`;
  let pad = 0;
  while (pad < len && text.charCodeAt(len - 1 - pad) === 61 /* = */) pad++;
  if (pad > 2) return 'Invalid last non-pad Base64 character dectected';
  const last = base64Value(text.charCodeAt(len - 1 - pad));
  if (last < 0) return `Invalid Base64 character: '${text[len - 1 - pad]}'`;
  if ((pad === 1 && (last & 0x03) !== 0) || (pad === 2 && (last & 0x0f) !== 0)) {
    return 'Invalid last non-pad Base64 character dectected';
  }
  for (let i = 0; i < len - pad; i++) {
    if (base64Value(text.charCodeAt(i)) < 0) return `Invalid Base64 character: '${text[i]}'`;
  }
  return undefined;
}

/** Decoded length of a valid Base64 string. */
export function base64DecodedLength(text: string): number {
  const len = text.length;
  if (len === 0) return 0;
  let pad = 0;
  if (text.charCodeAt(len - 1) === 61) pad++;
  if (len > 1 && text.charCodeAt(len - 2) === 61) pad++;
  return (len / 4) * 3 - pad;
}
