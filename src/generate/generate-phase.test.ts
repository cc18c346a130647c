import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobEvent, type JobStreamEvent } from '../sdk/index.js';
import { initialPhase, jobFailureMessage, nextPhase } from './generate-phase.js';

const frame = (seq: number, body: Record<string, unknown>): JobStreamEvent => {
  const event = parseJobEvent({ id: String(seq), data: JSON.stringify({ ...body, seq, at: 0 }) });
  assert.ok(event);
  return event;
};

test('a retried job reads as queued, attempt k on X, partial i of N, retrying after error E in S s, completed', () => {
  const events = [
    frame(1, { type: 'job.queued' }),
    frame(2, { type: 'attempt.started', attempt: 1, deploymentId: 'sweden', mode: 'stream' }),
    frame(3, { type: 'image.partial', attempt: 1, deploymentId: 'sweden', forward: true, payload: {} }),
    frame(4, { type: 'attempt.failed', attempt: 1, deploymentId: 'sweden', kind: 'stream_error', message: 'boom', retryInMs: 1500, upstreamIds: {} }),
    frame(5, { type: 'attempt.started', attempt: 2, deploymentId: 'westeurope', mode: 'stream' }),
    frame(6, { type: 'image.partial', attempt: 2, deploymentId: 'westeurope', forward: false, payload: {} }),
    frame(7, { type: 'image.partial', attempt: 2, deploymentId: 'westeurope', forward: true, payload: {} }),
    frame(8, { type: 'job.completed', response: { data: [{ b64_json: 'x' }] } }),
  ];
  let state = initialPhase(2);
  const phases: Array<string | undefined> = [];
  const values: number[] = [];
  for (const e of events) {
    const u = nextPhase(state, e);
    state = u.state;
    phases.push(u.phase);
    values.push(u.progress.value);
  }
  assert.deepEqual(phases, [
    'queued',
    'attempt 1 on deployment sweden',
    'partial 1 of 2 (attempt 1 on sweden)',
    'retrying in 1.5 s after error stream_error (boom)',
    'attempt 2 on deployment westeurope',
    undefined, // a partial asked only to keep the upstream talking is not the user's
    'partial 1 of 2 (attempt 2 on westeurope)',
    'completed',
  ]);
  assert.deepEqual(values, [0, 0, 1, 1, 0, 0, 1, 3]);
});

test('partials asked for but impossible (a non-streaming upstream call) are explained once and leave them out of the bar', () => {
  let state = initialPhase(3);
  const started = nextPhase(state, frame(2, { type: 'attempt.started', attempt: 1, deploymentId: 'sweden', mode: 'non_stream' }));
  state = started.state;
  assert.equal(started.phase, 'attempt 1 on deployment sweden (no partials: upstream without streaming)');
  assert.match(String(started.note), /no partial images on this attempt: .*without streaming.*idle limit/);
  assert.deepEqual(started.progress, { value: 0, total: 1 });
  const done = nextPhase(state, frame(3, { type: 'job.completed', response: { data: [{}] } }));
  assert.deepEqual(done.progress, { value: 1, total: 1 });
  // A streaming attempt notes nothing.
  assert.equal(nextPhase(initialPhase(3), frame(2, { type: 'attempt.started', attempt: 1, deploymentId: 'sweden', mode: 'stream' })).note, undefined);
  // A job resumed after a restart says so.
  assert.equal(nextPhase(state, frame(4, { type: 'job.queued' })).phase, 'queued again (the gateway restarted and resumed the job)');
});

test('a failed job explains itself in one line with the upstream message, status, code and attempts', () => {
  const failed = frame(9, {
    type: 'job.failed', attempts: 1,
    error: { status: 400, kind: 'content_policy', body: { error: { message: 'Rejected by the safety system.', code: 'content_policy_violation' } } },
  });
  assert.equal(failed.type, 'job.failed');
  if (failed.type !== 'job.failed') return;
  assert.equal(jobFailureMessage(failed), 'Rejected by the safety system. (HTTP 400 [content_policy_violation], 1 attempt(s))');
});
