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
  private readonly spentIn: Database.Statement<[string, string], { usd: number }>;

  constructor(private readonly handle: SqliteHandle) {
    const db = (this.db = handle.db);
    const byId = db.prepare<[string], KeyRow>('SELECT record FROM client_keys WHERE id = ?');
    const save = db.prepare<[string, string, string]>('UPDATE client_keys SET record = ?, name = ? WHERE id = ?');
    const dropOld = db.prepare<[string, number]>('DELETE FROM key_requests WHERE key_id = ? AND at <= ?');
    const recent = db.prepare<[string], { at: number }>('SELECT at FROM key_requests WHERE key_id = ? ORDER BY at');
    const dropExpired = db.prepare<[string, number]>('DELETE FROM key_slots WHERE key_id = ? AND expires_at <= ?');
    const slots = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM key_slots WHERE key_id = ?');
    const hasSlot = db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM key_slots WHERE key_id = ? AND slot_id = ?');
    const addRequest = db.prepare<[string, number]>('INSERT INTO key_requests (key_id, at) VALUES (?, ?)');
    const takeSlot = db.prepare<[string, string, number, number]>('INSERT OR REPLACE INTO key_slots (key_id, slot_id, expires_at, reserved_usd) VALUES (?, ?, ?, ?)');
    const reserved = db.prepare<[string, string], { usd: number | null }>('SELECT SUM(reserved_usd) AS usd FROM key_slots WHERE key_id = ? AND slot_id <> ?');
    const spentIn = (this.spentIn = db.prepare<[string, string], { usd: number }>('SELECT usd FROM key_spend WHERE key_id = ? AND bucket = ?'));
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
    this.db.prepare('INSERT INTO client_keys (id, hash, name, created_at, record) VALUES (?, ?, ?, ?, ?)')
      .run(key.id, key.hash, key.name, key.createdAt, JSON.stringify(key));
  }

  async get(id: string): Promise<ClientKeyRecord | undefined> {
    const row = this.db.prepare<[string], KeyRow>('SELECT record FROM client_keys WHERE id = ?').get(id);
    return row && (JSON.parse(row.record) as ClientKeyRecord);
  }

  async findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const row = this.db.prepare<[string], KeyRow>('SELECT record FROM client_keys WHERE hash = ?').get(hash);
    return row && (JSON.parse(row.record) as ClientKeyRecord);
  }

  async list(): Promise<ClientKeyRecord[]> {
    return this.db.prepare<[], KeyRow>('SELECT record FROM client_keys ORDER BY created_at, id').all().map((r) => JSON.parse(r.record) as ClientKeyRecord);
  }

  async update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined> {
    return this.updateTx(id, patch);
  }

  async revoke(id: string, atMs: number): Promise<ClientKeyRecord | undefined> {
    return this.revokeTx(id, atMs);
  }

  async admit(id: string, request: AdmitRequest): Promise<AdmitResult> {
    return this.admitTx(id, request);
  }

  async release(id: string, slotId: string): Promise<void> {
    this.db.prepare('DELETE FROM key_slots WHERE key_id = ? AND slot_id = ?').run(id, slotId);
  }

  async addSpend(id: string, usd: number, atMs: number): Promise<void> {
    this.spendTx(id, usd, atMs);
  }

  async spend(id: string, period: BudgetPeriod, atMs: number): Promise<number> {
    return this.spentIn.get(id, periodBucket(period, atMs))?.usd ?? 0;
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}
