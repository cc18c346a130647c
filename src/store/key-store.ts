// Managed client keys and their live counters: a small interface whose counter operations are each
// one atomic step (a Lua script on Redis, a transaction on SQLite), so replicas sharing a store
// agree on rpm, concurrency and spend. Implementations: memory/, sqlite/, redis/.

export const BUDGET_PERIODS = ['day', 'month', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** A managed key as stored: never the plain key, only its keyed hash and a short prefix. */
export interface ClientKeyRecord {
  id: string;
  name: string;
  /** HMAC-SHA256 of the plain key with the server's key-hash secret, hex. */
  hash: string;
  /** The first characters of the plain key, for recognising it in lists. */
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  /** Model routes the key may use; null: all. */
  models: string[] | null;
  rpm: number | null;
  maxConcurrency: number | null;
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod;
}

export type KeyLimitsPatch = Partial<Pick<ClientKeyRecord, 'name' | 'models' | 'rpm' | 'maxConcurrency' | 'budgetUsd' | 'budgetPeriod' | 'expiresAt'>>;

export interface AdmitRequest {
  nowMs: number;
  /** Requests allowed in the 60 s before nowMs; null: unlimited. */
  rpm: number | null;
  /** Slots held at once; null: unlimited. */
  maxConcurrency: number | null;
  /** Names the slot (the job id), released with release(). */
  slotId: string;
  /** The slot frees itself then at the latest (the job's deadline), so a crash cannot leak it. */
  slotExpiresAt: number;
  /** The key's budget, checked first; absent: no budget. */
  budget?: AdmitBudget;
}

/**
 * A budget check with a reservation: refused when spend in the period plus the reservations of the
 * key's other unexpired slots reach limitUsd; otherwise the slot holds reserveUsd (an estimate of
 * the job's cost) until release() or its expiry, so concurrent jobs see each other's cost at once.
 */
export interface AdmitBudget {
  limitUsd: number;
  period: BudgetPeriod;
  reserveUsd: number;
}

export type AdmitResult =
  | { ok: true }
  | { ok: false; reason: 'rpm' | 'concurrency'; retryAfterMs: number }
  | { ok: false; reason: 'budget'; spentUsd: number; reservedUsd: number };

export interface KeyStore {
  /** Stores a new key; a duplicate id or hash is an error. */
  create(key: ClientKeyRecord): Promise<void>;
  get(id: string): Promise<ClientKeyRecord | undefined>;
  /** The key with this hash, revoked or not. */
  findByHash(hash: string): Promise<ClientKeyRecord | undefined>;
  /** Every key, oldest first. */
  list(): Promise<ClientKeyRecord[]>;
  /** Applies the patch; undefined when there is no such key. */
  update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined>;
  /** Marks the key revoked at `atMs` (idempotent: the first time stays); undefined when absent. */
  revoke(id: string, atMs: number): Promise<ClientKeyRecord | undefined>;
  /**
   * In one atomic step: refuses when the budget (spent + reserved) is reached, the key made `rpm`
   * requests in the last 60 s or holds `maxConcurrency` unexpired slots; otherwise counts the
   * request and takes the slot (with its budget reservation).
   */
  admit(id: string, request: AdmitRequest): Promise<AdmitResult>;
  /** Frees a slot taken by admit() and its reservation; no-op when it is gone. */
  release(id: string, slotId: string): Promise<void>;
  /** Adds spend to the key's `total`, its UTC day and its UTC month, atomically. */
  addSpend(id: string, usd: number, atMs: number): Promise<void>;
  /** Spend in the period containing atMs. */
  spend(id: string, period: BudgetPeriod, atMs: number): Promise<number>;
  close(): Promise<void>;
}

export const RPM_WINDOW_MS = 60_000;

/** The counter bucket of a period at a time: `total`, `day:2026-12-01`, `month:2026-12` (UTC). */
export function periodBucket(period: BudgetPeriod, atMs: number): string {
  if (period === 'total') return 'total';
  const iso = new Date(atMs).toISOString();
  return period === 'day' ? `day:${iso.slice(0, 10)}` : `month:${iso.slice(0, 7)}`;
}
