// The live state of every deployment: budgets, circuits per size class and health. It answers
// "who can take this attempt now, and who is best" and books each attempt's outcome; queueing is
// the router's business.
import type { Random } from '../time/random.js';
import type { AttemptReport, RouteRequest, SizeClass } from './router.js';
import { createRateLimit, type RateLimit } from './rate-limit.js';
import {
  admits, closedCircuit, countsAgainstHealth, refresh, reopensAt, transition,
  type CircuitEvent, type CircuitOptions, type CircuitState,
} from './circuit.js';
import { createHealthStats, type HealthOptions, type HealthSnapshot } from './health.js';
import { pickCandidate, type Candidate, type PickOptions } from './pick.js';
import type { RoutingMetrics } from './routing-metrics.js';

export interface DeploymentOptions {
  weight?: number;
  rateLimit?: { requests: number; windowMs: number; marginMs?: number };
  concurrency?: number;
  /** The expected latency of one attempt with no data yet, per size class and quality. */
  priorLatencyMs?(sizeClass: SizeClass, quality: string): number;
}

export interface PoolOptions {
  deployments: Record<string, DeploymentOptions>;
  circuit: CircuitOptions;
  health: HealthOptions;
  pick: PickOptions;
  /** Back-off after a 429 that named no retry-after. */
  defaultBackOffMs: number;
}

export interface Booking {
  deploymentId: string;
  sizeClass: SizeClass;
  probe: boolean;
  /** The prior latency for this request, against which the outcome's latency is judged. */
  expectedMs: number;
}

const sizeClasses: readonly SizeClass[] = ['small', 'medium', 'large'];
const defaultPriorMs: Record<SizeClass, number> = { small: 20_000, medium: 60_000, large: 200_000 };

