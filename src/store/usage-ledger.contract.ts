// Contract suite for UsageLedger: the same cases on every backend.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { UsageEntry, UsageLedger } from './usage-ledger.js';

export interface UsageLedgerHandle {
  usage: UsageLedger;
  cleanup(): Promise<void>;
}

const DAY1 = Date.UTC(2026, 11, 1, 12);
const DAY2 = Date.UTC(2026, 11, 2, 12);

function entry(jobId: string, attempt: number, overrides: Partial<UsageEntry> = {}): UsageEntry {
  return {
    jobId, attempt, at: DAY1, keyId: 'key_a', keyName: 'team a', model: 'gpt-image-2', deployment: 'sweden', images: 1, lost: false,
    textInputTokens: 10, imageInputTokens: 0, imageOutputTokens: 1056, textOutputTokens: 0, costUsd: 0.03173, ...overrides,
  };
}

export function describeUsageLedger(name: string, make: () => Promise<UsageLedgerHandle>): void {
  const open = async (t: TestContext): Promise<UsageLedger> => {
    const handle = await make();
    t.after(() => handle.cleanup());
    return handle.usage;
  };

  describe(`UsageLedger contract: ${name}`, () => {
    test('rows group by key, model, deployment and UTC day, with lost attempts apart', async (t) => {
      const usage = await open(t);
      await usage.record(entry('job_1', 1, { lost: true, images: 0, imageOutputTokens: 100, costUsd: 0.003, deployment: 'westeurope' }));
      await usage.record(entry('job_1', 2));
      await usage.record(entry('job_2', 1, { keyId: 'key_b', keyName: 'team b', at: DAY2, images: 2, costUsd: 0.1 }));
      const byKey = await usage.summarize({ groupBy: 'key' });
      assert.deepEqual(byKey.map((r) => [r.id, r.name, r.images, r.attempts, r.lostAttempts, r.imageOutputTokens, r.costUsd, r.lostCostUsd]), [
        ['key_a', 'team a', 1, 2, 1, 1156, 0.03473, 0.003],
        ['key_b', 'team b', 2, 1, 0, 1056, 0.1, 0],
      ]);
      const byDeployment = await usage.summarize({ groupBy: 'deployment' });
      assert.deepEqual(byDeployment.map((r) => [r.id, r.lostAttempts, r.lostCostUsd]), [['sweden', 0, 0], ['westeurope', 1, 0.003]]);
      const byDay = await usage.summarize({ groupBy: 'day' });
      assert.deepEqual(byDay.map((r) => [r.id, r.name, r.attempts]), [['2026-12-01', '2026-12-01', 2], ['2026-12-02', '2026-12-02', 1]]);
      assert.deepEqual((await usage.summarize({ groupBy: 'model' })).map((r) => [r.id, r.attempts, r.textInputTokens]), [['gpt-image-2', 3, 30]]);
    });

    test('from is inclusive, to exclusive; recording an attempt again replaces it', async (t) => {
      const usage = await open(t);
      await usage.record(entry('job_1', 1));
      await usage.record(entry('job_2', 1, { at: DAY2 }));
      await usage.record(entry('job_2', 1, { at: DAY2, costUsd: 0.5 }));
      assert.deepEqual((await usage.summarize({ groupBy: 'model', fromMs: DAY2 })).map((r) => [r.attempts, r.costUsd]), [[1, 0.5]]);
      assert.deepEqual((await usage.summarize({ groupBy: 'model', toMs: DAY2 })).map((r) => [r.attempts, r.costUsd]), [[1, 0.03173]]);
      assert.deepEqual(await usage.summarize({ groupBy: 'key', fromMs: DAY2 + 1 }), []);
    });
  });
}
