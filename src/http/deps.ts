// What the HTTP layer is given. It translates HTTP to and from the engine and knows no upstream.
import type { Tracing } from '../observability/trace-types.js';
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { Engine } from '../engine/engine.js';
import type { DeploymentInfo } from '../engine/deps.js';
import type { JobRequest } from '../engine/job.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ClientAuth, Principal } from './auth.js';
import type { AdminAuth } from './admin-auth.js';
import type { ClientKeys } from '../keys/client-keys.js';
import type { UsageLedger } from '../store/usage-ledger.js';
import type { AdminGate } from './admin-session.js';
import type { LiveFeed } from '../observability/live-feed-types.js';
import type { UploadLimits } from './intake.js';
import type { ClientLimits } from './client-limits.js';

export interface ModelRoute {
  name: string;
  deployments: readonly DeploymentInfo[];
}

export interface HttpObserver {
  heartbeat?(): void;
}

/** A managed key's limits, checked before a job is created (and so before any upstream call). */
export interface KeyLimits {
  /** Throws the OpenAI-shaped refusal, or holds a concurrency slot for the job until release(). */
  admit(principal: Principal, request: { model: string; jobId: string; deadlineMs?: number; job: JobRequest }): Promise<void>;
  release(principal: Principal, jobId: string): Promise<void>;
}

/** What the admin API needs; undefined parts switch it off. */
export interface AdminDeps {
  auth: AdminAuth;
  keys: ClientKeys;
  usage: UsageLedger;
}

export interface HttpDeps {
  clock: Clock;
  engine: Engine;
  blobs: BlobStore;
  auth: ClientAuth;
  limits?: KeyLimits;
  /** Managed client keys and usage reports (/v1/holdfast/keys, /v1/holdfast/usage): bearer admin keys. */
  keyAdmin?: AdminDeps;
  /** Admin keys and dashboard sessions; undefined: no admin access at all. */
  admin?: AdminGate;
  /** Job changes and health snapshots for GET /v1/holdfast/events; undefined: no live feed. */
  feed?: LiveFeed;
  log: Logger;
  models: ReadonlyMap<string, ModelRoute>;
  observer?: HttpObserver;
  /** Refuses webhook URLs holdfast must not call (private addresses…); undefined when webhooks are off. */
  checkWebhookUrl?(url: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Prometheus text; undefined when metrics are off. */
  metricsText?(): Promise<string>;
  /** The live health table. */
  deploymentHealth?(): unknown;
  /** Throws when the store cannot serve. */
  ready(): Promise<void>;
  /** Request spans (OpenTelemetry); undefined when tracing is off. */
  tracing?: Pick<Tracing, 'startRequest'>;
}

export interface RequestLimits extends ClientLimits {
  jsonBodyBytes: number;
  editJsonBodyBytes: number;
  jsonMaxDepth: number;
  maxPromptChars: number;
  maxFieldBytes: number;
  maxDeadlineMs: number;
}

export interface HttpOptions {
  heartbeatIntervalMs: number;
  uploads: UploadLimits;
  limits: RequestLimits;
  /** Model route used when a request names none. */
  defaultModel: string;
}
