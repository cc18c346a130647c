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
