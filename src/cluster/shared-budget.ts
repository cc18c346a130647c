// One request budget per deployment for the whole cluster, in Redis. A start is reserved by one Lua
// script (check and take in one step, on Redis's clock), counted for its window plus a margin: the
// upstream counts a request when it arrives, which may be later than we sent it, so a slot frees
// only once the upstream's window for it has surely passed. 429 back-offs and the half-open probe
// slot are shared the same way, and so is a deployment's `concurrency`: every attempt in flight holds a
// slot in a sorted set, scored by when it lapses; its replica renews it every lease tick and removes
// it when the attempt ends, so the slots of a replica that died free themselves after one lease.
import type { Redis } from 'ioredis';

/** Redis server time in epoch ms, inside a script: one clock for every replica. */
const luaNow = `local __t = redis.call('TIME'); local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)`;

export interface BudgetLimit {
  /** Starts allowed in any window; 0: no count limit (back-off and probe only). */
  requests: number;
  windowMs: number;
  marginMs: number;
  /** Attempts in flight at once across the cluster (the deployment's `concurrency`); unset: no limit. */
  concurrency?: number;
}

/**
 * member: the reservation's entry in the window, until confirm() dates it from when the upstream surely had the request;
 * used: starts counted in the window, this one included.
 */
export type Reservation = { ok: true; member: string; used: number } | { ok: false; waitMs: number; reason: 'window' | 'backoff' | 'probe' | 'concurrency' };

/** A refusal for want of a concurrency slot is retried this soon (a slot frees when any replica's attempt ends). */
export const SLOT_RETRY_MS = 100;

const reserveScript = `
${luaNow}
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {0, blocked, 'backoff'} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local limit = tonumber(ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
if limit > 0 and count >= limit then
  local frees = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  return {0, math.max(1, tonumber(frees[2]) - now), 'window'}
end
local slots = tonumber(ARGV[7])
if slots > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  if redis.call('ZCARD', KEYS[5]) >= slots then return {0, tonumber(ARGV[10]), 'concurrency'} end
end
if ARGV[4] ~= '' then
  if redis.call('SET', KEYS[4], ARGV[4], 'NX', 'PX', ARGV[5]) == false then
    return {0, math.max(1, redis.call('PTTL', KEYS[4])), 'probe'}
  end
end
local member = ''
if limit > 0 then
  local span = tonumber(ARGV[2]) + tonumber(ARGV[3]) + tonumber(ARGV[6])
  member = tostring(redis.call('INCR', KEYS[3]))
  redis.call('ZADD', KEYS[1], now + span, member)
  redis.call('PEXPIRE', KEYS[1], span + 1000)
  redis.call('PEXPIRE', KEYS[3], span + 1000)
end
if slots > 0 then
  redis.call('ZADD', KEYS[5], now + tonumber(ARGV[9]), ARGV[8])
  redis.call('PEXPIRE', KEYS[5], tonumber(ARGV[9]) + 1000)
end
return {1, redis.call('ZCARD', KEYS[1]), member}
`;

// KEYS[1] window  ARGV[1] span (ms from now)  ARGV[2..] members: each counted until now + span
const holdScript = `
${luaNow}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return 1
`;

// KEYS[1] slots  ARGV[1] ttl ms  ARGV[2..] holders: their slots lapse at now + ttl (only those still held)
const renewSlotsScript = `
${luaNow}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return 1
`;

// KEYS: window, backoff of each deployment in turn -> {starts counted now, back-off ms left} each
const usageScript = `
${luaNow}
local out = {}
for i = 1, #KEYS, 2 do
  table.insert(out, redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf'))
  table.insert(out, math.max(0, redis.call('PTTL', KEYS[i + 1])))
end
return out
`;

const backOffScript = `
local left = redis.call('PTTL', KEYS[1])
if tonumber(ARGV[1]) > left then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`;

