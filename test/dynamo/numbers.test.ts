import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../src/errors.js';
import {
  canonicalNumber,
  compareNumbers,
  decodeNumberOrderPreserving,
  encodeNumberOrderPreserving,
  numberSize,
} from '../../src/dynamo/numbers.js';
import { SeededRandom } from '../support/random.js';

const VALIDATION = 'com.amazon.coral.validate#ValidationException';

function rejects(text: string, message: string): void {
  assert.throws(
    () => canonicalNumber(text),
    (error: unknown) => {
      assert.ok(error instanceof AwsError);
      assert.equal(error.type, VALIDATION);
      assert.equal(error.message, message);
      assert.equal(error.messageKey, 'message');
      return true;
    },
    text,
  );
}

describe('canonicalNumber', () => {
  it('returns DynamoDB canonical plain form', () => {
    const cases: [string, string][] = [
      ['0', '0'],
      ['-0', '0'],
      ['+0', '0'],
      ['0.000', '0'],
      ['0e-999', '0'],
      ['1', '1'],
      ['1.0', '1'],
      ['01', '1'],
      ['00042', '42'],
      ['0042.1200', '42.12'],
      ['3.1400', '3.14'],
      ['1e2', '100'],
      ['1E2', '100'],
      ['1.5E2', '150'],
      ['1.5E-3', '0.0015'],
      ['-1.5e-3', '-0.0015'],
      ['.5', '0.5'],
      ['5.', '5'],
      ['+7', '7'],
      ['-12.34e1', '-123.4'],
      ['12345678901234567890123456789012345678e-1', '1234567890123456789012345678901234567.8'],
    ];
    for (const [input, expected] of cases) assert.equal(canonicalNumber(input), expected, input);
  });

  it('expands exponents fully (no exponent notation in output)', () => {
    assert.equal(canonicalNumber('1E125'), '1' + '0'.repeat(125));
    assert.equal(canonicalNumber('1E-130'), '0.' + '0'.repeat(129) + '1');
    assert.equal(
      canonicalNumber('9.9999999999999999999999999999999999999E+125'),
      '9'.repeat(38) + '0'.repeat(88),
    );
    assert.equal(canonicalNumber('-9.9999999999999999999999999999999999999E+125'), '-' + '9'.repeat(38) + '0'.repeat(88));
    assert.equal(canonicalNumber('12345678901234567890123456789012345678'), '12345678901234567890123456789012345678');
    assert.equal(canonicalNumber('0.00000000000000000000000000000000000001'), '0.00000000000000000000000000000000000001');
  });

  it('rejects text that is not a number', () => {
    rejects('', 'The parameter cannot be converted to a numeric value');
    for (const bad of ['abc', 'b', ' 1', '1 ', '1e', 'e5', '.', '-', '+', '1.2.3', '0x10', 'NaN', 'Infinity', '1e+', '--1', '1e2.5', '١']) {
      rejects(bad, `The parameter cannot be converted to a numeric value: ${bad}`);
    }
    rejects('1e9999999999', 'The parameter cannot be converted to a numeric value: 1e9999999999');
  });

  it('enforces the magnitude range 1E-130 .. 9.99..E+125', () => {
    const overflow = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
    const underflow = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
    rejects('1e126', overflow);
    rejects('-1e126', overflow);
    rejects('1E+126', overflow);
    rejects('10e125', overflow);
    rejects('1e-131', underflow);
    rejects('-1e-131', underflow);
    rejects('0.1e-130', underflow);
    assert.equal(canonicalNumber('0.1e-129'), canonicalNumber('1e-130'));
  });

  it('allows at most 38 significant digits', () => {
    const message = 'Attempting to store more than 38 significant digits in a Number';
    rejects('123456789012345678901234567890123456789', message);
    rejects('-1.23456789012345678901234567890123456789', message);
    // Leading and trailing zeros are not significant.
    assert.equal(canonicalNumber('000' + '1'.repeat(38) + '000'), '1'.repeat(38) + '000');
    assert.equal(canonicalNumber('0.' + '1'.repeat(38) + '000'), '0.' + '1'.repeat(38));
  });
});

describe('compareNumbers', () => {
  it('orders values whose order is known by construction', () => {
    // Sorted list built by hand: every neighbour pair is strictly increasing.
    const sorted = [
      '-9.9999999999999999999999999999999999999E+125',
      '-1E+125',
      '-100',
      '-99.99',
      '-10',
      '-9',
      '-1.5',
      '-1.05',
      '-1',
      '-0.5',
      '-0.05',
      '-1E-130',
      '0',
      '1E-130',
      '2E-130',
      '0.0015',
      '0.05',
      '0.5',
      '0.51',
      '1',
      '1.0000000000000000000000000000000000001',
      '1.05',
      '1.5',
      '9',
      '10',
      '10.5',
      '99.99',
      '100',
      '12345678901234567890123456789012345678',
      '1E+125',
      '9.9999999999999999999999999999999999999E+125',
    ].map(canonicalNumber);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        const expected = Math.sign(i - j);
        assert.equal(Math.sign(compareNumbers(sorted[i], sorted[j])), expected, `${sorted[i]} vs ${sorted[j]}`);
      }
    }
  });

  it('agrees with integer arithmetic on random scaled integers (property)', () => {
    // value = m * 10^-s with m a BigInt: order known exactly by comparing m1 * 10^(s2) and m2 * 10^(s1).
    const source = new SeededRandom(42);
    const random = () => source.next();
    const digits = (n: number): string => {
      let out = '';
      for (let i = 0; i < n; i++) out += Math.floor(random() * 10);
      return out;
    };
    const values: { text: string; m: bigint; s: number }[] = [];
    for (let i = 0; i < 600; i++) {
      const len = 1 + Math.floor(random() * 38);
      const m = BigInt((random() < 0.5 ? '-' : '') + digits(len));
      const s = Math.floor(random() * 60) - 20; // value = m * 10^-s
      const text = `${m}e${-s}`;
      values.push({ text, m, s });
    }
    const canonical = values.map((v) => canonicalNumber(v.text));
    for (let trial = 0; trial < 20000; trial++) {
      const i = Math.floor(random() * values.length);
      const j = Math.floor(random() * values.length);
      const a = values[i];
      const b = values[j];
      const scale = Math.max(a.s, b.s);
      const left = a.m * 10n ** BigInt(scale - a.s);
      const right = b.m * 10n ** BigInt(scale - b.s);
      const expected = left < right ? -1 : left > right ? 1 : 0;
      assert.equal(Math.sign(compareNumbers(canonical[i], canonical[j])), expected, `${a.text} vs ${b.text}`);
    }
  });
});

