// What the engine is given: stores, router, upstream adapters, clock, randomness, ids, a logger
// and an observer for metrics and webhooks. Only interfaces; app.ts picks the implementations.
import type { Clock } from '../time/clock.js';
import type { IdSource, Random } from '../time/random.js';
import type { EventLog, IdempotencyStore, JobStore } from '../store/job-store.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Router } from '../routing/router.js';
import type { UpstreamAdapter } from '../upstream/adapter.js';
import type { AttemptRecord, JobEvent, JobEventBody, JobRecord } from './job.js';
import type { DeploymentTiming } from './upstream-mode.js';
import type { RetryOptions } from './retry-policy.js';
import type { TokenUsage } from '../wire/usage.js';

/** The subset of pino's Logger the engine uses. */
export interface EngineLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeploymentInfo {
  id: string;
  /** The upstream model name sent in the body (decides validation rules). */
  model: string;
  provider: 'openai' | 'azure';
  timing: DeploymentTiming;
}

/** Hooks for metrics and webhooks; each must return quickly and never throw. */
export interface EngineObserver {
  attemptEnded?(job: JobRecord, attempt: AttemptRecord, durationMs: number): void;
  /** A runner started for the job (new, or resumed after a restart). */
  jobStarted?(job: JobRecord): void;
  /** The runner ended: the job is terminal, or holdfast is stopping and it will resume later. */
  runnerEnded?(job: JobRecord): void;
  jobFinished?(job: JobRecord): void;
  /** The job is about to become terminal (awaited before its terminal event is appended); must not throw. */
  jobEnding?(job: JobRecord): Promise<void>;
  /** An event was appended to the job's log (after it is stored); the demo tells its story from these. */
  eventAppended?(job: JobRecord, body: JobEventBody): void;
  /** Extra headers for an attempt's upstream call (trace context), asked right after attempt.started. */
  upstreamHeaders?(job: JobRecord, attempt: number): Record<string, string> | undefined;
  /** The first event of an attempt arrived (its first partial image, or its completion): elapsedMs after it started. */
  firstEvent?(job: JobRecord, attempt: AttemptRecord, elapsedMs: number): void;
}

/** Prices attempts and books them (usage ledger, key spend, cost metrics). */
export interface AttemptBilling {
  /** USD for these tokens on this deployment's model; undefined when the model has no price. */
  costOf(deploymentId: string, usage: TokenUsage): number | undefined;
  /** Awaited after every attempt that delivered or was billed, before the job moves on; must not throw. */
  attemptBilled(job: JobRecord, attempt: AttemptRecord): Promise<void>;
}

/**
 * Replicas sharing one store (store.kind redis): who runs which job, fenced appends, and the views a
 * replica gives of jobs that run elsewhere. Absent for a single process.
 */
export interface EngineCluster {
  /** Takes ownership of a new job before it is stored; throws when the shared store cannot. */
  claim(jobId: string): Promise<void>;
  /**
   * Appends while this replica owns the job (waiting out a store outage); undefined once it lost the job.
   * With `record`, the job record the event leads to is stored in the same step (nothing else to save).
   */
  append(jobId: string, body: JobEventBody, at: number, record?: JobRecord): Promise<JobEvent | undefined>;
  /** The job ended here (finished) or is handed back on shutdown. */
  release(jobId: string, finished: boolean): Promise<void>;
  /** Asks the replica running the job to cancel it; false when no replica holds a live lease on it. */
  requestCancel(jobId: string): Promise<boolean>;
  /** Events after afterSeq, then live ones as any replica appends them, until the signal aborts. */
  follow(jobId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEvent>;
}

export interface EngineDeps {
  clock: Clock;
  random: Random;
  ids: IdSource;
  log: EngineLog;
  jobs: JobStore;
  events: EventLog;
  idempotency: IdempotencyStore;
  blobs: BlobStore;
  router: Router;
  adapterFor(deploymentId: string): UpstreamAdapter;
  deployments: ReadonlyMap<string, DeploymentInfo>;
  observer?: EngineObserver;
  billing?: AttemptBilling;
  cluster?: EngineCluster;
}

export interface EngineOptions {
  retry: RetryOptions;
  defaultDeadlineMs: number;
  /** How long finished jobs (results, events, images, idempotency keys) are kept. */
  retentionMs: number;
  /** How long a delivered result is kept in memory and retried while the store cannot take it (default 1 h). */
  resultHoldMs?: number;
}
