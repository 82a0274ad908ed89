/**
 * Application of update expressions and legacy AttributeUpdates.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../src/errors.js';
import {
  addNumbers,
  applyUpdate,
  compileExpressions,
  compileRequestExpressions,
  type UpdateActions,
} from '../../src/dynamo/expressions/index.js';
import type { AttributeValue, Item } from '../../src/dynamo/types.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const NOT_FOUND = 'The provided expression refers to an attribute that does not exist in the item';
const OPERAND_TYPE = 'An operand in the update expression has an incorrect data type';
const INVALID_PATH = 'The document path provided in the update expression is invalid for update';

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: string): AttributeValue => ({ N: n });
const L = (...xs: AttributeValue[]): AttributeValue => ({ L: xs });
const nums = (...ns: number[]): AttributeValue => ({ L: ns.map((n) => N(String(n))) });

function compile(expr: string, values?: Record<string, AttributeValue>, names?: Record<string, string>): UpdateActions {
  return compileExpressions({ UpdateExpression: expr, ExpressionAttributeValues: values, ExpressionAttributeNames: names }).update!;
}

function update(item: Item | undefined, expr: string, values?: Record<string, AttributeValue>, names?: Record<string, string>): Item {
  return applyUpdate(compile(expr, values, names), item).item;
}

function fails(fn: () => unknown, message: string): void {
  assert.throws(
    fn,
    (error: unknown) => {
      assert.ok(error instanceof AwsError, `not an AwsError: ${String(error)}`);
      assert.equal(error.type, VALIDATION);
      assert.equal(error.message, message);
      return true;
    },
    message,
  );
}

const base: Item = {
  id: S('k'),
  n: N('5'),
  s: S('str'),
  ss: { SS: ['a', 'b'] },
  ns: { NS: ['1', '2'] },
  lst: nums(1, 2, 3),
  m: { M: { x: N('1'), deep1: { M: { y: S('z') } } } },
};

describe('SET', () => {
  it('values and copies of other attributes', () => {
    const out = update(base, 'SET a = :v, b = s, c = m.deep1.y, m.x = :v', { ':v': N('7') });
    assert.deepEqual(out.a, N('7'));
    assert.deepEqual(out.b, S('str'));
    assert.deepEqual(out.c, S('z'));
    assert.deepEqual(out.m, { M: { x: N('7'), deep1: { M: { y: S('z') } } } });
    assert.deepEqual(base.m, { M: { x: N('1'), deep1: { M: { y: S('z') } } } }, 'the input item is not modified');
  });
  it('right-hand sides read the item before the update (swap)', () => {
    const out = update({ a: N('1'), b: N('2') }, 'SET a = b, b = a');
    assert.deepEqual(out, { a: N('2'), b: N('1') });
  });
  it('copying a missing attribute fails', () => {
    fails(() => update(base, 'SET a = nope'), NOT_FOUND);
    fails(() => update(base, 'SET a = m.nope'), NOT_FOUND);
  });
  it('+ and - are exact decimal arithmetic', () => {
    assert.deepEqual(update(base, 'SET n = n + :v', { ':v': N('0.1') }).n, N('5.1'));
    assert.deepEqual(update({ a: N('0.1') }, 'SET a = a + :v', { ':v': N('0.2') }).a, N('0.3'));
    assert.deepEqual(update(base, 'SET n = :v - n', { ':v': N('3') }).n, N('-2'));
    assert.deepEqual(update(base, 'SET n = n - n').n, N('0'));
    assert.deepEqual(
      update({ a: N('99999999999999999999999999999999999999') }, 'SET a = a - :v', { ':v': N('1E+37') }).a,
      N('89999999999999999999999999999999999999'),
    );
    assert.deepEqual(update(base, 'SET a = (n + n)').a, N('10'));
  });
  it('arithmetic limits raise the number errors', () => {
    fails(
      () => update({ a: N('99999999999999999999999999999999999999') }, 'SET a = a + :v', { ':v': N('0.1') }),
      'Attempting to store more than 38 significant digits in a Number',
    );
    fails(() => update({ a: N('9.9E+125') }, 'SET a = a + :v', { ':v': N('9.9E+125') }), 'Number overflow. Attempting to store a number with magnitude larger than supported range');
    fails(
      () => update({ a: N('1E-130') }, 'SET a = a + :v', { ':v': N('1') }),
      'Attempting to store more than 38 significant digits in a Number',
    );
    // 38 nines plus one is 1E+38: one significant digit, no error.
    assert.deepEqual(update({ a: N('99999999999999999999999999999999999999') }, 'SET a = a + :v', { ':v': N('1') }).a, N('1' + '0'.repeat(38)));
    assert.equal(addNumbers('1E-130', '-1E-130'), '0');
    assert.equal(addNumbers('1.5', '1.5', true), '0');
    assert.equal(addNumbers('-0.5', '0.25'), '-0.25');
  });
  it('arithmetic operand errors', () => {
    fails(() => update(base, 'SET n = nope + :v', { ':v': N('1') }), NOT_FOUND);
    fails(() => update(base, 'SET n = s + :v', { ':v': N('1') }), OPERAND_TYPE);
  });
  it('if_not_exists', () => {
    const vals = { ':v': N('0') };
    assert.deepEqual(update(base, 'SET n = if_not_exists(n, :v)', vals).n, N('5'));
    assert.deepEqual(update(base, 'SET c = if_not_exists(c, :v)', vals).c, N('0'));
    assert.deepEqual(update(base, 'SET c = if_not_exists(c, :v) + :w', { ':v': N('0'), ':w': N('1') }).c, N('1'));
    assert.deepEqual(update(base, 'SET c = if_not_exists(m.x, s)').c, N('1'));
    fails(() => update(base, 'SET c = if_not_exists(c, nope)'), NOT_FOUND);
  });
  it('list_append', () => {
    const vals = { ':v': nums(9) };
    assert.deepEqual(update(base, 'SET lst = list_append(lst, :v)', vals).lst, nums(1, 2, 3, 9));
    assert.deepEqual(update(base, 'SET lst = list_append(:v, lst)', vals).lst, nums(9, 1, 2, 3));
    assert.deepEqual(update(base, 'SET c = list_append(if_not_exists(c, :e), :v)', { ...vals, ':e': L() }).c, nums(9));
    fails(() => update(base, 'SET c = list_append(c, :v)', vals), NOT_FOUND);
    fails(() => update(base, 'SET c = list_append(s, :v)', vals), OPERAND_TYPE);
  });
  it('list indexes beyond the end append, in index order', () => {
    assert.deepEqual(update(base, 'SET lst[10] = :v', { ':v': N('9') }).lst, nums(1, 2, 3, 9));
    assert.deepEqual(update(base, 'SET lst[20] = :a, lst[10] = :b', { ':a': N('20'), ':b': N('10') }).lst, nums(1, 2, 3, 10, 20));
    assert.deepEqual(update({ l: L() }, 'SET l[0] = :v', { ':v': S('first') }).l, L(S('first')));
    assert.deepEqual(update(base, 'SET lst[1] = :v', { ':v': N('9') }).lst, nums(1, 9, 3));
  });
  it('invalid document paths', () => {
    fails(() => update(base, 'SET nope.x = :v', { ':v': N('1') }), INVALID_PATH);
    fails(() => update(base, 'SET s.x = :v', { ':v': N('1') }), INVALID_PATH);
    fails(() => update(base, 'SET lst.x = :v', { ':v': N('1') }), INVALID_PATH);
    fails(() => update(base, 'SET m[0] = :v', { ':v': N('1') }), INVALID_PATH);
    fails(() => update(base, 'SET lst[5].x = :v', { ':v': N('1') }), INVALID_PATH);
    fails(() => update(undefined, 'SET a.b = :v', { ':v': N('1') }), INVALID_PATH);
  });
  it('names containing dots are single attributes', () => {
    const out = update({ 'a.b': N('1') }, 'SET #ab = #ab + :v', { ':v': N('1') }, { '#ab': 'a.b' });
    assert.deepEqual(out, { 'a.b': N('2') });
  });
});

describe('REMOVE', () => {
  it('attributes and nested keys', () => {
    const out = update(base, 'REMOVE s, m.deep1.y, nope, m.nope');
    assert.equal(out.s, undefined);
    assert.deepEqual(out.m, { M: { x: N('1'), deep1: { M: {} } } });
  });
  it('list elements: indexes refer to the list before the update; beyond the end is a no-op', () => {
    assert.deepEqual(update(base, 'REMOVE lst[0], lst[2]').lst, nums(2));
    assert.deepEqual(update(base, 'REMOVE lst[7]').lst, nums(1, 2, 3));
    assert.deepEqual(update({ a: nums(1, 2, 3, 4, 5, 6, 7) }, 'REMOVE a[0], a[2] SET a[4] = :v', { ':v': N('17') }).a, nums(2, 4, 17, 6, 7));
  });
  it('through a missing or scalar parent', () => {
    fails(() => update(base, 'REMOVE nope.x'), INVALID_PATH);
    fails(() => update(base, 'REMOVE s[0]'), INVALID_PATH);
    // On an item that does not exist yet, REMOVE is ignored.
    assert.deepEqual(applyUpdate(compile('REMOVE a.b, c[1]'), undefined, { id: S('k') }).item, { id: S('k') });
  });
});

describe('ADD', () => {
  it('numbers', () => {
    assert.deepEqual(update(base, 'ADD n :v', { ':v': N('-5.5') }).n, N('-0.5'));
    assert.deepEqual(update(base, 'ADD c :v', { ':v': N('3') }).c, N('3'));
    assert.deepEqual(update(base, 'ADD m.x :v', { ':v': N('3') }).m, { M: { x: N('4'), deep1: { M: { y: S('z') } } } });
  });
  it('sets (union)', () => {
    assert.deepEqual(update(base, 'ADD ss :v', { ':v': { SS: ['b', 'c'] } }).ss, { SS: ['a', 'b', 'c'] });
    assert.deepEqual(update(base, 'ADD ns :v', { ':v': { NS: ['3'] } }).ns, { NS: ['1', '2', '3'] });
    assert.deepEqual(update(base, 'ADD c :v', { ':v': { SS: ['x'] } }).c, { SS: ['x'] });
  });
  it('type mismatch', () => {
    fails(() => update(base, 'ADD s :v', { ':v': N('1') }), OPERAND_TYPE);
    fails(() => update(base, 'ADD ss :v', { ':v': { NS: ['1'] } }), OPERAND_TYPE);
    fails(() => update(base, 'ADD n :v', { ':v': { NS: ['1'] } }), OPERAND_TYPE);
  });
  it('on an item that does not exist', () => {
    assert.deepEqual(applyUpdate(compile('ADD cnt :v', { ':v': N('1') }), undefined, { id: S('k') }).item, { id: S('k'), cnt: N('1') });
  });
  it('number limits', () => {
    fails(() => update({ a: N('9.9E+125') }, 'ADD a :v', { ':v': N('9.9E+125') }), 'Number overflow. Attempting to store a number with magnitude larger than supported range');
  });
});

describe('DELETE', () => {
  it('removes set elements; an emptied set disappears', () => {
    assert.deepEqual(update(base, 'DELETE ss :v', { ':v': { SS: ['a', 'x'] } }).ss, { SS: ['b'] });
    assert.equal(update(base, 'DELETE ss :v', { ':v': { SS: ['a', 'b'] } }).ss, undefined);
    assert.deepEqual(update(base, 'DELETE ns :v', { ':v': { NS: ['2'] } }).ns, { NS: ['1'] });
  });
  it('on a missing attribute is a no-op', () => {
    assert.deepEqual(update(base, 'DELETE nope :v', { ':v': { SS: ['a'] } }), base);
  });
  it('type mismatch', () => {
    fails(() => update(base, 'DELETE ss :v', { ':v': { NS: ['1'] } }), OPERAND_TYPE);
    fails(() => update(base, 'DELETE s :v', { ':v': { SS: ['s'] } }), OPERAND_TYPE);
  });
});

describe('applyUpdate', () => {
  it('starts a missing item from its key', () => {
    const out = applyUpdate(compile('SET a = :v', { ':v': N('1') }), undefined, { id: S('k') });
    assert.deepEqual(out.item, { id: S('k'), a: N('1') });
  });
  it('reports the paths it wrote', () => {
    const out = applyUpdate(compile('SET a = :v, m.x = :v REMOVE s ADD n :v DELETE ss :s', { ':v': N('1'), ':s': { SS: ['a'] } }), base);
    const paths = out.updatedPaths.map((p) => p.join('.')).sort();
    assert.deepEqual(paths, ['a', 'm.x', 'n', 's', 'ss']);
  });
  it('item size limit', () => {
    const big = 'x'.repeat(130 * 1024);
    const u = compile('SET b = a, c = a, d = a');
    fails(() => applyUpdate(u, { id: S('k'), a: S(big) }), 'Item size to update has exceeded the maximum allowed size');
    assert.equal(Object.keys(applyUpdate(compile('SET b = a, c = a'), { id: S('k'), a: S(big) }).item).length, 4);
  });
});

describe('legacy AttributeUpdates', () => {
  const legacy = (updates: Record<string, unknown>) =>
    compileRequestExpressions({ TableName: 't', Key: { id: S('k') }, AttributeUpdates: updates }, 'UpdateItem').update!;
  it('PUT, DELETE, ADD', () => {
    const u = legacy({
      a: { Action: 'PUT', Value: S('x') },
      s: { Action: 'DELETE' },
      ss: { Action: 'DELETE', Value: { SS: ['a'] } },
      n: { Action: 'ADD', Value: N('2') },
      lst: { Action: 'ADD', Value: nums(4) },
      fresh: { Value: N('1') },
    });
    assert.equal(u.legacy, true);
    const out = applyUpdate(u, base).item;
    assert.deepEqual(out.a, S('x'));
    assert.equal(out.s, undefined);
    assert.deepEqual(out.ss, { SS: ['b'] });
    assert.deepEqual(out.n, N('7'));
    assert.deepEqual(out.lst, nums(1, 2, 3, 4));
    assert.deepEqual(out.fresh, N('1'));
  });
  it('type mismatch has its own message', () => {
    fails(() => applyUpdate(legacy({ s: { Action: 'ADD', Value: N('1') } }), base), 'Type mismatch for attribute to update');
  });
  it('parameter checks', () => {
    fails(
      () => legacy({ a: { Action: 'ADD' } }),
      'One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified',
    );
    fails(() => legacy({ a: { Action: 'ADD', Value: S('x') } }), 'One or more parameter values were invalid: ADD action is not supported for the type S');
    fails(
      () => legacy({ a: { Action: 'DELETE', Value: N('1') } }),
      'One or more parameter values were invalid: DELETE action with value is not supported for the type N',
    );
  });
});
