// Runs one job to its end: route, call, classify, back off, fail over, within the deadline.
// Every step is an event in the job's log; connections only ever read that log.
import type { EngineDeps, EngineOptions } from './deps.js';
import type { AttemptRecord, FailureKind, JobError, JobEventBody, JobRecord } from './job.js';
import { isTerminal, transition } from './job.js';
import { decideRetry } from './retry-policy.js';
import { expectedDurationMs } from './expected-duration.js';
import { chooseUpstreamMode, watchdogMs } from './upstream-mode.js';
import { jobErrorFromFailure, jobErrorFromRouting, jobErrorOf, withAttemptCount } from './job-error.js';
import { routeClassOf } from '../routing/router.js';
import type { UpstreamFailure, UpstreamMode, UpstreamRequest, UpstreamResult } from '../upstream/adapter.js';
import { storeResultImages, withoutImageData } from './result-images.js';
import { billAttempt } from './attempt-billing.js';
import type { ImagesResponse } from '../wire/openai-images.js';

interface FailedAttempt {
  kind: FailureKind;
  retryAfterMs?: number;
  record: AttemptRecord;
  message: string;
}

/** Appends an event; `result` is a job.completed event's response with its images still inline (kept in memory for live followers). */
export type Emit = (job: JobRecord, body: JobEventBody, result?: ImagesResponse) => Promise<void>;

