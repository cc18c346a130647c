// Reads an SSE body into frames with eventsource-parser. undici hands out Buffers whatever the
// encoding says, so chunks are decoded with a streaming TextDecoder (a split UTF-8 sequence stays whole).
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseMessage {
  event?: string;
  id?: string;
  data: string;
}

/** Yields each complete frame of `body` in order; comment lines (`: keepalive`) are skipped. */
export async function* readSseFrames(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const pending: SseMessage[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => pending.push({ event: m.event, id: m.id, data: m.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift() as SseMessage;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift() as SseMessage;
}
