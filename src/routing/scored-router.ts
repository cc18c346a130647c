// The Router the engine calls: book the best deployment now, or wait in the model's fair queue until
// a budget frees (clock timers at the earliest free time, and every lease release), within the
// queue's bounds and the request's deadline. docs/routing.md describes the algorithm.
import type { Clock, Timer } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { AcquireResult, AttemptReport, RouteLease, RouteRequest, Router } from './router.js';
import { defaultCircuitOptions, type CircuitOptions } from './circuit.js';
import { defaultHealthOptions, type HealthOptions, type HealthSnapshot } from './health.js';
import { defaultPickOptions, type PickOptions } from './pick.js';
import { createDeploymentPool, type Booking, type DeploymentOptions } from './deployment-pool.js';
import { createFairQueue, type FairQueue } from './fair-queue.js';
import type { RoutingMetrics } from './routing-metrics.js';

export interface ModelRouteOptions {
  deployments: string[];
  queue: { maxDepth: number; maxWaitMs: number };
}

export interface RouterOptions {
  models: Record<string, ModelRouteOptions>;
  deployments: Record<string, DeploymentOptions>;
  circuit?: Partial<CircuitOptions>;
  health?: Partial<HealthOptions>;
  pick?: Partial<PickOptions>;
  /** Back-off after a 429 without retry-after, and the retry-after given when no estimate exists. */
  defaultBackOffMs?: number;
}

export interface ScoredRouter extends Router {
  /** The health table: one row per deployment and size class. */
  health(): HealthSnapshot;
  queueDepth(model: string): number;
}

interface Waiter {
  request: RouteRequest;
  enqueuedAt: number;
  settle(result: AcquireResult | { error: unknown }): void;
}

type Refusal = Extract<AcquireResult, { ok: false }>;

export function createRouter(deps: { clock: Clock; random: Random; metrics?: RoutingMetrics }, options: RouterOptions): ScoredRouter {
  const { clock, metrics } = deps;
  const fallbackMs = options.defaultBackOffMs ?? 1_000;
  const pool = createDeploymentPool(deps, {
    deployments: options.deployments,
    circuit: { ...defaultCircuitOptions, ...options.circuit },
    health: { ...defaultHealthOptions, ...options.health },
    pick: { ...defaultPickOptions, ...options.pick },
    defaultBackOffMs: fallbackMs,
  });
  const queues = new Map<string, FairQueue<Waiter>>();
  const wakes = new Map<string, { at: number; timer: Timer }>();
  let closed = false;

  const queueOf = (model: string): FairQueue<Waiter> => {
    let queue = queues.get(model);
    if (!queue) queues.set(model, (queue = createFairQueue<Waiter>()));
    return queue;
  };
  const refuse = (reason: Refusal['reason'], message: string, retryAt?: number): Refusal => {
    const retryAfterMs = retryAt === undefined ? undefined : Number.isFinite(retryAt) ? Math.max(0, retryAt - clock.now()) : fallbackMs;
    return { ok: false, reason, message, retryAfterMs };
  };

  const lease = (booking: Booking): RouteLease => {
    let released = false;
    return {
      deploymentId: booking.deploymentId,
      release(report: AttemptReport) {
        if (released) return;
        released = true;
        pool.finish(booking, report, clock.now());
        pumpAll();
      },
    };
  };

  const pump = (model: string): void => {
    const route = options.models[model];
    const queue = queueOf(model);
    for (let served = true; served && route; ) {
      served = false;
      for (const { key, item } of queue.heads()) {
        const booking = pool.tryBook(route.deployments, item.request, clock.now());
        if (!booking) continue;
        queue.take(key);
        metrics?.queueWait(model, (clock.now() - item.enqueuedAt) / 1000);
        item.settle({ ok: true, lease: lease(booking) });
        served = true;
        break;
      }
    }
    metrics?.queueDepth(model, queue.size);
    scheduleWake(model);
  };
  const pumpAll = (): void => {
    for (const model of queues.keys()) pump(model);
  };

  /** One timer per model, at the earliest time a budget, back-off or cool-down ends. */
  const scheduleWake = (model: string): void => {
    const route = options.models[model];
    const current = wakes.get(model);
    if (!route || queueOf(model).size === 0 || closed) {
      current?.timer.cancel();
      wakes.delete(model);
      return;
    }
    const sizes = new Set(queueOf(model).heads().map((h) => h.item.request.sizeClass));
    const now = clock.now();
    const at = Math.min(...[...sizes].map((s) => pool.assess(route.deployments, s, now).earliestAt));
    if (!Number.isFinite(at) || (current && current.at <= at && current.at > now)) return;
    current?.timer.cancel();
    const due = Math.max(at, now + 1);
    wakes.set(model, { at: due, timer: clock.setTimer(due - now, () => { wakes.delete(model); pump(model); }) });
  };

  const wait = (request: RouteRequest, signal: AbortSignal, boundAt: number): Promise<AcquireResult> =>
    new Promise<AcquireResult>((resolve, reject) => {
      const queue = queueOf(request.model);
      const waiter: Waiter = {
        request,
        enqueuedAt: clock.now(),
        settle(result) {
          timer.cancel();
          signal.removeEventListener('abort', onAbort);
          if ('error' in result) reject(result.error);
          else resolve(result);
        },
      };
      const onAbort = (): void => {
        if (queue.remove(waiter)) waiter.settle({ error: signal.reason });
        pump(request.model);
      };
      const timer = clock.setTimer(boundAt - clock.now(), () => {
        if (!queue.remove(waiter)) return;
        const { earliestAt } = pool.assess(options.models[request.model]?.deployments ?? [], request.sizeClass, clock.now());
        waiter.settle(refuse('deadline', 'No deployment had budget within the wait bound.', earliestAt));
        pump(request.model);
      });
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(request.clientKey, waiter);
      pump(request.model);
    });

  return {
    async acquire(request, signal) {
      if (signal.aborted) throw signal.reason;
      const route = options.models[request.model];
      if (closed) return refuse('no_deployment', 'The router is closed.');
      if (!route) return refuse('no_deployment', `No model route '${request.model}'.`);
      const queue = queueOf(request.model);
      const now = clock.now();
      if (queue.size === 0) {
        const booking = pool.tryBook(route.deployments, request, now);
        if (booking) {
          metrics?.queueWait(request.model, 0);
          return { ok: true, lease: lease(booking) };
        }
      }
      const { earliestAt, openUntil } = pool.assess(route.deployments, request.sizeClass, now);
      if (openUntil > request.deadlineAt) return refuse('no_deployment', 'Every deployment is unavailable until after the deadline.', openUntil);
      if (queue.size >= route.queue.maxDepth) return refuse('queue_full', 'The queue for this model is full.', earliestAt);
      const boundAt = Math.min(now + route.queue.maxWaitMs, request.deadlineAt);
      if (earliestAt > boundAt && Number.isFinite(earliestAt)) return refuse('deadline', 'No budget frees within the wait bound.', earliestAt);
      return wait(request, signal, boundAt);
    },
    hasUntried: (model, tried) => options.models[model]?.deployments.some((id) => !tried.includes(id)) ?? false,
    health: () => pool.snapshot(clock.now()),
    queueDepth: (model) => queues.get(model)?.size ?? 0,
    async close() {
      if (closed) return;
      closed = true;
      for (const [model, queue] of queues) {
        for (const waiter of queue.drain()) waiter.settle(refuse('no_deployment', 'The router is closing.'));
        scheduleWake(model);
      }
    },
  };
}
