// openSqliteStore: the embedded default store, five interfaces on one better-sqlite3 database
// (WAL, synchronous=NORMAL, busy_timeout, foreign keys; schema by migrations.ts).
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteHandle } from './sqlite-handle.js';
import { SqliteIdempotencyStore } from './sqlite-idempotency-store.js';
import { SqliteJobStore, type BadRecordHandler } from './sqlite-job-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteUsageLedger } from './sqlite-usage-ledger.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. */
  path: string;
  onBadRecord?: BadRecordHandler;
}

export interface SqliteStore {
  jobs: SqliteJobStore;
  events: SqliteEventLog;
  idempotency: SqliteIdempotencyStore;
  keys: SqliteKeyStore;
  usage: SqliteUsageLedger;
  /** Closes the database; idempotent. */
  close(): Promise<void>;
}

export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const handle = SqliteHandle.open(options.path);
  return {
    jobs: handle.use(new SqliteJobStore(handle, options.onBadRecord)),
    events: handle.use(new SqliteEventLog(handle)),
    idempotency: handle.use(new SqliteIdempotencyStore(handle)),
    keys: handle.use(new SqliteKeyStore(handle)),
    usage: handle.use(new SqliteUsageLedger(handle)),
    close: async () => handle.close(),
  };
}
