// Per deployment and size class: decaying success rate and latency (half-life in clock ms, so a
// recovered region wins back its traffic), recent p50/p95, error counts. Circuits and budgets live
// elsewhere; snapshot() takes them as a callback to build the health table.
import type { UpstreamFailureKind } from '../upstream/failure.js';
import type { SizeClass } from './router.js';
import type { BudgetView } from './rate-limit.js';
import type { CircuitStatus } from './circuit.js';
import { countsAgainstHealth } from './circuit.js';

export interface AttemptSample {
  deployment: string;
  sizeClass: SizeClass;
  ok: boolean;
  kind?: UpstreamFailureKind;
  status?: number;
  durationMs: number;
  /** The prior latency for this request's size and quality; successes feed durationMs / expectedMs. */
  expectedMs: number;
}

export interface HealthRow {
  deployment: string;
  size_class: SizeClass;
  requests: number;
  successes: number;
  /** Decaying success rate of health-relevant results; null before any. */
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  ewma_latency_ms: number | null;
  errors: Partial<Record<UpstreamFailureKind, number>>;
  status_408: number;
  status_429: number;
  circuit: CircuitStatus;
  budget: BudgetView;
}

export type HealthSnapshot = HealthRow[];

/** A mean whose samples lose half their weight every halfLifeMs of clock time. */
export interface DecayingMean {
  add(value: number, now: number): void;
  /** The mean blended with a prior worth `priorWeight` samples; with no data, the prior. */
  estimate(now: number, prior: number, priorWeight: number): number;
  /** The plain decayed mean, or null with no samples. */
  value(): number | null;
}

export function createDecayingMean(halfLifeMs: number): DecayingMean {
  let sum = 0;
  let weight = 0;
  let at = 0;
  const decayTo = (now: number): void => {
    if (now <= at) return;
    const factor = Math.pow(0.5, (now - at) / halfLifeMs);
    sum *= factor;
    weight *= factor;
    at = now;
  };
  return {
    add(value, now) {
      decayTo(now);
      sum += value;
      weight += 1;
    },
    estimate(now, prior, priorWeight) {
      decayTo(now);
      return (sum + prior * priorWeight) / (weight + priorWeight);
    },
    value: () => (weight > 0 ? sum / weight : null),
  };
}

interface Cell {
  requests: number;
  successes: number;
  success: DecayingMean;
  /** Observed latency over the prior, for successes. */
  slowness: DecayingMean;
  latencyMs: DecayingMean;
  recent: number[];
  errors: Partial<Record<UpstreamFailureKind, number>>;
  status408: number;
  status429: number;
}

export interface HealthOptions {
  halfLifeMs: number;
  /** Latency samples kept per cell for p50/p95. */
  recentSamples: number;
}

export const defaultHealthOptions: HealthOptions = { halfLifeMs: 600_000, recentSamples: 200 };

export interface HealthStats {
  record(sample: AttemptSample, now: number): void;
  /** Success probability estimate, blended with an optimistic prior worth `priorWeight` samples. */
  successRate(deployment: string, sizeClass: SizeClass, now: number, priorWeight?: number): number;
  /** How much slower than its prior this deployment runs (1 with no data). */
  slowness(deployment: string, sizeClass: SizeClass, now: number, priorWeight?: number): number;
  snapshot(
    keys: readonly { deployment: string; sizeClass: SizeClass }[],
    extras: (deployment: string, sizeClass: SizeClass) => { circuit: CircuitStatus; budget: BudgetView },
  ): HealthSnapshot;
}

export function createHealthStats(options: HealthOptions = defaultHealthOptions): HealthStats {
  const cells = new Map<string, Cell>();
  const cellOf = (deployment: string, sizeClass: SizeClass): Cell => {
    const key = `${deployment}\u0000${sizeClass}`;
    let cell = cells.get(key);
    if (!cell) {
      const half = options.halfLifeMs;
      cell = {
        requests: 0, successes: 0, recent: [], errors: {}, status408: 0, status429: 0,
        success: createDecayingMean(half), slowness: createDecayingMean(half), latencyMs: createDecayingMean(half),
      };
      cells.set(key, cell);
    }
    return cell;
  };
  return {
    record: (sample, now) => recordSample(cellOf(sample.deployment, sample.sizeClass), sample, now, options),
    successRate: (deployment, sizeClass, now, priorWeight = 1) =>
      cellOf(deployment, sizeClass).success.estimate(now, 1, priorWeight),
    slowness: (deployment, sizeClass, now, priorWeight = 1) =>
      cellOf(deployment, sizeClass).slowness.estimate(now, 1, priorWeight),
    snapshot: (keys, extras) => keys.map(({ deployment, sizeClass }) => ({
      ...rowOf(deployment, sizeClass, cellOf(deployment, sizeClass)),
      ...extras(deployment, sizeClass),
    })),
  };
}

function recordSample(cell: Cell, sample: AttemptSample, now: number, options: HealthOptions): void {
  cell.requests += 1;
  if (sample.status === 408) cell.status408 += 1;
  if (sample.status === 429) cell.status429 += 1;
  if (sample.ok) {
    cell.successes += 1;
    cell.success.add(1, now);
    cell.slowness.add(sample.durationMs / Math.max(1, sample.expectedMs), now);
    cell.latencyMs.add(sample.durationMs, now);
    cell.recent.push(sample.durationMs);
    if (cell.recent.length > options.recentSamples) cell.recent.shift();
    return;
  }
  const kind = sample.kind ?? 'server_error';
  cell.errors[kind] = (cell.errors[kind] ?? 0) + 1;
  if (countsAgainstHealth(kind)) cell.success.add(0, now);
}

function rowOf(deployment: string, sizeClass: SizeClass, cell: Cell): Omit<HealthRow, 'circuit' | 'budget'> {
  const sorted = [...cell.recent].sort((a, b) => a - b);
  return {
    deployment,
    size_class: sizeClass,
    requests: cell.requests,
    successes: cell.successes,
    success_rate: round(cell.success.value(), 3),
    p50_ms: percentile(sorted, 0.5),
    p95_ms: percentile(sorted, 0.95),
    ewma_latency_ms: round(cell.latencyMs.value(), 0),
    errors: { ...cell.errors },
    status_408: cell.status408,
    status_429: cell.status429,
  };
}

/** Nearest-rank percentile of an ascending list; null when empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
