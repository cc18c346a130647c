// ManualClock: virtual time for tests. Timers fire in time order only when the test advances time;
// advanceBy yields a full event-loop turn between steps so real socket I/O keeps flowing.
import { sleepWith, type Clock, type Timer } from './clock.js';

interface Pending {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private current: number;
  private order = 0;
  private pending: Pending[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): Timer {
    const entry: Pending = { at: this.current + Math.max(0, ms), order: this.order++, fn, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  /** Number of timers still waiting. */
  get pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Advances time by `ms`, firing due timers in order; with stepMs, yields to the event loop each step. */
  async advanceBy(ms: number, options: { stepMs?: number } = {}): Promise<void> {
    const target = this.current + ms;
    const step = options.stepMs ?? ms;
    while (this.current < target) {
      const next = Math.min(target, this.current + Math.max(1, step));
      this.fireUntil(next);
      await turn();
      this.fireUntil(next);
    }
    await turn();
  }

  private fireUntil(limit: number): void {
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      this.pending.sort((a, b) => a.at - b.at || a.order - b.order);
      const due = this.pending[0];
      if (!due || due.at > limit) break;
      this.pending.shift();
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = Math.max(this.current, limit);
  }
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
