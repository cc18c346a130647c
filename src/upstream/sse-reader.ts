// Reads an upstream's SSE answer (wire-format §4) through a bounded reader (bounded-body.ts, on
// eventsource-parser): partial images go to the handler as they arrive, the stream ends at one
// completed event per image or an error event; oversized events and progress-free bytes fail it.
import type { EventSourceMessage } from 'eventsource-parser';
import { isRecord, type ImagesResponse } from '../wire/openai-images.js';
import type { RateLimitInfo, UpstreamFailure, UpstreamHandlers, UpstreamResult } from './adapter.js';
import { failureFromStreamError } from './classify.js';
import type { UpstreamIds } from './failure.js';
import { createSseReader, maxEventBytes, type UpstreamBounds } from './bounded-body.js';
import { parseJsonLifting } from './lift-json.js';

export interface StreamReading {
  touch(): void;
  handlers: UpstreamHandlers;
  setPartials(n: number): void;
  fail(failure: UpstreamFailure): UpstreamResult;
  ids: UpstreamIds;
  rateLimit: RateLimitInfo | undefined;
  /** Completed events to wait for: one per image (`n`). */
  expectedImages: number;
  bounds: UpstreamBounds;
}

export async function readStream(body: AsyncIterable<Buffer>, reading: StreamReading): Promise<UpstreamResult> {
  let partials = 0;
  const completed: Array<Record<string, unknown>> = [];
  let failure: UpstreamFailure | undefined;
  const done = (): boolean => failure !== undefined || completed.length >= reading.expectedImages;
  const { bounds } = reading;
  const onEvent = (event: EventSourceMessage): boolean => {
    if (done()) return true;
    const data = parseJsonLifting(event.data);
    if (event.event === 'error' || (isRecord(data) && data.error)) {
      failure = failureFromStreamError(data, partials);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.partial_image')) {
      partials += 1;
      reading.setPartials(partials);
      if (partials > bounds.maxPartialEvents) {
        failure = { kind: 'stream_error', message: `The upstream sent more than ${bounds.maxPartialEvents} partial images in one attempt (upstream.max_partial_events).`, partialsReceived: partials };
      } else reading.handlers.onPartial?.(data);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.completed')) {
      completed.push(data);
    } else return false;
    return true;
  };
  const reader = createSseReader({ maxEventBytes: maxEventBytes(bounds), maxIdleBytes: bounds.maxIdleBytes, onEvent });
  for await (const chunk of body) {
    reading.touch();
    reader.feed(chunk);
    if (reader.failure !== undefined) {
      failure ??= { kind: 'stream_error', message: `The upstream stream was refused: ${reader.failure}.`, partialsReceived: partials };
    }
    if (done()) break;
  }
  if (failure) return reading.fail(failure);
  if (completed.length === 0) {
    return reading.fail({ kind: 'stream_error', message: 'The upstream stream ended before the completed event.', partialsReceived: partials });
  }
  return { ok: true, response: responseFromCompleted(completed), completedEvent: completed[0], upstreamIds: reading.ids, rateLimit: reading.rateLimit };
}

/** The non-streaming answer equivalent to a stream's completed event (wire-format §3, §4.2). */
export function responseFromCompleted(events: Array<Record<string, unknown>>): ImagesResponse {
  const event = events[0];
  const pick = (key: string): string | undefined => (typeof event[key] === 'string' ? (event[key] as string) : undefined);
  const response: ImagesResponse = {
    created: typeof event.created_at === 'number' ? event.created_at : 0,
    data: events.map((e) => ({ b64_json: typeof e.b64_json === 'string' ? e.b64_json : undefined })),
    background: pick('background'),
    output_format: pick('output_format'),
    quality: pick('quality'),
    size: pick('size'),
  };
  if (isRecord(event.usage)) response.usage = event.usage as unknown as ImagesResponse['usage'];
  return response;
}
