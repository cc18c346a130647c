// Runs the KeyStore and UsageLedger contract suites on SQLite in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeKeyStore } from '../key-store.contract.js';
import { describeUsageLedger } from '../usage-ledger.contract.js';
import { openSqliteStore, type SqliteStore } from './open-sqlite-store.js';

function openTemp(): { store: SqliteStore; cleanup(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-keys-'));
  const store = openSqliteStore({ path: join(dir, 'holdfast.db') });
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

describeKeyStore('sqlite', async () => {
  const { store, cleanup } = openTemp();
  return { keys: store.keys, cleanup };
});
describeUsageLedger('sqlite', async () => {
  const { store, cleanup } = openTemp();
  return { usage: store.usage, cleanup };
});
