// KeyStore on SQLite: keys as JSON records indexed by hash; admission (budget with reservations,
// rpm window, concurrency slot) and spend are each one IMMEDIATE transaction, so concurrent
// requests cannot both take the last slot or the last of the budget.
import type Database from 'better-sqlite3';
import {
  periodBucket, RPM_WINDOW_MS, type AdmitRequest, type AdmitResult, type BudgetPeriod, type ClientKeyRecord,
  type KeyLimitsPatch, type KeyStore,
} from '../key-store.js';
import type { SqliteHandle } from './sqlite-handle.js';

interface KeyRow { record: string }

export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly admitTx: (id: string, request: AdmitRequest) => AdmitResult;
  private readonly updateTx: (id: string, patch: KeyLimitsPatch) => ClientKeyRecord | undefined;
  private readonly revokeTx: (id: string, atMs: number) => ClientKeyRecord | undefined;
  private readonly spendTx: (id: string, usd: number, atMs: number) => void;
  private readonly insertKey: Database.Statement<[string, string, string, number, string]>;
  private readonly keyById: Database.Statement<[string], KeyRow>;
  private readonly keyByHash: Database.Statement<[string], KeyRow>;
  private readonly allKeys: Database.Statement<[], KeyRow>;
  private readonly dropSlot: Database.Statement<[string, string]>;
  private readonly spendOf: Database.Statement<[string, string], { usd: number }>;

  constructor(private readonly handle: SqliteHandle) {
    const db = (this.db = handle.db);
    const byId = db.prepare<[string], KeyRow>('SELECT record FROM client_keys WHERE id = ?');
    // Prepared once: findByHash runs on every request with a managed key.
    this.insertKey = db.prepare('INSERT INTO client_keys (id, hash, name, created_at, record) VALUES (?, ?, ?, ?, ?)');
    this.keyById = byId;
    this.keyByHash = db.prepare('SELECT record FROM client_keys WHERE hash = ?');
    this.allKeys = db.prepare('SELECT record FROM client_keys ORDER BY created_at, id');
    this.dropSlot = db.prepare('DELETE FROM key_slots WHERE key_id = ? AND slot_id = ?');
    this.spendOf = db.prepare('SELECT usd FROM key_spend WHERE key_id = ? AND bucket = ?');
    const save = db.prepare<[string, string, string]>('UPDATE client_keys SET record = ?, name = ? WHERE id = ?');
    const dropOld = db.prepare<[string, number]>('DELETE FROM key_requests WHERE key_id = ? AND at <= ?');
    const recent = db.prepare<[string], { at: number }>('SELECT at FROM key_requests WHERE key_id = ? ORDER BY at');
    const dropExpired = db.prepare<[string, number]>('DELETE FROM key_slots WHERE key_id = ? AND expires_at <= ?');
    const slots = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM key_slots WHERE key_id = ?');
    const hasSlot = db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM key_slots WHERE key_id = ? AND slot_id = ?');
    const addRequest = db.prepare<[string, number]>('INSERT INTO key_requests (key_id, at) VALUES (?, ?)');
    const takeSlot = db.prepare<[string, string, number, number]>('INSERT OR REPLACE INTO key_slots (key_id, slot_id, expires_at, reserved_usd) VALUES (?, ?, ?, ?)');
    const reserved = db.prepare<[string, string], { usd: number | null }>('SELECT SUM(reserved_usd) AS usd FROM key_slots WHERE key_id = ? AND slot_id <> ?');
    const spentIn = this.spendOf;
    const addSpend = db.prepare<[string, string, number]>(
      'INSERT INTO key_spend (key_id, bucket, usd) VALUES (?, ?, ?) ON CONFLICT (key_id, bucket) DO UPDATE SET usd = usd + excluded.usd',
    );
    this.admitTx = db.transaction((id: string, request: AdmitRequest): AdmitResult => {
      const { nowMs } = request;
      dropOld.run(id, nowMs - RPM_WINDOW_MS);
      dropExpired.run(id, nowMs);
      const { budget } = request;
      if (budget) {
        const spentUsd = spentIn.get(id, periodBucket(budget.period, nowMs))?.usd ?? 0;
        const reservedUsd = reserved.get(id, request.slotId)?.usd ?? 0;
        if (spentUsd + reservedUsd >= budget.limitUsd) return { ok: false, reason: 'budget', spentUsd, reservedUsd };
      }
      if (request.rpm !== null) {
        const times = recent.all(id).map((r) => r.at);
        if (times.length >= request.rpm) {
          return { ok: false, reason: 'rpm', retryAfterMs: Math.max(1, times[times.length - request.rpm] + RPM_WINDOW_MS - nowMs) };
        }
      }
      if (request.maxConcurrency !== null && (slots.get(id)?.n ?? 0) >= request.maxConcurrency && (hasSlot.get(id, request.slotId)?.n ?? 0) === 0) {
        return { ok: false, reason: 'concurrency', retryAfterMs: 1000 };
      }
      addRequest.run(id, nowMs);
      takeSlot.run(id, request.slotId, request.slotExpiresAt, budget?.reserveUsd ?? 0);
      return { ok: true };
    }).immediate;
    this.updateTx = db.transaction((id: string, patch: KeyLimitsPatch) => {
      const row = byId.get(id);
      if (!row) return undefined;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const next: ClientKeyRecord = { ...(JSON.parse(row.record) as ClientKeyRecord), ...defined };
      save.run(JSON.stringify(next), next.name, id);
      return next;
    }).immediate;
    this.revokeTx = db.transaction((id: string, atMs: number) => {
      const row = byId.get(id);
      if (!row) return undefined;
      const key = JSON.parse(row.record) as ClientKeyRecord;
      if (key.revokedAt === null) {
        key.revokedAt = atMs;
        save.run(JSON.stringify(key), key.name, id);
      }
      return key;
    }).immediate;
    this.spendTx = db.transaction((id: string, usd: number, atMs: number) => {
      for (const period of ['total', 'day', 'month'] as const) addSpend.run(id, periodBucket(period, atMs), usd);
    }).immediate;
  }

  async create(key: ClientKeyRecord): Promise<void> {
    const record = JSON.stringify(key);
    await this.handle.write(() => this.insertKey.run(key.id, key.hash, key.name, key.createdAt, record));
  }

  async get(id: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.handle.read(() => this.keyById.get(id));
    return row && (JSON.parse(row.record) as ClientKeyRecord);
  }

  async findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.handle.read(() => this.keyByHash.get(hash));
    return row && (JSON.parse(row.record) as ClientKeyRecord);
  }

  async list(): Promise<ClientKeyRecord[]> {
    return (await this.handle.read(() => this.allKeys.all())).map((r) => JSON.parse(r.record) as ClientKeyRecord);
  }

  async update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined> {
    return this.handle.write(() => this.updateTx(id, patch));
  }

  async revoke(id: string, atMs: number): Promise<ClientKeyRecord | undefined> {
    return this.handle.write(() => this.revokeTx(id, atMs));
  }

  async admit(id: string, request: AdmitRequest): Promise<AdmitResult> {
    return this.handle.write(() => this.admitTx(id, request));
  }

  async release(id: string, slotId: string): Promise<void> {
    await this.handle.write(() => this.dropSlot.run(id, slotId));
  }

  async addSpend(id: string, usd: number, atMs: number): Promise<void> {
    await this.handle.write(() => this.spendTx(id, usd, atMs));
  }

  async spend(id: string, period: BudgetPeriod, atMs: number): Promise<number> {
    const bucket = periodBucket(period, atMs);
    const row = await this.handle.read(() => this.spendOf.get(id, bucket));
    return row?.usd ?? 0;
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}
