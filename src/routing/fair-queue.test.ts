import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFairQueue, type FairQueue } from './fair-queue.js';

function serveAll(queue: FairQueue<string>): string[] {
  const served: string[] = [];
  while (queue.size > 0) {
    const [head] = queue.heads();
    served.push(queue.take(head.key) ?? '?');
  }
  return served;
}

test('FIFO within a key, round-robin between keys', () => {
  const queue = createFairQueue<string>();
  for (const item of ['a1', 'a2', 'a3', 'a4']) queue.push('a', item);
  queue.push('b', 'b1');
  queue.push('b', 'b2');
  queue.push('c', 'c1');
  assert.deepEqual(serveAll(queue), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
});

test('a key that arrives later waits at most one round', () => {
  const queue = createFairQueue<string>();
  queue.push('a', 'a1');
  queue.push('a', 'a2');
  queue.push('a', 'a3');
  assert.equal(queue.take('a'), 'a1');
  queue.push('b', 'b1');
  assert.deepEqual(serveAll(queue), ['a2', 'b1', 'a3']);
});

test('removing a waiter keeps the order of the rest', () => {
  const queue = createFairQueue<string>();
  queue.push('a', 'a1');
  queue.push('b', 'b1');
  queue.push('a', 'a2');
  assert.ok(queue.remove('b1'));
  assert.equal(queue.remove('b1'), false);
  assert.equal(queue.size, 2);
  assert.deepEqual(queue.heads().map((h) => h.item), ['a1']);
  assert.deepEqual(queue.drain(), ['a1', 'a2']);
  assert.equal(queue.size, 0);
});
