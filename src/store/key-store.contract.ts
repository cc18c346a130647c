// Contract suite for KeyStore: the same cases on every backend (memory, SQLite, Redis).
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientKeyRecord, KeyStore } from './key-store.js';

export interface KeyStoreHandle {
  keys: KeyStore;
  cleanup(): Promise<void>;
}

export function sampleKey(id: string, overrides: Partial<ClientKeyRecord> = {}): ClientKeyRecord {
  return {
    id, name: `team ${id}`, hash: `hash-${id}`, prefix: 'sk-hf-abcd', createdAt: 1_000, expiresAt: null, revokedAt: null,
    models: ['gpt-image-2'], rpm: 10, maxConcurrency: 2, budgetUsd: 5, budgetPeriod: 'month', ...overrides,
  };
}

const DAY = 86_400_000;

export function describeKeyStore(name: string, make: () => Promise<KeyStoreHandle>): void {
  const open = async (t: TestContext): Promise<KeyStore> => {
    const handle = await make();
    t.after(() => handle.cleanup());
    return handle.keys;
  };

  describe(`KeyStore contract: ${name}`, () => {
    test('a created key is found by id and by hash, and listed oldest first', async (t) => {
      const keys = await open(t);
      await keys.create(sampleKey('key_b', { createdAt: 2_000 }));
      await keys.create(sampleKey('key_a', { createdAt: 1_000 }));
      assert.deepEqual(await keys.get('key_a'), sampleKey('key_a'));
      assert.deepEqual(await keys.findByHash('hash-key_b'), sampleKey('key_b', { createdAt: 2_000 }));
      assert.equal(await keys.findByHash('nope'), undefined);
      assert.deepEqual((await keys.list()).map((k) => k.id), ['key_a', 'key_b']);
    });

    test('a second key with the same id or hash is refused', async (t) => {
      const keys = await open(t);
      await keys.create(sampleKey('key_a'));
      await assert.rejects(keys.create(sampleKey('key_a', { hash: 'other' })));
      await assert.rejects(keys.create(sampleKey('key_b', { hash: 'hash-key_a' })));
    });

    test('update changes only the fields given; revoke keeps the first time', async (t) => {
      const keys = await open(t);
      await keys.create(sampleKey('key_a'));
      const updated = await keys.update('key_a', { rpm: null, budgetUsd: 12.5, name: 'renamed' });
      assert.deepEqual(updated, sampleKey('key_a', { rpm: null, budgetUsd: 12.5, name: 'renamed' }));
      assert.equal(await keys.update('key_x', { rpm: 1 }), undefined);
      assert.equal((await keys.revoke('key_a', 5_000))?.revokedAt, 5_000);
      assert.equal((await keys.revoke('key_a', 9_000))?.revokedAt, 5_000);
      assert.equal((await keys.findByHash('hash-key_a'))?.revokedAt, 5_000);
      assert.equal(await keys.revoke('key_x', 1), undefined);
    });

    test('admit counts requests in a sliding 60 s window and says when the next fits', async (t) => {
      const keys = await open(t);
      const at = (nowMs: number, slotId: string) => keys.admit('key_a', { nowMs, rpm: 2, maxConcurrency: null, slotId, slotExpiresAt: nowMs + 1_000 });
      assert.deepEqual(await at(0, 's1'), { ok: true });
      assert.deepEqual(await at(10_000, 's2'), { ok: true });
      assert.deepEqual(await at(20_000, 's3'), { ok: false, reason: 'rpm', retryAfterMs: 40_000 });
      assert.deepEqual(await at(60_001, 's4'), { ok: true });
      assert.deepEqual(await at(60_002, 's5'), { ok: false, reason: 'rpm', retryAfterMs: 9_998 });
    });

    test('admit holds at most maxConcurrency slots; release and expiry free them', async (t) => {
      const keys = await open(t);
      const take = (slotId: string, nowMs = 0, expires = 100_000) => keys.admit('key_a', { nowMs, rpm: null, maxConcurrency: 2, slotId, slotExpiresAt: expires });
      assert.equal((await take('j1')).ok, true);
      assert.equal((await take('j2', 0, 50_000)).ok, true);
      const refused = await take('j3');
      assert.equal(refused.ok, false);
      assert.equal(!refused.ok && refused.reason, 'concurrency');
      await keys.release('key_a', 'j1');
      await keys.release('key_a', 'j1');
      assert.equal((await take('j3')).ok, true);
      assert.equal((await take('j4', 1_000)).ok, false);
      assert.equal((await take('j4', 50_000)).ok, true, 'j2 expired at 50 000');
      // Another key has its own counters.
      assert.equal((await keys.admit('key_b', { nowMs: 0, rpm: 1, maxConcurrency: 1, slotId: 'j9', slotExpiresAt: 1 })).ok, true);
    });

    test('concurrent admissions never exceed the limit', async (t) => {
      const keys = await open(t);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        keys.admit('key_a', { nowMs: 0, rpm: 7, maxConcurrency: null, slotId: `j${i}`, slotExpiresAt: 10 })));
      assert.equal(results.filter((r) => r.ok).length, 7);
    });

    test('a budget counts spend plus the other slots\' reservations; release and expiry free them', async (t) => {
      const keys = await open(t);
      const take = (slotId: string, nowMs = 0, expires = 100_000) => keys.admit('key_a', {
        nowMs, rpm: null, maxConcurrency: null, slotId, slotExpiresAt: expires, budget: { limitUsd: 1, period: 'total', reserveUsd: 0.5 },
      });
      assert.deepEqual(await take('j1'), { ok: true });
      assert.deepEqual(await take('j2', 0, 50_000), { ok: true });
      assert.deepEqual(await take('j3'), { ok: false, reason: 'budget', spentUsd: 0, reservedUsd: 1 });
      assert.deepEqual(await take('j2', 0, 50_000), { ok: true }, 'a slot does not count its own reservation');
      await keys.release('key_a', 'j1');
      await keys.addSpend('key_a', 0.25, 0);
      assert.deepEqual(await take('j3'), { ok: true }, 'spend 0.25 + j2 0.5 leave room');
      assert.deepEqual(await take('j4'), { ok: false, reason: 'budget', spentUsd: 0.25, reservedUsd: 1 });
      assert.deepEqual(await take('j4', 50_000), { ok: true }, 'j2 and its reservation expired at 50 000');
    });

    test('concurrent admissions never reserve past the budget', async (t) => {
      const keys = await open(t);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => keys.admit('key_a', {
        nowMs: 0, rpm: null, maxConcurrency: null, slotId: `j${i}`, slotExpiresAt: 10, budget: { limitUsd: 1, period: 'day', reserveUsd: 0.25 },
      })));
      assert.equal(results.filter((r) => r.ok).length, 4);
    });

    test('spend adds up per UTC day, month and in total', async (t) => {
      const keys = await open(t);
      const dec31 = Date.UTC(2026, 11, 31, 23, 0);
      await keys.addSpend('key_a', 0.25, dec31);
      await keys.addSpend('key_a', 0.5, dec31 + 2 * 3_600_000);
      await keys.addSpend('key_b', 9, dec31);
      assert.equal(await keys.spend('key_a', 'total', dec31), 0.75);
      assert.equal(await keys.spend('key_a', 'day', dec31), 0.25);
      assert.equal(await keys.spend('key_a', 'month', dec31), 0.25);
      assert.equal(await keys.spend('key_a', 'month', dec31 + DAY), 0.5);
      assert.equal(await keys.spend('key_a', 'day', dec31 + 3 * DAY), 0);
      assert.equal(await keys.spend('key_c', 'total', dec31), 0);
    });
  });
}
