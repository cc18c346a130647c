// The job store and the per-job event log: small interfaces the engine depends on.
// Implementations: memory/ (tests, issue 3), sqlite/ (embedded default), redis/ (scale-out, later).
import type { JobEvent, JobEventBody, JobRecord } from './job-record.js';

export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Replaces the stored record; the engine owns the whole record. */
  save(job: JobRecord): Promise<void>;
  /** Jobs in `queued` or `running`, oldest first (crash recovery). */
  listUnfinished(): Promise<JobRecord[]>;
  /** Ids of jobs that finished (updatedAt) before `beforeMs`, oldest first, at most `limit`. */
  listFinishedBefore(beforeMs: number, limit: number): Promise<string[]>;
  /** Deletes one job record; no-op when absent. Purge deletes its events and blobs first. */
  delete(id: string): Promise<void>;
  /** Finished jobs whose webhook is still pending (`webhookPending`), oldest first, at most `limit`. */
  listWebhookPending(limit: number): Promise<JobRecord[]>;
  /** Throws when the store cannot serve (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface EventLog {
  /** Appends with seq = last seq of the job + 1 (1 for the first), atomically. */
  append(jobId: string, body: JobEventBody, at: number): Promise<JobEvent>;
  /** Events with seq > afterSeq, in order, at most `limit`. */
  read(jobId: string, afterSeq: number, limit?: number): Promise<JobEvent[]>;
  lastSeq(jobId: string): Promise<number>;
  deleteJob(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export interface IdempotencyEntry {
  /** Who owns the key (hash of the client key, '' without auth). */
  scope: string;
  key: string;
  requestHash: string;
  jobId: string;
  expiresAt: number;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyEntry };

export interface IdempotencyStore {
  /** Records the entry unless (scope, key) is already held by an unexpired entry, atomically. */
  claim(entry: IdempotencyEntry, nowMs: number): Promise<ClaimResult>;
  /** Drops the entry of (scope, key) when it points at jobId (a job that failed to be created). */
  release(scope: string, key: string, jobId: string): Promise<void>;
  purgeExpired(nowMs: number): Promise<number>;
  close(): Promise<void>;
}
