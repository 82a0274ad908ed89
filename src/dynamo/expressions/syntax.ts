/**
 * Recursive-descent parser for DynamoDB's expression grammar. It accepts exactly the grammar
 * DynamoDB's (ANTLR) parser accepts and reports the same offending token:
 *
 *   projection : path (',' path)* EOF
 *   condition  : operand comparator operand | operand IN '(' operand (',' operand)* ')'
 *              | operand BETWEEN operand AND operand | function | '(' condition ')'
 *              | NOT condition | condition AND condition | condition OR condition
 *                (NOT binds tightest, then AND, then OR; AND and OR associate to the right)
 *   update     : (SET set_action (',' set_action)* | ADD path literal (',' ...)*
 *              | DELETE path literal (',' ...)* | REMOVE path (',' path)*)+ EOF
 *   set_action : path '=' (operand | operand ('+'|'-') operand | '(' arithmetic ')')
 *   operand    : path | literal | function | '(' operand ')'
 *   function   : ID '(' operand (',' operand)* ')'
 *   path       : (ID | #name) ('.' (ID | #name) | '[' INDEX ']' | '.' :value)*
 *
 * Parenthesising something already parenthesised (`((a = b))`, `((x)) > y`, `SET a = ((b + c))`)
 * raises "The expression has redundant parentheses;". DynamoDB raises it while parsing, so it
 * wins over a syntax error the parser has not yet looked at; the `frontier` bookkeeping below
 * reproduces how far DynamoDB's parser has looked ahead when it finds the parentheses.
 *
 * The result is a raw tree (placeholders unresolved) for the semantic passes in semantics.ts.
 */
import { T, type Tokens, syntaxErrorMessage, tokenize } from './lexer.js';

export type RPathElement =
  | { readonly k: 'id'; readonly text: string }
  | { readonly k: 'name'; readonly text: string }
  | { readonly k: 'index'; readonly digits: string }
  | { readonly k: 'valueref'; readonly text: string };

export interface RPath {
  readonly k: 'path';
  readonly elements: readonly RPathElement[];
}

export interface RValue {
  readonly k: 'value';
  readonly text: string;
}

export interface RCall {
  readonly k: 'call';
  readonly name: string;
  readonly args: readonly ROperand[];
}

export type ROperand = RPath | RValue | RCall;

export interface RArith {
  readonly k: 'arith';
  readonly op: '+' | '-';
  readonly left: ROperand;
  readonly right: ROperand;
}

export type RComparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type RCondition =
  | { readonly k: 'cmp'; readonly op: RComparator; readonly left: ROperand; readonly right: ROperand }
  | { readonly k: 'in'; readonly left: ROperand; readonly list: readonly ROperand[] }
  | { readonly k: 'between'; readonly left: ROperand; readonly low: ROperand; readonly high: ROperand }
  | { readonly k: 'fcond'; readonly call: RCall }
  | { readonly k: 'and' | 'or'; readonly left: RCondition; readonly right: RCondition }
  | { readonly k: 'not'; readonly operand: RCondition };

export type RSectionKind = 'SET' | 'ADD' | 'DELETE' | 'REMOVE';

export interface RAction {
  readonly path: RPath;
  /** SET: operand or arithmetic; ADD/DELETE: the literal; REMOVE: undefined. */
  readonly value?: ROperand | RArith;
}

export interface RSection {
  readonly kind: RSectionKind;
  readonly actions: readonly RAction[];
}

/** Thrown for any syntax problem; carries DynamoDB's message (without the "Invalid X: " prefix). */
export class ExpressionSyntaxError extends Error {}

export const MSG_REDUNDANT_PARENS = 'The expression has redundant parentheses;';

class Failure {
  constructor(readonly index: number) {}
}

type Unit =
  | { readonly kind: 'cond'; readonly cond: RCondition; readonly parens: boolean }
  | { readonly kind: 'operand'; readonly operand: ROperand; readonly parens: boolean }
  | { readonly kind: 'func'; readonly call: RCall; readonly parens: boolean };

type ArithUnit =
  | { readonly kind: 'operand'; readonly operand: ROperand; readonly parens: boolean }
  | { readonly kind: 'arith'; readonly arith: RArith; readonly parens: boolean };

const COMPARATORS: Partial<Record<T, RComparator>> = {
  [T.EQ]: '=',
  [T.NE]: '<>',
  [T.LT]: '<',
  [T.LE]: '<=',
  [T.GT]: '>',
  [T.GE]: '>=',
};

class Parser {
  private pos = 0;
  /** The furthest token index examined so far. */
  private frontier = 0;
  /** Redundant parentheses found, with the lookahead frontier in force when DynamoDB finds them. */
  private readonly redundant: number[] = [];

  constructor(private readonly t: Tokens) {}

  private la(k = 1): T {
    const i = Math.min(this.pos + k - 1, this.t.count - 1);
    if (i > this.frontier) this.frontier = i;
    return this.t.type[i] as T;
  }

  private text(i: number): string {
    return this.t.source.slice(this.t.start[i], this.t.end[i]);
  }

