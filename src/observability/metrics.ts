// holdfast's Prometheus metrics on their own prom-client Registry (never the default one), behind
// typed recorders. Label values are ids from the config (models, deployments, kinds), never secrets.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitStatus } from '../routing/circuit.js';
import type { SizeClass } from '../routing/router.js';

export interface AttemptLabels {
  deployment: string;
  sizeClass: SizeClass;
  quality: string;
}

export interface RequestLabels {
  model: string;
  endpoint: string;
  outcome: string;
  code: string;
  deployment?: string;
  sizeClass?: SizeClass;
  quality?: string;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** The exposition text for GET /metrics. */
  text(): Promise<string>;
  /**
   * One finished client request; outcome e.g. succeeded | failed | cancelled, code the error code or ''.
   * deployment is the one that served the last attempt ('' when none), sizeClass and quality the request's.
   */
  request(labels: RequestLabels): void;
  /** One finished upstream attempt; outcome 'succeeded' or its FailureKind. */
  attempt(labels: AttemptLabels & { outcome: string }): void;
  generationDuration(labels: AttemptLabels, seconds: number): void;
  timeToFirstEvent(labels: AttemptLabels, seconds: number): void;
  heartbeat(): void;
  queueDepth(model: string, depth: number): void;
  queueWait(model: string, seconds: number): void;
  rateLimitRemaining(deployment: string, remaining: number): void;
  circuitState(deployment: string, sizeClass: SizeClass, status: CircuitStatus): void;
  upstream429(deployment: string): void;
  jobStarted(): void;
  jobFinished(): void;
  /** USD billed by an attempt, by model route and deployment (never by client key). */
  cost(labels: { model: string; deployment: string }, usd: number): void;
  /** USD billed by an attempt that delivered nothing. */
  lostCost(labels: { model: string; deployment: string }, usd: number): void;
}

const generationBuckets = [1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600];
const firstEventBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const queueBuckets = [0.01, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
const circuitValue: Record<CircuitStatus, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Keeps label values to short ids. Anything else (a stray URL, a key-shaped string, free text)
 * becomes 'invalid', so a mistake elsewhere can never publish a secret or explode cardinality.
 */
export function toLabel(value: string): string {
  if (!/^[A-Za-z0-9_.:/-]{0,64}$/.test(value)) return 'invalid';
  if (/^(sk-|sess-|bearer|eyJ)/i.test(value)) return 'invalid';
  return value;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const m = buildInstruments(registry);
  const attempt = (l: AttemptLabels) => ({
    deployment: toLabel(l.deployment), size_class: l.sizeClass, quality: toLabel(l.quality),
  });
  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    request: (l) => m.requests.inc({
      model: toLabel(l.model), endpoint: toLabel(l.endpoint), deployment: toLabel(l.deployment ?? ''),
      size_class: l.sizeClass ?? '', quality: toLabel(l.quality ?? ''), outcome: toLabel(l.outcome), code: toLabel(l.code),
    }),
    attempt: (l) => m.attempts.inc({ ...attempt(l), outcome: toLabel(l.outcome) }),
    generationDuration: (l, seconds) => m.generation.observe(attempt(l), seconds),
    timeToFirstEvent: (l, seconds) => m.firstEvent.observe(attempt(l), seconds),
    heartbeat: () => m.heartbeats.inc(),
    queueDepth: (model, depth) => m.queueDepth.set({ model: toLabel(model) }, depth),
    queueWait: (model, seconds) => m.queueWait.observe({ model: toLabel(model) }, seconds),
    rateLimitRemaining: (deployment, remaining) => m.remaining.set({ deployment: toLabel(deployment) }, remaining),
    circuitState: (deployment, sizeClass, status) =>
      m.circuit.set({ deployment: toLabel(deployment), size_class: sizeClass }, circuitValue[status]),
    upstream429: (deployment) => m.upstream429.inc({ deployment: toLabel(deployment) }),
    jobStarted: () => m.inFlight.inc(),
    jobFinished: () => m.inFlight.dec(),
    cost: (l, usd) => m.cost.inc({ model: toLabel(l.model), deployment: toLabel(l.deployment) }, usd),
    lostCost: (l, usd) => m.lostCost.inc({ model: toLabel(l.model), deployment: toLabel(l.deployment) }, usd),
  };
}

function buildInstruments(registry: Registry) {
  const registers = [registry];
  const attemptNames = ['deployment', 'size_class', 'quality'] as const;
  return {
    requests: new Counter({
      name: 'holdfast_requests_total',
      help: 'Finished client requests by model, endpoint, serving deployment, size class, quality, outcome and error code.',
      labelNames: ['model', 'endpoint', 'deployment', 'size_class', 'quality', 'outcome', 'code'] as const, registers,
    }),
    attempts: new Counter({
      name: 'holdfast_attempts_total', help: 'Upstream attempts by deployment, size class, quality and outcome.',
      labelNames: [...attemptNames, 'outcome'] as const, registers,
    }),
    generation: new Histogram({
      name: 'holdfast_generation_duration_seconds', help: 'Duration of successful upstream generations.',
      labelNames: attemptNames, buckets: generationBuckets, registers,
    }),
    firstEvent: new Histogram({
      name: 'holdfast_time_to_first_event_seconds', help: 'Time from attempt start to the first upstream event.',
      labelNames: attemptNames, buckets: firstEventBuckets, registers,
    }),
    heartbeats: new Counter({ name: 'holdfast_heartbeats_total', help: 'SSE keepalive comments sent to clients.', registers }),
    queueDepth: new Gauge({
      name: 'holdfast_queue_depth', help: 'Requests waiting for budget, per model.', labelNames: ['model'] as const, registers,
    }),
    queueWait: new Histogram({
      name: 'holdfast_queue_wait_seconds', help: 'Time requests waited for a deployment, per model.',
      labelNames: ['model'] as const, buckets: queueBuckets, registers,
    }),
    remaining: new Gauge({
      name: 'holdfast_rate_limit_remaining', help: 'Requests left in the current window, per deployment.',
      labelNames: ['deployment'] as const, registers,
    }),
    circuit: new Gauge({
      name: 'holdfast_circuit_state', help: 'Circuit state per deployment and size class: 0 closed, 1 half-open, 2 open.',
      labelNames: ['deployment', 'size_class'] as const, registers,
    }),
    upstream429: new Counter({
      name: 'holdfast_upstream_429_total', help: 'HTTP 429 answers received from upstreams.',
      labelNames: ['deployment'] as const, registers,
    }),
    inFlight: new Gauge({ name: 'holdfast_jobs_in_flight', help: 'Jobs queued or running.', registers }),
    cost: new Counter({
      name: 'holdfast_cost_usd_total', help: 'USD billed by upstream attempts (price table applied to their usage), by model and deployment.',
      labelNames: ['model', 'deployment'] as const, registers,
    }),
    lostCost: new Counter({
      name: 'holdfast_lost_cost_usd_total', help: 'USD billed by attempts that delivered nothing (failed after the upstream started generating), by model and deployment.',
      labelNames: ['model', 'deployment'] as const, registers,
    }),
  };
}
