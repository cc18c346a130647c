// Retention: finished jobs older than retentionMs go, with their events and blobs, and expired
// idempotency keys with them; once at start and then every purgeIntervalMs on the injected clock.
import type { Timer } from '../time/clock.js';
import { jobBlobPrefix } from '../store/blob-keys.js';
import type { EngineDeps } from './deps.js';

export type RetentionDeps = Pick<EngineDeps, 'clock' | 'log' | 'jobs' | 'events' | 'blobs' | 'idempotency'>;

export interface RetentionOptions {
  /** How long finished jobs (results, events, images, idempotency keys) are kept. */
  retentionMs: number;
  purgeIntervalMs: number;
}

export interface Retention {
  /** Purges now; resolves with the number of jobs deleted. */
  purge(): Promise<number>;
  /** Purges once, then on every interval. */
  start(): Promise<void>;
  /** Stops the timer; idempotent. */
  close(): void;
}

const BATCH = 100;

/**
 * Deletes finished jobs older than the retention, with their events and blobs. The record goes
 * last: a crash mid-purge leaves a job the next purge finds again, never blobs nobody points at.
 */
async function purgeFinished(deps: RetentionDeps, retentionMs: number): Promise<number> {
  const now = deps.clock.now();
  let purged = 0;
  for (;;) {
    const ids = await deps.jobs.listFinishedBefore(now - retentionMs, BATCH);
    for (const id of ids) {
      await deps.events.deleteJob(id);
      await deps.blobs.deletePrefix(jobBlobPrefix(id));
      await deps.jobs.delete(id);
    }
    purged += ids.length;
    if (ids.length < BATCH) break;
  }
  await deps.idempotency.purgeExpired(now);
  return purged;
}

export function createRetention(deps: RetentionDeps, options: RetentionOptions): Retention {
  let timer: Timer | undefined;
  let closed = false;
  const purge = (): Promise<number> => purgeFinished(deps, options.retentionMs);
  const schedule = (): void => {
    if (closed) return;
    timer = deps.clock.setTimer(options.purgeIntervalMs, () => {
      purge().catch((error: unknown) => deps.log.error({ err: error }, 'purge failed')).finally(schedule);
    });
  };
  return {
    purge,
    async start() {
      await purge();
      schedule();
    },
    close() {
      closed = true;
      timer?.cancel();
    },
  };
}
