// Versioned schema of the embedded store. Each migration is SQL text with its own header; the
// database's `user_version` pragma records the last one applied, so opening is idempotent.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
-- 001 initial schema
-- jobs:        one row per job; record = JobRecord as JSON, the other columns index it.
-- events:      append-only per-job log; seq is assigned by append as MAX(seq)+1 in one statement.
--              No foreign key to jobs: the event log is its own interface (a Redis stream later),
--              and the engine deletes a job's events itself when it purges the job.
--              It keeps its rowid: bodies reach tens of MB, which WITHOUT ROWID tables handle poorly.
-- idempotency: one live claim per (scope, key); expired rows may be overwritten by a new claim.
CREATE TABLE jobs (
  id         TEXT PRIMARY KEY,
  status     TEXT NOT NULL,
  owner      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  record     TEXT NOT NULL
);
CREATE INDEX jobs_unfinished ON jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status NOT IN ('queued', 'running');

CREATE TABLE events (
  job_id TEXT NOT NULL,
  seq    INTEGER NOT NULL,
  at     INTEGER NOT NULL,
  body   TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
);

CREATE TABLE idempotency (
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  job_id       TEXT NOT NULL,
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_expiry ON idempotency (expires_at);
`,
  },
  {
    version: 2,
    sql: `
-- 002 managed client keys and the usage ledger
-- client_keys: one row per managed key; hash = HMAC-SHA256 of the plain key (never stored).
-- key_requests: admission times per key for the 60 s rpm window; old rows are deleted on admit.
-- key_slots:   concurrency slots per key (one per job), freed on release or at expires_at.
-- key_spend:   USD spent per key and bucket ('total', 'day:YYYY-MM-DD', 'month:YYYY-MM', UTC).
-- usage:       one row per billed or delivered attempt (the usage ledger, kept past job retention).
CREATE TABLE client_keys (
  id              TEXT PRIMARY KEY,
  hash            TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  record          TEXT NOT NULL
);
CREATE TABLE key_requests (
  key_id TEXT NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX key_requests_by_key ON key_requests (key_id, at);
CREATE TABLE key_slots (
  key_id     TEXT NOT NULL,
  slot_id    TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, slot_id)
);
CREATE TABLE key_spend (
  key_id TEXT NOT NULL,
  bucket TEXT NOT NULL,
  usd    REAL NOT NULL,
  PRIMARY KEY (key_id, bucket)
);
CREATE TABLE usage (
  job_id              TEXT NOT NULL,
  attempt             INTEGER NOT NULL,
  at                  INTEGER NOT NULL,
  key_id              TEXT NOT NULL,
  key_name            TEXT NOT NULL,
  model               TEXT NOT NULL,
  deployment          TEXT NOT NULL,
  images              INTEGER NOT NULL,
  lost                INTEGER NOT NULL,
  text_input_tokens   INTEGER NOT NULL,
  image_input_tokens  INTEGER NOT NULL,
  image_output_tokens INTEGER NOT NULL,
  text_output_tokens  INTEGER NOT NULL,
  cost_usd            REAL NOT NULL,
  PRIMARY KEY (job_id, attempt)
);
CREATE INDEX usage_by_time ON usage (at);
`,
  },
  {
    version: 3,
    sql: `
-- 003 job list
-- The jobs API lists newest first with a (created_at, id) keyset cursor.
CREATE INDEX jobs_newest ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_owner_newest ON jobs (owner, created_at DESC, id DESC);
`,
  },
  {
    version: 4,
    sql: `
-- 004 budget reservations
-- A slot holds an estimate of its job's cost until the job ends, so that concurrent jobs of one
-- key cannot together overshoot its budget (admission counts spend + the other slots' reservations).
ALTER TABLE key_slots ADD COLUMN reserved_usd REAL NOT NULL DEFAULT 0;
`,
  },
];

/** Applies every migration above the database's user_version, each in its own transaction. */
export function migrate(db: Database.Database): number {
  let version = Number(db.pragma('user_version', { simple: true }));
  for (const m of migrations) {
    if (m.version <= version) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    version = m.version;
  }
  return version;
}
