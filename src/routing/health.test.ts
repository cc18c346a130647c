import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecayingMean, createHealthStats, percentile, type AttemptSample } from './health.js';
import { createRateLimit } from './rate-limit.js';

const base = { deployment: 'east', sizeClass: 'large', expectedMs: 200_000 } as const satisfies Partial<AttemptSample>;

test('a decaying mean forgets old samples at its half-life and falls back to its prior', () => {
  const mean = createDecayingMean(60_000);
  for (let i = 0; i < 10; i += 1) mean.add(0, 0);
  assert.ok(mean.estimate(0, 1, 2) < 0.2);
  // After ten half-lives the ten failures weigh about 0.01 samples: the prior is back.
  assert.ok(mean.estimate(600_000, 1, 2) > 0.99);
  mean.add(1, 600_000);
  assert.ok((mean.value() ?? 0) > 0.98);
});

test('the health table counts requests, errors by kind, 408s and 429s, and latency percentiles', () => {
  const health = createHealthStats();
  for (let i = 1; i <= 20; i += 1) health.record({ ...base, ok: true, durationMs: i * 10_000 }, i);
  health.record({ ...base, ok: false, kind: 'idle_timeout', status: 408, durationMs: 60_000 }, 30);
  health.record({ ...base, ok: false, kind: 'rate_limited', status: 429, durationMs: 100 }, 31);
  health.record({ ...base, ok: false, kind: 'content_policy', status: 400, durationMs: 5_000 }, 32);
  const budget = createRateLimit({ requests: 10, windowMs: 60_000 }).view(0);
  const [row] = health.snapshot([{ deployment: 'east', sizeClass: 'large' }], () => ({ circuit: 'closed', budget }));
  assert.equal(row.requests, 23);
  assert.equal(row.successes, 20);
  assert.deepEqual(row.errors, { idle_timeout: 1, rate_limited: 1, content_policy: 1 });
  assert.equal(row.status_408, 1);
  assert.equal(row.status_429, 1);
  // Only the timeout counts against health: 20 of 21.
  assert.equal(row.success_rate, 0.952);
  assert.equal(row.p50_ms, 100_000);
  assert.equal(row.p95_ms, 190_000);
  assert.equal(row.circuit, 'closed');
  assert.deepEqual(row.budget, { remaining: 10, limit: 10, window_ms: 60_000, resets_in_ms: 0 });
  assert.ok(JSON.parse(JSON.stringify(row)));
});

test('slowness is latency over the prior, so different qualities share one estimate', () => {
  const health = createHealthStats();
  assert.equal(health.slowness('east', 'large', 0), 1);
  for (let i = 0; i < 50; i += 1) {
    health.record({ ...base, ok: true, durationMs: 300_000, expectedMs: 200_000 }, 0);
    health.record({ ...base, ok: true, durationMs: 60_000, expectedMs: 40_000 }, 0);
  }
  assert.ok(Math.abs(health.slowness('east', 'large', 0) - 1.5) < 0.02);
  assert.equal(health.successRate('west', 'large', 0), 1, 'no data: optimistic prior');
});

test('percentiles keep only the recent window of samples', () => {
  const health = createHealthStats({ halfLifeMs: 1_000, recentSamples: 3 });
  for (const ms of [1_000, 900_000, 2_000, 3_000, 4_000]) health.record({ ...base, ok: true, durationMs: ms }, 0);
  const [row] = health.snapshot([{ deployment: 'east', sizeClass: 'large' }], () => ({
    circuit: 'open', budget: { remaining: null, limit: null, window_ms: 60_000, resets_in_ms: 0 },
  }));
  assert.equal(row.p95_ms, 4_000);
  assert.equal(percentile([], 0.5), null);
});
