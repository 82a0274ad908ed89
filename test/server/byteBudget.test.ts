import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from '../../src/server/byteBudget.js';

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget: bytes shared by every connection, granted in arrival order', () => {
  it('grants what fits at once and makes the rest wait until enough is given back', async () => {
    const budget = new ByteBudget(100);
    assert.equal(budget.tryTake(60, false), true);
    const order: string[] = [];
    const first = budget.take(50);
    const second = budget.take(30);
    void first.granted.then(() => order.push('first'));
    void second.granted.then(() => order.push('second'));
    await settled();
    assert.deepEqual(order, [], 'neither fits while 60 of 100 are held');
    // 30 would fit now, but the 50 before it waits: no overtaking, so a large body is never starved.
    assert.equal(budget.tryTake(30, false), false);
    budget.give(60);
    await settled();
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(budget.inUseBytes, 80);
  });

  it('lets a small body overtake a waiting large one when it fits', () => {
    const budget = new ByteBudget(100);
    budget.tryTake(60, false);
    budget.take(50);
    assert.equal(budget.tryTake(10, true), true);
    assert.equal(budget.tryTake(40, true), false, 'never beyond the capacity');
  });

  it('forgets a waiter that withdrew, and grants the one behind it', async () => {
    const budget = new ByteBudget(100);
    budget.tryTake(60, false);
    const withdrawn = budget.take(80);
    const behind = budget.take(40);
    let granted = false;
    void behind.granted.then(() => (granted = true));
    withdrawn.cancel();
    await settled();
    assert.equal(granted, true);
    assert.equal(budget.inUseBytes, 100);
  });

  it('refuses a request that could never fit, and a give-back of more than was taken', () => {
    const budget = new ByteBudget(100);
    assert.throws(() => budget.take(101), /never fit/);
    assert.throws(() => budget.give(1), /more than it lent/);
  });
});
