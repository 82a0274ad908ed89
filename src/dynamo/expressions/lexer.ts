/**
 * The lexer of DynamoDB's expression grammar (one lexer for condition, update and projection
 * expressions), reproducing its tokenisation exactly because syntax errors quote tokens:
 *
 * - whitespace is space, tab, CR and LF only (hidden; quoted in "near" text);
 * - punctuation `, ( ) . [ ]`, comparators `= <> < <= > >=`, `+ -`;
 * - keywords IN BETWEEN NOT AND OR SET ADD DELETE REMOVE, case-insensitive, only when the whole
 *   identifier is the keyword (`index` is an identifier);
 * - INDEX: `0` or a non-zero digit followed by digits (so `007` is three tokens);
 * - ID: an ASCII letter followed by letters, digits and `_` (`_a` is the unknown token `_`
 *   followed by `a`);
 * - `#` and `:` followed by at least one letter, digit or `_`: name and value placeholders;
 * - anything else: a one-character UNKNOWN token (per UTF-16 unit, as the Java lexer reads).
 */

export const enum T {
  COMMA,
  LPAREN,
  RPAREN,
  DOT,
  LBRACKET,
  RBRACKET,
  EQ,
  NE,
  LT,
  LE,
  GT,
  GE,
  PLUS,
  MINUS,
  IN,
  BETWEEN,
  NOT,
  AND,
  OR,
  SET,
  ADD,
  DELETE,
  REMOVE,
  INDEX,
  ID,
  NAME,
  VALUE,
  UNKNOWN,
  EOF,
}

export interface Tokens {
  readonly source: string;
  readonly type: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Number of tokens, the final EOF included. */
  readonly count: number;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isIdChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 95;
}

/** Keyword type for an identifier-shaped run, or T.ID. */
function keyword(src: string, start: number, end: number): T {
  const len = end - start;
  if (len < 2 || len > 7) return T.ID;
  // Case-insensitive compare against the nine keywords, by length.
  const w = src.slice(start, end).toUpperCase();
  switch (len) {
    case 2:
      return w === 'IN' ? T.IN : w === 'OR' ? T.OR : T.ID;
    case 3:
      return w === 'NOT' ? T.NOT : w === 'AND' ? T.AND : w === 'SET' ? T.SET : w === 'ADD' ? T.ADD : T.ID;
    case 6:
      return w === 'DELETE' ? T.DELETE : w === 'REMOVE' ? T.REMOVE : T.ID;
    case 7:
      return w === 'BETWEEN' ? T.BETWEEN : T.ID;
    default:
      return T.ID;
  }
}

export function tokenize(src: string): Tokens {
  const n = src.length;
  // At most one token per character, plus EOF.
  const type = new Uint8Array(n + 1);
  const start = new Int32Array(n + 1);
  const end = new Int32Array(n + 1);
  let count = 0;
  let i = 0;
  const push = (t: T, s: number, e: number): void => {
    type[count] = t;
    start[count] = s;
    end[count] = e;
    count++;
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const s = i;
    switch (c) {
      case 44:
        push(T.COMMA, s, ++i);
        continue;
      case 40:
        push(T.LPAREN, s, ++i);
        continue;
      case 41:
        push(T.RPAREN, s, ++i);
        continue;
      case 46:
        push(T.DOT, s, ++i);
        continue;
      case 91:
        push(T.LBRACKET, s, ++i);
        continue;
      case 93:
        push(T.RBRACKET, s, ++i);
        continue;
      case 61:
        push(T.EQ, s, ++i);
        continue;
      case 43:
        push(T.PLUS, s, ++i);
        continue;
      case 45:
        push(T.MINUS, s, ++i);
        continue;
      case 60: {
        const d = i + 1 < n ? src.charCodeAt(i + 1) : -1;
        if (d === 62) {
          i += 2;
          push(T.NE, s, i);
        } else if (d === 61) {
          i += 2;
          push(T.LE, s, i);
        } else push(T.LT, s, ++i);
        continue;
      }
      case 62: {
        if (i + 1 < n && src.charCodeAt(i + 1) === 61) {
          i += 2;
          push(T.GE, s, i);
        } else push(T.GT, s, ++i);
        continue;
      }
      case 35:
      case 58: {
        let j = i + 1;
        while (j < n && isIdChar(src.charCodeAt(j))) j++;
        if (j === i + 1) {
          push(T.UNKNOWN, s, ++i);
        } else {
          push(c === 35 ? T.NAME : T.VALUE, s, j);
          i = j;
        }
        continue;
      }
      default:
        break;
    }
    if (c >= 48 && c <= 57) {
      if (c === 48) {
        push(T.INDEX, s, ++i);
        continue;
      }
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d < 48 || d > 57) break;
        j++;
      }
      push(T.INDEX, s, j);
      i = j;
      continue;
    }
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && isIdChar(src.charCodeAt(j))) j++;
      push(keyword(src, i, j), s, j);
      i = j;
      continue;
    }
    push(T.UNKNOWN, s, ++i);
  }
  push(T.EOF, n, n);
  return { source: src, type, start, end, count };
}

export function tokenText(tokens: Tokens, index: number): string {
  if (tokens.type[index] === T.EOF) return '<EOF>';
  return tokens.source.slice(tokens.start[index], tokens.end[index]);
}

/**
 * DynamoDB's syntax error text: the offending token and the text from the previous token to
 * the next one, whitespace between them included (the parser's error listener concatenates the
 * previous token, the hidden whitespace tokens around the offending token and the next token;
 * EOF contributes no text to "near").
 */
export function syntaxErrorMessage(tokens: Tokens, index: number): string {
  const src = tokens.source;
  const from = index > 0 ? tokens.start[index - 1] : 0;
  let to: number;
  if (tokens.type[index] === T.EOF) to = src.length;
  else if (index + 1 < tokens.count && tokens.type[index + 1] !== T.EOF) to = tokens.end[index + 1];
  else to = src.length;
  return `Syntax error; token: "${tokenText(tokens, index)}", near: "${src.slice(from, to)}"`;
}
