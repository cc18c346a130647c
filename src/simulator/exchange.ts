// One request's response lifecycle behind the API-Management-like front (wire-format §9.1):
// headers go out with the first SSE frame; the idle watchdog answers 408 before headers or cuts
// the socket after them; non-streaming answers get 408 after the response timeout. Every timer is
// cancelled when the exchange finishes, including when the client goes away.
import type { ServerResponse } from 'node:http';
import type { Clock, Timer } from '../time/clock.js';
import { timeoutReply } from './error-bodies.js';
import type { Outcome } from './stats.js';

export interface FrontPolicy {
  idleTimeoutMs: number | null;
  streamIdleTimeoutMs: number | null;
  responseTimeoutMs: number | null;
}

export interface ExchangeOptions {
  clock: Clock;
  raw: ServerResponse;
  headers: Record<string, string>;
  streaming: boolean;
  front: FrontPolicy;
  onFinish(outcome: Outcome): void;
}

export class Exchange {
  private readonly timers = new Set<Timer>();
  private watchdog: Timer | undefined;
  private finished = false;
  private stepRunning = false;
  private chain: Promise<void> = Promise.resolve();
  /** Frames handed to the response that have not reached the socket yet, and what waits for them. */
  private unflushed = 0;
  private afterFlush: (() => void) | undefined;
  /** SSE frames written so far (for error `sequence_number`s). */
  framesSent = 0;
  readonly startedAtMs: number;

  constructor(private readonly options: ExchangeOptions) {
    this.startedAtMs = options.clock.now();
    options.raw.on('close', () => this.finish('client_aborted'));
    const { front, streaming } = options;
    this.arm(streaming ? front.idleTimeoutMs : front.responseTimeoutMs);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Runs `step` at simulated `atMs` after the start, after every earlier step has finished. */
  at(atMs: number, step: () => Promise<void> | void): void {
    const delay = Math.max(0, this.startedAtMs + atMs - this.options.clock.now());
    const timer = this.options.clock.setTimer(delay, () => {
      this.timers.delete(timer);
      // Every step writes or ends the response: on the simulated timeline it happens now, so the
      // front stops counting silence even if rendering the payload takes real time on a fast clock.
      if (!this.finished) this.arm(this.options.streaming ? this.options.front.streamIdleTimeoutMs : null);
      this.chain = this.chain.then(async () => {
        if (this.finished) return;
        this.stepRunning = true;
        try {
          await step();
        } finally {
          this.stepRunning = false;
        }
      }).catch((error: unknown) => this.fail(error));
    });
    this.timers.add(timer);
  }

  writeFrame(text: string): void {
    if (this.finished) return;
    const { raw, headers, front } = this.options;
    if (!raw.headersSent) {
      raw.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    }
    this.unflushed += 1;
    raw.write(text, () => {
      this.unflushed -= 1;
      if (this.unflushed > 0) return;
      const waiting = this.afterFlush;
      this.afterFlush = undefined;
      waiting?.();
    });
    this.framesSent += 1;
    this.arm(front.streamIdleTimeoutMs);
  }

  endStream(outcome: Outcome): void {
    if (this.finished) return;
    this.finish(outcome);
    this.options.raw.end();
  }

  sendJson(status: number, body: unknown, outcome: Outcome): void {
    if (this.finished) return;
    this.finish(outcome);
    const { raw, headers } = this.options;
    if (raw.headersSent) {
      raw.destroy();
      return;
    }
    raw.writeHead(status, { ...headers, 'content-type': 'application/json' });
    raw.end(JSON.stringify(body));
  }

  /** Tears the connection down without an answer (a reset, or the front's cut). */
  destroy(outcome: Outcome): void {
    if (this.finished) return;
    this.finish(outcome);
    const { raw } = this.options;
    // Let frames already written reach the client first; the unfinished chunked body still fails.
    // Node 24's ServerResponse keeps the headers and the first chunk in its own buffer until the
    // next tick, so tearing the socket down now would send nothing: wait for the writes to flush.
    const tear = (): void => {
      if (raw.socket && raw.headersSent) raw.socket.destroySoon();
      else raw.destroy();
    };
    if (raw.headersSent && this.unflushed > 0) this.afterFlush = tear;
    else tear();
  }

  private arm(timeoutMs: number | null): void {
    this.watchdog?.cancel();
    this.watchdog = undefined;
    if (timeoutMs === null || this.finished) return;
    this.watchdog = this.options.clock.setTimer(timeoutMs, () => {
      this.watchdog = undefined;
      // A step that is rendering its payload has already "sent" it on the simulated timeline.
      if (this.stepRunning) {
        this.arm(timeoutMs);
        return;
      }
      if (this.options.raw.headersSent) this.destroy('cut');
      else this.sendJson(timeoutReply.status, timeoutReply.body, 'timeout_408');
    });
  }

  private fail(error: unknown): void {
    // Rendering failed: the upstream's generic 500, or a torn stream once headers are out.
    void error;
    this.sendJson(500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }, 'http_500');
  }

  private finish(outcome: Outcome): void {
    if (this.finished) return;
    this.finished = true;
    this.watchdog?.cancel();
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    this.options.onFinish(outcome);
  }
}
