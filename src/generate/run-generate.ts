// `holdfast generate` without the terminal: create the job (`Prefer: respond-async` + Idempotency-Key),
// follow its events (the SDK resumes with Last-Event-ID) through gateway restarts until the job's
// deadline, show phases, save partials, download the images (retrying while the gateway is away).
// Returns a value: ok with the files written, or the one-line reason it failed.
import {
  HoldfastApiError, HoldfastConnectionError, isTerminalEvent, reconnectDelayMs,
  type HoldfastClient, type JobResource, type JobStreamEvent, type ReconnectInfo,
} from '../sdk/index.js';
import type { Clock } from '../time/clock.js';
import { imagePath, partialPath, type OutputFormat } from './generate-files.js';
import { initialPhase, jobFailureMessage, nextPhase } from './generate-phase.js';
import { createGatewayTime, type GatewayTime } from './gateway-time.js';
import { clockText, type ProgressReporter } from './progress-reporter.js';

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

/** What following an existing job needs (`holdfast jobs follow|fetch`): where to write, what was asked. */
export type FollowRequest = Pick<GenerateRequest, 'out' | 'format' | 'partials' | 'savePartials'> & {
  size?: string;
  /** Name the files after the format the job produced (its result's output_format) instead of `format`. */
  formatFromJob?: boolean;
};

const FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];

