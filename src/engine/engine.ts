// Engine: every request becomes a job with an append-only event log; connections subscribe to it.
// submit() starts a runner; subscribe() replays the log after a seq and then follows it live.
import { createError } from '../errors.js';
import type { EngineDeps, EngineOptions } from './deps.js';
import type { JobEvent, JobEventBody, JobRecord, JobRequest } from './job.js';
import { isTerminal, isTerminalEvent, transition } from './job.js';
import { JobNotifier } from './notifier.js';
import { RecentEvents } from './recent-events.js';
import { loadResultImages, withoutImageData } from './result-images.js';
import { JobRunner } from './runner.js';
import type { Readable } from 'node:stream';
import type { ImagesResponse } from '../wire/openai-images.js';
import type { JobListQuery } from '../store/job-store.js';
import { imageBlobKey, jobBlobPrefix } from '../store/blob-keys.js';

export interface SubmitInput {
  request: JobRequest;
  ownerKeyHash: string;
  /** The name of the client key, when it has one (kept on the record for the job list). */
  keyName?: string;
  /** A job id from allocateId() (uploads were spooled under it); a fresh one otherwise. */
  id?: string;
  deadlineMs?: number;
  idempotencyKey?: string;
  /** Hash of the request body: the same key with another body is refused. */
  requestHash?: string;
  webhookUrl?: string;
  /** W3C traceparent of the client request that made the job: its spans continue that trace. */
  traceparent?: string;
}

export class Engine {
  private readonly notifier = new JobNotifier();
  private readonly recent = new RecentEvents();
  /**
   * The response of a job.completed event this process appended, images inline: a live follower
   * (the client waiting for its JSON answer, an SSE stream) gets it without reading back the image
   * that was just written. Keyed by the event object, so it lives exactly as long as that event is
   * held in memory (RecentEvents, a follower); a follower that read the event from the store loads
   * the images from their blobs.
   */
  private readonly heldResults = new WeakMap<JobEvent, ImagesResponse>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private closed = false;
  private stopped = false;

  constructor(private readonly deps: EngineDeps, private readonly options: EngineOptions) {}

  allocateId(): string {
    return this.deps.ids.next('job');
  }

  /** Creates the job (or attaches to the one holding the idempotency key) and starts it. */
  async submit(input: SubmitInput): Promise<{ job: JobRecord; attached: boolean }> {
    if (this.closed) throw createError('shutting_down', []);
    const { clock, idempotency } = this.deps;
    const now = clock.now();
    const id = input.id ?? this.allocateId();
    const deadlineAt = now + (input.deadlineMs ?? this.options.defaultDeadlineMs);
    const job: JobRecord = {
      id, ownerKeyHash: input.ownerKeyHash, ...(input.keyName !== undefined ? { keyName: input.keyName } : {}),
      status: 'queued', createdAt: now, updatedAt: now,
      deadlineAt,
      request: input.request, attempts: [], idempotencyKey: input.idempotencyKey, webhookUrl: input.webhookUrl,
      webhookPending: input.webhookUrl !== undefined ? true : undefined,
      traceparent: input.traceparent,
    };
    // The record exists before its key is claimed: whoever sees the claim finds its job (a claim
    // first would let a concurrent submit see the key, miss the job and take the key over). On a
    // cluster this replica owns the job before it is stored, so no other replica takes it over.
    await this.deps.cluster?.claim(id);
    await this.deps.jobs.create(job);
    if (input.idempotencyKey) {
      // The key must outlive its job, which finishes by its deadline and is kept retentionMs after;
      // a key that outlives a purged job is released below when it points at nothing.
      const claim = await idempotency.claim({
        scope: input.ownerKeyHash, key: input.idempotencyKey, requestHash: input.requestHash ?? '', jobId: id,
        expiresAt: deadlineAt + this.options.retentionMs,
      }, now);
      if (!claim.claimed) {
        await this.deps.jobs.delete(id);
        await this.deps.cluster?.release(id, true);
        const existing = await this.jobOfClaim(claim.existing.jobId);
        if (claim.existing.requestHash !== (input.requestHash ?? '')) {
          throw createError('idempotency_key_reused', [input.idempotencyKey], { param: 'Idempotency-Key' });
        }
        if (existing) return { job: existing, attached: true };
        await idempotency.release(input.ownerKeyHash, input.idempotencyKey, claim.existing.jobId);
        return this.submit(input);
      }
    }
    await this.emit(job, { type: 'job.queued' });
    this.startRunner(job);
    return { job: structuredClone(job), attached: false };
  }

