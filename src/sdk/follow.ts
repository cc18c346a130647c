// Follows a job's events (`GET /v1/images/jobs/{id}/events`) until the job ends. A dropped or
// stalled connection is resumed with `Last-Event-ID: <last seq seen>`: the gateway replays only what
// came after, so nothing is seen twice and the job (and its upstream call) is never started over.
import { HoldfastApiError, HoldfastConnectionError } from './errors.js';
import { isTerminalEvent, parseJobEvent, type JobStreamEvent } from './job-events.js';
import { readSseFrames } from './sse-reader.js';
import { describe, send, type Transport } from './transport.js';

export interface FollowOptions {
  /** Resume after this event (`seq`); 0 = from the start. */
  afterSeq?: number;
  signal?: AbortSignal;
  /** Reconnections in a row without receiving an event before giving up (default 5). */
  maxReconnects?: number;
  /** Real-time silence after which the connection counts as dead (default 120 000; holdfast sends heartbeats far more often). */
  idleTimeoutMs?: number;
  /** Called before each reconnection, e.g. to tell the user. */
  onReconnect?(info: ReconnectInfo): void;
  /**
   * Decides whether to reconnect once more (instead of `maxReconnects`): e.g. keep trying until the
   * job's deadline while a gateway restarts.
   */
  shouldReconnect?(info: ReconnectInfo): boolean;
}

export interface ReconnectInfo {
  /** The `Last-Event-ID` the next connection sends. */
  lastEventId: number;
  /** Fruitless connections in a row (1 after a connection that delivered events). */
  failures: number;
  reason: string;
  /** The gateway could not be reached at all (refused, reset, timed out) or answered 5xx: e.g. it is restarting. */
  unreachable: boolean;
  /** The wait before the next connection. */
  delayMs: number;
}

export interface FollowDeps {
  transport: Transport;
  /** Waits between reconnections; rejects with signal.reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

type Pass = { ended: 'terminal' } | { ended: 'dropped'; reason: string; progressed: boolean; unreachable: boolean };

/** Reconnection back-off: 0.25 s, 0.5 s, 1 s … capped at 5 s; the first retry after progress is quick. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, failures - 1));
}

/** One connection: yields its events and returns how it ended; `cursor.lastSeq` follows the log. */
async function* onePass(deps: FollowDeps, jobId: string, options: FollowOptions, cursor: { lastSeq: number }): AsyncGenerator<JobStreamEvent, Pass> {
  const afterSeq = cursor.lastSeq;
  let progressed = false;
  const res = await send(deps.transport, `/v1/images/jobs/${encodeURIComponent(jobId)}/events`, {
    headers: { accept: 'text/event-stream', ...(afterSeq > 0 ? { 'last-event-id': String(afterSeq) } : {}) },
    signal: options.signal, idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
  });
  try {
    for await (const frame of readSseFrames(res.body)) {
      const event = parseJobEvent(frame);
      if (!event) continue;
      // The log's seq is the resume point, even for event types this client does not know.
      if (event.seq > cursor.lastSeq) cursor.lastSeq = event.seq;
      progressed = true;
      yield event;
      if (isTerminalEvent(event)) return { ended: 'terminal' };
    }
    return { ended: 'dropped', reason: 'the event stream ended before the job did', progressed, unreachable: false };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { ended: 'dropped', reason: describe(error), progressed, unreachable: false };
  } finally {
    res.body.destroy();
  }
}

/**
 * Yields a job's events in order until `job.completed`, `job.failed` or `job.cancelled`, resuming
 * with `Last-Event-ID` after a dropped connection. Throws HoldfastApiError for 4xx answers (an
 * unknown job, a wrong key) and HoldfastConnectionError after `maxReconnects` fruitless reconnections.
 *
 * @example
 * ```ts
 * const client = createHoldfastClient({ baseUrl: 'http://127.0.0.1:8080' });
 * for await (const event of client.followJobEvents(job.id)) {
 *   if (event.type === 'attempt.started') console.log(`attempt ${event.attempt} on ${event.deploymentId}`);
 * }
 * ```
 */
export async function* followJobEvents(deps: FollowDeps, jobId: string, options: FollowOptions = {}): AsyncGenerator<JobStreamEvent> {
  const cursor = { lastSeq: options.afterSeq ?? 0 };
  let failures = 0;
  for (;;) {
    let pass: Pass;
    try {
      pass = yield* onePass(deps, jobId, options, cursor);
    } catch (error) {
      if (options.signal?.aborted || (error instanceof HoldfastApiError && !error.retryable)) throw error;
      pass = { ended: 'dropped', reason: error instanceof Error ? error.message : String(error), progressed: false, unreachable: true };
    }
    if (pass.ended === 'terminal') return;
    failures = pass.progressed ? 1 : failures + 1;
    const info: ReconnectInfo = { lastEventId: cursor.lastSeq, failures, reason: pass.reason, unreachable: pass.unreachable, delayMs: reconnectDelayMs(failures) };
    const again = options.shouldReconnect ? options.shouldReconnect(info) : failures <= (options.maxReconnects ?? 5);
    if (!again) {
      throw new HoldfastConnectionError(`lost the event stream of ${jobId} ${failures} times in a row: ${pass.reason}`);
    }
    options.onReconnect?.(info);
    await deps.sleep(info.delayMs, options.signal);
  }
}
