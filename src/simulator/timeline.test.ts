import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSeededRandom } from '../time/random.js';
import { drawDurationMs, faultTimeMs, nominalDurationMs, partialTimesMs } from './timeline.js';

test('the duration model is calibrated: 1024x1024 low ≈ 22 s, 2048x2048 high ≈ 245 s', () => {
  assert.equal(Math.round(nominalDurationMs({ pixels: 1024 * 1024, quality: 'low', n: 1, latencyFactor: 1 })), 22_000);
  assert.equal(Math.round(nominalDurationMs({ pixels: 2048 * 2048, quality: 'high', n: 1, latencyFactor: 1 })), 245_000);
  const medium = nominalDurationMs({ pixels: 1024 * 1024, quality: 'medium', n: 1, latencyFactor: 1 });
  assert.ok(medium > 22_000 && medium < nominalDurationMs({ pixels: 1024 * 1024, quality: 'high', n: 1, latencyFactor: 1 }));
  assert.equal(Math.round(nominalDurationMs({ pixels: 1024 * 1024, quality: 'low', n: 3, latencyFactor: 0.5 })), 22_000);
});

test('jitter stays within ±8 %', () => {
  const random = createSeededRandom(3);
  for (let i = 0; i < 200; i++) {
    const ms = drawDurationMs({ pixels: 1024 * 1024, quality: 'low', n: 1, latencyFactor: 1 }, random);
    assert.ok(ms >= 20_240 && ms <= 23_760, String(ms));
  }
});

test('partials are spread from 0.2·T to 0.8·T; faults strike before the next event', () => {
  assert.deepEqual(partialTimesMs(0, 1000), []);
  assert.deepEqual(partialTimesMs(1, 1000), [200]);
  assert.deepEqual(partialTimesMs(3, 1000), [200, 500, 800]);
  assert.equal(faultTimeMs([], 1000, 0), 200);
  assert.equal(faultTimeMs([200, 800], 1000, 0), 350);
  assert.equal(faultTimeMs([200, 500, 800], 1000, 0), 350);
  assert.equal(faultTimeMs([200, 800], 1000, 5), 900);
});