  /**
   * The job an idempotency claim points at. The claimer stores it a few round trips after claiming
   * (on another replica, or in this process), so a missing job is looked for again for a moment
   * before it is taken for purged.
   */
  private async jobOfClaim(jobId: string): Promise<JobRecord | undefined> {
    for (let i = 0; ; i += 1) {
      const job = await this.deps.jobs.get(jobId);
      if (job || i >= 20) return job;
      await this.deps.clock.sleep(50);
    }
  }

  /** The job as its owner sees it; another key's job is "not found". ownerKeyHash null: the admin, who sees every job. */
  async get(id: string, ownerKeyHash: string | null): Promise<JobRecord | undefined> {
    const job = await this.deps.jobs.get(id);
    return job && (ownerKeyHash === null || job.ownerKeyHash === ownerKeyHash) ? job : undefined;
  }

  /** Jobs newest first; query.owner undefined lists every owner's (the caller decides who may). */
  list(query: JobListQuery): Promise<JobRecord[]> {
    return this.deps.jobs.list(query);
  }

  /** The OpenAI response of a succeeded job (images inline), read from its completed event. */
  async result(jobId: string): Promise<ImagesResponse | undefined> {
    const last = await this.deps.events.lastSeq(jobId);
    const [event] = await this.deps.events.read(jobId, last - 1, 1);
    return event?.type === 'job.completed' ? loadResultImages(this.deps.blobs, event.response, event.images) : undefined;
  }

  /**
   * The images of a completed event this process appended, as the base64 it still holds (one entry
   * per image; undefined when the event came from the store: its images are then read from blobs).
   */
  heldImages(event: Extract<JobEvent, { type: 'job.completed' }>): ReadonlyArray<string | undefined> | undefined {
    return this.heldResults.get(event)?.data.map((item) => item.b64_json);
  }

  /** The bytes of a succeeded job's image `index`; undefined when it has none. */
  async openImage(job: JobRecord, index: number): Promise<Readable | undefined> {
    if (job.status !== 'succeeded') return undefined;
    return this.deps.blobs.open(imageBlobKey(job.id, index, job.result?.output_format ?? 'png'));
  }

  /** Deletes the blobs spooled under a job id that never became a job (or attached to another). */
  discardBlobs(jobId: string): Promise<void> {
    return this.deps.blobs.deletePrefix(jobBlobPrefix(jobId));
  }

  /** Events with seq > afterSeq, then live ones, ending after the terminal event or on abort. */
  async *subscribe(jobId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    const { cluster } = this.deps;
    if (cluster && !this.running.has(jobId)) {
      yield* this.followRemote(cluster, jobId, afterSeq, signal);
      return;
    }
    let seq = afterSeq;
    while (!signal?.aborted) {
      const wake = this.notifier.wait(jobId, signal);
      const events = this.recent.after(jobId, seq) ?? await this.deps.events.read(jobId, seq, 64);
      for (const event of events) {
        seq = event.seq;
        yield event;
        if (isTerminalEvent(event)) return;
      }
      if (events.length === 0) {
        if (this.stopped) return;
        // A job running here wakes us with its next event: only one that is not needs the store's word
        // (a store read per wait was 3 of a cluster job's Redis round trips).
        if (!this.running.has(jobId)) {
          const job = await this.deps.jobs.get(jobId);
          if (!job || (isTerminal(job.status) && (await this.deps.events.lastSeq(jobId)) <= seq)) return;
          // Taken over by another replica meanwhile: follow it there.
          if (cluster && !isTerminal(job.status)) {
            yield* this.followRemote(cluster, jobId, seq, signal);
            return;
          }
        }
        await wake;
      }
    }
  }

