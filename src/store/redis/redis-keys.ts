// Every Redis key the stores use, under one prefix (default 'holdfast:'). One place, so a test can
// delete its prefix and an operator can read the layout:
//   {p}job:{id}            string   JobRecord JSON
//   {p}jobs:unfinished     zset     queued/running job ids by createdAt
//   {p}jobs:finished       zset     finished job ids by updatedAt (retention)
//   {p}jobs:webhook        zset     finished job ids whose webhook is pending, by updatedAt
//   {p}events:{jobId}      stream   the job's event log; entry id 0-{seq}, fields at, body
//   {p}idem:{n}:{scope}:{key} hash  idempotency entry (requestHash, jobId, expiresAt); n = scope length
//   {p}idem:expiry         zset     idempotency members by expiresAt
//   {p}ckey:{id}           hash     managed client key record, one JSON-encoded value per field
//   {p}ckeys:by-hash       hash     keyed hash of the plain key -> key id
//   {p}ckeys:by-created    zset     key ids by createdAt (list order)
//   {p}ckeys:hash-secret   string   HMAC secret of the key hashes, when auth.key_hash_secret is unset
//   {p}ckey:{id}:requests  zset     the key's requests of the last 60 s, member at:slot, score at
//   {p}ckey:{id}:slots     zset     the key's concurrency slots (job ids) by expiresAt
//   {p}ckey:{id}:reserved  hash     slot id -> USD reserved for that job's budget
//   {p}ckey:{id}:spend     hash     bucket (total, day:YYYY-MM-DD, month:YYYY-MM) -> USD spent
//   {p}usage:entries       hash     jobId#attempt -> UsageEntry JSON (the usage ledger)
//   {p}usage:by-at         zset     ledger fields by the attempt's end time

export class RedisKeys {
  constructor(readonly prefix: string) {}

  job(id: string): string {
    return `${this.prefix}job:${id}`;
  }

  get unfinished(): string {
    return `${this.prefix}jobs:unfinished`;
  }

  get finished(): string {
    return `${this.prefix}jobs:finished`;
  }

  get webhookPending(): string {
    return `${this.prefix}jobs:webhook`;
  }

  events(jobId: string): string {
    return `${this.prefix}events:${jobId}`;
  }

  /** The expiry-index member of (scope, key); the length makes the split unambiguous. */
  idempotencyMember(scope: string, key: string): string {
    return `${scope.length}:${scope}:${key}`;
  }

  idempotencyEntry(member: string): string {
    return `${this.prefix}idem:${member}`;
  }

  get idempotencyExpiry(): string {
    return `${this.prefix}idem:expiry`;
  }

  clientKey(id: string): string {
    return `${this.prefix}ckey:${id}`;
  }

  get clientKeysByHash(): string {
    return `${this.prefix}ckeys:by-hash`;
  }

  get clientKeysByCreated(): string {
    return `${this.prefix}ckeys:by-created`;
  }

  get clientKeyHashSecret(): string {
    return `${this.prefix}ckeys:hash-secret`;
  }

  /** The live counters of one key: requests, slots, reservations, spend. */
  clientKeyCounter(id: string, counter: 'requests' | 'slots' | 'reserved' | 'spend'): string {
    return `${this.prefix}ckey:${id}:${counter}`;
  }

  get usageEntries(): string {
    return `${this.prefix}usage:entries`;
  }

  get usageByTime(): string {
    return `${this.prefix}usage:by-at`;
  }
}
