// How `holdfast generate` shows progress: a cli-progress bar with the phase, the elapsed time and an
// ETA on a terminal; plain timestamped lines otherwise (pipes, CI logs). Both write to the stream given (stderr).
import cliProgress from 'cli-progress';
import type { Clock } from '../time/clock.js';

export interface ProgressReporter {
  /** The current phase and how far along it is. */
  phase(text: string, progress: { value: number; total: number }): void;
  /** Something worth a line of its own (a saved partial, a resumed connection). */
  note(text: string): void;
  /** When the current attempt is expected to end (local clock ms), or undefined when unknown. */
  eta(expectedEndAt: number | undefined): void;
  /** Stops the display; `text` is the last line, printed as is. */
  finish(text: string): void;
}

function elapsedText(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(6)}s`;
}

/** m:ss */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** "0:41 elapsed, ETA 0:23" (or "… overdue 0:05" past the expected end; no ETA when unknown). */
export function timingText(now: number, started: number, expectedEndAt: number | undefined): string {
  const elapsed = `${clockText(now - started)} elapsed`;
  if (expectedEndAt === undefined) return elapsed;
  const left = expectedEndAt - now;
  return left >= 0 ? `${elapsed}, ETA ${clockText(left)}` : `${elapsed}, ${clockText(-left)} past the usual time`;
}

/** Plain lines `[  12.3s] attempt 1 on deployment sweden`, one per change. */
export function createPlainReporter(clock: Clock, out: NodeJS.WritableStream): ProgressReporter {
  const started = clock.now();
  let last = '';
  const line = (text: string): void => {
    out.write(`[${elapsedText(clock.now() - started)}] ${text}\n`);
  };
  return {
    phase(text) {
      if (text === last) return;
      last = text;
      line(text);
    },
    note: line,
    // The note that announces the expected duration says it; lines carry their elapsed time.
    eta: () => undefined,
    finish: (text) => out.write(`${text}\n`),
  };
}

/** A bar `[=====-----] 2/3 | 0:41 elapsed, ETA 0:23 | partial 2 of 2 (attempt 1 on sweden)`, redrawn each second. */
export function createTtyReporter(clock: Clock, out: NodeJS.WritableStream): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    format: '[{bar}] {value}/{total} | {timing} | {phase}',
    barsize: 20, hideCursor: true, stream: out, clearOnComplete: true, linewrap: false,
  }, cliProgress.Presets.shades_classic);
  const startedAt = clock.now();
  let expectedEndAt: number | undefined;
  let started = false;
  let stopped = false;
  let last = { text: '', value: 0, total: 1 };
  const timing = (): string => timingText(clock.now(), startedAt, expectedEndAt);
  // The elapsed time and ETA move on between events: a redraw each second until finish().
  let ticker = { cancel: (): void => undefined };
  const tick = (): void => {
    if (stopped) return;
    if (started) bar.update({ timing: timing() });
    ticker = clock.setTimer(1000, tick);
  };
  tick();
  const show = (text: string, value?: number, total?: number): void => {
    if (stopped) return;
    last = { text, value: value ?? last.value, total: total ?? last.total };
    if (!started) {
      bar.start(total ?? 1, value ?? 0, { phase: text, timing: timing() });
      started = true;
      return;
    }
    if (total !== undefined) bar.setTotal(total);
    if (value !== undefined) bar.update(value, { phase: text, timing: timing() });
    else bar.update({ phase: text, timing: timing() });
  };
  return {
    phase: (text, progress) => show(text, progress.value, progress.total),
    note(text) {
      // A note is a line of its own above the bar, so that it is not overwritten by the next phase.
      if (stopped) return;
      const wasShowing = started;
      if (wasShowing) {
        bar.stop();
        started = false;
      }
      out.write(`${text}\n`);
      if (wasShowing) show(last.text, last.value, last.total);
    },
    eta(at) {
      expectedEndAt = at;
    },
    finish(text) {
      ticker.cancel();
      if (!stopped && started) bar.stop();
      stopped = true;
      out.write(`${text}\n`);
    },
  };
}
