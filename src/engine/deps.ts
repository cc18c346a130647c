// What the engine is given: stores, router, upstream adapters, clock, randomness, ids, a logger
// and an observer for metrics and webhooks. Only interfaces; app.ts picks the implementations.
import type { Clock } from '../time/clock.js';
import type { IdSource, Random } from '../time/random.js';
import type { EventLog, IdempotencyStore, JobStore } from '../store/job-store.js';
import type { BlobStore } from '../store/blob-store.js';
import type { Router } from '../routing/router.js';
import type { UpstreamAdapter } from '../upstream/adapter.js';
import type { AttemptRecord, JobEvent, JobRecord } from './job.js';
import type { DeploymentTiming } from './upstream-mode.js';
import type { RetryOptions } from './retry-policy.js';

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
  partialForwarded?(job: JobRecord): void;
  /** The first event of an attempt arrived (its first partial image, or its completion): elapsedMs after it started. */
  firstEvent?(job: JobRecord, attempt: AttemptRecord, elapsedMs: number): void;
  /** Every event appended to a job's log (e.g. the demo's story on the terminal). */
  jobEvent?(job: JobRecord, event: JobEvent): void;
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
  /** Model route name → the deployments that serve it. */
  pools: ReadonlyMap<string, readonly string[]>;
  observer?: EngineObserver;
}

export interface EngineOptions {
  retry: RetryOptions;
  defaultDeadlineMs: number;
  /** How long finished jobs (results, events, images, idempotency keys) are kept. */
  retentionMs: number;
}
