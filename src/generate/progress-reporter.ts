// How `holdfast generate` shows progress: a cli-progress bar with the phase and elapsed time on a
// terminal, plain timestamped lines otherwise (pipes, CI logs). Both write to the stream given (stderr).
import cliProgress from 'cli-progress';
import type { Clock } from '../time/clock.js';

export interface ProgressReporter {
  /** The current phase and how far along it is. */
  phase(text: string, progress: { value: number; total: number }): void;
  /** Something worth a line of its own (a saved partial, a resumed connection). */
  note(text: string): void;
  /** Stops the display; `text` is the last line, printed as is. */
  finish(text: string): void;
}

function elapsedText(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(6)}s`;
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
    finish: (text) => out.write(`${text}\n`),
  };
}

/** A bar `[=====-----] 2/3 | 0:41 | partial 2 of 2 (attempt 1 on sweden)`; notes replace the phase text briefly. */
export function createTtyReporter(out: NodeJS.WritableStream): ProgressReporter {
  const bar = new cliProgress.SingleBar({
    format: '[{bar}] {value}/{total} | {duration_formatted} | {phase}',
    barsize: 20, hideCursor: true, stream: out, clearOnComplete: true, linewrap: false,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let stopped = false;
  const show = (text: string, value?: number, total?: number): void => {
    if (stopped) return;
    if (!started) {
      bar.start(total ?? 1, value ?? 0, { phase: text });
      started = true;
      return;
    }
    if (total !== undefined) bar.setTotal(total);
    if (value !== undefined) bar.update(value, { phase: text });
    else bar.update({ phase: text });
  };
  return {
    phase: (text, progress) => show(text, progress.value, progress.total),
    note: (text) => show(text),
    finish(text) {
      if (!stopped && started) bar.stop();
      stopped = true;
      out.write(`${text}\n`);
    },
  };
}