export function createDeploymentPool(deps: { random: Random; metrics?: RoutingMetrics }, options: PoolOptions) {
  const { random, metrics } = deps;
  const budgets = new Map<string, RateLimit>();
  for (const [id, d] of Object.entries(options.deployments)) {
    const marginMs = d.rateLimit ? d.rateLimit.marginMs ?? Math.min(1_000, d.rateLimit.windowMs * 0.02) : 0;
    budgets.set(id, createRateLimit({ ...d.rateLimit, marginMs, concurrency: d.concurrency }));
    if (d.rateLimit) metrics?.rateLimitRemaining(id, d.rateLimit.requests);
    for (const sizeClass of sizeClasses) metrics?.circuitState(id, sizeClass, 'closed');
  }
  const circuits = new Map<string, CircuitState>();
  const health = createHealthStats(options.health);

  const budgetOf = (id: string): RateLimit => {
    let budget = budgets.get(id);
    if (!budget) budgets.set(id, (budget = createRateLimit({})));
    return budget;
  };
  const priorMs = (id: string, sizeClass: SizeClass, quality: string): number =>
    options.deployments[id]?.priorLatencyMs?.(sizeClass, quality) ?? defaultPriorMs[sizeClass];

  const setCircuit = (id: string, sizeClass: SizeClass, next: CircuitState): void => {
    const before = circuits.get(`${id}\u0000${sizeClass}`) ?? closedCircuit;
    circuits.set(`${id}\u0000${sizeClass}`, next);
    if (before.status !== next.status) metrics?.circuitState(id, sizeClass, next.status);
  };
  const circuitOf = (id: string, sizeClass: SizeClass, now: number): CircuitState => {
    const state = circuits.get(`${id}\u0000${sizeClass}`) ?? closedCircuit;
    const next = refresh(state, now, options.circuit);
    if (next !== state) setCircuit(id, sizeClass, next);
    return next;
  };
  const move = (booking: Booking, event: CircuitEvent, now: number): void => {
    const next = transition(circuitOf(booking.deploymentId, booking.sizeClass, now), event, now, options.circuit);
    if (!(next instanceof Error)) setCircuit(booking.deploymentId, booking.sizeClass, next);
  };
  const publishBudget = (id: string, now: number): void => {
    const remaining = budgetOf(id).view(now).remaining;
    if (remaining !== null) metrics?.rateLimitRemaining(id, remaining);
  };

  return {
    /** Books the best deployment that can take this attempt now (budget taken), or returns null. */
    tryBook(ids: readonly string[], request: RouteRequest, now: number): Booking | null {
      const candidates: (Candidate & { priorMs: number })[] = [];
      for (const id of ids) {
        const circuit = circuitOf(id, request.sizeClass, now);
        if (!admits(circuit) || !budgetOf(id).check(now).ok) continue;
        const prior = priorMs(id, request.sizeClass, request.quality);
        const latency = prior * health.slowness(id, request.sizeClass, now);
        const expectedMs = latency / Math.max(0.01, health.successRate(id, request.sizeClass, now));
        const weight = options.deployments[id]?.weight ?? 1;
        candidates.push({ id, weight, expectedMs, probe: circuit.status === 'half_open', priorMs: prior });
      }
      if (candidates.length === 0) return null;
      const chosen = pickCandidate(candidates, request.avoid, { random, options: options.pick });
      budgetOf(chosen.id).tryTake(now);
      publishBudget(chosen.id, now);
      const booking = { deploymentId: chosen.id, sizeClass: request.sizeClass, probe: chosen.probe, expectedMs: chosen.priorMs };
      if (chosen.probe) move(booking, 'probe_started', now);
      return booking;
    },

    /**
     * When the earliest of `ids` could take an attempt (Infinity: only a release can tell), and
     * until when every circuit stays open (0 when some circuit admits or a probe is out).
     */
    assess(ids: readonly string[], sizeClass: SizeClass, now: number): { earliestAt: number; openUntil: number } {
      let earliestAt = Infinity;
      let openUntil = Infinity;
      for (const id of ids) {
        const circuit = circuitOf(id, sizeClass, now);
        const circuitAt = circuit.status === 'open' ? reopensAt(circuit, options.circuit) : admits(circuit) ? now : Infinity;
        openUntil = Math.min(openUntil, circuit.status === 'open' ? circuitAt : 0);
        // check() only at `now`: it prunes, and must never see a future time.
        const budget = budgetOf(id).check(now);
        const budgetAt = budget.ok ? now : now + budget.waitMs;
        earliestAt = Math.min(earliestAt, Math.max(circuitAt, budgetAt));
      }
      return { earliestAt, openUntil: ids.length === 0 ? Infinity : openUntil };
    },

    /** Books the outcome of an attempt: budget, learned limits, health and circuit. */
    finish(booking: Booking, report: AttemptReport, now: number): void {
      const { deploymentId: id, sizeClass } = booking;
      const budget = budgetOf(id);
      budget.release();
      // x-ratelimit-* describe the upstream's window when it admitted the call, i.e. at its start; a
      // non-streaming answer brings them minutes later, when a remaining of 0 is long out of date.
      if (report.rateLimit) budget.observe(report.rateLimit, now - Math.max(0, report.durationMs));
      if (report.status === 429 || report.kind === 'rate_limited') {
        budget.backOff(now + (report.retryAfterMs ?? options.defaultBackOffMs));
        metrics?.upstream429(id);
      }
      publishBudget(id, now);
      health.record({ deployment: id, sizeClass, ok: report.ok, kind: report.kind, status: report.status, durationMs: report.durationMs, expectedMs: booking.expectedMs }, now);
      const counts = report.ok || (report.kind !== undefined && countsAgainstHealth(report.kind));
      if (booking.probe) move(booking, !counts ? 'probe_abandoned' : report.ok ? 'probe_succeeded' : 'probe_failed', now);
      else if (counts) move(booking, report.ok ? 'success' : 'failure', now);
    },


    snapshot(now: number): HealthSnapshot {
      const keys = [...budgets.keys()].flatMap((deployment) => sizeClasses.map((sizeClass) => ({ deployment, sizeClass })));
      return health.snapshot(keys, (id, sizeClass) => ({ circuit: circuitOf(id, sizeClass, now).status, budget: budgetOf(id).view(now) }));
    },
  };
}

export type DeploymentPool = ReturnType<typeof createDeploymentPool>;
