import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTerminalEvent, parseJobEvent } from './job-events.js';
import { reconnectDelayMs } from './follow.js';

test('events are narrowed from JSON; unknown types pass through as other with their seq', () => {
  const failed = parseJobEvent({ id: '4', data: '{"type":"attempt.failed","seq":4,"at":9,"attempt":1,"deploymentId":"sweden","kind":"idle_timeout","status":408,"message":"cut","retryInMs":1200}' });
  assert.deepEqual(failed, { type: 'attempt.failed', attempt: 1, deploymentId: 'sweden', kind: 'idle_timeout', status: 408, message: 'cut', retryInMs: 1200, seq: 4, at: 9 });
  const future = parseJobEvent({ id: '5', event: 'job.paused', data: '{"type":"job.paused","seq":5,"at":10,"why":"x"}' });
  assert.equal(future?.type, 'other');
  assert.equal(future?.seq, 5);
  assert.equal(parseJobEvent({ data: 'not json' }), undefined);
  assert.ok(isTerminalEvent({ type: 'job.cancelled', seq: 6, at: 0 }));
  assert.ok(!isTerminalEvent({ type: 'job.queued', seq: 1, at: 0 }));
});

test('reconnection waits grow from 0.25 s and stop at 5 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 10].map(reconnectDelayMs), [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
});
