// A clock for a simulator that must not finish a call before the test is ready: while held, every
// timer set on it waits; `release()` starts them, each with its full delay from then on. `now()`
// runs on as the inner clock's. Lets a test act while an upstream call is in flight without
// racing its duration (a loaded machine cannot make the call end early).
import { sleepWith, type Clock, type Timer } from '../../src/time/clock.js';

export class HeldClock implements Clock {
  private held: (() => void)[] | undefined = [];

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.inner.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): Timer {
    if (!this.held) return this.inner.setTimer(ms, fn);
    let timer: Timer | undefined;
    let cancelled = false;
    this.held.push(() => { if (!cancelled) timer = this.inner.setTimer(ms, fn); });
    return { cancel: () => { cancelled = true; timer?.cancel(); } };
  }

  /** Starts every held timer and stops holding new ones. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const start of held) start();
  }
}
