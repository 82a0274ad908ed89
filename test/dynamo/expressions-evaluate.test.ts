/**
 * Evaluation of conditions and projections.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareUtf8, compileExpressions, evaluateCondition, project, valuesEqual } from '../../src/dynamo/expressions/index.js';
import type { AttributeValue, Item } from '../../src/dynamo/types.js';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
const B = (...bytes: number[]): AttributeValue => ({ B: Buffer.from(bytes).toString('base64') });

/** Evaluates `expr` on `item`; placeholders :a, :b, ... take `vals` in order. */
function check(expr: string, item: Item | undefined, ...vals: AttributeValue[]): boolean {
  const values: Record<string, AttributeValue> = {};
  vals.forEach((v, i) => (values[`:${String.fromCharCode(97 + i)}`] = v));
  const compiled = compileExpressions({
    ConditionExpression: expr,
    ExpressionAttributeValues: vals.length > 0 ? values : undefined,
  });
  return evaluateCondition(compiled.condition!, item);
}

const item: Item = {
  id: S('x'),
  n: N('10'),
  s: S('abc'),
  b: B(1, 2, 3),
  t: { BOOL: true },
  z: { NULL: true },
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2.5'] },
  bs: { BS: [Buffer.from([1]).toString('base64')] },
  l: { L: [S('p'), N('2'), { M: { q: S('deep') } }] },
  m: { M: { k: S('v'), deep1: { M: { lst: { L: [N('1'), N('2'), N('3'), { M: { c: S('found') } }] } } } } },
  blank: { S: '' },
};

describe('comparators', () => {
  it('= and <> on every type', () => {
    assert.equal(check('n = :a', item, N('10.0')), true);
    assert.equal(check('n = :a', item, N('1E1')), true);
    assert.equal(check('n <> :a', item, N('10')), false);
    assert.equal(check('s = :a', item, S('abc')), true);
    assert.equal(check('b = :a', item, B(1, 2, 3)), true);
    assert.equal(check('t = :a', item, { BOOL: true }), true);
    assert.equal(check('t = :a', item, { BOOL: false }), false);
    assert.equal(check('z = :a', item, { NULL: true }), true);
    assert.equal(check('ss = :a', item, { SS: ['b', 'a'] }), true, 'sets compare as sets');
    assert.equal(check('ns = :a', item, { NS: ['2.50', '1'] }), true);
    assert.equal(check('l = :a', item, { L: [S('p'), N('2'), { M: { q: S('deep') } }] }), true);
    assert.equal(check('l = :a', item, { L: [N('2'), S('p'), { M: { q: S('deep') } }] }), false, 'lists are ordered');
    assert.equal(check('m.k = :a', item, S('v')), true);
  });
  it('different types are unequal, never an error', () => {
    assert.equal(check('n = :a', item, S('10')), false);
    assert.equal(check('n <> :a', item, S('10')), true);
    assert.equal(check('n < :a', item, S('99')), false);
    assert.equal(check('n >= :a', item, S('1')), false);
  });
  it('missing attributes', () => {
    assert.equal(check('nope = :a', item, N('1')), false);
    assert.equal(check('nope <> :a', item, N('1')), true);
    assert.equal(check('nope < :a', item, N('1')), false);
    assert.equal(check('nope = :a', undefined, N('1')), false);
    assert.equal(check('nope <> :a', undefined, N('1')), true);
  });
  it('numbers order numerically', () => {
    assert.equal(check('n > :a', item, N('9')), true);
    assert.equal(check('n < :a', item, N('9.99999999999999999999999999999999999')), false);
    assert.equal(check('n < :a', item, N('10.000000000000000000000000000000000001')), true);
    assert.equal(check('n > :a', item, N('-1E+125')), true);
    assert.equal(check('n <= :a', item, N('10')), true);
    assert.equal(check('n >= :a', item, N('10')), true);
  });
  it('strings order by UTF-8 bytes, not UTF-16 units', () => {
    // U+FFFF is EF BF BF in UTF-8, U+10000 is F0 90 80 80: U+FFFF sorts first, though its
    // UTF-16 unit (0xFFFF) is greater than U+10000's lead surrogate (0xD800).
    const doc: Item = { s: S('\uFFFF') };
    assert.equal(check('s < :a', doc, S('\u{10000}')), true);
    assert.equal(check('s > :a', doc, S('\u{10000}')), false);
    assert.ok(compareUtf8('\uFFFF', '\u{10000}') < 0);
    assert.ok('\uFFFF' > '\u{10000}', 'JS string order differs');
    assert.ok(compareUtf8('\u{E000}', '\u{1F600}') < 0);
    assert.ok(compareUtf8('a', 'ab') < 0);
    assert.ok(compareUtf8('B', 'a') < 0);
    assert.equal(compareUtf8('é', 'é'), 0);
    assert.equal(check('s < :a', item, S('abd')), true);
    assert.equal(check('s > :a', item, S('ab')), true);
  });
  it('binaries order by unsigned bytes', () => {
    const doc: Item = { b: B(0x7f) };
    assert.equal(check('b < :a', doc, B(0x80)), true, '0x80 is not negative');
    assert.equal(check('b < :a', doc, B(0x7f, 0x00)), true, 'a prefix sorts first');
    assert.equal(check('b > :a', doc, B(0x01, 0xff)), true);
  });
  it('paths on both sides', () => {
    const doc: Item = { a: N('1'), b: N('2') };
    assert.equal(check('a < b', doc), true);
    assert.equal(check('b <= a', doc), false);
  });
});

