// One probe row per deployment: success rate, p50/p95 of successful calls, errors by kind and the
// 408/429 counts. The row is also the --json shape, so its keys are snake_case.
import type { FailureKind } from '../engine/job.js';
import { percentile } from '../routing/health.js';

export interface ProbeSample {
  ok: boolean;
  kind?: FailureKind;
  status?: number;
  durationMs: number;
}

export interface ProbeRow {
  deployment: string;
  provider: string;
  region: string | null;
  requests: number;
  successes: number;
  /** Share of requests that returned an image (0..1); null with no requests. */
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  errors: Partial<Record<FailureKind, number>>;
  status_408: number;
  status_429: number;
  /** On a cluster: the shared table every replica serves, after the probe (the probe's own requests do not move circuits). */
  cluster?: ClusterView;
}

export interface ClusterView {
  /** Circuit of the probed size class. */
  circuit: string;
  /** The cluster's remaining starts in the deployment's window; null without a configured budget. */
  budget_remaining: number | null;
}

export function summarize(target: { id: string; provider: string; region: string | null }, samples: readonly ProbeSample[]): ProbeRow {
  const durations = samples.filter((s) => s.ok).map((s) => s.durationMs).sort((a, b) => a - b);
  const errors: Partial<Record<FailureKind, number>> = {};
  for (const s of samples) if (!s.ok) errors[s.kind ?? 'server_error'] = (errors[s.kind ?? 'server_error'] ?? 0) + 1;
  return {
    deployment: target.id,
    provider: target.provider,
    region: target.region,
    requests: samples.length,
    successes: durations.length,
    success_rate: samples.length === 0 ? null : Math.round((durations.length / samples.length) * 1000) / 1000,
    p50_ms: percentile(durations, 0.5),
    p95_ms: percentile(durations, 0.95),
    errors,
    status_408: samples.filter((s) => s.status === 408).length,
    status_429: samples.filter((s) => s.status === 429).length,
  };
}