export interface SharedBudget {
  /**
   * Takes one start of the deployment's cluster budget (and the probe slot when `probe` names one).
   * The start stays counted for window + margin + pendingMs; hold() extends that while the request
   * may still be on its way, and confirm() finally dates it from when the upstream surely had it.
   */
  reserve(deploymentId: string, limit: BudgetLimit | undefined, options?: ReserveOptions): Promise<Reservation>;
  /** Counts the members until now + window + margin + extraMs (Redis clock). */
  hold(deploymentId: string, limit: BudgetLimit, members: readonly string[], extraMs: number): Promise<void>;
  /** No deployment start anywhere in the cluster for the next `ms` (a 429's retry-after). */
  backOff(deploymentId: string, ms: number): Promise<void>;
  /** Frees the probe slot after the probe ended. */
  endProbe(deploymentId: string, sizeClass: string, holder: string): Promise<void>;
  /** Keeps the concurrency slots of attempts still in flight held for another ttlMs. */
  renewSlots(deploymentId: string, holders: readonly string[], ttlMs: number): Promise<void>;
  /** Frees the concurrency slot of an attempt that ended. */
  releaseSlot(deploymentId: string, holder: string): Promise<void>;
  /** Starts counted in the current window, cluster-wide (for the health table). */
  used(deploymentId: string): Promise<number>;
  /** used() and the back-off left for several deployments in one round trip. */
  usage(deploymentIds: readonly string[]): Promise<Map<string, { used: number; backOffMs: number }>>;
}

export interface ReserveOptions {
  /** Takes the half-open probe slot of this size class too. */
  probe?: { sizeClass: string; holder: string; ttlMs: number };
  /** How long the start stays counted past window + margin before hold() dates it. */
  pendingMs?: number;
  /** The attempt's concurrency slot (when the limit has `concurrency`): its name and how long it holds unrenewed. */
  slot?: { holder: string; ttlMs: number };
}

export function createSharedBudget(redis: Redis, prefix: string): SharedBudget {
  const key = (id: string, part: string): string => `${prefix}budget:{${id}}:${part}`;
  return {
    async reserve(id, limit, options = {}) {
      const { probe, pendingMs = 0, slot } = options;
      const slots = slot ? limit?.concurrency ?? 0 : 0;
      const [ok, waitMs, reason] = await redis.eval(reserveScript, 5,
        key(id, 'window'), key(id, 'backoff'), key(id, 'seq'), key(id, `probe:${probe?.sizeClass ?? ''}`), key(id, 'slots'),
        limit?.requests ?? 0, limit?.windowMs ?? 0, limit?.marginMs ?? 0, probe?.holder ?? '', probe?.ttlMs ?? 0, Math.ceil(pendingMs),
        slots, slot?.holder ?? '', slot?.ttlMs ?? 0, SLOT_RETRY_MS,
      ) as [number, number, string];
      return ok === 1 ? { ok: true, member: reason, used: Number(waitMs) } : { ok: false, waitMs: Number(waitMs), reason: reason as 'window' | 'backoff' | 'probe' | 'concurrency' };
    },
    async renewSlots(id, holders, ttlMs) {
      if (holders.length === 0) return;
      await redis.eval(renewSlotsScript, 1, key(id, 'slots'), Math.ceil(ttlMs), ...holders);
    },
    async releaseSlot(id, holder) {
      await redis.zrem(key(id, 'slots'), holder);
    },
    async hold(id, limit, members, extraMs) {
      if (members.length === 0) return;
      await redis.eval(holdScript, 1, key(id, 'window'), Math.ceil(limit.windowMs + limit.marginMs + extraMs), ...members);
    },
    async backOff(id, ms) {
      if (ms <= 0) return;
      await redis.eval(backOffScript, 1, key(id, 'backoff'), Math.ceil(ms));
    },
    async endProbe(id, sizeClass, holder) {
      await redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1`, 1, key(id, `probe:${sizeClass}`), holder);
    },
    async usage(ids) {
      const out = new Map<string, { used: number; backOffMs: number }>();
      if (ids.length === 0) return out;
      const flat = await redis.eval(usageScript, ids.length * 2, ...ids.flatMap((id) => [key(id, 'window'), key(id, 'backoff')])) as number[];
      ids.forEach((id, i) => out.set(id, { used: Number(flat[2 * i]), backOffMs: Number(flat[2 * i + 1]) }));
      return out;
    },
    async used(id) {
      return redis.eval(`${luaNow}\nreturn redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`, 1, key(id, 'window')) as Promise<number>;
    },
  };
}
