// Shutdown as clients see it: in-flight work finishes within the grace period; past it, clients are
// told (an error frame, a 503) and the job stays in the store to resume on restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, seedConfig, seedEnv, type Stack } from '../helpers/stack.js';
import { openSse } from '../helpers/process.js';
import { postJson } from '../helpers/sse.js';

const path = '/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';
const body = { prompt: 'a lighthouse', size: '1024x1024', quality: 'low' };

/** Yields to the event loop until both requests have become running jobs. */
async function untilJobs(stack: Stack, count: number): Promise<void> {
  for (let turns = 0; stack.holdfast.engine.inFlight < count; turns += 1) {
    if (turns > 1_000_000) throw new Error('the jobs never started');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('on close with a grace period, in-flight generations finish and new connections are refused', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const stream = await openSse(`${stack.url}${path}`, { headers: { 'api-key': 'k' }, body: { ...body, stream: true } });
  const json = postJson(`${stack.url}${path}`, body, { 'api-key': 'k' });
  await untilJobs(stack, 2);
  await stack.holdfast.close(60_000);
  const frames = await stream.frames;
  assert.deepEqual(frames.map((f) => f.event), ['image_generation.completed']);
  assert.equal((await json).status, 200);
  await assert.rejects(postJson(`${stack.url}${path}`, body, { 'api-key': 'k' }), /ECONNREFUSED|other side closed|SocketError/);
});

test('past the grace period, a stream ends with a shutting_down error frame and a JSON client gets 503 with the job id', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const stream = await openSse(`${stack.url}${path}`, { headers: { 'api-key': 'k' }, body: { ...body, stream: true } });
  const json = postJson(`${stack.url}${path}`, body, { 'api-key': 'k' });
  await untilJobs(stack, 2);
  await stack.holdfast.close(0);
  const frames = await stream.frames;
  assert.equal(frames.at(-1)?.event, 'error');
  const error = frames.at(-1)?.json.error as Record<string, unknown>;
  assert.equal(error.code, 'shutting_down');
  assert.match(String(error.message), /events\?after=0/);
  const answer = await json;
  assert.equal(answer.status, 503);
  assert.match(String(answer.headers['holdfast-job-id']), /^job_/);
  assert.equal((answer.json.error as Record<string, unknown>).code, 'shutting_down');
});