  /** Cancels a queued or running job; the upstream call in flight is aborted. */
  async cancel(id: string, ownerKeyHash: string | null): Promise<JobRecord | undefined> {
    const job = await this.get(id, ownerKeyHash);
    if (!job) return undefined;
    const run = this.running.get(id);
    if (run) {
      run.controller.abort('cancelled');
      await run.done;
    } else if (!isTerminal(job.status) && this.deps.cluster && await this.deps.cluster.requestCancel(id)) {
      // Another replica runs it: it aborts the upstream call and appends job.cancelled; wait for that.
      await this.waitTerminal(this.deps.cluster, id, 10_000);
    } else if (!isTerminal(job.status)) {
      await this.deps.cluster?.claim(id);
      await this.emit(job, { type: 'job.cancelled' });
      await this.deps.cluster?.release(id, true);
    }
    return this.deps.jobs.get(id);
  }

  /** Ids of the jobs this process runs now. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  /** Aborts a job running here (a cancel asked on another replica, or a lease this replica lost). */
  abortLocal(id: string, reason: 'cancelled' | 'lease_lost'): boolean {
    const run = this.running.get(id);
    run?.controller.abort(reason);
    return run !== undefined;
  }

  /** Resumes one unfinished job this replica just took over (its owner is gone): a new attempt. */
  async adopt(id: string): Promise<boolean> {
    if (this.closed || this.running.has(id)) return false;
    const job = await this.deps.jobs.get(id);
    if (!job || isTerminal(job.status) || await this.finishedByLog(job)) {
      await this.deps.cluster?.release(id, true);
      return false;
    }
    this.deps.log.warn({ jobId: job.id, status: job.status, attempts: job.attempts.length }, 'taking over a job from a replica that is gone');
    await this.emit(job, { type: 'job.queued' });
    this.startRunner(job);
    return true;
  }

  private async *followRemote(cluster: NonNullable<EngineDeps['cluster']>, jobId: string, afterSeq: number, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const job = await this.deps.jobs.get(jobId);
      if (!job) return;
      if (isTerminal(job.status) && (await this.deps.events.lastSeq(jobId)) <= afterSeq) return;
      for await (const event of cluster.follow(jobId, afterSeq, stop.signal)) {
        yield event;
        if (event.type === 'job.completed' || event.type === 'job.failed' || event.type === 'job.cancelled') return;
        if (this.stopped) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  private async waitTerminal(cluster: NonNullable<EngineDeps['cluster']>, id: string, timeoutMs: number): Promise<void> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      for await (const event of this.followRemote(cluster, id, 0, timeout)) void event;
      // The owner appends the terminal event first and saves the record right after.
      for (let i = 0; i < 50; i += 1) {
        const job = await this.deps.jobs.get(id);
        if (!job || isTerminal(job.status)) return;
        await this.deps.clock.sleep(20, timeout);
      }
    } catch (error) {
      if (!timeout.aborted) throw error;
    }
  }

  /**
   * A record left unfinished whose log already ends in a terminal event: the process stopped
   * between appending that event and saving the record (the event comes first, and they are two
   * writes). The log is the truth: the record is finished from it, and the job is not run again.
   */
  private async finishedByLog(job: JobRecord): Promise<boolean> {
    const last = await this.deps.events.lastSeq(job.id);
    const [event] = last > 0 ? await this.deps.events.read(job.id, last - 1, 1) : [];
    if (!event || !isTerminalEvent(event)) return false;
    const status = transition(job.status, event.type);
    if (status instanceof Error) return false;
    job.status = status;
    job.updatedAt = event.at;
    if (event.type === 'job.completed') job.result = withoutImageData(event.response);
    if (event.type === 'job.failed') job.error = event.error;
    await this.deps.jobs.save(job);
    this.deps.log.warn({ jobId: job.id, status }, 'an unfinished job record whose log had ended: finished it from the log');
    return true;
  }

