// The live feed's shapes, which http/ (GET /v1/holdfast/events) reads: live-feed.ts implements
// LiveFeed, so http/ never imports the observer itself (the layering of trace-types.ts).
import type { EngineObserver } from '../engine/deps.js';
import type { JobEventType, JobRecord } from '../engine/job.js';
import type { HealthRow } from '../routing/health.js';

export interface DeploymentRow extends HealthRow {
  region: string | null;
  provider: string;
  /** Requests of the deployment's models waiting in their queues (a queue is per model). */
  queue_depth: number;
  /** Median time from an attempt's start to its first event (partial or completion), recent attempts. */
  ttfb_p50_ms: number | null;
  /** Attempts that failed after the upstream had started sending (it likely billed them). */
  billed_lost: number;
}

export interface HistoryPoint {
  at: number;
  deployment: string;
  size_class: string;
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

export type FeedMessage =
  | { type: 'deployments'; rows: DeploymentRow[] }
  | { type: 'job'; job: JobRecord; event: JobEventType }
  /** The gateway is shutting down: end the stream (clients reconnect to the next process). */
  | { type: 'closing' };

export interface LiveFeed {
  observer: EngineObserver;
  table(): DeploymentRow[];
  history(): HistoryPoint[];
  /** Calls `listener` for every message until the returned function is called. */
  subscribe(listener: (message: FeedMessage) => void): () => void;
  /** Starts the periodic snapshots and history samples. */
  start(): void;
  close(): void;
}

export interface LiveFeedOptions {
  /** Clock ms between deployments snapshots pushed to subscribers. */
  pushIntervalMs: number;
  /** Clock ms between history samples, and how many are kept. */
  sampleIntervalMs: number;
  maxSamples: number;
}
