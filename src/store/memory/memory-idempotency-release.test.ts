// Releasing an idempotency key nobody holds (the job failed before its claim, or the entry was
// purged) is a no-op on the memory store: nothing throws, and other keys stay claimed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryIdempotencyStore } from './memory-store.js';

test('releasing an unknown key changes nothing and does not throw', async () => {
  const store = new MemoryIdempotencyStore();
  const entry = { scope: 's', key: 'held', requestHash: 'h', jobId: 'job_1', expiresAt: 10_000 };
  assert.deepEqual(await store.claim(entry, 0), { claimed: true });
  await store.release('s', 'never-claimed', 'job_1');
  await store.release('other-scope', 'held', 'job_1');
  assert.deepEqual(await store.claim({ ...entry, jobId: 'job_2' }, 1), { claimed: false, existing: entry });
});
