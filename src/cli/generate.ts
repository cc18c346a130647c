// `holdfast generate "prompt" [--size …] [--quality …] [--partials N] [--n N] [--format png] [--out FILE]
// [--gateway URL] [--key K] [--model M] [--async] [--save-partials]`: one image through the jobs API,
// with a progress display on a terminal; follows the job through gateway restarts until its deadline.
// Exit 0 only when the image is written; else one line and the code of GENERATE_EXIT (docs/cli.md).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createHoldfastClient } from '../sdk/index.js';
import { SystemClock } from '../time/clock.js';
import { cryptoIds } from '../time/random.js';
import { checkOutPath, defaultOutPath, type OutputFormat } from '../generate/generate-files.js';
import { createPlainReporter, createTtyReporter } from '../generate/progress-reporter.js';
import { runGenerate, type GenerateOutcome, type GenerateRequest } from '../generate/run-generate.js';
import type { ProgressReporter } from '../generate/progress-reporter.js';
import type { Clock } from '../time/clock.js';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

/** Exit codes of `generate` and `jobs follow|fetch` (docs/cli.md). */
export const GENERATE_EXIT = {
  ok: 0,
  /** The job failed or was cancelled, the gateway refused the request, or could not be reached to create it. */
  failed: 1,
  usage: 2,
  /** The job exists but the gateway stayed unreachable until its deadline: `holdfast jobs follow <id>` later. */
  unreachable: 3,
  interrupted: 130,
} as const;

export function reporterFor(clock: Clock): ProgressReporter {
  return process.stderr.isTTY ? createTtyReporter(clock, process.stderr) : createPlainReporter(clock, process.stderr);
}

/** The exit code for an outcome; 130 when interrupted (the job goes on at the gateway). */
export function exitCodeOf(outcome: GenerateOutcome, interrupted: boolean): number {
  if (outcome.ok) return GENERATE_EXIT.ok;
  if (interrupted) return GENERATE_EXIT.interrupted;
  return outcome.reason === 'unreachable' && outcome.jobId ? GENERATE_EXIT.unreachable : GENERATE_EXIT.failed;
}

/** SIGINT/SIGTERM abort `signal`; call the returned function to stop listening. */
export function interruptOnSignals(): { signal: AbortSignal; done(): void } {
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    done() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

interface GenerateCliOptions {
  size: string;
  quality: string;
  partials: string;
  n: string;
  format: string;
  out?: string;
  gateway: string;
  key?: string;
  model: string;
  async: boolean;
  savePartials: boolean;
}

const FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];

function intOption(text: string, name: string, min: number, max: number): number | string {
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : `--${name}: expected an integer from ${min} to ${max}, got '${text}'`;
}

function toRequest(prompt: string, o: GenerateCliOptions): GenerateRequest | string {
  if (prompt.trim() === '') return 'the prompt is empty';
  const format = FORMATS.find((f) => f === (o.format === 'jpg' ? 'jpeg' : o.format));
  if (!format) return `--format: one of ${FORMATS.join(', ')}, got '${o.format}'`;
  const partials = intOption(o.partials, 'partials', 0, 3);
  const n = intOption(o.n, 'n', 1, 10);
  if (typeof partials === 'string') return partials;
  if (typeof n === 'string') return n;
  if (!/^https?:\/\/[^\s]+$/.test(o.gateway)) return `--gateway: an http(s) URL, got '${o.gateway}'`;
  const out = o.out ?? defaultOutPath(format);
  const outProblem = checkOutPath(out, format);
  if (outProblem) return outProblem;
  return { prompt, model: o.model, size: o.size, quality: o.quality, n, partials, format, out, savePartials: o.savePartials, async: o.async };
}

async function runGenerateCommand(prompt: string, options: GenerateCliOptions): Promise<number> {
  const request = toRequest(prompt, options);
  if (typeof request === 'string') {
    process.stderr.write(`holdfast generate: ${request}\n`);
    return GENERATE_EXIT.usage;
  }
  const clock = new SystemClock();
  const interrupt = interruptOnSignals();
  const reporter = reporterFor(clock);
  const outcome = await runGenerate({
    client: createHoldfastClient({ baseUrl: options.gateway, apiKey: options.key }),
    clock, reporter, idempotencyKey: cryptoIds.next('gen'), signal: interrupt.signal,
    writeFile: (path, bytes) => writeFile(path, bytes),
    print: (text) => process.stdout.write(text),
  }, request);
  interrupt.done();
  if (!outcome.ok) reporter.finish(`holdfast generate: ${failureMessage(outcome, options.gateway, interrupt.signal.aborted)}`);
  return exitCodeOf(outcome, interrupt.signal.aborted);
}

export function failureMessage(outcome: Extract<GenerateOutcome, { ok: false }>, gateway: string, interrupted: boolean): string {
  const jobUrl = outcome.jobId ? ` (job ${gateway.replace(/\/+$/, '')}/v1/images/jobs/${outcome.jobId})` : '';
  if (interrupted) return `interrupted; the job goes on at the gateway${jobUrl}${outcome.jobId ? `; pick it up with: holdfast jobs follow ${outcome.jobId}` : ''}`;
  return `${outcome.message}${outcome.jobId && !outcome.message.includes(outcome.jobId) ? jobUrl : ''}`;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description('generate an image through a holdfast gateway, with progress; resumes a dropped connection')
    .argument('<prompt>', 'what to draw')
    .option('--size <WxH>', 'image size, e.g. 1024x1024, 2048x2048', '1024x1024')
    .option('--quality <q>', 'low, medium, high or auto', 'auto')
    .option('--partials <n>', 'partial images to receive while it renders (0-3)', '0')
    .option('--n <n>', 'number of images', '1')
    .option('--format <f>', 'png, jpeg or webp', 'png')
    .option('--out <file>', 'where to write the image (several: file-0.png, file-1.png …); default image.<format>')
    .option('--gateway <url>', "holdfast's URL", DEFAULT_GATEWAY_URL)
    .option('--key <key>', 'client key, if the gateway requires one (also HOLDFAST_KEY)')
    .option('--model <name>', 'model route on the gateway', 'gpt-image-2')
    .option('--async', 'create the job, print its id and URL, and exit', false)
    .option('--save-partials', 'write each partial image as <out>.partial-<i>.<ext>', false)
    .action(async (prompt: string, options: GenerateCliOptions) => {
      const code = await runGenerateCommand(prompt, { ...options, key: options.key ?? process.env.HOLDFAST_KEY });
      process.exit(code);
    });
}
