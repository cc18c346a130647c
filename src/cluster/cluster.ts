// The cluster half of a replica on store.kind redis: job leases (renewed here, reaped from dead
// replicas), fenced appends that wait out a Redis outage, cancels relayed to the owning replica,
// live follow of jobs running elsewhere, and the shared router (cluster budget, shared outcomes).
// app.ts builds it after the Redis store and before the engine.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock, Timer } from '../time/clock.js';
import type { EngineCluster, EngineLog } from '../engine/deps.js';
import type { JobEvent, JobEventBody } from '../store/job-record.js';
import type { ScoredRouter } from '../routing/scored-router.js';
import type { RoutingMetrics } from '../routing/routing-metrics.js';
import type { RedisStore } from '../store/redis/open-redis-store.js';
import { closeRedis, connectRedis, createRedisConnection, guarded, redisAddress } from '../store/redis/redis-connection.js';
import { isStoreUnavailable } from '../store/store-unavailable-error.js';
import { createJobLeases, type JobLeases } from './job-leases.js';
import { createSharedBudget, type BudgetLimit } from './shared-budget.js';
import { createOutcomeFeed, type OutcomeFeed } from './outcome-feed.js';
import { createClusterRouter, type ClusterRouter } from './cluster-router.js';

export interface ClusterOptions {
  url: string;
  /** Model route names (their queue depths are shared). */
  models: readonly string[];
  /** A lease not renewed for this long is taken over by another replica. */
  leaseMs: number;
  limits: ReadonlyMap<string, BudgetLimit>;
  defaultBackOffMs: number;
  probeTtlMs?: number;
}

/** What the cluster needs from the engine once it exists. */
export interface ClusterEngine {
  runningIds(): string[];
  abortLocal(id: string, reason: 'cancelled' | 'lease_lost'): boolean;
  adopt(id: string): Promise<boolean>;
}

/** What the cluster needs from the webhook dispatch (webhooks/dispatch.ts) once it exists. */
export interface ClusterDeliveries {
  deliveringIds(): string[];
  adopt(jobId: string): Promise<void>;
  stopLocal(jobId: string): void;
}

export interface Cluster {
  readonly replicaId: string;
  readonly router: ClusterRouter;
  readonly engine: EngineCluster;
  readonly leases: JobLeases;
  /** One replica at a time delivers a pending webhook: a lease like a job's, under {p}webhook:. */
  readonly webhookClaims: { claim(jobId: string): Promise<boolean>; release(jobId: string, done: boolean): Promise<void> };
  queuedElsewhere(model: string): number;
  /** Starts renewing, reaping, relaying cancels and following outcomes. */
  start(engine: ClusterEngine, deliveries?: ClusterDeliveries): Promise<void>;
  close(): Promise<void>;
}

const REAP_BATCH = 8;