describe('BETWEEN and IN', () => {
  it('BETWEEN is inclusive', () => {
    assert.equal(check('n BETWEEN :a AND :b', item, N('10'), N('20')), true);
    assert.equal(check('n BETWEEN :a AND :b', item, N('1'), N('10')), true);
    assert.equal(check('n BETWEEN :a AND :b', item, N('11'), N('20')), false);
    assert.equal(check('s BETWEEN :a AND :b', item, S('abc'), S('abd')), true);
    assert.equal(check('n BETWEEN :a AND :b', item, S('1'), S('2')), false, 'type mismatch is false');
    assert.equal(check('nope BETWEEN :a AND :b', item, N('1'), N('2')), false);
  });
  it('IN', () => {
    assert.equal(check('n IN (:a, :b)', item, S('10'), N('10')), true);
    assert.equal(check('n IN (:a)', item, N('11')), false);
    assert.equal(check('ss IN (:a)', item, { SS: ['b', 'a'] }), true);
    assert.equal(check('nope IN (:a)', item, N('11')), false);
    assert.equal(check('s IN (id, n)', item), false, 'paths in the list are resolved');
    assert.equal(check(':a IN (id, s)', item, S('abc')), true);
  });
});

describe('logical operators', () => {
  const T = 'attribute_exists(id)';
  const F = 'attribute_exists(nope)';
  it('AND, OR, NOT', () => {
    assert.equal(check(`${T} AND ${F}`, item), false);
    assert.equal(check(`${T} OR ${F}`, item), true);
    assert.equal(check(`NOT ${F}`, item), true);
    assert.equal(check(`NOT NOT ${F}`, item), false);
  });
  it('precedence: NOT > AND > OR', () => {
    // T OR (F AND F)
    assert.equal(check(`${T} OR ${F} AND ${F}`, item), true);
    // (T OR F) AND F
    assert.equal(check(`(${T} OR ${F}) AND ${F}`, item), false);
    // (NOT T) AND F ... NOT applies to the first condition only
    assert.equal(check(`NOT ${F} AND ${T}`, item), true);
    assert.equal(check(`NOT (${F} OR ${T})`, item), false);
    // F AND F OR T = (F AND F) OR T
    assert.equal(check(`${F} AND ${F} OR ${T}`, item), true);
  });
});

