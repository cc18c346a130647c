// The routing contract: which deployment serves the next attempt, within budgets and circuits.
// The engine asks acquire() before every attempt and reports the outcome on the lease.
import type { UpstreamFailureKind } from '../upstream/failure.js';
import type { RateLimitInfo } from '../upstream/adapter.js';

export type SizeClass = 'small' | 'medium' | 'large';

export interface RouteRequest {
  /** The model route the client named (config `models` key). */
  model: string;
  sizeClass: SizeClass;
  quality: string;
  /** Deployments already tried by this job, least preferred now (a retry prefers another). */
  avoid: readonly string[];
  /** Epoch ms after which waiting is pointless. */
  deadlineAt: number;
  /** Scope for fair queueing across client keys ('' without auth). */
  clientKey: string;
}

export interface AttemptReport {
  ok: boolean;
  kind?: UpstreamFailureKind;
  status?: number;
  durationMs: number;
  /** Wait the upstream asked for (429 retry-after); the deployment is backed off that long. */
  retryAfterMs?: number;
  rateLimit?: RateLimitInfo;
}

export interface RouteLease {
  deploymentId: string;
  /** Report how the attempt ended; releases concurrency and feeds health. Idempotent. */
  release(report: AttemptReport): void;
}

export type AcquireResult =
  | { ok: true; lease: RouteLease }
  /** No deployment can take it within the deadline or queue bounds: retryAfterMs is when one might. */
  | { ok: false; reason: 'queue_full' | 'deadline' | 'no_deployment'; retryAfterMs?: number; message: string };

export interface Router {
  acquire(request: RouteRequest, signal: AbortSignal): Promise<AcquireResult>;
  /** Does the model route have a deployment that `tried` does not name (a failover target left)? */
  hasUntried(model: string, tried: readonly string[]): boolean;
  close(): Promise<void>;
}

/** The size class and quality of a request's fields, as routing and metrics label it. */
export function routeClassOf(fields: Record<string, unknown>): { sizeClass: SizeClass; quality: string } {
  return {
    sizeClass: sizeClassOf(typeof fields.size === 'string' ? fields.size : undefined),
    quality: typeof fields.quality === 'string' ? fields.quality : 'auto',
  };
}

/** Pixel classes used for health stats, circuits and fault profiles. */
export function sizeClassOf(size: string | undefined): SizeClass {
  const m = /^(\d+)x(\d+)$/.exec(size ?? '');
  const pixels = m ? Number(m[1]) * Number(m[2]) : 1024 * 1024;
  if (pixels <= 1024 * 1024) return 'small';
  if (pixels <= 1536 * 1536) return 'medium';
  return 'large';
}
