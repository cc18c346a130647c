// Writes a job's events to an HTTP response as SSE, with `: keepalive` heartbeats whenever nothing
// was written for heartbeatIntervalMs. Heartbeats belong to the connection, never to the job; they
// are written only between complete frames (each frame is one write). Honours backpressure.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { once } from 'node:events';
import type { Clock, Timer } from '../time/clock.js';
import type { JobEvent } from '../engine/job.js';
import { KEEPALIVE } from '../wire/sse.js';

export interface RelayOptions {
  heartbeatIntervalMs: number;
  /** Turns one job event into zero or more complete frames. */
  toFrames(event: JobEvent): string[] | Promise<string[]>;
  /** Frames to skip before writing (`?after=N`). */
  skipFrames?: number;
  onHeartbeat?(): void;
  /** Frames to write when the events end (e.g. the stream is cut short by a shutdown). */
  closingFrames?(): string[];
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** Relays until the events end or the client goes away; never throws on a closed socket. */
export async function relayEvents(
  clock: Clock, res: ServerResponse, events: AsyncIterable<JobEvent>, options: RelayOptions,
): Promise<{ framesWritten: number; clientGone: boolean }> {
  let timer: Timer | undefined;
  let skip = options.skipFrames ?? 0;
  let framesWritten = 0;
  const gone = (): boolean => res.destroyed || res.writableEnded;
  const arm = (): void => {
    timer?.cancel();
    timer = clock.setTimer(options.heartbeatIntervalMs, () => {
      if (gone()) return;
      res.write(KEEPALIVE);
      options.onHeartbeat?.();
      arm();
    });
  };
  arm();
  try {
    for await (const event of events) {
      for (const frame of await options.toFrames(event)) {
        if (skip > 0) { skip -= 1; continue; }
        if (gone()) return { framesWritten, clientGone: true };
        const flushed = res.write(frame);
        framesWritten += 1;
        arm();
        if (!flushed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    }
    // Decided before end(): whether end() has finished by the time it returns differs between
    // Node versions (on 24 'finish' comes later), so it cannot tell a client that left.
    const clientGone = gone();
    if (!clientGone) res.end((options.closingFrames?.() ?? []).join(''));
    return { framesWritten, clientGone };
  } finally {
    timer?.cancel();
  }
}

/** Takes the response over for SSE: headers flushed at once; the signal aborts when the client goes. */
export function openSseReply(reply: FastifyReply, headers: Record<string, string>): { res: ServerResponse; signal: AbortSignal } {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  res.flushHeaders();
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  return { res, signal: gone.signal };
}