  private next(): number {
    const i = this.pos;
    if (i < this.t.count - 1) this.pos++;
    return i;
  }

  private fail(): never {
    throw new Failure(this.pos);
  }

  private expect(type: T): number {
    if (this.la() !== type) this.fail();
    return this.next();
  }

  private markRedundant(): void {
    this.redundant.push(Math.max(this.frontier, this.pos - 1));
  }

  /** Redundancies found since `mark` were found after DynamoDB had looked ahead to here. */
  private extendWindow(mark: number): void {
    for (let i = mark; i < this.redundant.length; i++) {
      if (this.redundant[i] < this.frontier) this.redundant[i] = this.frontier;
    }
  }

  run<R>(parse: () => R): R {
    let result: R;
    try {
      result = parse();
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      if (this.redundant.some((frontier) => frontier < error.index)) {
        throw new ExpressionSyntaxError(MSG_REDUNDANT_PARENS);
      }
      throw new ExpressionSyntaxError(syntaxErrorMessage(this.t, error.index));
    }
    if (this.redundant.length > 0) throw new ExpressionSyntaxError(MSG_REDUNDANT_PARENS);
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Paths, operands, functions
  // ---------------------------------------------------------------------------------------------

  path(): RPath {
    const head = this.la();
    if (head !== T.ID && head !== T.NAME) this.fail();
    const elements: RPathElement[] = [];
    const i = this.next();
    elements.push(head === T.ID ? { k: 'id', text: this.text(i) } : { k: 'name', text: this.text(i) });
    for (;;) {
      const t = this.la();
      if (t === T.DOT) {
        this.next();
        const u = this.la();
        if (u === T.ID) elements.push({ k: 'id', text: this.text(this.next()) });
        else if (u === T.NAME) elements.push({ k: 'name', text: this.text(this.next()) });
        else if (u === T.VALUE) elements.push({ k: 'valueref', text: this.text(this.next()) });
        else this.fail();
      } else if (t === T.LBRACKET) {
        this.next();
        const index = this.expect(T.INDEX);
        this.expect(T.RBRACKET);
        elements.push({ k: 'index', digits: this.text(index) });
      } else {
        return { k: 'path', elements };
      }
    }
  }

  call(): RCall {
    const name = this.text(this.next());
    this.expect(T.LPAREN);
    const args: ROperand[] = [this.operand().operand];
    while (this.la() === T.COMMA) {
      this.next();
      args.push(this.operand().operand);
    }
    this.expect(T.RPAREN);
    return { k: 'call', name, args };
  }

  /** The `operand` rule: path | literal | function | '(' operand ')'. */
  operand(): { operand: ROperand; parens: boolean } {
    const t = this.la();
    if (t === T.LPAREN) {
      this.next();
      const inner = this.operand();
      this.expect(T.RPAREN);
      if (inner.parens) this.markRedundant();
      return { operand: inner.operand, parens: true };
    }
    if (t === T.VALUE) return { operand: { k: 'value', text: this.text(this.next()) }, parens: false };
    if (t === T.ID && this.la(2) === T.LPAREN) return { operand: this.call(), parens: false };
    if (t === T.ID || t === T.NAME) return { operand: this.path(), parens: false };
    this.fail();
  }

  // ---------------------------------------------------------------------------------------------
  // Conditions
  // ---------------------------------------------------------------------------------------------

  conditionExpression(): RCondition {
    const c = this.condition(0);
    if (this.la() !== T.EOF) this.fail();
    return c;
  }

  /** condition(p): a primary followed by AND (precedence 2) / OR (1) chains, right-associative. */
  private condition(p: number): RCondition {
    return this.continueCondition(this.primary(), p);
  }

  private continueCondition(left: RCondition, p: number): RCondition {
    for (;;) {
      const t = this.la();
      if (t === T.AND && p <= 2) {
        this.next();
        left = { k: 'and', left, right: this.condition(2) };
      } else if (t === T.OR && p <= 1) {
        this.next();
        left = { k: 'or', left, right: this.condition(1) };
      } else {
        return left;
      }
    }
  }

  private primary(): RCondition {
    const mark = this.redundant.length;
    const unit = this.unit();
    if (unit.kind === 'cond') return unit.cond;
    const t = this.la();
    this.extendWindow(mark);
    const lead = unit.kind === 'func' ? unit.call : unit.operand;
    if (COMPARATORS[t] !== undefined || t === T.IN || t === T.BETWEEN) return this.comparison(lead);
    if (unit.kind === 'func') return { k: 'fcond', call: unit.call };
    this.fail();
  }

  /** A condition's first unit: NOT..., a parenthesised group, a function call or an operand. */
  private unit(): Unit {
    const t = this.la();
    if (t === T.NOT) {
      this.next();
      return { kind: 'cond', cond: { k: 'not', operand: this.condition(3) }, parens: false };
    }
    if (t === T.LPAREN) {
      this.next();
      const inner = this.groupInner();
      this.expect(T.RPAREN);
      if (inner.parens) this.markRedundant();
      return { ...inner, parens: true };
    }
    if (t === T.ID && this.la(2) === T.LPAREN) return { kind: 'func', call: this.call(), parens: false };
    const operand = this.operand();
    return { kind: 'operand', operand: operand.operand, parens: false };
  }

  /** Inside '(' ... ')' at a condition position: a whole condition, or a bare operand/function. */
  private groupInner(): Unit {
    const mark = this.redundant.length;
    const unit = this.unit();
    if (unit.kind !== 'cond') {
      const t = this.la();
      this.extendWindow(mark);
      const lead = unit.kind === 'func' ? unit.call : unit.operand;
      if (COMPARATORS[t] !== undefined || t === T.IN || t === T.BETWEEN) {
        return { kind: 'cond', cond: this.continueCondition(this.comparison(lead), 0), parens: false };
      }
      if (unit.kind === 'func' && (t === T.AND || t === T.OR)) {
        return { kind: 'cond', cond: this.continueCondition({ k: 'fcond', call: unit.call }, 0), parens: false };
      }
      return unit;
    }
    const cond = this.continueCondition(unit.cond, 0);
    return cond === unit.cond ? unit : { kind: 'cond', cond, parens: false };
  }

  private comparison(left: ROperand): RCondition {
    const t = this.la();
    const op = COMPARATORS[t];
    if (op !== undefined) {
      this.next();
      return { k: 'cmp', op, left, right: this.operand().operand };
    }
    if (t === T.IN) {
      this.next();
      this.expect(T.LPAREN);
      const list: ROperand[] = [this.operand().operand];
      while (this.la() === T.COMMA) {
        this.next();
        list.push(this.operand().operand);
      }
      this.expect(T.RPAREN);
      return { k: 'in', left, list };
    }
    this.expect(T.BETWEEN);
    const low = this.operand().operand;
    this.expect(T.AND);
    const high = this.operand().operand;
    return { k: 'between', left, low, high };
  }

  // ---------------------------------------------------------------------------------------------
  // Updates
  // ---------------------------------------------------------------------------------------------

  updateExpression(): RSection[] {
    const sections: RSection[] = [];
    for (;;) {
      const t = this.la();
      let kind: RSectionKind;
      if (t === T.SET) kind = 'SET';
      else if (t === T.ADD) kind = 'ADD';
      else if (t === T.DELETE) kind = 'DELETE';
      else if (t === T.REMOVE) kind = 'REMOVE';
      else if (sections.length > 0 && t === T.EOF) return sections;
      else this.fail();
      this.next();
      const actions: RAction[] = [this.action(kind)];
      while (this.la() === T.COMMA) {
        this.next();
        actions.push(this.action(kind));
      }
      sections.push({ kind, actions });
    }
  }

  private action(kind: RSectionKind): RAction {
    const path = this.path();
    if (kind === 'REMOVE') return { path };
    if (kind === 'SET') {
      this.expect(T.EQ);
      return { path, value: this.setValue() };
    }
    return { path, value: { k: 'value', text: this.text(this.expect(T.VALUE)) } };
  }

  private setValue(): ROperand | RArith {
    const mark = this.redundant.length;
    const unit = this.arithUnit();
    if (unit.kind === 'arith') return unit.arith;
    const t = this.la();
    this.extendWindow(mark);
    if (t === T.PLUS || t === T.MINUS) return this.arithmetic(unit.operand);
    return unit.operand;
  }

  private arithmetic(left: ROperand): RArith {
    const op = this.la() === T.PLUS ? '+' : '-';
    this.next();
    return { k: 'arith', op, left, right: this.operand().operand };
  }

  /** A set value's first unit: '(' arithmetic-or-operand ')' or an operand. */
  private arithUnit(): ArithUnit {
    if (this.la() !== T.LPAREN) {
      const operand = this.operand();
      return { kind: 'operand', operand: operand.operand, parens: false };
    }
    this.next();
    const mark = this.redundant.length;
    let inner = this.arithUnit();
    if (inner.kind === 'operand') {
      const t = this.la();
      this.extendWindow(mark);
      if (t === T.PLUS || t === T.MINUS) inner = { kind: 'arith', arith: this.arithmetic(inner.operand), parens: false };
    }
    this.expect(T.RPAREN);
    if (inner.parens) this.markRedundant();
    return { ...inner, parens: true };
  }

  // ---------------------------------------------------------------------------------------------
  // Projections
  // ---------------------------------------------------------------------------------------------

  projectionExpression(): RPath[] {
    const paths = [this.path()];
    while (this.la() === T.COMMA) {
      this.next();
      paths.push(this.path());
    }
    if (this.la() !== T.EOF) this.fail();
    return paths;
  }
}

export function parseCondition(source: string): RCondition {
  const parser = new Parser(tokenize(source));
  return parser.run(() => parser.conditionExpression());
}

export function parseUpdate(source: string): RSection[] {
  const parser = new Parser(tokenize(source));
  return parser.run(() => parser.updateExpression());
}

export function parseProjection(source: string): RPath[] {
  const parser = new Parser(tokenize(source));
  return parser.run(() => parser.projectionExpression());
}
