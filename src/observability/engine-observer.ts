// Feeds metrics and webhooks from the engine's observer hooks, and logs each job's outcome once.
import type { EngineObserver } from '../engine/deps.js';
import type { JobRecord } from '../engine/job.js';
import { sizeClassOf } from '../routing/router.js';
import type { Metrics } from './metrics.js';

export function createEngineObserver(deps: {
  metrics?: Metrics;
  webhooks?: { jobFinished(job: JobRecord): void };
  log: { info(obj: object, msg?: string): void };
}): EngineObserver {
  const { metrics, webhooks, log } = deps;
  return {
    attemptEnded(job, attempt, durationMs) {
      if (!metrics) return;
      const labels = {
        deployment: attempt.deploymentId,
        sizeClass: sizeClassOf(typeof job.request.fields.size === 'string' ? job.request.fields.size : undefined),
        quality: typeof job.request.fields.quality === 'string' ? job.request.fields.quality : 'auto',
      };
      metrics.attempt({ ...labels, outcome: attempt.outcome ?? 'unknown' });
      if (attempt.outcome === 'succeeded') metrics.generationDuration(labels, durationMs / 1000);
    },
    jobFinished(job) {
      const code = job.error ? String((job.error.body.error as { code?: unknown } | undefined)?.code ?? job.error.kind) : '';
      metrics?.request({ model: job.request.model, endpoint: job.request.endpoint, outcome: job.status, code });
      log.info({
        jobId: job.id, status: job.status, model: job.request.model, attempts: job.attempts.length,
        upstreamIds: job.attempts.map((a) => ({ deployment: a.deploymentId, ...a.upstreamIds })), error: code || undefined,
      }, 'job finished');
      webhooks?.jobFinished(job);
    },
  };
}
