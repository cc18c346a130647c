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

const keysOf = (queue: FairQueue<string>): string[] => queue.heads().map((h) => h.key);

test('serving a key out of turn passes the turn to the key after it, wrapping round at the end', () => {
  const queue = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['a', 'a2'], ['b', 'b2'], ['c', 'c2']] as const) queue.push(key, item);
  assert.deepEqual(keysOf(queue), ['a', 'b', 'c']);
  assert.equal(queue.take('b'), 'b1');
  assert.deepEqual(keysOf(queue), ['c', 'a', 'b'], 'after b comes c');
  assert.equal(queue.take('c'), 'c1');
  assert.deepEqual(keysOf(queue), ['a', 'b', 'c'], 'after the last key the turn wraps to the first');
  assert.equal(queue.take('a'), 'a1');
  assert.deepEqual(keysOf(queue), ['b', 'c', 'a']);
  assert.deepEqual(queue.heads().map((h) => h.item), ['b2', 'c2', 'a2']);
});

test('when the served key empties, the turn goes to the key that followed it, also at the end of the order', () => {
  const queue = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['a', 'a2']] as const) queue.push(key, item);
  assert.equal(queue.take('b'), 'b1');
  assert.deepEqual(keysOf(queue), ['c', 'a']);
  assert.equal(queue.take('c'), 'c1');
  assert.deepEqual(keysOf(queue), ['a']);
  assert.equal(queue.take('a'), 'a1');
  assert.equal(queue.take('a'), 'a2');
  assert.deepEqual(queue.heads(), []);
  assert.equal(queue.size, 0);
  queue.push('d', 'd1');
  assert.deepEqual(queue.heads(), [{ key: 'd', item: 'd1' }], 'an emptied queue starts afresh');
});

test('a key removed while it has the turn hands the turn to the next key; one removed before the turn keeps it', () => {
  const queue = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['a', 'a2'], ['c', 'c2']] as const) queue.push(key, item);
  assert.equal(queue.take('a'), 'a1');
  assert.deepEqual(keysOf(queue), ['b', 'c', 'a'], "b's turn");
  assert.ok(queue.remove('b1'));
  assert.deepEqual(keysOf(queue), ['c', 'a'], 'b left while it was its turn: c is next, not a');
  assert.equal(queue.take('c'), 'c1');
  assert.deepEqual(keysOf(queue), ['a', 'c']);
  assert.ok(queue.remove('a2'));
  assert.deepEqual(keysOf(queue), ['c']);
  const before = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['c', 'c2']] as const) before.push(key, item);
  assert.equal(before.take('b'), 'b1');
  assert.deepEqual(keysOf(before), ['c', 'a'], "c's turn");
  assert.ok(before.remove('a1'));
  assert.deepEqual(keysOf(before), ['c'], 'a key before the turn left: still c');
  before.push('d', 'd1');
  assert.deepEqual(keysOf(before), ['c', 'd'], 'a newcomer waits behind the key whose turn it is');
});

test('a newcomer joins just before the current turn, at any position of the turn', () => {
  const queue = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1'], ['a', 'a2'], ['b', 'b2'], ['c', 'c2']] as const) queue.push(key, item);
  assert.equal(queue.take('a'), 'a1');
  queue.push('d', 'd1');
  assert.deepEqual(keysOf(queue), ['b', 'c', 'a', 'd']);
  assert.equal(queue.take('b'), 'b1');
  assert.equal(queue.take('c'), 'c1');
  assert.deepEqual(keysOf(queue), ['a', 'd', 'b', 'c']);
  queue.push('e', 'e1');
  assert.deepEqual(keysOf(queue), ['a', 'd', 'b', 'c', 'e'], 'at the wrap-around too: e comes last in the round');
  assert.equal(queue.size, 5);
});

test('unknown keys and items change nothing; drain empties every line in key order', () => {
  const queue = createFairQueue<string>();
  queue.push('a', 'a1');
  queue.push('b', 'b1');
  queue.push('a', 'a2');
  assert.equal(queue.take('z'), undefined);
  assert.equal(queue.remove('z1'), false);
  assert.equal(queue.size, 3);
  assert.ok(queue.remove('a2'));
  assert.equal(queue.size, 2);
  assert.deepEqual(queue.heads(), [{ key: 'a', item: 'a1' }, { key: 'b', item: 'b1' }], 'a still waits with a1');
  assert.equal(queue.take('b'), 'b1');
  queue.push('c', 'c1');
  assert.deepEqual(queue.drain(), ['c1', 'a1']);
  assert.deepEqual(queue.heads(), []);
  assert.equal(queue.take('a'), undefined);
  queue.push('b', 'b9');
  assert.deepEqual(queue.heads(), [{ key: 'b', item: 'b9' }]);
  assert.equal(queue.size, 1);
});

test('a waiter removed from a key before the turn keeps the turn on the same key', () => {
  const queue = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1']] as const) queue.push(key, item);
  assert.deepEqual(keysOf(queue), ['a', 'b', 'c']);
  assert.ok(queue.remove('b1'));
  assert.deepEqual(keysOf(queue), ['a', 'c'], "still a's turn");
  const other = createFairQueue<string>();
  for (const [key, item] of [['a', 'a1'], ['b', 'b1'], ['c', 'c1']] as const) other.push(key, item);
  assert.ok(other.remove('c1'));
  assert.deepEqual(keysOf(other), ['a', 'b']);
  assert.equal(other.take('a'), 'a1');
  assert.deepEqual(keysOf(other), ['b']);
});

test('a queue emptied by takes serves newcomers in arrival order again', () => {
  const queue = createFairQueue<string>();
  queue.push('a', 'a1');
  assert.equal(queue.take('a'), 'a1');
  queue.push('b', 'b1');
  queue.push('c', 'c1');
  queue.push('d', 'd1');
  assert.deepEqual(keysOf(queue), ['b', 'c', 'd']);
  assert.deepEqual(serveAll(queue), ['b1', 'c1', 'd1']);
});
