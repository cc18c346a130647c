// Job ownership in a cluster. Two keys per running job:
//   {p}owner:{jobId}  the token of the replica that owns it (no TTL; deleted when the job ends)
//   {p}lease:{jobId}  that token again, with a TTL of lease_ms on Redis's clock
// The owner renews every lease it holds in one script every lease_ms/3. A replica that is gone stops
// renewing; every replica's reaper claims unfinished jobs whose lease key has expired (one script,
// so one winner), which makes it the owner, and resumes them. The owner key fences stale owners:
// event appends are guarded by it (appendGuarded), so a replica that was taken over cannot write
// into the job any more, and its next renewal tells it to stop.
import type { Redis } from 'ioredis';

export interface JobLeases {
  /** This replica's token. */
  readonly token: string;
  /** The key whose value must be this replica's token for an append to go in. */
  guardKeyOf(jobId: string): string;
  /** Takes a new job (or one without a live lease); false when another replica holds it. */
  claim(jobId: string): Promise<boolean>;
  /** Claims up to `max` unfinished jobs whose lease expired; returns their ids. */
  reap(max: number): Promise<string[]>;
  /** Extends the leases of `jobIds`; returns those this replica no longer owns. */
  renew(jobIds: readonly string[]): Promise<string[]>;
  /** The job ended here: drops lease and ownership (when still this replica's). */
  finish(jobId: string): Promise<void>;
  /** Hands a job back unfinished (shutdown): another replica's reaper takes it at once. */
  handBack(jobId: string): Promise<void>;
  /** The token of the replica holding a live lease on the job, or null. */
  holder(jobId: string): Promise<string | null>;
}

// KEYS[1] lease  KEYS[2] owner  ARGV[1] token  ARGV[2] lease ms
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

// KEYS[1] unfinished zset  ARGV[1] key prefix  ARGV[2] token  ARGV[3] lease ms  ARGV[4] max
const reapScript = `
local ids = redis.call('ZRANGE', KEYS[1], 0, 4999)
local won = {}
for _, id in ipairs(ids) do
  if redis.call('SET', ARGV[1] .. 'lease:' .. id, ARGV[2], 'NX', 'PX', ARGV[3]) then
    redis.call('SET', ARGV[1] .. 'owner:' .. id, ARGV[2])
    table.insert(won, id)
    if #won >= tonumber(ARGV[4]) then break end
  end
end
return won
`;

// ARGV[1] key prefix  ARGV[2] token  ARGV[3] lease ms  ARGV[4..] job ids
// A lease that expired while nobody claimed it (Redis was away) is renewed: the owner key says whose it is.
const renewScript = `
local lost = {}
for i = 4, #ARGV do
  if redis.call('GET', ARGV[1] .. 'owner:' .. ARGV[i]) == ARGV[2] then
    redis.call('SET', ARGV[1] .. 'lease:' .. ARGV[i], ARGV[2], 'PX', ARGV[3])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
`;

// KEYS[1] lease  KEYS[2] owner  ARGV[1] token  ARGV[2] '1': drop ownership too
const releaseScript = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
end
return 1
`;

export function createJobLeases(deps: { redis: Redis; prefix: string; unfinishedKey: string; token: string; leaseMs: number }): JobLeases {
  const { redis, token, leaseMs, prefix } = deps;
  const lease = (id: string): string => `${prefix}lease:${id}`;
  const owner = (id: string): string => `${prefix}owner:${id}`;
  return {
    token,
    guardKeyOf: owner,
    async claim(jobId) {
      return (await redis.eval(claimScript, 2, lease(jobId), owner(jobId), token, leaseMs)) === 1;
    },
    async reap(max) {
      return redis.eval(reapScript, 1, deps.unfinishedKey, prefix, token, leaseMs, max) as Promise<string[]>;
    },
    async renew(jobIds) {
      if (jobIds.length === 0) return [];
      return redis.eval(renewScript, 0, prefix, token, leaseMs, ...jobIds) as Promise<string[]>;
    },
    async finish(jobId) {
      await redis.eval(releaseScript, 2, lease(jobId), owner(jobId), token, '1');
    },
    async handBack(jobId) {
      await redis.eval(releaseScript, 2, lease(jobId), owner(jobId), token, '0');
    },
    holder: (jobId) => redis.get(lease(jobId)),
  };
}
