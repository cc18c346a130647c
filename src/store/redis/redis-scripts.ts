// The Lua scripts of the Redis stores, each opening with its keys, arguments and result (BullMQ's
// header style), and runScript, which sends EVALSHA and falls back to EVAL once per connection.
// Every key a script touches is passed in KEYS, so a prefix with a hash tag keeps them on one slot.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  name: string;
  lua: string;
  sha: string;
}

function script(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

export async function runScript(redis: Redis, s: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(s.lua, keys.length, ...keys, ...args);
  }
}

/** The body of job-put with its keys and arguments from KEYS[k..k+3] and ARGV[a..a+6] (shared by two scripts). */
function putLua(k: number, a: number): string {
  const K = (i: number): string => `KEYS[${k + i}]`;
  const A = (i: number): string => `ARGV[${a + i}]`;
  return `if ${A(2)} == 'create' and redis.call('EXISTS', ${K(0)}) == 1 then return 0 end
redis.call('SET', ${K(0)}, ${A(1)})
if ${A(3)} == '1' then
  redis.call('ZADD', ${K(1)}, ${A(4)}, ${A(0)})
  redis.call('ZREM', ${K(2)}, ${A(0)})
  redis.call('ZREM', ${K(3)}, ${A(0)})
else
  redis.call('ZREM', ${K(1)}, ${A(0)})
  redis.call('ZADD', ${K(2)}, ${A(5)}, ${A(0)})
  if ${A(6)} == '1' then redis.call('ZADD', ${K(3)}, ${A(5)}, ${A(0)}) else redis.call('ZREM', ${K(3)}, ${A(0)}) end
end`;
}

export const jobPut = script('job-put', `
--[[ job-put: writes one job record and keeps the three indexes in step, in one step.
  KEYS[1] job record (string, JobRecord JSON)
  KEYS[2] unfinished index (zset, score createdAt)
  KEYS[3] finished index (zset, score updatedAt)
  KEYS[4] webhook-pending index (zset of finished jobs with webhookPending, score updatedAt)
  ARGV[1] job id   ARGV[2] record JSON   ARGV[3] 'create' | 'save'
  ARGV[4] '1' queued/running, '0' finished   ARGV[5] createdAt   ARGV[6] updatedAt
  ARGV[7] '1' when the webhook is pending
  Result: 1 written; 0 when ARGV[3] is 'create' and the record exists (nothing changed). ]]
${putLua(1, 1)}
return 1
`);

export const jobDelete = script('job-delete', `
--[[ job-delete: removes one job record and its index entries.
  KEYS[1] job record   KEYS[2] unfinished index   KEYS[3] finished index   KEYS[4] webhook-pending index
  ARGV[1] job id
  Result: 1 when the record existed, else 0. ]]
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
return redis.call('DEL', KEYS[1])
`);

export const idempotencyClaim = script('idempotency-claim', `
--[[ idempotency-claim: records an entry unless an unexpired one holds (scope, key); claim and
  write are one step, so of two replicas claiming one key at once exactly one wins.
  KEYS[1] entry (hash: requestHash, jobId, expiresAt)   KEYS[2] expiry index (zset, score expiresAt)
  ARGV[1] index member   ARGV[2] requestHash   ARGV[3] jobId   ARGV[4] expiresAt   ARGV[5] now (ms)
  Result: {1} claimed; {0, requestHash, jobId, expiresAt} of the entry that holds the key. ]]
local held = redis.call('HMGET', KEYS[1], 'requestHash', 'jobId', 'expiresAt')
if held[3] and tonumber(held[3]) > tonumber(ARGV[5]) then
  return {0, held[1], held[2], held[3]}
end
redis.call('HSET', KEYS[1], 'requestHash', ARGV[2], 'jobId', ARGV[3], 'expiresAt', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return {1}
`);

export const idempotencyRelease = script('idempotency-release', `
--[[ idempotency-release: drops an entry only when it still points at the given job.
  KEYS[1] entry   KEYS[2] expiry index
  ARGV[1] index member   ARGV[2] jobId
  Result: 1 dropped, 0 left alone. ]]
if redis.call('HGET', KEYS[1], 'jobId') ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`);

export const idempotencyExpire = script('idempotency-expire', `
--[[ idempotency-expire: deletes an entry that has expired by ARGV[2]; an entry claimed again
  meanwhile (later expiresAt) only gets its index score corrected.
  KEYS[1] entry   KEYS[2] expiry index
  ARGV[1] index member   ARGV[2] now (ms)
  Result: 1 deleted, 0 kept. ]]
local expires = redis.call('HGET', KEYS[1], 'expiresAt')
if expires and tonumber(expires) > tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], expires, ARGV[1])
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`);

