// Bounds on what an untrusted upstream may send in one attempt (issue 12, docs/security.md): body
// sizes derived from the largest legitimate answer, a slow or endless error body, SSE events whose
// buffer would grow without end, streams that talk without progress, and retry hints that would
// park a deployment for days. send.ts calls these; each returns a value, never throws on bad input.
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Clock } from '../time/clock.js';

export interface UpstreamBounds {
  /** Largest decoded image; bodies and SSE events scale from it (base64 is 4/3 larger). */
  maxImageBytes: number;
  maxErrorBodyBytes: number;
  errorBodyTimeoutMs: number;
  maxPartialEvents: number;
  /** Bytes of a stream that carry no progress (comments, unknown events). */
  maxIdleBytes: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_UPSTREAM_BOUNDS: UpstreamBounds = {
  maxImageBytes: 50 * 1024 * 1024, maxErrorBodyBytes: 64 * 1024, errorBodyTimeoutMs: 10_000,
  maxPartialEvents: 64, maxIdleBytes: 64 * 1024, maxRetryAfterMs: 300_000,
};

const ENVELOPE_BYTES = 1024 * 1024;

/** The largest SSE event a legitimate upstream sends: one base64 image plus its other fields. */
export function maxEventBytes(bounds: UpstreamBounds): number {
  return Math.ceil((bounds.maxImageBytes * 4) / 3) + ENVELOPE_BYTES;
}

/** The largest JSON answer for `n` images. */
export function maxResponseBytes(bounds: UpstreamBounds, n: number): number {
  return Math.max(1, n) * Math.ceil((bounds.maxImageBytes * 4) / 3) + ENVELOPE_BYTES;
}

export function clampRetryMs(ms: number | undefined, bounds: UpstreamBounds): number | undefined {
  return ms === undefined ? undefined : Math.min(Math.max(0, ms), bounds.maxRetryAfterMs);
}

export type BoundedText = { ok: true; text: string } | { ok: false; reason: string };
export type BoundedBytes = { ok: true; bytes: Buffer } | { ok: false; reason: string };

interface ReadOptions {
  maxBytes: number;
  /** Called on every chunk (the idle watchdog). */
  touch(): void;
  /** `truncate`: keep the first maxBytes and stop reading (error bodies); `fail`: the body is refused. */
  overflow: 'truncate' | 'fail';
  /** Stop reading after this long, keeping what arrived (error bodies that trickle). */
  timeout?: { clock: Clock; ms: number };
  /** The announced length (content-length): within maxBytes, the body is read into one buffer of it, not copied again. */
  sizeHint?: number;
}

/** Collects chunks into one buffer of the announced size while they fit it, else as a list to join. */
class Collector {
  private readonly whole: Buffer | undefined;
  private chunks: Buffer[] = [];
  size = 0;

  constructor(sizeHint: number | undefined, maxBytes: number) {
    this.whole = sizeHint !== undefined && sizeHint > 0 && sizeHint <= maxBytes ? Buffer.allocUnsafe(sizeHint) : undefined;
  }

  add(chunk: Uint8Array): void {
    if (this.whole && this.chunks.length === 0 && this.size + chunk.length <= this.whole.length) this.whole.set(chunk, this.size);
    else {
      if (this.whole && this.chunks.length === 0) this.chunks.push(this.whole.subarray(0, this.size));
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    }
    this.size += chunk.length;
  }

  bytes(): Buffer {
    if (this.chunks.length === 0) return this.whole ? this.whole.subarray(0, this.size) : Buffer.alloc(0);
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Reads a body up to a size (and time) bound, as text; past it the body is dropped, not buffered. */
export async function readBounded(body: AsyncIterable<Uint8Array> & { destroy?(): unknown }, options: ReadOptions): Promise<BoundedText> {
  const read = await readBoundedBytes(body, options);
  return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read;
}

/** Reads a body up to a size (and time) bound, as bytes; past it the body is dropped, not buffered. */
export async function readBoundedBytes(body: AsyncIterable<Uint8Array> & { destroy?(): unknown }, options: ReadOptions): Promise<BoundedBytes> {
  const collected = new Collector(options.sizeHint, options.maxBytes);
  let expired = false;
  const timer = options.timeout?.clock.setTimer(options.timeout.ms, () => {
    expired = true;
    body.destroy?.();
  });
  try {
    for await (const chunk of body) {
      options.touch();
      if (collected.size + chunk.length > options.maxBytes) {
        body.destroy?.();
        if (options.overflow === 'fail') return { ok: false, reason: `the upstream body is larger than ${options.maxBytes} bytes` };
        collected.add(chunk.subarray(0, options.maxBytes - collected.size));
        break;
      }
      collected.add(chunk);
    }
  } catch (error) {
    if (!expired) throw error;
  } finally {
    timer?.cancel();
  }
  return { ok: true, bytes: collected.bytes() };
}

export interface SseReaderOptions {
  maxEventBytes: number;
  maxIdleBytes: number;
  /** Each event; returns true when it is progress (a partial or completed image, an error). */
  onEvent(event: EventSourceMessage): boolean;
}

export interface SseReader {
  /** Feeds bytes as they arrive (any chunking, UTF-8 split anywhere); a no-op once failed. */
  feed(chunk: Uint8Array): void;
  /** Why the stream was refused, once it is. */
  readonly failure: string | undefined;
}

/** An SSE parser with bounded memory: events over maxEventBytes and talk without progress fail it. */
export function createSseReader(options: SseReaderOptions): SseReader {
  let failure: string | undefined;
  let idleBytes = 0;
  const idle = (bytes: number): void => {
    idleBytes += bytes;
    if (idleBytes > options.maxIdleBytes && failure === undefined) {
      failure = `the upstream sent more than ${options.maxIdleBytes} bytes without progress (upstream.max_idle_bytes)`;
    }
  };
  const parser = createParser({
    maxBufferSize: options.maxEventBytes,
    onEvent: (event) => {
      if (failure !== undefined) return;
      if (!options.onEvent(event)) idle(event.data.length + (event.event?.length ?? 0) + 2);
    },
    onComment: (comment) => idle(comment.length + 2),
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') failure ??= `the upstream sent an SSE event larger than ${options.maxEventBytes} bytes`;
    },
  });
  const decoder = new TextDecoder();
  return {
    feed(chunk) {
      if (failure !== undefined) return;
      try {
        parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        failure ??= `the upstream stream could not be parsed: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    get failure() {
      return failure;
    },
  };
}