export async function openCluster(
  deps: { clock: Clock; log: EngineLog; store: RedisStore; local: ScoredRouter; metrics?: Pick<RoutingMetrics, 'rateLimitRemaining'> },
  options: ClusterOptions,
): Promise<Cluster> {
  const { clock, log, store, local } = deps;
  const prefix = store.keys.prefix;
  const redis = store.redis;
  const replicaId = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const connection = { url: options.url };
  const address = redisAddress(options.url);
  const reader: Redis = createRedisConnection({ ...connection, name: 'outcomes', blocking: true });
  const subscriber: Redis = createRedisConnection({ ...connection, name: 'signals', blocking: true });
  for (const r of [reader, subscriber]) r.on('error', () => {});
  await connectRedis(reader, options.url);
  await connectRedis(subscriber, options.url);

  const leases = createJobLeases({ redis, prefix, unfinishedKey: store.keys.unfinished, token: replicaId, leaseMs: options.leaseMs });
  const deliveryLeases = createJobLeases({ redis, prefix: `${prefix}webhook:`, unfinishedKey: store.keys.webhookPending, token: replicaId, leaseMs: options.leaseMs });
  const budget = createSharedBudget(redis, prefix);
  const feed: OutcomeFeed = createOutcomeFeed({ clock, redis, reader, prefix, replicaId, onError: (error) => log.warn({ err: error }, 'outcome feed') });
  const router = createClusterRouter({
    clock, log, local, budget, feed, replicaId, limits: options.limits,
    probeTtlMs: options.probeTtlMs ?? 300_000, defaultBackOffMs: options.defaultBackOffMs, pendingMs: options.leaseMs,
    onRemaining: deps.metrics ? (id, left) => deps.metrics?.rateLimitRemaining(id, left) : undefined,
  });
  const cancelChannel = `${prefix}cancel`;
  const cancelKey = (id: string): string => `${prefix}cancel:${id}`;
  let closed = false;
  let timer: Timer | undefined;
  // After Redis comes back, owners get one lease period to renew before anyone reaps.
  let reapAfter = 0;
  redis.on('ready', () => {
    reapAfter = clock.now() + options.leaseMs;
  });

  const waitForRedis = async (): Promise<void> => {
    for (;;) {
      if (closed) throw new Error('the cluster is closing');
      try {
        await store.ping();
        return;
      } catch {
        await clock.sleep(200);
      }
    }
  };

  const sameEvent = (event: JobEvent | undefined, body: JobEventBody, at: number): boolean => {
    if (!event || event.at !== at || event.type !== body.type) return false;
    const { seq: _seq, at: _at, ...rest } = event;
    return JSON.stringify(rest) === JSON.stringify(body);
  };

  const engineCluster: EngineCluster = {
    async claim(jobId) {
      if (!(await guarded(address, () => leases.claim(jobId)))) throw new Error(`job ${jobId} is held by another replica`);
    },
    async append(jobId, body, at, record) {
      for (;;) {
        try {
          return await store.events.appendGuarded(jobId, body, at, { key: leases.guardKeyOf(jobId), value: replicaId }, record);
        } catch (error) {
          if (!isStoreUnavailable(error)) throw error;
          log.warn({ jobId, type: body.type }, 'Redis unreachable; the event waits for it');
          await waitForRedis();
          // The append may have gone in just before the connection dropped: never write it twice.
          const last = await store.events.lastSeq(jobId);
          const [event] = last > 0 ? await store.events.read(jobId, last - 1, 1) : [];
          if (sameEvent(event, body, at)) return event;
        }
      }
    },
    async release(jobId, finished) {
      if (finished) await leases.finish(jobId);
      else await leases.handBack(jobId);
    },
    requestCancel: (jobId) => guarded(address, async () => {
      await redis.set(cancelKey(jobId), '1', 'PX', 86_400_000);
      if ((await leases.holder(jobId)) === null) return false;
      await redis.publish(cancelChannel, jobId);
      return true;
    }),
    follow: (jobId, afterSeq, signal) => store.events.follow(jobId, afterSeq, signal),
  };

  // Model queues: each replica publishes its depths every tick; the others count them against max_depth.
  const replicasKey = `${prefix}replicas`;
  const depthsKey = (id: string): string => `${prefix}queues:${id}`;
  let elsewhere = new Map<string, number>();
  local.setExternalDepth((model) => elsewhere.get(model) ?? 0);
  const shareQueues = async (): Promise<void> => {
    const now = clock.now();
    const mine = options.models.flatMap((m) => [m, String(local.queueDepth(m))]);
    const write = redis.multi().zadd(replicasKey, now, replicaId).zremrangebyscore(replicasKey, '-inf', String(now - 3 * options.leaseMs));
    if (mine.length > 0) write.hset(depthsKey(replicaId), ...mine).pexpire(depthsKey(replicaId), 3 * options.leaseMs);
    await write.exec();
    const others = (await redis.zrange(replicasKey, '0', '-1')).filter((id) => id !== replicaId);
    const next = new Map<string, number>();
    for (const id of others) {
      for (const [model, depth] of Object.entries(await redis.hgetall(depthsKey(id)))) next.set(model, (next.get(model) ?? 0) + Number(depth));
    }
    elsewhere = next;
  };

  /** Webhook deliveries: renew this replica's claims, stop the ones lost, take over those of replicas that are gone. */
  const tickDeliveries = async (deliveries: ClusterDeliveries): Promise<void> => {
    for (const id of await deliveryLeases.renew(deliveries.deliveringIds())) {
      log.warn({ jobId: id }, 'lost the claim of a webhook delivery (another replica sends it now); stopping it here');
      deliveries.stopLocal(id);
    }
    if (clock.now() < reapAfter) return;
    for (const id of await deliveryLeases.reap(REAP_BATCH)) await deliveries.adopt(id);
  };

  const tick = async (engine: ClusterEngine, deliveries: ClusterDeliveries | undefined): Promise<void> => {
    const running = engine.runningIds();
    if (deliveries) {
      tickDeliveries(deliveries).catch((error: unknown) => {
        if (!isStoreUnavailable(error) && !closed) log.warn({ err: error }, 'webhook delivery claims failed');
      });
    }
    shareQueues().catch((error: unknown) => {
      if (!closed) log.warn({ err: error }, 'could not share queue depths');
    });
    router.holdPending().catch((error: unknown) => {
      if (!closed) log.warn({ err: error }, 'could not hold pending budget starts');
    });
    try {
      for (const id of await leases.renew(running)) {
        log.warn({ jobId: id }, 'lost the lease of a job (another replica runs it now); stopping it here');
        engine.abortLocal(id, 'lease_lost');
      }
    } catch (error) {
      if (!isStoreUnavailable(error) && !closed) log.warn({ err: error }, 'lease renewal failed');
      return;
    }
    if (clock.now() < reapAfter) return;
    try {
      for (const id of await leases.reap(REAP_BATCH)) {
        if (await redis.exists(cancelKey(id))) {
          await engine.adopt(id).then(() => engine.abortLocal(id, 'cancelled'));
        } else {
          await engine.adopt(id);
        }
      }
    } catch (error) {
      if (!closed) log.warn({ err: error }, 'takeover scan failed');
    }
  };

  return {
    replicaId, router, engine: engineCluster, leases,
    webhookClaims: {
      claim: (jobId) => deliveryLeases.claim(jobId),
      release: (jobId, done) => (done ? deliveryLeases.finish(jobId) : deliveryLeases.handBack(jobId)),
    },
    async start(engine, deliveries) {
      await subscriber.subscribe(cancelChannel);
      subscriber.on('message', (_channel: string, jobId: string) => {
        if (engine.abortLocal(jobId, 'cancelled')) log.info({ jobId }, 'cancel relayed from another replica');
      });
      await feed.follow((outcome) => local.recordRemote(outcome));
      const every = Math.max(50, Math.floor(options.leaseMs / 3));
      const loop = (): void => {
        timer = clock.setTimer(every, () => {
          void tick(engine, deliveries).finally(() => {
            if (!closed) loop();
          });
        });
      };
      await tick(engine, deliveries);
      loop();
    },
    /** Requests waiting in other replicas' queues for this model (last tick). */
    queuedElsewhere: (model) => elsewhere.get(model) ?? 0,
    async close() {
      closed = true;
      timer?.cancel();
      await redis.multi().zrem(replicasKey, replicaId).del(depthsKey(replicaId)).exec().catch(() => undefined);
      feed.close();
      reader.disconnect();
      await closeRedis(subscriber);
    },
  };
}
