// `holdfast probe`: N bounded generations sent straight to each deployment through holdfast's own
// upstream adapters (no engine, no router, no retries), paced within each deployment's rate limit,
// so that "which region is more stable for 2K/4K?" is answered by data. Printing is probe-table.ts.
// On a cluster (store.kind redis) every request also waits for the deployment's cluster budget
// (`shared`: the replicas' window, back-off and concurrency in Redis), so a probe never makes the
// upstream answer 429 to the gateway's own traffic.
import type { Clock } from '../time/clock.js';
import type { DeploymentTiming } from '../engine/upstream-mode.js';
import { chooseUpstreamMode } from '../engine/upstream-mode.js';
import { expectedDurationMs } from '../engine/expected-duration.js';
import type { UpstreamAdapter, UpstreamRequest } from '../upstream/adapter.js';
import { createRateLimit, type RateLimit } from '../routing/rate-limit.js';
import { summarize, type ProbeRow, type ProbeSample } from './probe-summary.js';

export interface ProbeTarget {
  id: string;
  provider: 'openai' | 'azure';
  region: string | null;
  /** Upstream model sent in the body. */
  model: string;
  timing: DeploymentTiming;
  rateLimit?: { requests: number; windowMs: number };
  adapter: UpstreamAdapter;
  /** The cluster's budget of this deployment: a request goes out only with a ticket from it. */
  shared?: SharedGate;
}

export interface SharedGate {
  /** Waits until the cluster lets one more request to the deployment start. */
  take(signal: AbortSignal): Promise<SharedTicket>;
}

export interface SharedTicket {
  /** The upstream's status line is in: it surely had the request (its window runs from here). */
  answered(): void;
  /** The request ended (frees its concurrency slot; a 429 backs the deployment off for every replica). */
  done(outcome: { status?: number; retryAfterMs?: number }): void;
}

export interface ProbeOptions {
  size: string;
  quality: string;
  /** Requests per deployment. */
  count: number;
  /** Most requests in flight per deployment at once. */
  concurrency: number;
  /** Longest one request may take, waiting for budget included (clock ms). */
  timeoutMs: number;
  prompt: string;
  outputFormat?: string;
}

export interface ProbeReport {
  size: string;
  quality: string;
  count: number;
  deployments: ProbeRow[];
}

/** Probes every target in parallel; resolves when each has sent `count` requests (or the signal aborts). */
export async function runProbe(deps: { clock: Clock }, targets: readonly ProbeTarget[], options: ProbeOptions, signal: AbortSignal): Promise<ProbeReport> {
  const rows = await Promise.all(targets.map(async (target) => {
    const samples = await probeTarget(deps.clock, target, options, signal);
    return summarize(target, samples);
  }));
  return { size: options.size, quality: options.quality, count: options.count, deployments: rows };
}

async function probeTarget(clock: Clock, target: ProbeTarget, options: ProbeOptions, signal: AbortSignal): Promise<ProbeSample[]> {
  const window = target.rateLimit;
  // The router's margin: a start stays counted a little past its window, so we never cause a 429.
  const budget = createRateLimit(window ? { ...window, marginMs: Math.min(1_000, window.windowMs * 0.02) } : {});
  const samples: ProbeSample[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count && !signal.aborted) {
      next += 1;
      samples.push(await probeOnce(clock, target, budget, options, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.count)) }, worker));
  return samples;
}

async function probeOnce(clock: Clock, target: ProbeTarget, budget: RateLimit, options: ProbeOptions, outer: AbortSignal): Promise<ProbeSample> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(outer.reason);
  outer.addEventListener('abort', onAbort, { once: true });
  const timer = clock.setTimer(options.timeoutMs, () => controller.abort('deadline'));
  const signal = controller.signal;
  let ticket: SharedTicket | undefined;
  try {
    for (let taken = budget.tryTake(clock.now()); !taken.ok; taken = budget.tryTake(clock.now())) {
      await clock.sleep(Number.isFinite(taken.waitMs) ? taken.waitMs : 1_000, signal);
    }
    ticket = await target.shared?.take(signal);
    const startedAt = clock.now();
    const result = await target.adapter.send(buildRequest(target, options), { onResponse: () => ticket?.answered() }, signal);
    const durationMs = clock.now() - startedAt;
    budget.release();
    ticket?.done(result.ok ? {} : { status: result.failure.status, retryAfterMs: result.failure.retryAfterMs });
    ticket = undefined;
    // The headers describe the upstream window at admission (the start), not at the answer.
    if (result.rateLimit) budget.observe(result.rateLimit, startedAt);
    if (result.ok) return { ok: true, durationMs };
    const { kind, status, retryAfterMs } = result.failure;
    if (status === 429) budget.backOff(clock.now() + (retryAfterMs ?? 1_000));
    return { ok: false, kind, status, durationMs };
  } catch (error) {
    ticket?.done({});
    if (outer.aborted) throw error;
    return { ok: false, kind: 'deadline', durationMs: options.timeoutMs };
  } finally {
    timer.cancel();
    outer.removeEventListener('abort', onAbort);
  }
}

/** The request holdfast itself would send for a JSON client asking for this size and quality. */
function buildRequest(target: ProbeTarget, options: ProbeOptions): UpstreamRequest {
  const fields: Record<string, unknown> = { model: target.model, prompt: options.prompt, size: options.size, quality: options.quality, n: 1 };
  if (options.outputFormat) fields.output_format = options.outputFormat;
  const expectedMs = expectedDurationMs(fields);
  const choice = chooseUpstreamMode(target.timing, { clientStream: false, clientPartials: 0, expectedMs });
  if (choice.mode === 'stream') {
    fields.stream = true;
    if (choice.upstreamPartials > 0) fields.partial_images = choice.upstreamPartials;
  }
  const { idleTimeoutMs, responseTimeoutMs } = target.timing;
  const watchdogMs = choice.mode === 'stream'
    ? (idleTimeoutMs !== undefined ? idleTimeoutMs * 1.25 : expectedMs * 2 + 60_000)
    : (responseTimeoutMs !== undefined ? responseTimeoutMs * 1.1 : expectedMs * 3 + 60_000);
  return { endpoint: 'generations', fields, files: [], mode: choice.mode, idleTimeoutMs: Math.round(watchdogMs) };
}