export class JobRunner {
  private tail: Promise<void> = Promise.resolve();
  private readonly tried: string[] = [];
  private readonly cutOff = new Map<string, UpstreamMode>();
  private lastError?: JobError;
  private storageFault = false;

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
      // Another replica owns the job now (this one was cut off from the store too long): it goes on there.
      if (reason === 'lease_lost') return;
      // Cancelled or out of time: the attempt in flight ended now, for that reason (a null end is
      // kept for an attempt cut short by a restart).
      if (reason === 'cancelled' || reason === 'deadline') this.endOpenAttempt(reason);
      if (reason === 'cancelled') await this.append({ type: 'job.cancelled' });
      else if (reason === 'deadline') await this.fail(this.deadlineError());
      else {
        this.deps.log.error({ jobId: job.id, err: error }, 'job runner crashed');
        await this.fail(jobErrorOf('internal_error', [{ jobId: job.id }], 'server_error'));
      }
    }
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { job, deps, options } = this;
    for (let attempt = job.attempts.length + 1; ; attempt += 1) {
      signal.throwIfAborted();
      const outcome = await this.attempt(attempt, signal);
      if (outcome === 'done') return;
      const decision = decideRetry(outcome.kind, {
        attempt,
        now: deps.clock.now(),
        deadlineAt: job.deadlineAt,
        untriedDeploymentLeft: deps.router.hasUntried(job.request.model, this.tried),
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
    const traceHeaders = deps.observer?.upstreamHeaders?.(job, attempt);
    if (traceHeaders) request.headers = { ...request.headers, ...traceHeaders };
    // Aborted while the event was being committed: the upstream call is not started at all (an
    // adapter only hears an abort that comes while it sends).
    signal.throwIfAborted();

    let result: UpstreamResult;
    let answeredStatus: number | undefined;
    let firstEventSeen = false;
    const firstEvent = (): void => {
      if (firstEventSeen) return;
      firstEventSeen = true;
      deps.observer?.firstEvent?.(job, record, deps.clock.now() - record.startedAt);
    };
    try {
      result = await deps.adapterFor(deploymentId).send(request, {
        onResponse: (status, ids) => {
          answeredStatus = status;
          record.upstreamIds = { ...ids };
          lease.responded?.();
        },
        onPartial: (payload) => {
          firstEvent();
          // Partials asked for only to keep the upstream talking are never shown: their image is not kept.
          const forward = this.forwardPartials();
          void this.append({ type: 'image.partial', attempt, deploymentId, forward, payload: forward ? payload : { ...payload, b64_json: undefined } });
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
    const billed = billAttempt(record, result, { answeredStatus, prompt: job.request.fields.prompt, billing: deps.billing });
    this.logAttempt(record, durationMs, result.ok ? undefined : result.failure.message);
    if (billed) await deps.billing?.attemptBilled(job, record);
    deps.observer?.attemptEnded?.(job, record, durationMs);
    if (result.ok) {
      await this.append({ type: 'attempt.succeeded', attempt, deploymentId, upstreamIds: record.upstreamIds });
      // The image travels once: in the response; the completed event keeps only its other fields.
      const completedEvent = result.completedEvent ? { ...result.completedEvent, b64_json: undefined } : undefined;
      await this.persistResult(result.response, completedEvent, signal);
      return 'done';
    }
    signal.throwIfAborted();
    return { kind: result.failure.kind, retryAfterMs: result.failure.retryAfterMs, record, message: result.failure.message };
  }

  /**
   * The upstream delivered (and billed) this result: a store that cannot take it now must not turn
   * it into a failure. It is kept here and written again with backoff until the store takes it or
   * resultHoldMs passes; the deadline does not cut it (the work is done), cancel and shutdown do.
   */
  private async persistResult(response: ImagesResponse, completedEvent: Record<string, unknown> | undefined, signal: AbortSignal): Promise<void> {
    const { deps, job } = this;
    const giveUpAt = deps.clock.now() + (this.options.resultHoldMs ?? 3_600_000);
    const stop = new AbortController();
    const onAbort = (): void => { if (signal.reason !== 'deadline') stop.abort(signal.reason); };
    signal.addEventListener('abort', onAbort);
    try {
      for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 10_000)) {
        try {
          if (job.status === 'succeeded') await deps.jobs.save(job); // the event is in; the record's save failed
          else {
            const images = await storeResultImages(deps.blobs, job.id, response);
            await this.appendStrict({ type: 'job.completed', response: withoutImageData(response), images, completedEvent }, response);
          }
          return;
        } catch (error) {
          if (deps.clock.now() + delayMs > giveUpAt) throw error;
          deps.log.warn({ jobId: job.id, err: error, retryInMs: delayMs }, 'the store cannot take a delivered result; kept in memory, retrying');
          this.storageFault = true;
          await deps.clock.sleep(delayMs, stop.signal);
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.storageFault) deps.log.warn({ jobId: job.id, status: job.status }, 'result hold ended');
    }
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
    const files = req.files.map((f) => ({
      field: f.field, filename: f.filename, contentType: f.contentType, sizeBytes: f.sizeBytes,
      open: async () => {
        const stream = await deps.blobs.open(f.blobKey);
        if (!stream) throw new Error(`upload ${f.blobKey} is missing`);
        return stream;
      },
    }));
    return { endpoint: req.endpoint, fields, files, mode: choice.mode, idleTimeoutMs: watchdogMs(dep.timing, choice.mode, expectedMs) };
  }

  /** A client that asked for N partials gets the partials; ones asked only to keep the upstream talking are not forwarded. */
  private forwardPartials(): boolean {
    return this.job.request.stream && this.job.request.partialImages > 0;
  }

  private logAttempt(record: AttemptRecord, durationMs: number, error?: string): void {
    this.deps.log.info({
      jobId: this.job.id, attempt: record.attempt, deploymentId: record.deploymentId, mode: record.mode,
      outcome: record.outcome, status: record.status, durationMs, upstreamIds: record.upstreamIds, costUsd: record.costUsd, lost: record.lost, error,
    }, 'attempt ended');
  }

  private endOpenAttempt(outcome: 'cancelled' | 'deadline'): void {
    const open = this.job.attempts.at(-1);
    if (!open || open.endedAt !== undefined) return;
    open.endedAt = this.deps.clock.now();
    open.outcome = outcome;
  }

  private deadlineError(): JobError {
    return jobErrorOf('deadline_exceeded', [], 'deadline');
  }

  private async fail(error: JobError): Promise<void> {
    this.job.error = error;
    await this.append({ type: 'job.failed', error, attempts: this.job.attempts.length });
  }

  /** Appends in order: partial-image callbacks arrive while the call is still running. */
  private append(body: JobEventBody): Promise<void> {
    this.appendStrict(body).catch(() => undefined);
    return this.tail;
  }

  /** As append, but the returned promise rejects when the store refused the event. */
  private appendStrict(body: JobEventBody, result?: ImagesResponse): Promise<void> {
    const next = this.tail.then(() => {
      const status = transition(this.job.status, body.type);
      if (status instanceof Error) return;
      return this.emit(this.job, body, result);
    });
    this.tail = next.catch((error: unknown) => {
      this.deps.log.error({ jobId: this.job.id, err: error }, 'event append failed');
    });
    return next;
  }
}
