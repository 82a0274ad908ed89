/**
 * DynamoDB's PartiQL dialect: one statement (SELECT, INSERT, UPDATE, DELETE, and EXISTS inside
 * transactions) parsed into a small AST. Values are AttributeValues: literals become them here,
 * `?` parameters are bound in order from the request's `Parameters`. Messages are DynamoDB's
 * (its ValidationException texts); a statement that does not parse is "Statement wasn't well
 * formed, can't be processed: …".
 */
import { validationError } from '../errors.js';
import type { AttributeValue } from '../types.js';

export type PathStep = { kind: 'name'; name: string } | { kind: 'index'; index: number };
export interface Path {
  kind: 'path';
  steps: PathStep[];
}
export interface Literal {
  kind: 'value';
  value: AttributeValue;
}
export interface Call {
  kind: 'call';
  name: string;
  args: Operand[];
}
export interface Arithmetic {
  kind: 'arithmetic';
  op: '+' | '-';
  left: Operand;
  right: Operand;
}
export type Operand = Path | Literal | Call | Arithmetic;

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'in'; subject: Operand; values: Operand[] }
  | { kind: 'is'; subject: Path; test: 'MISSING' | 'NULL'; negated: boolean }
  | { kind: 'function'; call: Call }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition };

export interface Source {
  table: string;
  index: string | undefined;
}

export type Returning = 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW';
export type UpdateAction = { kind: 'set'; path: Path; value: Operand } | { kind: 'remove'; path: Path };

export type Statement =
  | { kind: 'select'; projection: Path[] | '*'; source: Source; where: Condition | undefined }
  | { kind: 'insert'; table: string; item: Literal }
  | { kind: 'update'; table: string; actions: UpdateAction[]; where: Condition | undefined; returning: Returning | undefined }
  | { kind: 'delete'; table: string; where: Condition | undefined; returning: Returning | undefined }
  | { kind: 'exists'; select: Extract<Statement, { kind: 'select' }> };

type Token =
  | { kind: 'word'; text: string; upper: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string }
  | { kind: 'end' };

export function malformed(detail: string): Error {
  return validationError(`Statement wasn't well formed, can't be processed: ${detail}`);
}

const PUNCTUATION = ['<<', '>>', '<=', '>=', '<>', '!=', '(', ')', '[', ']', '{', '}', ',', '.', '*', '?', '=', '<', '>', '+', '-', ':', ';'];

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('--', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw malformed(c === "'" ? 'Unterminated string literal' : 'Unterminated quoted identifier');
        if (text[i] === c) {
          // A doubled quote stands for one.
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push(c === "'" ? { kind: 'string', text: value } : { kind: 'quoted', text: value });
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0], upper: match[0].toUpperCase() });
      i += match[0].length;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      if (!punct) throw malformed(`Unexpected character: ${c}`);
      tokens.push({ kind: 'punct', text: punct === '!=' ? '<>' : punct });
      i += punct.length;
    }
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

/** Parentheses, NOTs and literal containers nested deeper than this are refused before the parser's recursion could exhaust the stack. */
const MAX_STATEMENT_NESTING = 100;

class Parser {
  private position = 0;
  private parameterIndex = 0;
  private depth = 0;

