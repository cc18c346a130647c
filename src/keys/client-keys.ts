// Managed client keys: creation (the plain key returned once), listing with spend, limit changes,
// revocation, and the per-request checks made before any upstream call: the key is live, may use
// the model, is under budget, and fits its rpm and concurrency (one atomic admit in the store).
import { createError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { IdSource } from '../time/random.js';
import type { BudgetPeriod, ClientKeyRecord, KeyLimitsPatch, KeyStore } from '../store/key-store.js';
import { generatePlainKey, hashKey, SHOWN_PREFIX_LENGTH } from './key-material.js';

export interface NewKeyInput extends KeyLimitsPatch {
  name: string;
}

export interface ClientKeys {
  create(input: NewKeyInput): Promise<{ record: ClientKeyRecord; plainKey: string }>;
  list(): Promise<ClientKeyRecord[]>;
  get(id: string): Promise<ClientKeyRecord | undefined>;
  update(id: string, patch: KeyLimitsPatch): Promise<ClientKeyRecord | undefined>;
  revoke(id: string): Promise<ClientKeyRecord | undefined>;
  /** The live key presented, or undefined (unknown, revoked or expired keys are all refused alike). */
  authenticate(plainKey: string): Promise<ClientKeyRecord | undefined>;
  /**
   * Throws the OpenAI-shaped refusal, or takes a concurrency slot named slotId until release(),
   * holding reserveUsd (the job's estimated cost) against the key's budget meanwhile.
   */
  admit(key: ClientKeyRecord, request: { model: string; slotId: string; slotExpiresAt: number; reserveUsd?: number }): Promise<void>;
  release(keyId: string, slotId: string): Promise<void>;
  charge(keyId: string, usd: number, atMs: number): Promise<void>;
  spend(keyId: string, period: BudgetPeriod): Promise<number>;
}

export function createClientKeys(deps: { store: KeyStore; clock: Clock; ids: IdSource; hashSecret: string }): ClientKeys {
  const { store, clock, ids, hashSecret } = deps;
  return {
    async create(input) {
      const plainKey = generatePlainKey();
      const record: ClientKeyRecord = {
        id: ids.next('key'), name: input.name, hash: hashKey(hashSecret, plainKey), prefix: plainKey.slice(0, SHOWN_PREFIX_LENGTH),
        createdAt: clock.now(), expiresAt: input.expiresAt ?? null, revokedAt: null, models: input.models ?? null,
        rpm: input.rpm ?? null, maxConcurrency: input.maxConcurrency ?? null, budgetUsd: input.budgetUsd ?? null,
        budgetPeriod: input.budgetPeriod ?? 'month',
      };
      await store.create(record);
      return { record, plainKey };
    },
    list: () => store.list(),
    get: (id) => store.get(id),
    update: (id, patch) => store.update(id, patch),
    revoke: (id) => store.revoke(id, clock.now()),
    async authenticate(plainKey) {
      const key = await store.findByHash(hashKey(hashSecret, plainKey));
      if (!key || key.revokedAt !== null) return undefined;
      if (key.expiresAt !== null && key.expiresAt <= clock.now()) return undefined;
      return key;
    },
    async admit(key, request) {
      if (key.models !== null && !key.models.includes(request.model)) {
        // OpenAI answers a model the project may not use like an unknown one (404 model_not_found).
        throw createError('model_not_found', [request.model, null], { param: 'model' });
      }
      const verdict = await store.admit(key.id, {
        nowMs: clock.now(), rpm: key.rpm, maxConcurrency: key.maxConcurrency, slotId: request.slotId, slotExpiresAt: request.slotExpiresAt,
        budget: key.budgetUsd === null ? undefined : { limitUsd: key.budgetUsd, period: key.budgetPeriod, reserveUsd: request.reserveUsd ?? 0 },
      });
      if (verdict.ok) return;
      if (verdict.reason === 'budget') {
        const inFlight = verdict.reservedUsd > 0 ? ` and holds $${verdict.reservedUsd.toFixed(4)} for jobs in flight` : '';
        throw createError('insufficient_quota', [`You exceeded your current quota: key '${key.name}' spent $${verdict.spentUsd.toFixed(4)}${inFlight} of its $${key.budgetUsd} ${periodText(key.budgetPeriod)} budget.`]);
      }
      const message = verdict.reason === 'rpm'
        ? `Rate limit reached for key '${key.name}' on requests per min (RPM): Limit ${key.rpm}.`
        : `Rate limit reached for key '${key.name}' on concurrent jobs: Limit ${key.maxConcurrency}.`;
      throw createError('rate_limit_exceeded', [message], { retryAfterMs: verdict.retryAfterMs });
    },
    release: (keyId, slotId) => store.release(keyId, slotId),
    charge: (keyId, usd, atMs) => store.addSpend(keyId, usd, atMs),
    spend: (keyId, period) => store.spend(keyId, period, clock.now()),
  };
}

function periodText(period: BudgetPeriod): string {
  return period === 'total' ? 'total' : period === 'day' ? 'daily' : 'monthly';
}
