// What `holdfast probe` shares with the replicas of a cluster (store.kind redis): each probe request
// waits for the deployment's cluster budget exactly as a replica's attempt does (window start,
// back-off and concurrency slot in one script, the start dated from when the upstream answered, a
// 429 backing the deployment off for everyone), and after the probe it reads the shared table the
// replicas serve: circuits folded from the outcome stream, the budget from Redis. The probe's own
// requests are not published as outcomes: a diagnostic does not open or close the gateway's circuits.
import type { Clock, Timer } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { SizeClass } from '../routing/router.js';
import { createRouter, type RouterOptions } from '../routing/scored-router.js';
import { closeRedis, connectRedis, createRedisConnection } from '../store/redis/redis-connection.js';
import { createSharedBudget, type BudgetLimit } from './shared-budget.js';
import { createOutcomeFeed } from './outcome-feed.js';

export interface ProbeTicket {
  answered(): void;
  done(outcome: { status?: number; retryAfterMs?: number }): void;
}

export interface ProbeCluster {
  /** The gate of one deployment (probe/probe.ts SharedGate). */
  gate(deploymentId: string): { take(signal: AbortSignal): Promise<ProbeTicket> };
  /** The shared table for one size class: circuit and the cluster's remaining starts per deployment. */
  table(sizeClass: SizeClass): Promise<Map<string, { circuit: string; budget_remaining: number | null }>>;
  close(): Promise<void>;
}

export async function openProbeCluster(
  deps: { clock: Clock; random: Random },
  options: { url: string; prefix: string; leaseMs: number; limits: ReadonlyMap<string, BudgetLimit>; router: RouterOptions },
): Promise<ProbeCluster> {
  const { clock } = deps;
  const redis = createRedisConnection({ url: options.url, name: 'probe' });
  redis.on('error', () => {});
  await connectRedis(redis, options.url);
  const budget = createSharedBudget(redis, options.prefix);
  const holderPrefix = `probe-${process.pid}-${Math.floor(deps.random.next() * 1e9).toString(36)}`;
  let n = 0;
  /** Starts whose request may still be on its way, and slots in flight: renewed every lease/3 while any. */
  const pending = new Map<string, Set<string>>();
  const slots = new Map<string, Set<string>>();
  let timer: Timer | undefined;
  const add = (map: Map<string, Set<string>>, id: string, member: string): void => {
    map.set(id, (map.get(id) ?? new Set<string>()).add(member));
  };
  const renew = (): void => {
    timer = undefined;
    const work = [
      ...[...pending].map(([id, members]) => {
        const limit = options.limits.get(id);
        return limit && members.size > 0 ? budget.hold(id, limit, [...members], options.leaseMs) : undefined;
      }),
      ...[...slots].map(([id, holders]) => budget.renewSlots(id, [...holders], options.leaseMs)),
    ];
    void Promise.allSettled(work).then(schedule);
  };
  const schedule = (): void => {
    const busy = [...pending.values(), ...slots.values()].some((set) => set.size > 0);
    if (busy && !timer) timer = clock.setTimer(Math.max(50, Math.floor(options.leaseMs / 3)), renew);
  };

  return {
    gate(id) {
      const limit = options.limits.get(id);
      return {
        async take(signal) {
          const holder = `${holderPrefix}:${(n += 1)}`;
          for (;;) {
            const slot = limit?.concurrency !== undefined ? { holder, ttlMs: options.leaseMs } : undefined;
            const reservation = await budget.reserve(id, limit, { pendingMs: options.leaseMs, slot });
            if (!reservation.ok) {
              await clock.sleep(reservation.waitMs, signal);
              continue;
            }
            const member = reservation.member;
            if (member !== '') add(pending, id, member);
            if (slot) add(slots, id, holder);
            schedule();
            const answered = (): void => {
              if (!limit || !pending.get(id)?.delete(member)) return;
              void budget.hold(id, limit, [member], 0).catch(() => undefined);
            };
            return {
              answered,
              done(outcome) {
                answered();
                if (slots.get(id)?.delete(holder)) void budget.releaseSlot(id, holder).catch(() => undefined);
                if (outcome.status === 429) void budget.backOff(id, outcome.retryAfterMs ?? 1_000).catch(() => undefined);
              },
            };
          }
        },
      };
    },
    async table(sizeClass) {
      // The same fold every replica makes of the outcome stream, into a router of the same config.
      const local = createRouter({ clock, random: deps.random }, options.router);
      const feed = createOutcomeFeed({ clock, redis, reader: redis, prefix: options.prefix, replicaId: holderPrefix, onError: () => {} });
      await feed.replay((outcome) => local.recordRemote(outcome));
      const budgeted = [...options.limits].filter(([, limit]) => limit.requests > 0).map(([id]) => id);
      const usage = await budget.usage(budgeted);
      const out = new Map<string, { circuit: string; budget_remaining: number | null }>();
      for (const row of local.health()) {
        if (row.size_class !== sizeClass) continue;
        const limit = options.limits.get(row.deployment);
        const u = usage.get(row.deployment);
        const left = limit && u ? (u.backOffMs > 0 ? 0 : Math.max(0, limit.requests - u.used)) : null;
        out.set(row.deployment, { circuit: row.circuit, budget_remaining: left });
      }
      await local.close();
      return out;
    },
    async close() {
      timer?.cancel();
      await closeRedis(redis);
    },
  };
}