  /** Runs a nested part of the statement one level deeper. */
  private nested<T>(read: () => T): T {
    // Unverified text: DynamoDB's answer to a statement nested this deep (values nest at most 32 levels there).
    if (++this.depth > MAX_STATEMENT_NESTING) throw malformed('Expression nesting is too deep');
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  constructor(
    private readonly tokens: Token[],
    private readonly parameters: readonly AttributeValue[],
  ) {}

  get parametersUsed(): number {
    return this.parameterIndex;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'word' && token.upper === word;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.text === text;
  }

  private expectWord(word: string): void {
    if (!this.isWord(word)) throw malformed(`Expected ${word}`);
    this.next();
  }

  private expectPunct(text: string, name: string): void {
    if (!this.isPunct(text)) throw malformed(`Expected ${name}`);
    this.next();
  }

  statement(): Statement {
    let statement: Statement;
    if (this.isWord('SELECT')) statement = this.select();
    else if (this.isWord('INSERT')) statement = this.insert();
    else if (this.isWord('UPDATE')) statement = this.update();
    else if (this.isWord('DELETE')) statement = this.deleteStatement();
    else if (this.isWord('EXISTS')) statement = this.exists();
    else throw malformed('Expected data manipulation');
    if (this.isPunct(';')) this.next();
    if (this.peek().kind !== 'end') throw malformed('Unexpected token after expression');
    return statement;
  }

  private select(): Extract<Statement, { kind: 'select' }> {
    this.expectWord('SELECT');
    let projection: Path[] | '*';
    if (this.isPunct('*')) {
      this.next();
      projection = '*';
    } else {
      projection = [this.path()];
      while (this.isPunct(',')) {
        this.next();
        if (this.isPunct('*')) throw validationError("Other attributes should not be present in the projection when '*' is used.");
        projection.push(this.path());
      }
    }
    this.expectWord('FROM');
    const table = this.identifier('table');
    let index: string | undefined;
    if (this.isPunct('.')) {
      this.next();
      index = this.identifier('index');
    }
    const where = this.optionalWhere();
    if (this.isWord('ORDER')) throw validationError('Unsupported clause: ORDER BY');
    return { kind: 'select', projection, source: { table, index }, where };
  }

  private insert(): Statement {
    this.expectWord('INSERT');
    this.expectWord('INTO');
    const table = this.identifier('table');
    if (this.isWord('VALUES')) throw validationError('Unsupported operation: Inserting multiple items in a single statement is not supported, use "INSERT INTO tableName VALUE item" instead');
    this.expectWord('VALUE');
    const item = this.operand();
    if (item.kind !== 'value' || !('M' in item.value)) throw validationError('Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.');
    if (this.isWord('RETURNING')) throw validationError('RETURNING is not supported in INSERT');
    return { kind: 'insert', table, item };
  }

  private update(): Statement {
    this.expectWord('UPDATE');
    const table = this.identifier('table');
    const actions: UpdateAction[] = [];
    while (this.isWord('SET') || this.isWord('REMOVE')) {
      const keyword = (this.next() as { upper: string }).upper;
      do {
        if (actions.length > 0 && this.isPunct(',')) this.next();
        const path = this.path();
        if (keyword === 'REMOVE') {
          actions.push({ kind: 'remove', path });
        } else {
          this.expectPunct('=', 'EQUALS');
          actions.push({ kind: 'set', path, value: this.valueExpression() });
        }
      } while (this.isPunct(','));
    }
    if (actions.length === 0) throw malformed('Expected SET or REMOVE');
    const where = this.optionalWhere();
    return { kind: 'update', table, actions, where, returning: this.returning() };
  }

  private deleteStatement(): Statement {
    this.expectWord('DELETE');
    this.expectWord('FROM');
    const table = this.identifier('table');
    const where = this.optionalWhere();
    const returning = this.returning();
    if (returning !== undefined && returning !== 'ALL_OLD') throw validationError(`Invalid returning clause: RETURNING ${returning.replace('UPDATED', 'MODIFIED').replace('_', ' ')} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`);
    return { kind: 'delete', table, where, returning };
  }

  private exists(): Statement {
    this.expectWord('EXISTS');
    this.expectPunct('(', 'LEFT_PAREN');
    const select = this.select();
    this.expectPunct(')', 'RIGHT_PAREN');
    return { kind: 'exists', select };
  }

  private returning(): Returning | undefined {
    if (!this.isWord('RETURNING')) return undefined;
    this.next();
    const which = this.next();
    const age = this.next();
    if (which.kind !== 'word' || age.kind !== 'word' || !['ALL', 'MODIFIED'].includes(which.upper) || !['OLD', 'NEW'].includes(age.upper)) throw malformed('Expected ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause');
    if (!this.isPunct('*')) throw validationError("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    this.next();
    return `${which.upper === 'ALL' ? 'ALL' : 'UPDATED'}_${age.upper}` as Returning;
  }

  private optionalWhere(): Condition | undefined {
    if (!this.isWord('WHERE')) return undefined;
    this.next();
    return this.or();
  }

  private identifier(what: string): string {
    const token = this.next();
    if (token.kind === 'quoted' || token.kind === 'word') return token.text;
    throw malformed(`Expected identifier for ${what}`);
  }

  private or(): Condition {
    let left = this.and();
    while (this.isWord('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.isWord('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (this.isWord('NOT')) {
      this.next();
      return { kind: 'not', operand: this.nested(() => this.not()) };
    }
    return this.predicate();
  }

  private predicate(): Condition {
    if (this.isPunct('(')) {
      // A parenthesized condition (an operand never starts with a parenthesis).
      this.next();
      const inner = this.nested(() => this.or());
      this.expectPunct(')', 'RIGHT_PAREN');
      return inner;
    }
    const subject = this.operand();
    if (subject.kind === 'call' && (this.peek().kind === 'end' || this.isWord('AND') || this.isWord('OR') || this.isPunct(')') || this.isWord('RETURNING'))) return { kind: 'function', call: subject };
    if (this.isWord('IS')) {
      this.next();
      const negated = this.isWord('NOT');
      if (negated) this.next();
      const test = this.next();
      if (test.kind !== 'word' || (test.upper !== 'MISSING' && test.upper !== 'NULL')) throw validationError(`Unsupported data type for IS operator: ${test.kind === 'word' ? test.upper : '?'}. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]`);
      if (subject.kind !== 'path') throw validationError('The left hand side argument to IS must be a Variable Reference, Literal, or Path');
      return { kind: 'is', subject, test: test.upper, negated };
    }
    if (this.isWord('BETWEEN')) {
      this.next();
      const low = this.operand();
      this.expectWord('AND');
      return { kind: 'between', subject, low, high: this.operand() };
    }
    if (this.isWord('IN')) {
      this.next();
      const list = this.operand();
      if (subject.kind !== 'path' || list.kind !== 'value' || !('L' in list.value) || list.value.L.length === 0) {
        throw validationError('IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member');
      }
      return { kind: 'in', subject, values: list.value.L.map((value) => ({ kind: 'value', value })) };
    }
    const op = this.next();
    if (op.kind !== 'punct' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) throw malformed('Expected comparison operator');
    return { kind: 'compare', op: op.text as Comparator, left: subject, right: this.operand() };
  }

  /** The right side of SET: an operand, or two joined by + or -. */
  private valueExpression(): Operand {
    let left = this.operand();
    while (this.isPunct('+') || this.isPunct('-')) {
      const op = (this.next() as { text: '+' | '-' }).text;
      left = { kind: 'arithmetic', op, left, right: this.operand() };
    }
    return left;
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === '?') {
      this.next();
      const value = this.parameters[this.parameterIndex++];
      if (value === undefined) throw validationError("Number of parameters in request and statement don't match.");
      return { kind: 'value', value };
    }
    if (token.kind === 'word' && this.peek(1).kind === 'punct' && (this.peek(1) as { text: string }).text === '(' && !['TRUE', 'FALSE', 'NULL', 'MISSING'].includes(token.upper)) {
      this.next();
      this.next();
      return this.nested(() => this.call(token.text));
    }
    if (token.kind === 'word' && ['TRUE', 'FALSE', 'NULL'].includes(token.upper)) {
      this.next();
      return { kind: 'value', value: token.upper === 'NULL' ? { NULL: true } : { BOOL: token.upper === 'TRUE' } };
    }
    if (token.kind === 'word' && token.upper === 'MISSING') throw validationError('MISSING must be compared using IS operator');
    if (token.kind === 'word' || token.kind === 'quoted') return this.path();
    return { kind: 'value', value: this.literal() };
  }

  /** A function's arguments, its name and `(` read. */
  private call(name: string): Call {
    const args: Operand[] = [];
    if (!this.isPunct(')')) {
      args.push(this.valueExpression());
      while (this.isPunct(',')) {
        this.next();
        args.push(this.valueExpression());
      }
    }
    this.expectPunct(')', 'RIGHT_PAREN');
    return { kind: 'call', name: name.toLowerCase(), args };
  }

  private path(): Path {
    const first = this.next();
    if (first.kind !== 'word' && first.kind !== 'quoted') {
      if (first.kind === 'punct' && first.text === '[') throw validationError('A path cannot start with a list index');
      throw malformed('Expected path');
    }
    const steps: PathStep[] = [{ kind: 'name', name: first.text }];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const name = this.next();
        if (name.kind === 'punct' && name.text === '*') throw validationError('Unpivot path component like a.*.b are not supported');
        if (name.kind !== 'word' && name.kind !== 'quoted') throw malformed('Expected identifier after .');
        steps.push({ kind: 'name', name: name.text });
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.next();
        if (index.kind === 'punct' && index.text === '*') throw validationError('Wildcard path component like a[*].b are not supported');
        if (index.kind === 'string') steps.push({ kind: 'name', name: index.text });
        else if (index.kind === 'number' && /^\d+$/.test(index.text)) steps.push({ kind: 'index', index: Number(index.text) });
        else throw validationError(`List index is not within the allowable range; index: [${index.kind === 'number' ? index.text : '?'}]`);
        this.expectPunct(']', 'RIGHT_BRACKET');
      } else {
        return { kind: 'path', steps };
      }
    }
  }

  /** A literal value: string, number, list, struct (map) or bag (set). */
  private literal(): AttributeValue {
    const token = this.next();
    if (token.kind === 'string') return { S: token.text };
    if (token.kind === 'number') return { N: token.text };
    if (token.kind === 'punct' && token.text === '-' && this.peek().kind === 'number') return { N: `-${(this.next() as { text: string }).text}` };
    if (token.kind === 'punct' && token.text === '?') throw malformed('Unexpected parameter');
    if (token.kind === 'punct' && token.text === '[') return { L: this.nested(() => this.sequence(']', () => this.element())) };
    if (token.kind === 'punct' && token.text === '{') return { M: this.nested(() => this.struct()) };
    if (token.kind === 'punct' && token.text === '<<') return this.nested(() => this.bag());
    throw malformed(`Unexpected ${token.kind === 'end' ? 'end of statement' : `token: ${'text' in token ? token.text : ''}`}`);
  }

  /** A value inside a list, struct or bag: a literal or a parameter. */
  private element(): AttributeValue {
    const operand = this.operand();
    if (operand.kind !== 'value') throw validationError('Unsupported token in expression: path');
    return operand.value;
  }

  private sequence<T>(close: string, read: () => T): T[] {
    const out: T[] = [];
    if (this.isPunct(close)) {
      this.next();
      return out;
    }
    out.push(read());
    while (this.isPunct(',')) {
      this.next();
      out.push(read());
    }
    this.expectPunct(close, close === ']' ? 'RIGHT_BRACKET' : close === '}' ? 'RIGHT_CURLY' : 'RIGHT_ANGLE_DOUBLE_BRACKET');
    return out;
  }

  private struct(): Record<string, AttributeValue> {
    // Attribute names are the user's: no prototype to collide with.
    const out = Object.create(null) as Record<string, AttributeValue>;
    this.sequence('}', () => {
      const key = this.element();
      if (!('S' in key)) throw validationError(`Tuple keys must be of type String. Actual type: ${Object.keys(key)[0]} under struct`);
      this.expectPunct(':', 'COLON');
      if (Object.hasOwn(out, key.S)) throw validationError(`Duplicate keys in tuple. Key: ${key.S} under struct`);
      out[key.S] = this.element();
    });
    return out;
  }

  private bag(): AttributeValue {
    const members = this.sequence('>>', () => this.element());
    if (members.length === 0) throw validationError('Empty bags are not supported');
    if (members.every((m) => 'S' in m)) return { SS: members.map((m) => (m as { S: string }).S) };
    if (members.every((m) => 'N' in m)) return { NS: members.map((m) => (m as { N: string }).N) };
    if (members.every((m) => 'B' in m)) return { BS: members.map((m) => (m as { B: string }).B) };
    throw validationError('Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags');
  }
}

/** One statement, with its `?` parameters bound in order; every parameter must be used. */
export function parseStatement(text: string, parameters: readonly AttributeValue[] = []): Statement {
  const parser = new Parser(lex(text), parameters);
  const statement = parser.statement();
  if (parser.parametersUsed !== parameters.length) throw validationError("Number of parameters in request and statement don't match.");
  return statement;
}
