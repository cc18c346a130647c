// Applies a managed key's limits around its jobs: admit before the job exists (budget, model, rpm,
// concurrency: before any upstream call), and give the concurrency slot back when the job ends.
// A key with a budget reserves the job's estimated cost with its slot: concurrent requests see
// each other's cost at once, and the reservation is dropped (the real cost having been charged
// attempt by attempt) when the slot is released at the job's end.
// Static keys and anonymous callers have no limits here.
import type { Clock } from '../time/clock.js';
import type { EngineObserver } from '../engine/deps.js';
import type { JobRequest } from '../engine/job.js';
import type { KeyLimits } from '../http/deps.js';
import type { ClientKeys } from './client-keys.js';

export interface KeyLimitsWithRelease extends KeyLimits {
  /** Wraps an observer so that a job frees its key's concurrency slot just before it ends. */
  releasingOnFinish(observer: EngineObserver): EngineObserver;
}

export interface KeyLimitsDeps {
  keys: ClientKeys;
  clock: Clock;
  log: { error(obj: object, msg?: string): void };
  /** The USD a job's request reserves against its key's budget until the job ends (cost/billing.ts). */
  reservationUsd(request: JobRequest): number;
}

export function createKeyLimits(deps: KeyLimitsDeps, options: { defaultDeadlineMs: number }): KeyLimitsWithRelease {
  const { keys, clock, log } = deps;
  return {
    async admit(principal, request) {
      if (!principal.managed) return;
      await keys.admit(principal.managed, {
        model: request.model, slotId: request.jobId, slotExpiresAt: clock.now() + (request.deadlineMs ?? options.defaultDeadlineMs),
        reserveUsd: principal.managed.budgetUsd === null ? 0 : deps.reservationUsd(request.job),
      });
    },
    async release(principal, jobId) {
      if (principal.managed) await keys.release(principal.managed.id, jobId);
    },
    releasingOnFinish(observer) {
      return {
        ...observer,
        async jobEnding(job) {
          // Managed keys own their jobs under their id (http/auth.ts); other scopes hold no slot.
          if (job.ownerKeyHash.startsWith('key_')) {
            await keys.release(job.ownerKeyHash, job.id).catch((error: unknown) => log.error({ jobId: job.id, err: error }, 'releasing the key slot failed'));
          }
          await observer.jobEnding?.(job);
        },
      };
    },
  };
}