/** The request with the job's own output format, when asked to and the job says which. */
function withJobFormat(r: FollowRequest, outputFormat: unknown): FollowRequest {
  const format = FORMATS.find((f) => f === outputFormat);
  return r.formatFromJob && format ? { ...r, format } : r;
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

export type FollowDeps = Omit<GenerateDeps, 'idempotencyKey' | 'print'>;

export type GenerateOutcome =
  | { ok: true; jobId: string; files: string[] }
  | { ok: false; jobId?: string; message: string; reason: 'failed' | 'cancelled' | 'unreachable' | 'refused' | 'error' };

type TerminalEvent = Extract<JobStreamEvent, { type: 'job.completed' | 'job.failed' | 'job.cancelled' }>;

/** Waiting for a gateway that went away is never given up before this (a restart takes seconds). */
export const MIN_PATIENCE_MS = 60_000;
/** Without a deadline from the gateway (an older one): how long to keep trying. */
const DEFAULT_PATIENCE_MS = 15 * 60_000;

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

/**
 * How long to keep trying a gateway that does not answer: until the job's deadline as the gateway
 * last told it (never less than MIN_PATIENCE_MS after the last contact).
 */
class Patience {
  private giveUpAt: number;

  /** `gatewayNowMs`: the gateway's clock when the job was read (seconds precision: not a clock reading for the rate). */
  constructor(private readonly clock: Clock, private readonly deadlineAtMs: number | undefined, private readonly time: GatewayTime, gatewayNowMs?: number) {
    const left = deadlineAtMs !== undefined && gatewayNowMs !== undefined ? deadlineAtMs - gatewayNowMs : DEFAULT_PATIENCE_MS;
    this.giveUpAt = clock.now() + Math.max(MIN_PATIENCE_MS, left);
  }

  /** The gateway answered (at `gatewayAt` on its clock, when known). */
  contact(gatewayAt?: number): void {
    const now = this.clock.now();
    if (gatewayAt !== undefined) this.time.observe(gatewayAt, now);
    if (this.deadlineAtMs === undefined) {
      this.giveUpAt = now + DEFAULT_PATIENCE_MS;
      return;
    }
    const left = gatewayAt === undefined ? undefined : this.time.toLocalMs(this.deadlineAtMs - gatewayAt);
    this.giveUpAt = now + Math.max(MIN_PATIENCE_MS, left ?? DEFAULT_PATIENCE_MS);
  }

  left(): number {
    return this.giveUpAt - this.clock.now();
  }
}

function retryLine(what: string, info: { reason: string; delayMs: number }, patience: Patience): string {
  return `${what}, retrying in ${(info.delayMs / 1000).toFixed(1)} s (${info.reason}; giving up in ${clockText(patience.left())})`;
}

/** The expected duration of an attempt from the gateway's health table: p50 of that deployment at this size class. */
async function expectedAttemptMs(deps: FollowDeps, deploymentId: string, size: string | undefined, time: GatewayTime): Promise<{ localMs: number; note: string } | undefined> {
  const sizeClass = sizeClassOf(size);
  try {
    const rows = await deps.client.deploymentHealth(deps.signal);
    const row = rows.find((r) => r.deployment === deploymentId && r.size_class === sizeClass);
    if (!row || row.p50_ms === null || row.successes < 1) return undefined;
    const localMs = time.toLocalMs(row.p50_ms);
    if (localMs === undefined) return undefined;
    return { localMs, note: `${deploymentId} usually takes ${clockText(localMs)} for ${sizeClass} images (median of its recent successes, from the gateway's health table)` };
  } catch {
    return undefined; // the ETA is a nicety: a gateway without the table (or a key without access) just has none
  }
}

/** The gateway's size classes (routing/router.ts sizeClassOf), mirrored for the client side. */
export function sizeClassOf(size: string | undefined): 'small' | 'medium' | 'large' {
  const m = /^(\d+)x(\d+)$/.exec(size ?? '');
  const pixels = m ? Number(m[1]) * Number(m[2]) : 1024 * 1024;
  if (pixels <= 1024 * 1024) return 'small';
  if (pixels <= 1536 * 1536) return 'medium';
  return 'large';
}

async function follow(deps: FollowDeps, r: FollowRequest, job: JobResource, patience: Patience, time: GatewayTime): Promise<TerminalEvent | undefined> {
  let state = initialPhase(r.partials);
  let saved = 0;
  let progress = { value: 0, total: r.partials + 1 };
  const onReconnect = (info: ReconnectInfo): void => {
    if (info.unreachable) deps.reporter.phase(retryLine('gateway unreachable', info, patience), progress);
    else deps.reporter.note(`connection lost (${info.reason}); resuming after event ${info.lastEventId}`);
  };
  const events = deps.client.followJobEvents(job.id, {
    signal: deps.signal, onReconnect, shouldReconnect: () => patience.left() > 0,
  });
  for await (const event of events) {
    patience.contact(event.at);
    const update = nextPhase(state, event);
    state = update.state;
    progress = update.progress;
    if (update.phase) deps.reporter.phase(update.phase, update.progress);
    if (update.note) deps.reporter.note(update.note);
    if (event.type === 'attempt.started') {
      const expected = await expectedAttemptMs(deps, event.deploymentId, r.size, time);
      deps.reporter.eta(expected ? deps.clock.now() + expected.localMs : undefined);
      if (expected) deps.reporter.note(expected.note);
    }
    if (event.type === 'attempt.failed' || event.type === 'job.queued') deps.reporter.eta(undefined);
    if (event.type === 'image.partial' && event.forward && r.savePartials && typeof event.payload.b64_json === 'string') {
      const path = partialPath(r.out, r.format, saved++);
      await deps.writeFile(path, Buffer.from(event.payload.b64_json, 'base64'));
      deps.reporter.note(`saved ${path}`);
    }
    if (isTerminalEvent(event)) return event;
  }
  return undefined;
}

/** One image, retried while the gateway is unreachable or answers 5xx (a restart), for as long as patience lasts. */
async function fetchWithRetry(deps: FollowDeps, jobId: string, index: number, count: number, patience: Patience): Promise<Buffer> {
  for (let failures = 1; ; failures++) {
    try {
      const { bytes } = await deps.client.fetchJobImage(jobId, index, deps.signal);
      return bytes;
    } catch (error) {
      const retryable = error instanceof HoldfastConnectionError || (error instanceof HoldfastApiError && error.retryable);
      if (!retryable || deps.signal?.aborted || patience.left() <= 0) throw error;
      const delayMs = reconnectDelayMs(failures);
      const what = `downloading image ${index + 1} of ${count}: ${error instanceof HoldfastApiError ? `the gateway answered ${error.status}` : 'gateway unreachable'}`;
      deps.reporter.phase(retryLine(what, { reason: errorLine(error).replace(/^cannot reach \S+: /, ''), delayMs }, patience), { value: 0, total: 1 });
      await deps.clock.sleep(delayMs, deps.signal);
    }
  }
}

async function download(deps: FollowDeps, r: FollowRequest, jobId: string, count: number, patience: Patience): Promise<string[]> {
  const files: string[] = [];
  for (let index = 0; index < count; index++) {
    deps.reporter.phase(`downloading image ${index + 1} of ${count}`, { value: index, total: count });
    const bytes = await fetchWithRetry(deps, jobId, index, count, patience);
    const path = imagePath(r.out, r.format, index, count);
    await deps.writeFile(path, bytes);
    files.push(`${path} (${(bytes.length / 1024 / 1024).toFixed(2)} MB)`);
  }
  return files;
}

function failureOf(error: unknown, jobId: string | undefined, baseUrl: string): GenerateOutcome {
  if (error instanceof HoldfastConnectionError) {
    const resume = jobId ? `; the job may still finish: holdfast jobs follow ${jobId} --gateway ${baseUrl}` : '';
    return { ok: false, jobId, reason: 'unreachable', message: `${error.message}${resume}` };
  }
  if (error instanceof HoldfastApiError && !error.retryable) return { ok: false, jobId, reason: 'refused', message: errorLine(error) };
  return { ok: false, jobId, reason: 'error', message: errorLine(error) };
}

/**
 * Follows an existing job to its end and writes its images: what `generate` does after creating
 * the job, and `holdfast jobs follow`. A finished job is not followed: its images are downloaded.
 */
export async function followAndDownload(deps: FollowDeps, r: FollowRequest, job: JobResource, started = deps.clock.now()): Promise<GenerateOutcome> {
  const time = createGatewayTime();
  const patience = new Patience(deps.clock, typeof job.deadline_at === 'number' ? job.deadline_at * 1000 : undefined, time, job.updated_at * 1000);
  try {
    const end = await follow(deps, r, job, patience, time);
    if (!end) return { ok: false, jobId: job.id, reason: 'error', message: `the event stream of ${job.id} ended without an outcome` };
    if (end.type === 'job.failed') return { ok: false, jobId: job.id, reason: 'failed', message: `job ${job.id} failed: ${jobFailureMessage(end)}` };
    if (end.type === 'job.cancelled') return { ok: false, jobId: job.id, reason: 'cancelled', message: `job ${job.id} was cancelled` };
    const files = await download(deps, withJobFormat(r, end.response.output_format), job.id, end.response.data.length || 1, patience);
    const seconds = ((deps.clock.now() - started) / 1000).toFixed(1);
    deps.reporter.finish(`completed in ${seconds} s: wrote ${files.join(', ')}`);
    return { ok: true, jobId: job.id, files };
  } catch (error) {
    return failureOf(error, job.id, deps.client.baseUrl);
  }
}

/** Downloads the images of a job that has succeeded (`holdfast jobs fetch`). */
export async function downloadJob(deps: FollowDeps, r: FollowRequest, job: JobResource): Promise<GenerateOutcome> {
  const time = createGatewayTime();
  const patience = new Patience(deps.clock, undefined, time);
  const result = job.result as { data?: unknown[]; output_format?: unknown } | null;
  const count = Array.isArray(result?.data) ? result.data.length : 1;
  try {
    const files = await download(deps, withJobFormat(r, result?.output_format), job.id, Math.max(1, count), patience);
    deps.reporter.finish(`wrote ${files.join(', ')}`);
    return { ok: true, jobId: job.id, files };
  } catch (error) {
    return failureOf(error, job.id, deps.client.baseUrl);
  }
}

export async function runGenerate(deps: GenerateDeps, r: GenerateRequest): Promise<GenerateOutcome> {
  const started = deps.clock.now();
  let job: JobResource;
  try {
    job = await deps.client.submitJob(requestBody(r), { idempotencyKey: deps.idempotencyKey, signal: deps.signal });
  } catch (error) {
    return failureOf(error, undefined, deps.client.baseUrl);
  }
  const jobUrl = `${deps.client.baseUrl.replace(/\/+$/, '')}/v1/images/jobs/${job.id}`;
  if (r.async) {
    deps.print(`${job.id}\n${jobUrl}\n`);
    return { ok: true, jobId: job.id, files: [] };
  }
  deps.reporter.note(`job ${job.id}: ${jobUrl}`);
  return followAndDownload(deps, r, job, started);
}