export const eventAppendGuarded = script('event-append-guarded', `
--[[ event-append-guarded: appends to a job's stream only while a guard key holds a value, so
  a replica that lost its lease (fencing token, BullMQ lock) cannot append any more.
  KEYS[1] the job's event stream   KEYS[2] guard key (string)
  ARGV[1] expected guard value   ARGV[2] at (ms)   ARGV[3] event body JSON
  Result: the new entry id '0-<seq>'; false when the guard does not hold the value. ]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
return redis.call('XADD', KEYS[1], '0-*', 'at', ARGV[2], 'body', ARGV[3])
`);

export const clientKeyCreate = script('client-key-create', `
--[[ client-key-create: stores a managed key unless its id or its hash is taken, in one step.
  KEYS[1] key record (hash)   KEYS[2] hash index (hash: hash -> id)   KEYS[3] list index (zset by createdAt)
  ARGV[1] id   ARGV[2] keyed hash   ARGV[3] createdAt   ARGV[4..] record field, value, field, value...
  Result: 1 created; 0 the id exists; -1 the hash exists. ]]
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return -1 end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
`);

export const clientKeyPatch = script('client-key-patch', `
--[[ client-key-patch: sets record fields of an existing key; with ARGV[1] = 'revoke' sets only
  revokedAt, and only the first time (revocation keeps its first time).
  KEYS[1] key record (hash)
  ARGV[1] 'update' | 'revoke'   ARGV[2..] field, value, field, value...
  Result: the record as field, value... after the change; an empty array when the key is absent. ]]
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
if ARGV[1] == 'revoke' then
  if redis.call('HGET', KEYS[1], 'revokedAt') == 'null' then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) end
else
  for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return redis.call('HGETALL', KEYS[1])
`);

export const clientKeyAdmit = script('client-key-admit', `
--[[ client-key-admit: one request of a managed key against its budget, rpm window and
  concurrency slots, in one step, so replicas sharing the store cannot overshoot together.
  Expired slots (a replica that died holding them) and requests older than the window go first.
  KEYS[1] requests (zset, score at)   KEYS[2] slots (zset slotId by expiresAt)
  KEYS[3] reservations (hash slotId -> USD)   KEYS[4] spend (hash bucket -> USD)
  ARGV[1] now (ms)   ARGV[2] window (ms)   ARGV[3] rpm or ''   ARGV[4] max concurrency or ''
  ARGV[5] slot id   ARGV[6] slot expiresAt   ARGV[7] budget USD or ''   ARGV[8] spend bucket
  ARGV[9] USD to reserve
  Result: {1}; {0, 'budget', spent, reserved}; {0, 'rpm', retryAfterMs}; {0, 'concurrency', retryAfterMs}. ]]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local slot = ARGV[5]
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
if ARGV[7] ~= '' then
  local spent = tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '0')
  local reserved = 0
  local held = redis.call('HGETALL', KEYS[3])
  for i = 1, #held, 2 do
    if held[i] ~= slot then reserved = reserved + tonumber(held[i + 1]) end
  end
  if spent + reserved >= tonumber(ARGV[7]) then return {0, 'budget', tostring(spent), tostring(reserved)} end
end
if ARGV[3] ~= '' then
  local rpm = tonumber(ARGV[3])
  local count = redis.call('ZCARD', KEYS[1])
  if count >= rpm then
    local oldest = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
    return {0, 'rpm', math.max(1, tonumber(oldest[2]) + window - now)}
  end
end
if ARGV[4] ~= '' and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) and not redis.call('ZSCORE', KEYS[2], slot) then
  return {0, 'concurrency', 1000}
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. slot)
redis.call('ZADD', KEYS[2], ARGV[6], slot)
if tonumber(ARGV[9]) > 0 then redis.call('HSET', KEYS[3], slot, ARGV[9]) else redis.call('HDEL', KEYS[3], slot) end
return {1}
`);

export const eventAppendGuardedPut = script('event-append-guarded-put', `
--[[ event-append-guarded-put: event-append-guarded, then job-put of the record the event leads to,
  in one step (one round trip per event; a fenced replica writes neither).
  KEYS[1] the job's event stream   KEYS[2] guard key   KEYS[3..6] as job-put's KEYS[1..4]
  ARGV[1] expected guard value   ARGV[2] at (ms)   ARGV[3] event body JSON   ARGV[4..10] as job-put's ARGV[1..7] ('save')
  Result: the new entry id '0-<seq>'; false when the guard does not hold the value. ]]
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local id = redis.call('XADD', KEYS[1], '0-*', 'at', ARGV[2], 'body', ARGV[3])
${putLua(3, 4).replace("return 0", "return id")}
return id
`);
