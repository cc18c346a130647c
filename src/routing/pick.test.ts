import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPickOptions, pickCandidate, type Candidate } from './pick.js';
import { createSeededRandom } from '../time/random.js';

function shares(candidates: Candidate[], avoid: string[] = [], n = 2_000): Record<string, number> {
  const deps = { random: createSeededRandom(3), options: defaultPickOptions };
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const id = pickCandidate(candidates, avoid, deps).id;
    counts[id] = (counts[id] ?? 0) + 1 / n;
  }
  return counts;
}

const c = (id: string, weight: number, expectedMs: number, probe = false): Candidate => ({ id, weight, expectedMs, probe });

test('with equal estimates the weights decide the shares', () => {
  const s = shares([c('a', 3, 100_000), c('b', 1, 100_000)]);
  assert.ok(Math.abs(s.a - 0.74) < 0.04, `a got ${s.a}`);
});

test('a deployment expected to take twice as long gets a small share, never zero', () => {
  const s = shares([c('fast', 1, 100_000), c('slow', 1, 200_000)]);
  assert.ok(s.slow > 0.02 && s.slow < 0.12, `slow got ${s.slow}`);
});

test('a retry prefers a deployment it has not tried, unless none is left', () => {
  assert.deepEqual(Object.keys(shares([c('a', 1, 10), c('b', 1, 1_000_000)], ['a'])), ['b']);
  assert.deepEqual(Object.keys(shares([c('a', 1, 10)], ['a'])), ['a']);
});

test('a due probe goes first', () => {
  assert.deepEqual(Object.keys(shares([c('a', 1, 10), c('b', 1, 1_000_000, true)], [], 50)), ['b']);
});
