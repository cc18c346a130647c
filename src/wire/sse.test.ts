import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { encodeJsonFrame, encodeSseFrame, KEEPALIVE } from './sse.js';

test('frames and keepalives parse back, even when split at awkward byte boundaries', () => {
  const text =
    encodeJsonFrame('image_generation.partial_image', { type: 'image_generation.partial_image', partial_image_index: 0 }) +
    KEEPALIVE +
    encodeSseFrame({ event: 'multi', data: 'a\nb' }) +
    KEEPALIVE +
    encodeJsonFrame('image_generation.completed', { type: 'image_generation.completed' }, '7');
  for (const cut of [1, 2, 3, 7, 13]) {
    const events: EventSourceMessage[] = [];
    let comments = 0;
    const parser = createParser({ onEvent: (e) => events.push(e), onComment: () => { comments += 1; } });
    for (let i = 0; i < text.length; i += cut) parser.feed(text.slice(i, i + cut));
    assert.deepEqual(events.map((e) => e.event), ['image_generation.partial_image', 'multi', 'image_generation.completed']);
    assert.equal(events[1]?.data, 'a\nb');
    assert.equal(events[2]?.id, '7');
    assert.equal(comments, 2);
  }
});

test('CR or LF in an event name is refused', () => {
  assert.throws(() => encodeSseFrame({ event: 'a\nid: 5', data: '{}' }), /CR or LF/);
});

test('the exact bytes: a keepalive is one comment line; a frame is id, event, data lines and one blank line', () => {
  assert.equal(KEEPALIVE, ': keepalive\n');
  assert.equal(encodeSseFrame({ data: 'x' }), 'data: x\n\n');
  assert.equal(encodeSseFrame({ event: 'e', data: 'x' }), 'event: e\ndata: x\n\n');
  assert.equal(encodeSseFrame({ id: '7', event: 'e', data: 'x' }), 'id: 7\nevent: e\ndata: x\n\n');
  assert.equal(encodeSseFrame({ id: '', data: '' }), 'id: \ndata: \n\n');
  assert.equal(encodeSseFrame({ data: 'a\r\nb\rc\nd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n', 'every line break style splits the data');
  assert.equal(encodeJsonFrame('image_generation.completed', { type: 'image_generation.completed', b64_json: 'AA==' }),
    'event: image_generation.completed\ndata: {"type":"image_generation.completed","b64_json":"AA=="}\n\n');
  assert.equal(encodeJsonFrame('job.queued', { seq: 1 }, '1'), 'id: 1\nevent: job.queued\ndata: {"seq":1}\n\n');
});

test('CR or LF in an id is refused, and a CR alone in an event name too', () => {
  assert.throws(() => encodeSseFrame({ id: '1\n2', data: '{}' }), /SSE id must not contain CR or LF/);
  assert.throws(() => encodeSseFrame({ id: '1\r', data: '{}' }), /SSE id must not contain CR or LF/);
  assert.throws(() => encodeSseFrame({ event: 'a\rb', data: '{}' }), /SSE event must not contain CR or LF/);
});
