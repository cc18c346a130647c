// Writes a job's events to an HTTP response as SSE, with `: keepalive` heartbeats whenever nothing
// was written for heartbeatIntervalMs. Heartbeats belong to the connection, never to the job; they
// are written only between complete frames (a frame is one write, or one run of pieces for a big
// image, during which no heartbeat is written). Honours backpressure.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Clock, Timer } from '../time/clock.js';
import type { JobEvent } from '../engine/job.js';
import { KEEPALIVE } from '../wire/sse.js';
import type { TextPieces } from '../wire/text-pieces.js';

/** One complete SSE frame: its text, or (a 35 MB image) its text in pieces, read as it is written. */
export type Frame = string | { pieces: TextPieces };

export interface RelayOptions {
  heartbeatIntervalMs: number;
  /** Turns one job event into zero or more complete frames. */
  toFrames(event: JobEvent): Frame[] | Promise<Frame[]>;
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

/** Resolves on 'drain' or 'close', and leaves no listener behind (a big frame waits hundreds of times). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Relays until the events end or the client goes away; never throws on a closed socket. */
export async function relayEvents(
  clock: Clock, res: ServerResponse, events: AsyncIterable<JobEvent>, options: RelayOptions,
): Promise<{ framesWritten: number; clientGone: boolean }> {
  let timer: Timer | undefined;
  let skip = options.skipFrames ?? 0;
  let framesWritten = 0;
  let inFrame = false;
  const gone = (): boolean => res.destroyed || res.writableEnded;
  const arm = (): void => {
    timer?.cancel();
    timer = clock.setTimer(options.heartbeatIntervalMs, () => {
      if (gone()) return;
      if (!inFrame) {
        res.write(KEEPALIVE);
        options.onHeartbeat?.();
      }
      arm();
    });
  };
  /** Writes text; false when the client left while it waited for the socket to drain. */
  const write = async (text: string): Promise<boolean> => {
    if (!res.write(text)) await drainedOrClosed(res);
    return !gone();
  };
  arm();
  try {
    for await (const event of events) {
      for (const frame of await options.toFrames(event)) {
        if (skip > 0) { skip -= 1; continue; }
        if (gone()) return { framesWritten, clientGone: true };
        if (typeof frame === 'string') {
          framesWritten += 1;
          arm();
          await write(frame);
          continue;
        }
        inFrame = true;
        for await (const piece of frame.pieces()) {
          if (!await write(piece)) return { framesWritten, clientGone: true };
        }
        inFrame = false;
        framesWritten += 1;
        arm();
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
