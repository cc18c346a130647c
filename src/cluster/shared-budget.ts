// One request budget per deployment for the whole cluster, in Redis. A start is reserved by one Lua
// script (check and take in one step, on Redis's clock), counted for its window plus a margin: the
// upstream counts a request when it arrives, which may be later than we sent it, so a slot frees
// only once the upstream's window for it has surely passed. 429 back-offs and the half-open probe
// slot are shared the same way.
import type { Redis } from 'ioredis';

/** Redis server time in epoch ms, inside a script: one clock for every replica. */
const luaNow = `local __t = redis.call('TIME'); local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)`;

export interface BudgetLimit {
  /** Starts allowed in any window; 0: no count limit (back-off and probe only). */
  requests: number;
  windowMs: number;
  marginMs: number;
}

/** member: the reservation's entry in the window, until confirm() dates it from when the upstream surely had the request. */
export type Reservation = { ok: true; member: string } | { ok: false; waitMs: number; reason: 'window' | 'backoff' | 'probe' };

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
return {1, 0, member}
`;

// KEYS[1] window  ARGV[1] span (ms from now)  ARGV[2..] members: each counted until now + span
const holdScript = `
${luaNow}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return 1
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
  reserve(deploymentId: string, limit: BudgetLimit | undefined, probe?: { sizeClass: string; holder: string; ttlMs: number }, pendingMs?: number): Promise<Reservation>;
  /** Counts the members until now + window + margin + extraMs (Redis clock). */
  hold(deploymentId: string, limit: BudgetLimit, members: readonly string[], extraMs: number): Promise<void>;
  /** No deployment start anywhere in the cluster for the next `ms` (a 429's retry-after). */
  backOff(deploymentId: string, ms: number): Promise<void>;
  /** Frees the probe slot after the probe ended. */
  endProbe(deploymentId: string, sizeClass: string, holder: string): Promise<void>;
  /** Starts counted in the current window, cluster-wide (for the health table). */
  used(deploymentId: string): Promise<number>;
}

export function createSharedBudget(redis: Redis, prefix: string): SharedBudget {
  const key = (id: string, part: string): string => `${prefix}budget:{${id}}:${part}`;
  return {
    async reserve(id, limit, probe, pendingMs = 0) {
      const [ok, waitMs, reason] = await redis.eval(reserveScript, 4,
        key(id, 'window'), key(id, 'backoff'), key(id, 'seq'), key(id, `probe:${probe?.sizeClass ?? ''}`),
        limit?.requests ?? 0, limit?.windowMs ?? 0, limit?.marginMs ?? 0, probe?.holder ?? '', probe?.ttlMs ?? 0, Math.ceil(pendingMs),
      ) as [number, number, string];
      return ok === 1 ? { ok: true, member: reason } : { ok: false, waitMs: Number(waitMs), reason: reason as 'window' | 'backoff' | 'probe' };
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
    async used(id) {
      return redis.eval(`${luaNow}\nreturn redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`, 1, key(id, 'window')) as Promise<number>;
    },
  };
}
