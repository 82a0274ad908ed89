/**
 * Compilation of expressions: syntax, semantic checks and placeholder rules, with DynamoDB's exact
 * messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../src/errors.js';
import { compileExpressions, isReservedWord, type ExpressionInput } from '../../src/dynamo/expressions/index.js';
import type { AttributeValue } from '../../src/dynamo/types.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';

function rejects(input: ExpressionInput, message: string): void {
  assert.throws(
    () => compileExpressions(input),
    (error: unknown) => {
      assert.ok(error instanceof AwsError, `not an AwsError: ${String(error)}`);
      assert.equal(error.type, VALIDATION);
      assert.equal(error.message, message);
      return true;
    },
    JSON.stringify(input).slice(0, 200),
  );
}

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });

function cond(expr: string, vals?: Record<string, AttributeValue>, names?: Record<string, string>): ExpressionInput {
  return { ConditionExpression: expr, ExpressionAttributeValues: vals, ExpressionAttributeNames: names };
}

describe('syntax errors', () => {
  const cases: [string, string][] = [
    ['a x b', 'Syntax error; token: "x", near: "a x b"'],
    ['a =', 'Syntax error; token: "<EOF>", near: "="'],
    ['a = b AND', 'Syntax error; token: "<EOF>", near: "AND"'],
    ['(a = b', 'Syntax error; token: "<EOF>", near: "b"'],
    ['a = b)', 'Syntax error; token: ")", near: "b)"'],
    ['a <=> b', 'Syntax error; token: ">", near: "<=> b"'],
    ['a.1 = b', 'Syntax error; token: "1", near: ".1 ="'],
    ['a[01] = b', 'Syntax error; token: "1", near: "01]"'],
    ['a[-1] = b', 'Syntax error; token: "-", near: "[-1"'],
    ['a', 'Syntax error; token: "<EOF>", near: "a"'],
    ['a = b = c', 'Syntax error; token: "=", near: "b = c"'],
    ['a + b = c', 'Syntax error; token: "+", near: "a + b"'],
  ];
  for (const [expr, message] of cases) {
    it(`ConditionExpression ${JSON.stringify(expr)}`, () => rejects(cond(expr), `Invalid ConditionExpression: ${message}`));
  }
  it('UpdateExpression', () => {
    rejects({ UpdateExpression: 'INVALID SYNTAX HERE' }, 'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"');
    rejects({ UpdateExpression: 'SET _123 = :v', ExpressionAttributeValues: { ':v': N('3') } }, 'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"');
    rejects({ UpdateExpression: 'SET a' }, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"');
    rejects({ UpdateExpression: 'ADD a b' }, 'Invalid UpdateExpression: Syntax error; token: "b", near: "a b"');
    rejects({ UpdateExpression: 'SET a = b + c + d' }, 'Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"');
  });
  it('ProjectionExpression', () => {
    rejects({ ProjectionExpression: 'a b' }, 'Invalid ProjectionExpression: Syntax error; token: "b", near: "a b"');
    rejects({ ProjectionExpression: 'a,' }, 'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","');
    rejects({ ProjectionExpression: 'size(a)' }, 'Invalid ProjectionExpression: Syntax error; token: "(", near: "size(a"');
  });
  it('keywords are case-insensitive and whitespace includes tabs and newlines', () => {
    const c = compileExpressions(cond('a\tbetween :v0\nAnD :v1 or\r\nnot b iN (:v0)', { ':v0': N('1'), ':v1': N('2') }));
    assert.equal(c.condition?.kind, 'or');
  });
});

describe('empty and oversized expressions', () => {
  it('empty expressions', () => {
    for (const label of ['ConditionExpression', 'FilterExpression', 'KeyConditionExpression', 'ProjectionExpression', 'UpdateExpression']) {
      rejects({ [label]: '' } as ExpressionInput, `Invalid ${label}: The expression can not be empty;`);
    }
  });
  it('4 KB limit (condition-type expressions report the size)', () => {
    const big = 'x'.repeat(4097);
    rejects(cond(big), 'Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097');
    rejects({ FilterExpression: big }, 'Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097');
    rejects({ UpdateExpression: big }, 'Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;');
    rejects({ ProjectionExpression: big }, 'Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;');
    // Exactly 4096 characters are fine (here: a long projection list).
    let exact = 'a0';
    for (let i = 1; exact.length + `,a${i}`.length <= 4096 - 8; i++) exact += `,a${i}`;
    exact += ',z' + 'z'.repeat(4096 - exact.length - 2);
    assert.equal(exact.length, 4096);
    assert.ok(compileExpressions({ ProjectionExpression: exact }).projection!.length > 800);
  });
});

describe('functions', () => {
  it('unknown function', () => rejects(cond('whatever(a)'), 'Invalid ConditionExpression: Invalid function name; function: whatever'));
  it('function names are case-sensitive', () =>
    rejects(cond('Attribute_Exists(a)'), 'Invalid ConditionExpression: Invalid function name; function: Attribute_Exists'));
  it('misused functions', () => {
    rejects(cond('size(a)'), 'Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size');
    rejects(
      cond('attribute_exists(a) = b'),
      'Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists',
    );
  });
  it('update-only functions in conditions', () => {
    rejects(cond('if_not_exists(a, b) = c'), 'Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists');
    rejects(cond('list_append(a, b) = c'), 'Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append');
  });
  it('condition functions in updates', () => {
    rejects({ UpdateExpression: 'SET a = size(b)' }, 'Invalid UpdateExpression: The function is not allowed in an update expression; function: size');
    rejects(
      { UpdateExpression: 'SET a = attribute_exists(b)' },
      'Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists',
    );
  });
  it('operand counts', () =>
    rejects(
      cond('attribute_exists(a, b)'),
      'Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2',
    ));
  it('document path required', () => {
    rejects(
      cond('attribute_exists(:v)', { ':v': S('a') }),
      'Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists',
    );
    rejects(
      { UpdateExpression: 'SET a = if_not_exists(:v, b)', ExpressionAttributeValues: { ':v': S('a') } },
      'Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists',
    );
  });
  it('attribute_type checks the type name', () => {
    rejects(
      cond('attribute_type(a, :t)', { ':t': S('X') }),
      'Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}',
    );
    rejects(
      cond('attribute_type(a, :t)', { ':t': N('1') }),
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N',
    );
    for (const t of ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']) compileExpressions(cond('attribute_type(a, :t)', { ':t': S(t) }));
  });
  it('operand types', () => {
    rejects(
      cond('begins_with(a, :n)', { ':n': N('1') }),
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
    );
    rejects(
      cond('size(:n) = a', { ':n': N('1') }),
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N',
    );
    rejects(
      cond('a < :a', { ':a': { SS: ['1'] } }),
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: SS',
    );
    rejects(
      cond('a < :a', { ':a': { BOOL: true } }),
      'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL',
    );
    // contains accepts any type of value.
    compileExpressions(cond('contains(a, :n)', { ':n': N('1') }));
  });
});

describe('operators', () => {
  it('BETWEEN bounds', () => {
    rejects(
      cond('a BETWEEN :b AND :a', { ':a': N('1'), ':b': N('2') }),
      'Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}',
    );
    rejects(
      cond('a BETWEEN :b AND :a', { ':a': N('1'), ':b': S('2') }),
      'Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:2}, upper bound operand: AttributeValue: {N:1}',
    );
    // Numbers compare numerically, not as text.
    compileExpressions(cond('a BETWEEN :a AND :b', { ':a': N('9'), ':b': N('10') }));
  });
  it('first operand must be distinct', () => {
    const distinct = (op: string) =>
      `Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: [a]`;
    rejects(cond('a BETWEEN a AND b'), distinct('BETWEEN'));
    rejects(cond('a IN (b, a)'), distinct('IN'));
    rejects(cond('a = a'), distinct('='));
    // Values may repeat.
    compileExpressions(cond(':a = :a', { ':a': N('1') }));
  });
  it('IN takes up to 100 operands', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `b${i}`).join(',');
    compileExpressions(cond(`a IN (${list(100)})`));
    rejects(
      cond(`a IN (${list(101)})`),
      'Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101',
    );
  });
});

describe('placeholders and names', () => {
  it('reserved words used bare', () => {
    rejects(cond('status = a'), 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status');
    rejects({ ProjectionExpression: 'pk, name' }, 'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name');
    rejects(
      { UpdateExpression: 'SET a.Data = :v', ExpressionAttributeValues: { ':v': N('1') } },
      'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Data',
    );
    assert.equal(isReservedWord('status'), true);
    assert.equal(isReservedWord('COUNT'), true);
    assert.equal(isReservedWord('pk'), false);
    // Through a name placeholder, a reserved word is fine.
    compileExpressions(cond('#s = :v', { ':v': S('x') }, { '#s': 'status' }));
  });
  it('undefined names and values', () => {
    rejects(
      cond('#x = a'),
      'Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x',
    );
    rejects(cond('a = :x'), 'Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x');
    rejects(
      { UpdateExpression: 'SET attr1 = :v' },
      'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v',
    );
  });
  it('unused names and values, across all the expressions of a request', () => {
    rejects(
      { UpdateExpression: 'SET attr1 = :v', ExpressionAttributeValues: { ':v': S('val') }, ExpressionAttributeNames: { '#unused': 'someattr' } },
      'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}',
    );
    rejects(
      { UpdateExpression: 'SET attr1 = :v', ExpressionAttributeValues: { ':v': S('val'), ':unused': S('extra') } },
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}',
    );
    // Several unused keys come in Java HashSet order.
    rejects(
      { UpdateExpression: 'remove a', ConditionExpression: 'a = :b', ExpressionAttributeValues: { ':a': S('a'), ':b': S('a'), ':c': S('a') } },
      'Value provided in ExpressionAttributeValues unused in expressions: keys: {:c, :a}',
    );
    // A value used only by the condition counts as used.
    compileExpressions({ UpdateExpression: 'REMOVE a', ConditionExpression: 'b = :v', ExpressionAttributeValues: { ':v': N('1') } });
  });
  it('map rules', () => {
    rejects({ UpdateExpression: 'SET a = :v', ExpressionAttributeValues: {} }, 'ExpressionAttributeValues must not be empty');
    rejects({ UpdateExpression: 'SET a = :v', ExpressionAttributeNames: {} }, 'ExpressionAttributeNames must not be empty');
    rejects(
      { UpdateExpression: 'SET a = :v', ExpressionAttributeNames: { a: 'b' } },
      'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"',
    );
    rejects(
      { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { v: N('1') } },
      'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"',
    );
    rejects(
      { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': { S: 'a', N: '1' } as unknown as AttributeValue } },
      'ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key :v',
    );
    rejects(
      { UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': N('abc') } },
      'ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: abc for key :v',
    );
    rejects(
      { UpdateExpression: 'SET #a = :v', ExpressionAttributeNames: { '#a': '' }, ExpressionAttributeValues: { ':v': N('1') } },
      'ExpressionAttributeNames contains invalid value: Empty attribute name for key #a',
    );
  });
  it('values are normalised (numbers canonical)', () => {
    const c = compileExpressions(cond('a = :v', { ':v': N('001.50') }));
    assert.deepEqual(c.condition, { kind: 'compare', op: '=', left: { kind: 'path', path: ['a'] }, right: { kind: 'value', value: N('1.5') } });
  });
  it('names resolve inside paths, including names that look like syntax', () => {
    const c = compileExpressions({ ProjectionExpression: '#a.#b[2].c, #d', ExpressionAttributeNames: { '#a': 'x.y', '#b': 'status', '#d': '[3]' } });
    assert.deepEqual(c.projection, [['x.y', 'status', 2, 'c'], ['[3]']]);
  });
});

describe('document paths', () => {
  it('nesting depth 32', () => {
    compileExpressions(cond('a' + '.b'.repeat(31) + ' = c'));
    rejects(cond('a' + '.b'.repeat(32) + ' = c'), 'Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33');
  });
  it('list index range', () =>
    rejects(cond('a[99999999999] = c'), 'Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999]'));
  it('projection overlap and conflict', () => {
    const overlap = 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; ';
    const conflict = 'Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; ';
    rejects({ ProjectionExpression: 'a, a.b' }, `${overlap}path one: [a], path two: [a, b]`);
    rejects({ ProjectionExpression: 'a.b, a' }, `${overlap}path one: [a, b], path two: [a]`);
    rejects({ ProjectionExpression: 'a, a' }, `${overlap}path one: [a], path two: [a]`);
    rejects({ ProjectionExpression: 'a[0], a.b' }, `${conflict}path one: [a, [0]], path two: [a, b]`);
  });
});

describe('update expressions', () => {
  const overlap = 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; ';
  const conflict = 'Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; ';
  it('sections may appear once each, in any order', () => {
    rejects({ UpdateExpression: 'SET a = b SET c = d' }, 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;');
    rejects({ UpdateExpression: 'REMOVE a REMOVE c' }, 'Invalid UpdateExpression: The "REMOVE" section can only be used once in an update expression;');
    const c = compileExpressions({
      UpdateExpression: 'remove x delete s :ss add n :n set a = :n',
      ExpressionAttributeValues: { ':n': N('1'), ':ss': { SS: ['a'] } },
    });
    assert.deepEqual(c.update?.remove, [['x']]);
    assert.equal(c.update?.delete.length, 1);
    assert.equal(c.update?.add.length, 1);
    assert.equal(c.update?.set.length, 1);
  });
  it('overlapping and conflicting paths', () => {
    rejects({ UpdateExpression: 'SET a = b, a = c' }, `${overlap}path one: [a], path two: [a]`);
    rejects({ UpdateExpression: 'SET a = b REMOVE a.b' }, `${overlap}path one: [a], path two: [a, b]`);
    rejects({ UpdateExpression: 'SET a[1] = b REMOVE a.b' }, `${conflict}path one: [a, [1]], path two: [a, b]`);
    rejects(
      { UpdateExpression: 'SET profile.nick = :v REMOVE profile', ExpressionAttributeValues: { ':v': S('x') } },
      `${overlap}path one: [profile, nick], path two: [profile]`,
    );
    rejects(
      {
        UpdateExpression: 'set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)',
        ExpressionAttributeNames: { '#c': 'c', '#d': '[3]' },
      },
      // Paths are checked last to first: #c, then c[1].a.
      `${overlap}path one: [c, [1], a], path two: [c]`,
    );
    rejects(
      { UpdateExpression: 'set #c[3].#d = a, #c.#d[3] = if_not_exists(a)', ExpressionAttributeNames: { '#c': 'c', '#d': '[3]' } },
      `${conflict}path one: [c, [3], [3]], path two: [c, [3], [3]]`,
    );
  });
  it('operand types', () => {
    rejects(
      { UpdateExpression: 'SET a = list_append(:v, b)', ExpressionAttributeValues: { ':v': S('a') } },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S',
    );
    rejects(
      { UpdateExpression: 'SET a = :v + b', ExpressionAttributeValues: { ':v': S('a') } },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S',
    );
    rejects(
      { UpdateExpression: 'ADD a :v', ExpressionAttributeValues: { ':v': S('a') } },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND',
    );
    rejects(
      { UpdateExpression: 'ADD a :v', ExpressionAttributeValues: { ':v': { L: [] } } },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND',
    );
    rejects(
      { UpdateExpression: 'DELETE a :v', ExpressionAttributeValues: { ':v': N('1') } },
      'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND',
    );
  });
  it('parenthesised arithmetic is accepted', () => {
    const c = compileExpressions({ UpdateExpression: 'SET a = (b + c)' });
    assert.deepEqual(c.update?.set[0].value, { kind: 'plus', left: { kind: 'path', path: ['b'] }, right: { kind: 'path', path: ['c'] } });
  });
});

describe('redundant parentheses', () => {
  const redundant = (label: string) => `Invalid ${label}: The expression has redundant parentheses;`;
  it('rejects doubled parentheses', () => {
    rejects({ FilterExpression: 'a=a and a > ((views))' }, redundant('FilterExpression'));
    rejects({ FilterExpression: '(a)between(((b.c)).d)and(c)' }, redundant('FilterExpression'));
    rejects({ FilterExpression: 'a=a AND ((a=a AND a=a)) AND a=a' }, redundant('FilterExpression'));
    rejects(
      {
        KeyConditionExpression: '((#pk = :pk)) AND ((#sk = :sk))',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': S('a'), ':sk': S('b') },
      },
      redundant('KeyConditionExpression'),
    );
  });
  it('accepts single parentheses', () => {
    compileExpressions({
      KeyConditionExpression: '(#pk = :pk AND #sk = :sk)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': S('a'), ':sk': S('b') },
    });
    compileExpressions(cond('(a = :v) AND (b = :v OR (c = :v))', { ':v': N('1') }));
  });
});

describe('precedence', () => {
  const vals = { ':v': N('1') };
  it('AND binds tighter than OR', () => {
    const c = compileExpressions(cond('a = :v OR b = :v AND c = :v', vals)).condition!;
    assert.equal(c.kind, 'or');
    assert.equal(c.kind === 'or' && c.right.kind, 'and');
  });
  it('NOT binds tighter than AND', () => {
    const c = compileExpressions(cond('NOT a = :v AND b = :v', vals)).condition!;
    assert.equal(c.kind, 'and');
    assert.equal(c.kind === 'and' && c.left.kind, 'not');
  });
  it('parentheses override', () => {
    const c = compileExpressions(cond('(a = :v OR b = :v) AND c = :v', vals)).condition!;
    assert.equal(c.kind, 'and');
    assert.equal(c.kind === 'and' && c.left.kind, 'or');
  });
  it('comparisons bind tighter than AND; BETWEEN takes its own AND', () => {
    const c = compileExpressions(cond('a BETWEEN :v AND :w AND b = :v', { ':v': N('1'), ':w': N('2') })).condition!;
    assert.equal(c.kind, 'and');
    assert.equal(c.kind === 'and' && c.left.kind, 'between');
  });
});

describe('key condition expressions', () => {
  const kc = (expr: string, vals: Record<string, AttributeValue> = { ':v': S('a') }) => ({
    KeyConditionExpression: expr,
    ExpressionAttributeValues: vals,
  });
  it('accepted forms', () => {
    assert.deepEqual(compileExpressions(kc('a = :v')).keyCondition, { terms: [{ name: 'a', op: 'EQ', values: [S('a')] }] });
    assert.deepEqual(compileExpressions(kc(':v < a', { ':v': N('1') })).keyCondition, {
      terms: [{ name: 'a', op: 'GT', values: [N('1')] }],
    });
    for (const [op, name] of [
      ['<', 'LT'],
      ['<=', 'LE'],
      ['>', 'GT'],
      ['>=', 'GE'],
    ]) {
      assert.deepEqual(compileExpressions(kc(`p = :v AND s ${op} :v`)).keyCondition?.terms[1], { name: 's', op: name, values: [S('a')] });
    }
    assert.deepEqual(compileExpressions(kc('p = :v AND s BETWEEN :v AND :w', { ':v': S('a'), ':w': S('b') })).keyCondition?.terms[1], {
      name: 's',
      op: 'BETWEEN',
      values: [S('a'), S('b')],
    });
    assert.deepEqual(compileExpressions(kc('begins_with(s, :v) AND p = :v')).keyCondition?.terms, [
      { name: 's', op: 'BEGINS_WITH', values: [S('a')] },
      { name: 'p', op: 'EQ', values: [S('a')] },
    ]);
  });
  it('rejected operators', () => {
    rejects(kc('a = :v OR b = :v'), 'Invalid operator used in KeyConditionExpression: OR');
    rejects(kc('a <> :v'), 'Invalid operator used in KeyConditionExpression: <>');
    rejects(kc('NOT a = :v'), 'Invalid operator used in KeyConditionExpression: NOT');
    rejects(kc('a IN (:v)'), 'Invalid operator used in KeyConditionExpression: IN');
    rejects({ KeyConditionExpression: 'attribute_exists(a)' }, 'Invalid operator used in KeyConditionExpression: attribute_exists');
    rejects(kc('contains(a, :v)'), 'Invalid operator used in KeyConditionExpression: contains');
  });
  it('rejected shapes', () => {
    rejects({ KeyConditionExpression: 'a = b' }, 'Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
    rejects(kc(':v = :v'), 'Invalid condition in KeyConditionExpression: No key attribute specified');
    rejects(kc('a = :v AND a = :v'), 'KeyConditionExpressions must only contain one condition per key');
    // Up to eight terms compile (a GSI's multi-attribute key); checkKeyCondition holds other schemas to two.
    rejects(kc(Array.from({ length: 9 }, (_, i) => `k${i} = :v`).join(' AND ')), 'Conditions can be of length 1 or 2 only');
    rejects({ KeyConditionExpression: 'a = size(b)' }, 'KeyConditionExpressions cannot contain nested operations');
    rejects(kc('a.b = :v'), 'KeyConditionExpressions cannot have conditions on nested attributes');
    rejects(
      kc('begins_with(:v, a)'),
      'Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand',
    );
    rejects(kc(':v BETWEEN a AND :v'), 'Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand');
  });
  it('operand types', () => {
    rejects(
      kc('begins_with(a, :v)', { ':v': N('1') }),
      'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
    );
    rejects(
      kc('a < :v', { ':v': { BOOL: true } }),
      'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL',
    );
  });
});
