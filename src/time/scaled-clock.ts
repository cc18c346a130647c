// ScaledClock: simulated time that runs on real timers, `scale` real ms per simulated ms.
// `--time-scale 0.01` makes a 245 s generation take 2.45 s of real time, across processes.
import { sleepWith, type Clock, type Timer } from './clock.js';

export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  private readonly simStart: number;

  /** `scale` = real ms per simulated ms (0.01: a simulated minute lasts 600 ms). */
  constructor(readonly scale: number, simStartMs: number = Date.now()) {
    if (!(scale > 0)) throw new RangeError(`time scale must be > 0, got ${scale}`);
    this.simStart = simStartMs;
  }

  now(): number {
    return this.simStart + Math.floor((Date.now() - this.realStart) / this.scale);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms) * this.scale);
    return { cancel: () => clearTimeout(handle) };
  }
}
