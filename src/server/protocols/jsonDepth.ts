const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether a JSON text nests objects and arrays deeper than `maxDepth` (the top-level value is
 * depth 1), found by one linear scan of its bytes that counts brackets outside strings, before
 * anything is parsed. JSON.parse of 13 MB of nested arrays takes seconds of one event loop
 * (measured: 2.5–4.7 s on this project's 2-core machine, where this scan takes 40 ms); a
 * validator that stops at a depth bounds only its own walk, not the parse before it.
 * Strings are skipped with indexOf (native), so a body of long strings costs little more than a
 * memchr. The text need not be valid JSON: a malformed one is the parser's to refuse.
 */
export function jsonNestingExceeds(text: Buffer, maxDepth: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const byte = text[i];
    if (byte === QUOTE) {
      i = closingQuote(text, i + 1);
      if (i < 0) return false;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Strings up to this long are walked byte by byte: cheaper than a call to indexOf (attribute names, numbers). */
const SHORT_STRING_BYTES = 32;

/** The index of the quote that ends the string starting at `from`, or -1 if it never ends. */
function closingQuote(text: Buffer, from: number): number {
  const shortEnd = Math.min(from + SHORT_STRING_BYTES, text.length);
  let at = from;
  for (; at < shortEnd; at++) {
    const byte = text[at];
    if (byte === QUOTE) return at;
    if (byte === BACKSLASH) at++;
  }
  // A long string: jump from quote to quote; one preceded by an odd run of backslashes is escaped.
  for (at = text.indexOf(QUOTE, at); at >= 0; at = text.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (text[at - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}