  /** Resumes every unfinished job (after a crash or restart): a new attempt each. */
  async start(): Promise<number> {
    const unfinished = await this.deps.jobs.listUnfinished();
    let resumed = 0;
    for (const job of unfinished) {
      if (await this.finishedByLog(job)) continue;
      resumed += 1;
      this.deps.log.warn({ jobId: job.id, status: job.status }, 'resuming unfinished job');
      await this.emit(job, { type: 'job.queued' });
      this.startRunner(job);
    }
    return resumed;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Stops taking jobs; waits up to graceMs for runners, then aborts the rest (they resume on restart). */
  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    if (graceMs > 0 && this.running.size > 0) {
      const timer = new AbortController();
      await Promise.race([all, this.deps.clock.sleep(graceMs, timer.signal).catch(() => undefined)]);
      timer.abort();
    }
    for (const run of this.running.values()) run.controller.abort('shutdown');
    await all;
    // Followers of jobs left unfinished end now; the jobs resume when holdfast starts again.
    this.stopped = true;
    this.notifier.wakeAll();
  }

  private startRunner(job: JobRecord): void {
    const controller = new AbortController();
    const deadline = this.deps.clock.setTimer(job.deadlineAt - this.deps.clock.now(), () => controller.abort('deadline'));
    const runner = new JobRunner(this.deps, this.options, job, (j, body, result) => this.emit(j, body, result));
    this.deps.observer?.jobStarted?.(job);
    const done = runner.run(controller.signal)
      .catch((error: unknown) => this.deps.log.error({ jobId: job.id, err: error }, 'runner failed'))
      .finally(async () => {
        deadline.cancel();
        if (this.deps.cluster && (isTerminal(job.status) || controller.signal.reason === 'shutdown')) {
          await this.deps.cluster.release(job.id, isTerminal(job.status))
            .catch((error: unknown) => this.deps.log.warn({ jobId: job.id, err: error }, 'could not release the job lease'));
        }
        this.running.delete(job.id);
        this.recent.forget(job.id);
        this.deps.observer?.runnerEnded?.(job);
        if (isTerminal(job.status)) this.deps.observer?.jobFinished?.(job);
      });
    this.running.set(job.id, { controller, done });
  }

  private async emit(job: JobRecord, body: JobEventBody, result?: ImagesResponse): Promise<void> {
    const status = transition(job.status, body.type);
    if (status instanceof Error) throw status;
    // Resources held for the job (a client key's concurrency slot) are free before anyone can see it end.
    if (isTerminal(status)) await this.deps.observer?.jobEnding?.(job);
    const now = this.deps.clock.now();
    const { cluster } = this.deps;
    const changed = status !== job.status || body.type !== 'image.partial';
    const next: JobRecord = { ...job, status, updatedAt: now };
    if (body.type === 'job.completed') next.result = withoutImageData(body.response);
    // On a cluster the record goes with the event, in one round trip (and fenced like it).
    const event = cluster ? await cluster.append(job.id, body, now, changed ? next : undefined) : await this.deps.events.append(job.id, body, now);
    if (!event) {
      // Another replica took this job over: stop here, write nothing more.
      this.abortLocal(job.id, 'lease_lost');
      throw new Error(`job ${job.id} is owned by another replica now`);
    }
    // Its images are in their blobs by now (the runner stores them before it appends the event).
    if (result && event.type === 'job.completed') this.heldResults.set(event, result);
    this.recent.remember(event, job.id);
    job.status = next.status;
    job.updatedAt = next.updatedAt;
    job.result = next.result;
    try {
      if (changed && !cluster) await this.deps.jobs.save(job);
    } finally {
      // The event is in the log: followers see it even when the record's save failed (and is retried).
      this.notifier.notify(job.id);
    }
    this.deps.observer?.eventAppended?.(job, body);
  }
}
