// KeyStore in memory: for tests and `store.kind: memory`. Each method runs to completion without an
// await inside, so every operation is atomic within the process.
import {
  periodBucket, RPM_WINDOW_MS, type AdmitRequest, type AdmitResult, type BudgetPeriod, type ClientKeyRecord,
  type KeyLimitsPatch, type KeyStore,
} from '../key-store.js';

interface Counters {
  requests: number[];
  /** slot id -> its expiry and budget reservation. */
  slots: Map<string, { expiresAt: number; reservedUsd: number }>;
  spend: Map<string, number>;
}

export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, ClientKeyRecord>();
  private readonly counters = new Map<string, Counters>();

  async create(key: ClientKeyRecord): Promise<void> {
    if (this.keys.has(key.id) || [...this.keys.values()].some((k) => k.hash === key.hash)) throw new Error(`key ${key.id} already exists`);
    this.keys.set(key.id, structuredClone(key));
  }

  async get(id: string): Promise<ClientKeyRecord | undefined> {
    const key = this.keys.get(id);
    return key && structuredClone(key);
  }

  async findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const key = [...this.keys.values()].find((k) => k.hash === hash);
    return key && structuredClone(key);
  }

  async list(): Promise<ClientKeyRecord[]> {
    return [...this.keys.values()].sort((a, b) => a.createdAt - b.createdAt).map((k) => structuredClone(k));
  }

  async update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined> {
    const key = this.keys.get(id);
    if (!key) return undefined;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    Object.assign(key, structuredClone(defined));
    return structuredClone(key);
  }

  async revoke(id: string, atMs: number): Promise<ClientKeyRecord | undefined> {
    const key = this.keys.get(id);
    if (!key) return undefined;
    key.revokedAt ??= atMs;
    return structuredClone(key);
  }

  private countersOf(id: string): Counters {
    let c = this.counters.get(id);
    if (!c) this.counters.set(id, (c = { requests: [], slots: new Map(), spend: new Map() }));
    return c;
  }

  async admit(id: string, request: AdmitRequest): Promise<AdmitResult> {
    const c = this.countersOf(id);
    const { nowMs } = request;
    c.requests = c.requests.filter((at) => at > nowMs - RPM_WINDOW_MS);
    for (const [slot, { expiresAt }] of c.slots) if (expiresAt <= nowMs) c.slots.delete(slot);
    const { budget } = request;
    if (budget) {
      const spentUsd = c.spend.get(periodBucket(budget.period, nowMs)) ?? 0;
      let reservedUsd = 0;
      for (const [slot, held] of c.slots) if (slot !== request.slotId) reservedUsd += held.reservedUsd;
      if (spentUsd + reservedUsd >= budget.limitUsd) return { ok: false, reason: 'budget', spentUsd, reservedUsd };
    }
    if (request.rpm !== null && c.requests.length >= request.rpm) {
      const oldest = c.requests[c.requests.length - request.rpm];
      return { ok: false, reason: 'rpm', retryAfterMs: Math.max(1, oldest + RPM_WINDOW_MS - nowMs) };
    }
    if (request.maxConcurrency !== null && c.slots.size >= request.maxConcurrency && !c.slots.has(request.slotId)) {
      return { ok: false, reason: 'concurrency', retryAfterMs: 1000 };
    }
    c.requests.push(nowMs);
    c.slots.set(request.slotId, { expiresAt: request.slotExpiresAt, reservedUsd: budget?.reserveUsd ?? 0 });
    return { ok: true };
  }

  async release(id: string, slotId: string): Promise<void> {
    this.counters.get(id)?.slots.delete(slotId);
  }

  async addSpend(id: string, usd: number, atMs: number): Promise<void> {
    const { spend } = this.countersOf(id);
    for (const period of ['total', 'day', 'month'] as const) {
      const bucket = periodBucket(period, atMs);
      spend.set(bucket, (spend.get(bucket) ?? 0) + usd);
    }
  }

  async spend(id: string, period: BudgetPeriod, atMs: number): Promise<number> {
    return this.counters.get(id)?.spend.get(periodBucket(period, atMs)) ?? 0;
  }

  async close(): Promise<void> {}
}
