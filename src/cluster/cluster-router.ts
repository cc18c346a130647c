// The router of a replica in a cluster: the replica's own scored router picks the deployment (its
// circuits and health fed by every replica's outcomes), then the cluster budget in Redis must agree
// before the call goes out. A refusal gives the booking back and holds the deployment off locally
// until the cluster window frees, so the replica queues or picks another deployment. While Redis
// is unreachable an attempt waits for it (it is never sent unreserved, and never dropped). A
// deployment's `concurrency` is a cluster-wide count of slots in Redis: each attempt holds one from
// its reservation to its release, renewed every lease tick (a dead replica's slots lapse after one lease).
import type { Clock } from '../time/clock.js';
import type { EngineLog } from '../engine/deps.js';
import type { AcquireResult, AttemptReport, BookedLease, RouteLease, RouteRequest, Router } from '../routing/router.js';
import type { ScoredRouter } from '../routing/scored-router.js';
import type { HealthSnapshot } from '../routing/health.js';
import type { BudgetLimit, Reservation, SharedBudget } from './shared-budget.js';
import type { OutcomeFeed } from './outcome-feed.js';
import type { RoutingMetrics } from '../routing/routing-metrics.js';

/**
 * The metrics for a replica's local router on a cluster: holdfast_rate_limit_remaining of a deployment
 * whose budget the cluster keeps is the cluster's (set by the cluster router), not this replica's share.
 */
export function localRoutingMetrics(metrics: RoutingMetrics | undefined, limits: ReadonlyMap<string, BudgetLimit>): RoutingMetrics | undefined {
  if (!metrics) return undefined;
  return {
    queueDepth: (model, depth) => metrics.queueDepth(model, depth),
    queueWait: (model, seconds) => metrics.queueWait(model, seconds),
    rateLimitRemaining: (id, left) => {
      if ((limits.get(id)?.requests ?? 0) === 0) metrics.rateLimitRemaining(id, left);
    },
    circuitState: (id, sizeClass, status) => metrics.circuitState(id, sizeClass, status),
    upstream429: (id) => metrics.upstream429(id),
  };
}

export interface ClusterRouter extends Router {
  /**
   * The local table (circuits and health fed by every replica's outcomes) with the cluster's budget:
   * remaining starts of each budgeted deployment as of this replica's last reservation or lease tick.
   */
  table(): HealthSnapshot;
  /** Keeps the starts of attempts whose request may not have reached the upstream yet counted, and refreshes the budget view (every lease tick). */
  holdPending(): Promise<void>;
}

/** RouteLease plus the moment the upstream answered (it surely had the request by then). */
export interface ClusterLease extends RouteLease {
  responded(): void;
}

export interface ClusterRouterDeps {
  clock: Clock;
  log: EngineLog;
  local: ScoredRouter;
  budget: SharedBudget;
  feed: OutcomeFeed;
  replicaId: string;
  limits: ReadonlyMap<string, BudgetLimit>;
  /** How long a probe slot is held at most (a probe that never reports frees it then). */
  probeTtlMs: number;
  /** How long a pending start stays counted past its window without a hold (the lease tick's period covers it). */
  pendingMs: number;
  defaultBackOffMs: number;
  /** The cluster's remaining starts of a budgeted deployment changed (holdfast_rate_limit_remaining). */
  onRemaining?(deploymentId: string, remaining: number): void;
}

const REDIS_RETRY_MS = 250;

