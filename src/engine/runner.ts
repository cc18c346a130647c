// Runs one job to its end: route, call, classify, back off, fail over, within the deadline.
// Every step is an event in the job's log; connections only ever read that log.
import type { EngineDeps, EngineOptions } from './deps.js';
import type { AttemptRecord, FailureKind, JobError, JobEventBody, JobRecord } from './job.js';
import { isTerminal, transition } from './job.js';
import { decideRetry } from './retry-policy.js';
import { expectedDurationMs } from './expected-duration.js';
import { chooseUpstreamMode } from './upstream-mode.js';
import { jobErrorFromFailure, jobErrorFromRouting, withAttemptCount } from './job-error.js';
import { routeClassOf } from '../routing/router.js';
import type { UpstreamFailure, UpstreamMode, UpstreamRequest, UpstreamResult } from '../upstream/adapter.js';
import { storeResultImages, withoutImageData } from './result-images.js';

interface FailedAttempt {
  kind: FailureKind;
  retryAfterMs?: number;
  record: AttemptRecord;
  message: string;
}

export type Emit = (job: JobRecord, body: JobEventBody) => Promise<void>;

export class JobRunner {
  private tail: Promise<void> = Promise.resolve();
  private readonly tried: string[] = [];
  private readonly cutOff = new Map<string, UpstreamMode>();
  private lastError?: JobError;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions,
    private readonly job: JobRecord,
    private readonly emit: Emit,
  ) {}

  /** Runs until a terminal event; `signal` aborts with reason 'cancelled' or 'deadline'. */
  async run(signal: AbortSignal): Promise<void> {
    const { job } = this;
    for (const a of job.attempts) this.tried.push(a.deploymentId);
    try {
      await this.loop(signal);
    } catch (error) {
      if (isTerminal(job.status)) return;
      const reason = signal.aborted ? String(signal.reason) : 'internal';
      // On shutdown the job stays unfinished in the store; the next start() resumes it.
      if (reason === 'shutdown') return;
      // Cancelled or out of time: the attempt in flight ended now, for that reason (a null end is
      // kept for an attempt cut short by a restart).
      if (reason === 'cancelled' || reason === 'deadline') this.endOpenAttempt(reason);
      if (reason === 'cancelled') await this.append({ type: 'job.cancelled' });
      else if (reason === 'deadline') await this.fail(this.deadlineError());
      else {
        this.deps.log.error({ jobId: job.id, err: error }, 'job runner crashed');
        await this.fail({ status: 500, kind: 'server_error', body: { error: { message: `Internal error in job ${job.id}.`, type: 'server_error', param: null, code: 'internal_error' } } });
      }
    }
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { job, deps, options } = this;
    for (let attempt = job.attempts.length + 1; ; attempt += 1) {
      signal.throwIfAborted();
      const outcome = await this.attempt(attempt, signal);
      if (outcome === 'done') return;
      const pool = deps.pools.get(job.request.model) ?? [];
      const decision = decideRetry(outcome.kind, {
        attempt,
        now: deps.clock.now(),
        deadlineAt: job.deadlineAt,
        untriedDeploymentLeft: pool.some((d) => !this.tried.includes(d)),
        retryAfterMs: outcome.retryAfterMs,
      }, options.retry, deps.random);
      await this.appendFailed(outcome, decision.retry ? decision.delayMs : undefined);
      if (!decision.retry) {
        await this.fail(withAttemptCount(this.lastError ?? this.deadlineError(), attempt, decision.reason));
        return;
      }
      await deps.clock.sleep(decision.delayMs, signal);
    }
  }

  private async attempt(attempt: number, signal: AbortSignal): Promise<'done' | FailedAttempt> {
    const { job, deps } = this;
    const acquired = await deps.router.acquire({
      model: job.request.model,
      ...routeClassOf(job.request.fields),
      avoid: this.tried,
      deadlineAt: job.deadlineAt,
      clientKey: job.ownerKeyHash,
    }, signal);
    if (!acquired.ok) {
      signal.throwIfAborted();
      await this.fail(withAttemptCount(jobErrorFromRouting(acquired), attempt - 1, 'routing'));
      return 'done';
    }
    const { lease } = acquired;
    const deploymentId = lease.deploymentId;
    this.tried.push(deploymentId);
    const request = this.buildRequest(deploymentId);
    const record: AttemptRecord = { attempt, deploymentId, mode: request.mode, startedAt: deps.clock.now(), upstreamIds: {} };
    job.attempts.push(record);
    await this.append({ type: 'attempt.started', attempt, deploymentId, mode: request.mode });

    let result: UpstreamResult;
    let firstEventSeen = false;
    const firstEvent = (): void => {
      if (firstEventSeen) return;
      firstEventSeen = true;
      deps.observer?.firstEvent?.(job, record, deps.clock.now() - record.startedAt);
    };
    try {
      result = await deps.adapterFor(deploymentId).send(request, {
        onResponse: (_status, ids) => { record.upstreamIds = { ...ids }; },
        onPartial: (payload) => {
          firstEvent();
          void this.append({ type: 'image.partial', attempt, deploymentId, forward: this.forwardPartials(), payload });
        },
      }, signal);
    } finally {
      await this.tail;
    }
    if (result.ok) firstEvent();
    record.endedAt = deps.clock.now();
    record.upstreamIds = { ...record.upstreamIds, ...result.upstreamIds };
    const durationMs = record.endedAt - record.startedAt;
    lease.release(result.ok
      ? { ok: true, durationMs, rateLimit: result.rateLimit }
      : { ok: false, kind: result.failure.kind, status: result.failure.status, durationMs, retryAfterMs: result.failure.retryAfterMs, rateLimit: result.rateLimit });
    if (!result.ok) this.recordFailure(record, result.failure, request.mode);
    else record.outcome = 'succeeded';
    this.logAttempt(record, durationMs, result.ok ? undefined : result.failure.message);
    deps.observer?.attemptEnded?.(job, record, durationMs);
    if (result.ok) {
      await this.append({ type: 'attempt.succeeded', attempt, deploymentId, upstreamIds: record.upstreamIds });
      const images = await storeResultImages(deps.blobs, job.id, result.response);
      // The image travels once: in the response; the completed event keeps only its other fields.
      const completedEvent = result.completedEvent ? { ...result.completedEvent, b64_json: undefined } : undefined;
      await this.append({ type: 'job.completed', response: withoutImageData(result.response), images, completedEvent });
      return 'done';
    }
    signal.throwIfAborted();
    return { kind: result.failure.kind, retryAfterMs: result.failure.retryAfterMs, record, message: result.failure.message };
  }

  private recordFailure(record: AttemptRecord, failure: UpstreamFailure, mode: UpstreamMode): void {
    record.outcome = failure.kind;
    record.status = failure.status;
    // Cut off by an idle or response limit: the next attempt on this deployment uses the other mode.
    if (failure.kind === 'idle_timeout' || (failure.connectionLost === true && mode === 'stream')) {
      this.cutOff.set(record.deploymentId, mode);
    }
    this.lastError = jobErrorFromFailure(failure);
  }

  /** attempt.failed carries the announced retry delay, so progress displays can say "retrying in S s". */
  private async appendFailed(outcome: FailedAttempt, retryInMs: number | undefined): Promise<void> {
    const { record } = outcome;
    await this.append({
      type: 'attempt.failed', attempt: record.attempt, deploymentId: record.deploymentId, kind: outcome.kind,
      status: record.status, message: outcome.message, retryInMs, upstreamIds: record.upstreamIds,
    });
  }

  private buildRequest(deploymentId: string): UpstreamRequest {
    const { job, deps } = this;
    const dep = deps.deployments.get(deploymentId);
    if (!dep) throw new Error(`unknown deployment ${deploymentId}`);
    const req = job.request;
    const expectedMs = expectedDurationMs(req.fields);
    const choice = chooseUpstreamMode(dep.timing, {
      clientStream: req.stream, clientPartials: req.partialImages, expectedMs, cutOffMode: this.cutOff.get(deploymentId),
    });
    const fields: Record<string, unknown> = { ...req.fields, model: dep.model };
    if (choice.mode === 'stream') {
      fields.stream = true;
      const partials = choice.upstreamPartials || req.partialImages;
      if (partials > 0) fields.partial_images = partials;
      else if (req.fields.partial_images === undefined) delete fields.partial_images;
    } else {
      if (req.fields.stream === undefined) delete fields.stream;
      else fields.stream = false;
      delete fields.partial_images;
    }
    const { idleTimeoutMs, responseTimeoutMs } = dep.timing;
    const watchdogMs = choice.mode === 'stream'
      ? (idleTimeoutMs !== undefined ? idleTimeoutMs * 1.25 : expectedMs * 2 + 60_000)
      : (responseTimeoutMs !== undefined ? responseTimeoutMs * 1.1 : expectedMs * 3 + 60_000);
    const files = req.files.map((f) => ({
      field: f.field, filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes,
      open: async () => {
        const stream = await deps.blobs.open(f.blobKey);
        if (!stream) throw new Error(`upload ${f.blobKey} is missing`);
        return stream;
      },
    }));
    return { endpoint: req.endpoint, fields, files, mode: choice.mode, idleTimeoutMs: Math.round(watchdogMs) };
  }

  /** A client that asked for N partials gets the partials; ones asked only to keep the upstream talking are not forwarded. */
  private forwardPartials(): boolean {
    return this.job.request.stream && this.job.request.partialImages > 0;
  }

  private logAttempt(record: AttemptRecord, durationMs: number, error?: string): void {
    this.deps.log.info({
      jobId: this.job.id, attempt: record.attempt, deploymentId: record.deploymentId, mode: record.mode,
      outcome: record.outcome, status: record.status, durationMs, upstreamIds: record.upstreamIds, error,
    }, 'attempt ended');
  }

  private endOpenAttempt(outcome: 'cancelled' | 'deadline'): void {
    const open = this.job.attempts.at(-1);
    if (!open || open.endedAt !== undefined) return;
    open.endedAt = this.deps.clock.now();
    open.outcome = outcome;
  }

  private deadlineError(): JobError {
    return { status: 504, kind: 'deadline', body: { error: { message: 'The job missed its deadline.', type: 'server_error', param: null, code: 'deadline_exceeded' } } };
  }

  private async fail(error: JobError): Promise<void> {
    this.job.error = error;
    await this.append({ type: 'job.failed', error, attempts: this.job.attempts.length });
  }

  /** Appends in order: partial-image callbacks arrive while the call is still running. */
  private append(body: JobEventBody): Promise<void> {
    const next = this.tail.then(() => {
      const status = transition(this.job.status, body.type);
      if (status instanceof Error) return;
      return this.emit(this.job, body);
    });
    this.tail = next.catch((error: unknown) => {
      this.deps.log.error({ jobId: this.job.id, err: error }, 'event append failed');
    });
    return this.tail;
  }
}
