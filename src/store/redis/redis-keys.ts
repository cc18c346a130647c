// Every Redis key the stores use, under one prefix (default 'holdfast:'). One place, so a test can
// delete its prefix and an operator can read the layout:
//   {p}job:{id}            string   JobRecord JSON
//   {p}jobs:unfinished     zset     queued/running job ids by createdAt
//   {p}jobs:finished       zset     finished job ids by updatedAt (retention)
//   {p}jobs:webhook        zset     finished job ids whose webhook is pending, by updatedAt
//   {p}events:{jobId}      stream   the job's event log; entry id 0-{seq}, fields at, body
//   {p}idem:{n}:{scope}:{key} hash  idempotency entry (requestHash, jobId, expiresAt); n = scope length
//   {p}idem:expiry         zset     idempotency members by expiresAt

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
}
