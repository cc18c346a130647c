// The OpenAI-format frames a job's events become, pinned byte for byte: `event:` + one `data:` line,
// never an `id:` or `retry:` line (wire-format §8.1), numbers renumbered across retries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobEvent, JobRequest } from '../engine/job.js';
import { framesFor, interruptedFrame, newFrameState, type FrameState, type ImageLoader } from './openai-frames.js';
import type { Frame } from './sse-relay.js';
import { base64Pieces } from '../wire/text-pieces.js';
import { encodeJsonFrame, encodeSseFrame, KEEPALIVE } from '../wire/sse.js';

const gen: JobRequest = { endpoint: 'generations', model: 'gpt-image-2', fields: { size: '1024x1024', quality: 'low' }, files: [], stream: true, partialImages: 2 };
const edit: JobRequest = { ...gen, endpoint: 'edits' };
const response = { created: 1755760019, data: [{ b64_json: 'AAAA' }], size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png' };
const noLoad = (e: Extract<JobEvent, { type: 'job.completed' }>) => e.response.data.map((item) => item.b64_json);

let seq = 0;
const ev = (body: Record<string, unknown>): JobEvent => ({ ...body, seq: (seq += 1), at: 0 }) as JobEvent;

/** A frame's text, read in full when it comes in pieces. */
async function textOf(frame: Frame): Promise<string> {
  if (typeof frame === 'string') return frame;
  let out = '';
  for await (const piece of frame.pieces()) out += piece;
  return out;
}

async function run(events: JobEvent[], request: JobRequest, state: FrameState = newFrameState(), load: ImageLoader = noLoad): Promise<string[]> {
  const out: string[] = [];
  for (const e of events) for (const frame of await framesFor(e, request, state, load)) out.push(await textOf(frame));
  return out;
}

test('the keepalive is one comment line and no blank line', () => {
  assert.equal(KEEPALIVE, ': keepalive\n');
});

test('a frame is event + data lines + one blank line; an id line only when asked for', () => {
  assert.equal(encodeJsonFrame('x.y', { a: 1 }), 'event: x.y\ndata: {"a":1}\n\n');
  assert.equal(encodeSseFrame({ data: '{}' }), 'data: {}\n\n');
  assert.equal(encodeSseFrame({ data: 'a\r\nb\rc\nd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
  assert.equal(encodeJsonFrame('e', {}, '7'), 'id: 7\nevent: e\ndata: {}\n\n');
  assert.throws(() => encodeSseFrame({ id: '1\n', data: '{}' }), /SSE id must not contain CR or LF/);
  assert.throws(() => encodeSseFrame({ event: 'a\rb', data: '{}' }), /SSE event must not contain CR or LF/);
});

test('partials, retries and the completed event, byte for byte, with indexes renumbered', async () => {
  const state = newFrameState();
  const frames = await run([
    ev({ type: 'job.queued' }),
    ev({ type: 'attempt.started', attempt: 1, deploymentId: 'a', mode: 'stream' }),
    ev({ type: 'image.partial', attempt: 1, deploymentId: 'a', forward: true, payload: { type: 'image_generation.partial_image', b64_json: 'P0', partial_image_index: 0 } }),
    ev({ type: 'attempt.failed', attempt: 1, deploymentId: 'a', kind: 'stream_error', message: 'cut', upstreamIds: {} }),
    ev({ type: 'image.partial', attempt: 2, deploymentId: 'b', forward: false, payload: { type: 'image_generation.partial_image', b64_json: 'X', partial_image_index: 0 } }),
    ev({ type: 'image.partial', attempt: 2, deploymentId: 'b', forward: true, payload: { type: 'image_generation.partial_image', b64_json: 'P1', partial_image_index: 1 } }),
    ev({ type: 'job.completed', response }),
  ], gen, state);
  assert.deepEqual(frames, [
    'event: image_generation.partial_image\ndata: {"type":"image_generation.partial_image","b64_json":"P0","partial_image_index":0}\n\n',
    'event: image_generation.partial_image\ndata: {"type":"image_generation.partial_image","b64_json":"P1","partial_image_index":1}\n\n',
    'event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"AAAA","created_at":1755760019,"size":"1024x1024","quality":"low","background":"opaque","output_format":"png"}\n\n',
  ]);
  assert.deepEqual(state, { partialIndex: 2, sequence: 0, frames: 3, terminal: true });
  for (const frame of frames) assert.doesNotMatch(frame, /^(id|retry):/m);
});

test('a completed event from the upstream is repeated per image with sequence numbers that keep increasing', async () => {
  const state = newFrameState();
  const frames = await run([
    ev({ type: 'image.partial', attempt: 1, deploymentId: 'a', forward: true, payload: { type: 'image_edit.partial_image', b64_json: 'P', partial_image_index: 0, sequence_number: 0 } }),
    ev({ type: 'job.completed', response: { created: 1, data: [{ b64_json: 'A' }, { b64_json: 'B' }] }, completedEvent: { type: 'image_edit.completed', created_at: 1, sequence_number: 9 } }),
  ], edit, state);
  assert.deepEqual(frames, [
    'event: image_edit.partial_image\ndata: {"type":"image_edit.partial_image","b64_json":"P","partial_image_index":0,"sequence_number":0}\n\n',
    'event: image_edit.completed\ndata: {"type":"image_edit.completed","created_at":1,"sequence_number":1,"b64_json":"A"}\n\n',
    'event: image_edit.completed\ndata: {"type":"image_edit.completed","created_at":1,"sequence_number":2,"b64_json":"B"}\n\n',
  ]);
  assert.equal(state.sequence, 3);
});

test('a completed event without the upstream one falls back to the request fields', async () => {
  const frames = await run([ev({ type: 'job.completed', response: { created: 5, data: [{}] } })], gen);
  assert.deepEqual(frames, ['event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"","created_at":5,"size":"1024x1024","quality":"low","background":"auto","output_format":"png"}\n\n']);
  const bare = await run([ev({ type: 'job.completed', response: { created: 5, data: [{ b64_json: 'Z' }] } })], { ...gen, fields: {} });
  assert.deepEqual(bare, ['event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"Z","created_at":5,"size":"auto","quality":"auto","background":"auto","output_format":"png"}\n\n']);
});

test('a failed job is one error frame in the upstream shape, numbered after what was sent', async () => {
  const state = newFrameState();
  state.sequence = 2;
  const frames = await run([ev({ type: 'job.failed', attempts: 3, error: { status: 502, kind: 'server_error', body: { error: { message: 'gave up', type: 'server_error', param: null, code: 'upstream_failed' } } } })], gen, state);
  assert.deepEqual(frames, ['event: error\ndata: {"type":"error","error":{"type":"server_error","code":"upstream_failed","message":"gave up","param":null},"sequence_number":2}\n\n']);
  assert.equal(state.terminal, true);
  const flat = await run([ev({ type: 'job.failed', attempts: 1, error: { status: 500, kind: 'server_error', body: {} } })], gen);
  assert.deepEqual(flat, ['event: error\ndata: {"type":"error","error":{"type":"server_error","code":null,"message":"The job failed.","param":null},"sequence_number":0}\n\n']);
});

test('a cancelled job and a restart each end the stream with an error frame', async () => {
  const state = newFrameState();
  assert.deepEqual(await run([ev({ type: 'job.cancelled' })], gen, state), [
    'event: error\ndata: {"type":"error","error":{"type":"invalid_request_error","code":"job_cancelled","message":"The job was cancelled.","param":null},"sequence_number":0}\n\n',
  ]);
  const s2 = newFrameState();
  s2.frames = 4;
  s2.sequence = 1;
  assert.equal(interruptedFrame('job_1', s2), 'event: error\ndata: {"type":"error","error":{"type":"server_error","code":"shutting_down","message":"holdfast is restarting; job job_1 goes on. Resume with GET /v1/images/jobs/job_1/events?after=4.","param":null},"sequence_number":1}\n\n');
  assert.equal(s2.sequence, 2);
});

test('events that are not for the client give no frames and leave the state alone', async () => {
  const state = newFrameState();
  const frames = await run([
    ev({ type: 'job.queued' }),
    ev({ type: 'attempt.succeeded', attempt: 1, deploymentId: 'a', upstreamIds: {} }),
    ev({ type: 'image.partial', attempt: 1, deploymentId: 'a', forward: false, payload: {} }),
  ], gen, state);
  assert.deepEqual(frames, []);
  assert.deepEqual(state, newFrameState());
});

test('a completed image read in pieces (from its blob) gives the same bytes as the inline frame', async () => {
  const bytes = Buffer.from('an image of some length, not a multiple of three!');
  const inline = { ...response, data: [{ b64_json: bytes.toString('base64') }, { b64_json: bytes.toString('base64') }] };
  const pieces: ImageLoader = (e) => e.response.data.map(() => () => base64Pieces((async function* chunks() {
    for (let i = 0; i < bytes.length; i += 4) yield bytes.subarray(i, i + 4);
  })()));
  for (const completedEvent of [undefined, { type: 'image_generation.completed', b64_json: '', sequence_number: 9, usage: { total_tokens: 1 } }]) {
    const events = [ev({ type: 'job.completed', response: inline, completedEvent })];
    const want = await run(events, gen);
    const got = await run(events, gen, newFrameState(), pieces);
    assert.equal(got.length, 2);
    assert.deepEqual(got, want);
  }
});

test("a completed event's images come from the loader (the stored blobs), only for completed events", async () => {
  const loaded: string[] = [];
  const loader: ImageLoader = (e) => { loaded.push(e.type); return ['FROM_BLOBS', undefined]; };
  const state = newFrameState();
  const partial = await run([
    ev({ type: 'image.partial', attempt: 1, deploymentId: 'a', forward: true, payload: { type: 'image_generation.partial_image', b64_json: 'P', partial_image_index: 0 } }),
  ], { ...gen, fields: {} }, state, loader);
  assert.equal(partial.length, 1);
  assert.equal(state.terminal, false, 'a partial does not end the stream');
  const frames = await run([
    ev({ type: 'job.completed', response: { created: 7, data: [{}, {}], size: '1536x1024', output_format: 'webp' } }),
  ], { ...gen, fields: {} }, state, loader);
  assert.deepEqual(loaded, ['job.completed']);
  assert.deepEqual(frames, [
    'event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"FROM_BLOBS","created_at":7,"size":"1536x1024","quality":"auto","background":"auto","output_format":"webp"}\n\n',
    'event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"","created_at":7,"size":"1536x1024","quality":"auto","background":"auto","output_format":"webp"}\n\n',
  ], "the answer's own output_format wins over the request's absence of one; an image without bytes gets an empty b64_json");
  assert.equal(state.terminal, true);
});
