// The job state machine, as a full table: every event type from every status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTerminal, isTerminalEvent, transition, type JobEventType, type JobStatus } from './job.js';

const STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const EVENTS: JobEventType[] = ['job.queued', 'attempt.started', 'image.partial', 'attempt.failed', 'attempt.succeeded', 'job.completed', 'job.failed', 'job.cancelled'];

// event → [from queued, from running]; every event is illegal from a terminal status.
const LEGAL: Record<JobEventType, [JobStatus | null, JobStatus | null]> = {
  'job.queued': ['queued', 'queued'],
  'attempt.started': ['running', 'running'],
  'image.partial': [null, 'running'],
  'attempt.failed': [null, 'running'],
  'attempt.succeeded': [null, 'running'],
  'job.completed': ['succeeded', 'succeeded'],
  'job.failed': ['failed', 'failed'],
  'job.cancelled': ['cancelled', 'cancelled'],
};

for (const event of EVENTS) {
  for (const status of STATUSES) {
    const expected = status === 'queued' ? LEGAL[event][0] : status === 'running' ? LEGAL[event][1] : null;
    test(`${event} while ${status} → ${expected ?? 'illegal'}`, () => {
      const next = transition(status, event);
      if (expected === null) {
        assert.ok(next instanceof Error);
        assert.equal(next.message, `illegal move: ${event} while ${status}`);
      } else {
        assert.equal(next, expected);
      }
    });
  }
}

test('exactly succeeded, failed and cancelled are terminal', () => {
  assert.deepEqual(STATUSES.filter(isTerminal), ['succeeded', 'failed', 'cancelled']);
});

test('exactly the completed, failed and cancelled events end a job (what ends a stream)', () => {
  const ending = EVENTS.filter((type) => isTerminalEvent({ type }));
  assert.deepEqual(ending, ['job.completed', 'job.failed', 'job.cancelled']);
});
