// `holdfast generate` without the terminal: create the job (`Prefer: respond-async` + Idempotency-Key),
// follow its events (the SDK resumes with Last-Event-ID), show phases, save partials, download the
// images. Returns a value: ok with the files written, or the one-line reason it failed.
import { HoldfastApiError, HoldfastConnectionError, isTerminalEvent, type HoldfastClient, type JobStreamEvent } from '../sdk/index.js';
import type { Clock } from '../time/clock.js';
import { imagePath, partialPath, type OutputFormat } from './generate-files.js';
import { initialPhase, jobFailureMessage, nextPhase } from './generate-phase.js';
import type { ProgressReporter } from './progress-reporter.js';

export interface GenerateRequest {
  prompt: string;
  model: string;
  size: string;
  quality: string;
  n: number;
  partials: number;
  format: OutputFormat;
  out: string;
  savePartials: boolean;
  async: boolean;
}

export interface GenerateDeps {
  client: HoldfastClient;
  clock: Clock;
  reporter: ProgressReporter;
  idempotencyKey: string;
  writeFile(path: string, bytes: Buffer): Promise<void>;
  /** Where --async prints the job id and URL. */
  print(text: string): void;
  signal?: AbortSignal;
}

export type GenerateOutcome = { ok: true; jobId: string; files: string[] } | { ok: false; jobId?: string; message: string };

function requestBody(r: GenerateRequest): Record<string, unknown> & { prompt: string } {
  const body: Record<string, unknown> & { prompt: string } = { model: r.model, prompt: r.prompt, size: r.size, quality: r.quality, n: r.n, output_format: r.format };
  // Partial images exist only on streams; the job keeps them for its events either way.
  if (r.partials > 0) Object.assign(body, { stream: true, partial_images: r.partials });
  return body;
}

export function errorLine(error: unknown): string {
  if (error instanceof HoldfastApiError) return `the gateway answered ${error.status}${error.code ? ` ${error.code}` : ''}: ${error.message}`;
  if (error instanceof HoldfastConnectionError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

async function follow(deps: GenerateDeps, r: GenerateRequest, jobId: string): Promise<Extract<JobStreamEvent, { type: 'job.completed' | 'job.failed' | 'job.cancelled' }> | undefined> {
  let state = initialPhase(r.partials);
  let saved = 0;
  const events = deps.client.followJobEvents(jobId, {
    signal: deps.signal,
    onReconnect: (info) => deps.reporter.note(`connection lost (${info.reason}); resuming after event ${info.lastEventId}`),
  });
  for await (const event of events) {
    const update = nextPhase(state, event);
    state = update.state;
    if (update.phase) deps.reporter.phase(update.phase, update.progress);
    if (event.type === 'image.partial' && event.forward && r.savePartials && typeof event.payload.b64_json === 'string') {
      const path = partialPath(r.out, r.format, saved++);
      await deps.writeFile(path, Buffer.from(event.payload.b64_json, 'base64'));
      deps.reporter.note(`saved ${path}`);
    }
    if (isTerminalEvent(event)) return event;
  }
  return undefined;
}

async function download(deps: GenerateDeps, r: GenerateRequest, jobId: string, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let index = 0; index < count; index++) {
    const { bytes } = await deps.client.fetchJobImage(jobId, index, deps.signal);
    const path = imagePath(r.out, r.format, index, count);
    await deps.writeFile(path, bytes);
    files.push(`${path} (${(bytes.length / 1024 / 1024).toFixed(2)} MB)`);
  }
  return files;
}

export async function runGenerate(deps: GenerateDeps, r: GenerateRequest): Promise<GenerateOutcome> {
  const started = deps.clock.now();
  let jobId: string | undefined;
  try {
    const job = await deps.client.submitJob(requestBody(r), { idempotencyKey: deps.idempotencyKey, signal: deps.signal });
    jobId = job.id;
    if (r.async) {
      deps.print(`${job.id}\n${deps.client.baseUrl.replace(/\/+$/, '')}/v1/images/jobs/${job.id}\n`);
      return { ok: true, jobId, files: [] };
    }
    deps.reporter.note(`job ${job.id}: ${deps.client.baseUrl.replace(/\/+$/, '')}/v1/images/jobs/${job.id}`);
    const end = await follow(deps, r, job.id);
    if (!end) return { ok: false, jobId, message: `the event stream of ${job.id} ended without an outcome` };
    if (end.type === 'job.failed') return { ok: false, jobId, message: `job ${job.id} failed: ${jobFailureMessage(end)}` };
    if (end.type === 'job.cancelled') return { ok: false, jobId, message: `job ${job.id} was cancelled` };
    const files = await download(deps, r, job.id, end.response.data.length || r.n);
    const seconds = ((deps.clock.now() - started) / 1000).toFixed(1);
    deps.reporter.finish(`completed in ${seconds} s: wrote ${files.join(', ')}`);
    return { ok: true, jobId, files };
  } catch (error) {
    return { ok: false, jobId, message: errorLine(error) };
  }
}