export function createClusterRouter(deps: ClusterRouterDeps): ClusterRouter {
  const { clock, log, local, budget, feed, replicaId } = deps;
  let probes = 0;

  const reserve = async (lease: BookedLease, holder: string, signal: AbortSignal, deadlineAt: number): Promise<Reservation> => {
    for (;;) {
      try {
        const limit = deps.limits.get(lease.deploymentId);
        return await budget.reserve(lease.deploymentId, limit, {
          probe: lease.probe ? { sizeClass: lease.sizeClass, holder, ttlMs: deps.probeTtlMs } : undefined,
          pendingMs: deps.pendingMs,
          slot: limit?.concurrency !== undefined ? { holder, ttlMs: deps.pendingMs } : undefined,
        });
      } catch (error) {
        // Redis is away: this attempt waits for it rather than going out uncounted.
        if (clock.now() + REDIS_RETRY_MS > deadlineAt) throw error;
        log.warn({ err: error, deploymentId: lease.deploymentId }, 'cluster budget unreachable; waiting for Redis');
        await clock.sleep(REDIS_RETRY_MS, signal);
      }
    }
  };

  /** Starts reserved whose request may still be on its way: deployment -> members. */
  const pending = new Map<string, Set<string>>();
  const confirm = (id: string, member: string): void => {
    const set = pending.get(id);
    const limit = deps.limits.get(id);
    if (!set?.delete(member) || !limit) return;
    // From now on the upstream surely has the request: its window ends window + margin from here.
    budget.hold(id, limit, [member], 0).catch((error: unknown) => log.warn({ err: error, deploymentId: id }, 'could not date a budget start'));
  };

  const budgeted = [...deps.limits].filter(([, limit]) => limit.requests > 0).map(([id]) => id);
  /** The cluster's remaining starts per budgeted deployment, as last seen. */
  const remaining = new Map<string, number>();
  const seen = (id: string, used: number, backOffMs: number): void => {
    const limit = deps.limits.get(id);
    if (!limit || limit.requests === 0) return;
    const left = backOffMs > 0 ? 0 : Math.max(0, limit.requests - used);
    remaining.set(id, left);
    deps.onRemaining?.(id, left);
  };

  /** Concurrency slots held by this replica's attempts in flight: deployment -> holders. */
  const slots = new Map<string, Set<string>>();
  const freeSlot = (id: string, holder: string): Promise<unknown> | undefined => {
    if (!slots.get(id)?.delete(holder)) return undefined;
    return budget.releaseSlot(id, holder);
  };

  const wrap = (lease: BookedLease, holder: string, member: string): ClusterLease => ({
    deploymentId: lease.deploymentId,
    responded() {
      confirm(lease.deploymentId, member);
    },
    release(report: AttemptReport) {
      confirm(lease.deploymentId, member);
      lease.release(report);
      const id = lease.deploymentId;
      const shared: Promise<unknown>[] = [
        feed.publish({ deploymentId: id, sizeClass: lease.sizeClass, probe: lease.probe, expectedMs: lease.expectedMs, report, at: clock.now() }),
      ];
      if (report.status === 429 || report.kind === 'rate_limited') shared.push(budget.backOff(id, report.retryAfterMs ?? deps.defaultBackOffMs));
      if (lease.probe) shared.push(budget.endProbe(id, lease.sizeClass, holder));
      const slot = freeSlot(id, holder);
      if (slot) shared.push(slot);
      Promise.all(shared).catch((error: unknown) => log.warn({ err: error, deploymentId: id }, 'could not share an attempt outcome'));
    },
  });

  return {
    hasUntried: (model, tried) => local.hasUntried(model, tried),
    async acquire(request: RouteRequest, signal: AbortSignal): Promise<AcquireResult> {
      for (;;) {
        const acquired = await local.acquire(request, signal);
        if (!acquired.ok) return acquired;
        const { lease } = acquired;
        const holder = `${replicaId}:${(probes += 1)}`;
        let reservation: Reservation;
        try {
          reservation = await reserve(lease, holder, signal, request.deadlineAt);
        } catch (error) {
          lease.abandon();
          throw error;
        }
        if (reservation.ok) {
          seen(lease.deploymentId, reservation.used, 0);
          if (reservation.member !== '') {
            const set = pending.get(lease.deploymentId) ?? new Set<string>();
            set.add(reservation.member);
            pending.set(lease.deploymentId, set);
          }
          if (deps.limits.get(lease.deploymentId)?.concurrency !== undefined) {
            const held = slots.get(lease.deploymentId) ?? new Set<string>();
            held.add(holder);
            slots.set(lease.deploymentId, held);
          }
          return { ok: true, lease: wrap(lease, holder, reservation.member) };
        }
        lease.abandon();
        if (reservation.reason === 'window' || reservation.reason === 'backoff') seen(lease.deploymentId, Number.MAX_SAFE_INTEGER, 0);
        local.holdOff(lease.deploymentId, clock.now() + reservation.waitMs);
      }
    },
    table() {
      return local.health().map((row) => {
        const limit = deps.limits.get(row.deployment);
        const left = remaining.get(row.deployment);
        if (!limit || left === undefined) return row;
        return { ...row, budget: { ...row.budget, remaining: left, limit: limit.requests } };
      });
    },
    async holdPending() {
      await Promise.all([
        ...[...pending].map(async ([id, members]) => {
          const limit = deps.limits.get(id);
          if (limit && members.size > 0) await budget.hold(id, limit, [...members], deps.pendingMs);
        }),
        ...[...slots].map(([id, holders]) => budget.renewSlots(id, [...holders], deps.pendingMs)),
        budget.usage(budgeted).then((usage) => {
          for (const [id, u] of usage) seen(id, u.used, u.backOffMs);
        }),
      ]);
    },
    close: () => local.close(),
  };
}