describe('encodeNumberOrderPreserving', () => {
  const byteOrder = (a: Buffer, b: Buffer): number => Math.sign(Buffer.compare(a, b));

  it('sorts edge values in numeric order and round-trips', () => {
    const edges = [
      '0', '-0', '1', '-1', '1e-130', '-1e-130', '9.9999999999999999999999999999999999999e125',
      '-9.9999999999999999999999999999999999999e125', '1e125', '-1e125', '12345678901234567890123456789012345678',
      '-12345678901234567890123456789012345678', '0.1', '-0.1', '10', '-10', '1.1', '-1.1', '1.01', '-1.01', '100', '99',
    ].map(canonicalNumber);
    for (const a of edges) {
      assert.equal(decodeNumberOrderPreserving(encodeNumberOrderPreserving(a)), a);
      for (const b of edges) {
        assert.equal(byteOrder(encodeNumberOrderPreserving(a), encodeNumberOrderPreserving(b)), Math.sign(compareNumbers(a, b)), `${a} vs ${b}`);
      }
    }
  });

  it('agrees with compareNumbers on random values (property)', () => {
    const source = new SeededRandom(7);
    const random = () => source.next();
    const randomNumber = (): string => {
      const kind = random();
      if (kind < 0.05) return '0';
      const len = 1 + Math.floor(random() * 38);
      let mantissa = String(1 + Math.floor(random() * 9));
      for (let i = 1; i < len; i++) mantissa += Math.floor(random() * 10);
      // Exponents over the whole range, with extra weight near zero.
      const exponent = random() < 0.5 ? Math.floor(random() * 256) - 130 : Math.floor(random() * 10) - 5;
      const e = Math.min(125, Math.max(-130, exponent));
      return canonicalNumber(`${random() < 0.5 ? '-' : ''}${mantissa[0]}.${mantissa.slice(1)}e${e}`);
    };
    const values = Array.from({ length: 3000 }, randomNumber);
    const encoded = values.map(encodeNumberOrderPreserving);
    for (let i = 0; i < values.length; i++) assert.equal(decodeNumberOrderPreserving(encoded[i]), values[i]);
    for (let trial = 0; trial < 50000; trial++) {
      const i = Math.floor(random() * values.length);
      const j = Math.floor(random() * values.length);
      assert.equal(byteOrder(encoded[i], encoded[j]), Math.sign(compareNumbers(values[i], values[j])), `${values[i]} vs ${values[j]}`);
    }
    // Sorting by bytes and by value gives the same sequence.
    const bytesSorted = values.map((v, i) => ({ v, e: encoded[i] })).sort((a, b) => Buffer.compare(a.e, b.e)).map((x) => x.v);
    const valueSorted = [...values].sort(compareNumbers);
    for (let i = 0; i < values.length; i++) assert.equal(compareNumbers(bytesSorted[i], valueSorted[i]), 0);
  });

  it('is prefix-free, so it can be followed by other key bytes', () => {
    const values = ['1', '1.5', '-1', '-1.5', '0', '10', '-10'].map(canonicalNumber).map(encodeNumberOrderPreserving);
    for (const a of values) {
      for (const b of values) {
        if (a === b) continue;
        assert.ok(!(a.length < b.length && b.subarray(0, a.length).equals(a)), `${a.toString('hex')} prefixes ${b.toString('hex')}`);
      }
    }
  });
});

describe('numberSize', () => {
  it('matches the byte costs captured from DynamoDB', () => {
    // Literal -> bytes, as measured against live DynamoDB by the public conformance suite.
    const captured: [string, number][] = [
      ['0', 1], ['1', 2], ['12', 2], ['123', 3], ['1234', 3], ['12345678901234567890123456789012345678', 20],
      ['0042', 2], ['100', 2], ['1010', 3], ['0.0000001', 2], ['1E125', 2], ['1E-100', 2], ['1.5', 3], ['15', 2],
      ['1.2', 3], ['1.200', 3], ['1.234', 4], ['3.14159', 5], ['123456', 4], ['100.5', 4], ['0.15', 2], ['-42', 3], ['-0', 1],
    ];
    for (const [literal, bytes] of captured) assert.equal(numberSize(canonicalNumber(literal)), bytes, literal);
  });
});
