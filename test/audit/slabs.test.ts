import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSlabs } from '../../src/audit/slabs.js';

const size = (lines: string[]) => lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);

describe('journal line slabs', () => {
  it('hands out each turn its own bytes, newline-terminated, and keeps them until released', () => {
    const slabs = new LineSlabs({ slabBytes: 64, spareSlabsMax: 2 });
    const first = ['{"a":"é"}', '{"b":2}'];
    const second = ['{"c":3}'];
    const a = slabs.take(first, size(first));
    const b = slabs.take(second, size(second));
    assert.equal(a.bytes.toString(), '{"a":"é"}\n{"b":2}\n');
    assert.equal(b.bytes.toString(), '{"c":3}\n');
    assert.equal(a.slab, b.slab, 'both fit one slab');
    slabs.release(a.slab);
    const c = slabs.take(['{"d":4}'], 8);
    assert.equal(b.bytes.toString(), '{"c":3}\n', 'a live turn is never overwritten');
    assert.equal(c.bytes.toString(), '{"d":4}\n');
  });

  it('reuses a slab once every turn in it is released', () => {
    const slabs = new LineSlabs({ slabBytes: 16, spareSlabsMax: 2 });
    const line = ['0123456789'];
    const a = slabs.take(line, 11);
    const b = slabs.take(line, 11); // does not fit after a: a new slab
    assert.notEqual(a.slab, b.slab);
    slabs.release(a.slab);
    const c = slabs.take(line, 11); // b's slab is full: the released one comes back
    assert.equal(c.slab, a.slab);
    assert.equal(b.bytes.toString(), '0123456789\n');
  });

  it('gives lines larger than a slab a buffer of their own, and refuses a release without a take', () => {
    const slabs = new LineSlabs({ slabBytes: 8, spareSlabsMax: 2 });
    const big = slabs.take(['0123456789'], 11);
    assert.equal(big.slab, undefined);
    assert.equal(big.bytes.toString(), '0123456789\n');
    const small = slabs.take(['x'], 2);
    slabs.release(small.slab);
    assert.throws(() => slabs.release(small.slab), /released more often than taken/);
  });

  it('refuses lines whose counted size is wrong, before another turn could be overwritten', () => {
    const slabs = new LineSlabs({ slabBytes: 64, spareSlabsMax: 2 });
    assert.throws(() => slabs.take(['é'], 2), /bytes of lines written where 2 were counted/);
  });
});