describe('functions', () => {
  it('attribute_exists / attribute_not_exists', () => {
    assert.equal(check('attribute_exists(m.deep1.lst[3].c)', item), true);
    assert.equal(check('attribute_exists(m.deep1.lst[4])', item), false);
    assert.equal(check('attribute_exists(s.x)', item), false, 'a path through a scalar does not exist');
    assert.equal(check('attribute_exists(l[0])', item), true);
    assert.equal(check('attribute_exists(m[0])', item), false, 'index into a map');
    assert.equal(check('attribute_exists(l.x)', item), false, 'key into a list');
    assert.equal(check('attribute_not_exists(nope)', item), true);
    assert.equal(check('attribute_not_exists(id)', undefined), true);
    assert.equal(check('attribute_exists(id)', undefined), false);
    assert.equal(check('attribute_exists(z)', item), true, 'NULL values exist');
  });
  it('attribute_type', () => {
    const types: [string, string][] = [
      ['n', 'N'],
      ['s', 'S'],
      ['b', 'B'],
      ['t', 'BOOL'],
      ['z', 'NULL'],
      ['ss', 'SS'],
      ['ns', 'NS'],
      ['bs', 'BS'],
      ['l', 'L'],
      ['m', 'M'],
    ];
    for (const [path, type] of types) {
      assert.equal(check(`attribute_type(${path}, :a)`, item, S(type)), true, `${path} is ${type}`);
      assert.equal(check(`attribute_type(${path}, :a)`, item, S(type === 'S' ? 'N' : 'S')), false);
    }
    assert.equal(check('attribute_type(nope, :a)', item, S('S')), false);
  });
  it('begins_with', () => {
    assert.equal(check('begins_with(s, :a)', item, S('ab')), true);
    assert.equal(check('begins_with(s, :a)', item, S('')), true);
    assert.equal(check('begins_with(s, :a)', item, S('abcd')), false);
    assert.equal(check('begins_with(b, :a)', item, B(1, 2)), true);
    assert.equal(check('begins_with(b, :a)', item, B(2)), false);
    assert.equal(check('begins_with(s, :a)', item, B(0x61)), false, 'type mismatch');
    assert.equal(check('begins_with(n, :a)', item, S('1')), false);
    assert.equal(check('begins_with(nope, :a)', item, S('1')), false);
  });
  it('contains', () => {
    assert.equal(check('contains(s, :a)', item, S('bc')), true);
    assert.equal(check('contains(s, :a)', item, S('cb')), false);
    assert.equal(check('contains(ss, :a)', item, S('a')), true);
    assert.equal(check('contains(ss, :a)', item, S('c')), false);
    assert.equal(check('contains(ns, :a)', item, N('2.50')), true);
    assert.equal(check('contains(bs, :a)', item, B(1)), true);
    assert.equal(check('contains(l, :a)', item, N('2')), true);
    assert.equal(check('contains(l, :a)', item, { M: { q: S('deep') } }), true);
    assert.equal(check('contains(l, :a)', item, S('2')), false);
    assert.equal(check('contains(ss, :a)', item, { SS: ['a'] }), false, 'not a subset test');
    assert.equal(check('contains(n, :a)', item, N('1')), false);
    assert.equal(check('contains(m, :a)', item, S('k')), false, 'maps contain nothing');
    assert.equal(check('contains(nope, :a)', item, S('k')), false);
  });
  it('size', () => {
    assert.equal(check('size(s) = :a', item, N('3')), true);
    assert.equal(check('size(blank) = :a', item, N('0')), true);
    assert.equal(check('size(b) = :a', item, N('3')), true);
    assert.equal(check('size(ss) = :a', item, N('2')), true);
    assert.equal(check('size(l) = :a', item, N('3')), true);
    assert.equal(check('size(m) = :a', item, N('2')), true);
    assert.equal(check('size(m.deep1.lst) > :a', item, N('3')), true);
    assert.equal(check('size(n) = :a', item, N('2')), false, 'numbers have no size');
    assert.equal(check('size(t) >= :a', item, N('0')), false);
    assert.equal(check('size(nope) >= :a', item, N('0')), false);
    assert.equal(check('size(s) < size(l)', { s: S('ab'), l: { L: [N('1'), N('1'), N('1')] } }), true);
    assert.equal(check('size(s) BETWEEN :a AND :b', item, N('1'), N('3')), true);
    assert.equal(check('size(s) IN (:a)', item, N('3')), true);
  });
});

describe('placeholders in paths', () => {
  it('names with dots and brackets are single elements', () => {
    const doc: Item = { 'a.b': S('dotted'), a: { M: { b: S('nested') } } };
    const compiled = compileExpressions({
      ConditionExpression: '#ab = :v',
      ExpressionAttributeNames: { '#ab': 'a.b' },
      ExpressionAttributeValues: { ':v': S('dotted') },
    });
    assert.equal(evaluateCondition(compiled.condition!, doc), true);
    const nested = compileExpressions({ ConditionExpression: 'a.b = :v', ExpressionAttributeValues: { ':v': S('nested') } });
    assert.equal(evaluateCondition(nested.condition!, doc), true);
  });
});

describe('project', () => {
  const paths = (expr: string, names?: Record<string, string>) =>
    compileExpressions({ ProjectionExpression: expr, ExpressionAttributeNames: names }).projection!;
  it('top-level attributes, skipping missing ones', () => {
    assert.deepEqual(project(paths('id, s, nope'), item), { id: S('x'), s: S('abc') });
  });
  it('nested maps keep only the selected keys', () => {
    assert.deepEqual(project(paths('m.k, m.deep1.lst[3].c'), item), {
      m: { M: { k: S('v'), deep1: { M: { lst: { L: [{ M: { c: S('found') } }] } } } } },
    });
  });
  it('list elements come back compacted in index order', () => {
    assert.deepEqual(project(paths('l[2], l[0], l[7]'), item), { l: { L: [S('p'), { M: { q: S('deep') } }] } });
  });
  it('paths through the wrong type select nothing', () => {
    assert.deepEqual(project(paths('s.x, l.x, m[0], n[1]'), item), {});
  });
  it('names', () => {
    assert.deepEqual(project(paths('#s', { '#s': 's' }), item), { s: S('abc') });
  });
  it('does not alias the item', () => {
    const out = project(paths('m.k'), item);
    assert.notEqual(out.m, item.m);
  });
});

describe('valuesEqual', () => {
  // Values are normalised (canonical numbers) before they get here.
  it('sets ignore order, maps ignore key order', () => {
    assert.equal(valuesEqual({ NS: ['1', '2'] }, { NS: ['2', '1'] }), true);
    assert.equal(valuesEqual({ M: { a: N('1'), b: S('x') } }, { M: { b: S('x'), a: N('1') } }), true);
    assert.equal(valuesEqual({ L: [N('1'), N('2')] }, { L: [N('2'), N('1')] }), false);
    assert.equal(valuesEqual({ M: { a: N('1') } }, { M: { a: N('1'), b: N('1') } }), false);
  });
});
