import { randomBytes } from 'node:crypto';

/**
 * Request IDs and event IDs without drawing entropy per request: each is a random prefix, drawn
 * once per process (and again if its counter ever runs out), followed by a counter. IDs stay
 * unique across requests and across processes — the workers of `cove serve --workers N` are
 * separate processes started afresh (not fork(2) copies), so each draws its own prefix; two
 * event prefixes (74 random bits) coincide with probability 2^-74. Formats:
 * - request ID: DynamoDB's 52 characters of base32hex (`0-9A-V`);
 * - event ID: a UUID in version-4 layout (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`), lowercase hex.
 */

const BASE32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
const REQUEST_ID_LENGTH = 52;
/** 32^11 = 2^55 > Number.MAX_SAFE_INTEGER: the counter never needs more digits than this. */
const REQUEST_COUNTER_DIGITS = 11;
const REQUEST_PREFIX_LENGTH = REQUEST_ID_LENGTH - REQUEST_COUNTER_DIGITS;
/** The last UUID group, 12 hex digits (48 bits), is the counter; the other 74 random bits are the prefix. */
const EVENT_COUNTER_DIGITS = 12;
const EVENT_COUNTER_LIMIT = 16 ** EVENT_COUNTER_DIGITS;

let requestPrefix = '';
let requestCounter = Number.MAX_SAFE_INTEGER;
let eventPrefix = '';
let eventCounter = EVENT_COUNTER_LIMIT;

function randomBase32hex(length: number): string {
  const bytes = randomBytes(length);
  let text = '';
  for (let i = 0; i < length; i++) text += BASE32HEX[bytes[i] & 31];
  return text;
}

/** `xxxxxxxx-xxxx-4xxx-Vxxx-` (V: the RFC 4122 variant, 8 to b): a version-4 UUID but for its last group. */
function randomEventPrefix(): string {
  const bytes = randomBytes(10);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${'89ab'[bytes[9] & 3]}${hex.slice(15, 18)}-`;
}

/** DynamoDB's request IDs: 52 characters of base32hex. */
export function newRequestId(): string {
  if (requestCounter >= Number.MAX_SAFE_INTEGER) {
    requestPrefix = randomBase32hex(REQUEST_PREFIX_LENGTH);
    requestCounter = 0;
  }
  // Number#toString(32) spells base32hex in lowercase.
  return requestPrefix + (requestCounter++).toString(32).toUpperCase().padStart(REQUEST_COUNTER_DIGITS, '0');
}

/** CloudTrail's eventID: a UUID in version-4 layout. */
export function newEventId(): string {
  if (eventCounter >= EVENT_COUNTER_LIMIT) {
    eventPrefix = randomEventPrefix();
    eventCounter = 0;
  }
  return eventPrefix + (eventCounter++).toString(16).padStart(EVENT_COUNTER_DIGITS, '0');
}
