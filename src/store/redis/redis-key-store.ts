// KeyStore on Redis, shared by every replica on one prefix. A key is a hash with one JSON-encoded
// value per record field (so a patch or a revocation is one HSET in a script, never a
// read-modify-write), found by its keyed hash through an index. Admission (budget, rpm window,
// concurrency slot) is one Lua script; nothing is cached in the process, so a revocation applies
// to the next request on every replica.
//
// Slots cannot leak when a replica dies: a slot is named by its job id and carries the job's
// deadline as its expiry. The job itself survives the replica (the cluster's lease takeover resumes
// it elsewhere), and whichever replica ends it releases the slot in this shared store; a job that
// nobody resumes frees its slot (and its budget reservation) at its deadline, when every admit
// drops expired slots first.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  periodBucket, RPM_WINDOW_MS, type AdmitRequest, type AdmitResult, type BudgetPeriod, type ClientKeyRecord,
  type KeyLimitsPatch, type KeyStore,
} from '../key-store.js';
import { guarded } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { clientKeyAdmit, clientKeyCreate, clientKeyPatch, runScript } from './redis-scripts.js';

const BATCH = 200;

export class RedisKeyStore implements KeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly address: string,
  ) {}

  /**
   * The HMAC secret of the key hashes when none is configured: generated once by the first replica
   * (SET NX), then read by all, so every replica computes the same hash for a presented key.
   */
  async sharedHashSecret(): Promise<string> {
    const key = this.keys.clientKeyHashSecret;
    return guarded(this.address, async () => {
      await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
      const secret = await this.redis.get(key);
      if (secret === null) throw new Error('the key-hash secret vanished right after it was set');
      return secret;
    });
  }

  async create(key: ClientKeyRecord): Promise<void> {
    const fields = Object.entries(key).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    const reply = await guarded(this.address, () => runScript(this.redis, clientKeyCreate,
      [this.keys.clientKey(key.id), this.keys.clientKeysByHash, this.keys.clientKeysByCreated],
      [key.id, key.hash, key.createdAt, ...fields]));
    if (Number(reply) === 0) throw new Error(`key ${key.id} already exists`);
    if (Number(reply) === -1) throw new Error(`a key with the hash of ${key.id} already exists`);
  }

  async get(id: string): Promise<ClientKeyRecord | undefined> {
    const fields = await guarded(this.address, () => this.redis.hgetall(this.keys.clientKey(id)));
    return decodeRecord(fields);
  }

  async findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const id = await guarded(this.address, () => this.redis.hget(this.keys.clientKeysByHash, hash));
    return id === null ? undefined : this.get(id);
  }

  async list(): Promise<ClientKeyRecord[]> {
    const ids = await guarded(this.address, () => this.redis.zrange(this.keys.clientKeysByCreated, '0', '-1'));
    const records: ClientKeyRecord[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(i, i + BATCH)) pipeline.hgetall(this.keys.clientKey(id));
      const replies = (await guarded(this.address, () => pipeline.exec())) ?? [];
      for (const [error, fields] of replies) {
        if (error) throw error;
        const record = decodeRecord(fields as Record<string, string>);
        if (record) records.push(record);
      }
    }
    return records;
  }

  async update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined> {
    const fields = Object.entries(patch).filter(([, v]) => v !== undefined).flatMap(([field, value]) => [field, JSON.stringify(value)]);
    return this.patch(id, 'update', fields);
  }

  async revoke(id: string, atMs: number): Promise<ClientKeyRecord | undefined> {
    return this.patch(id, 'revoke', ['revokedAt', JSON.stringify(atMs)]);
  }

  private async patch(id: string, mode: 'update' | 'revoke', fields: string[]): Promise<ClientKeyRecord | undefined> {
    const reply = await guarded(this.address, () => runScript(this.redis, clientKeyPatch, [this.keys.clientKey(id)], [mode, ...fields]));
    if (!Array.isArray(reply)) throw new Error('client-key-patch returned no array');
    const flat = reply.map(String);
    const record: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) record[flat[i]] = flat[i + 1];
    return decodeRecord(record);
  }

  async admit(id: string, request: AdmitRequest): Promise<AdmitResult> {
    const { budget } = request;
    const reply = await guarded(this.address, () => runScript(this.redis, clientKeyAdmit,
      (['requests', 'slots', 'reserved', 'spend'] as const).map((c) => this.keys.clientKeyCounter(id, c)),
      [
        request.nowMs, RPM_WINDOW_MS, request.rpm ?? '', request.maxConcurrency ?? '', request.slotId, request.slotExpiresAt,
        budget?.limitUsd ?? '', budget ? periodBucket(budget.period, request.nowMs) : '', budget?.reserveUsd ?? 0,
      ]));
    if (!Array.isArray(reply)) throw new Error('client-key-admit returned no array');
    if (Number(reply[0]) === 1) return { ok: true };
    const reason = String(reply[1]);
    if (reason === 'budget') return { ok: false, reason, spentUsd: Number(reply[2]), reservedUsd: Number(reply[3]) };
    if (reason === 'rpm' || reason === 'concurrency') return { ok: false, reason, retryAfterMs: Number(reply[2]) };
    throw new Error(`client-key-admit returned an unknown reason ${reason}`);
  }

  async release(id: string, slotId: string): Promise<void> {
    await guarded(this.address, () => this.redis.multi()
      .zrem(this.keys.clientKeyCounter(id, 'slots'), slotId)
      .hdel(this.keys.clientKeyCounter(id, 'reserved'), slotId)
      .exec());
  }

  async addSpend(id: string, usd: number, atMs: number): Promise<void> {
    const key = this.keys.clientKeyCounter(id, 'spend');
    const tx = this.redis.multi();
    for (const period of ['total', 'day', 'month'] as const) tx.hincrbyfloat(key, periodBucket(period, atMs), usd);
    await guarded(this.address, () => tx.exec());
  }

  async spend(id: string, period: BudgetPeriod, atMs: number): Promise<number> {
    const usd = await guarded(this.address, () => this.redis.hget(this.keys.clientKeyCounter(id, 'spend'), periodBucket(period, atMs)));
    return usd === null ? 0 : Number(usd);
  }

  async close(): Promise<void> {}
}

function decodeRecord(fields: Record<string, string>): ClientKeyRecord | undefined {
  if (fields.id === undefined) return undefined;
  return Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, JSON.parse(value) as unknown])) as unknown as ClientKeyRecord;
}
