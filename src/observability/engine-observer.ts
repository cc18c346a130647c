// Feeds metrics and webhooks from the engine's observer hooks, and logs each job's outcome once.
// Queue, budget, circuit and 429 metrics come from the router; heartbeats from the HTTP layer.
import type { EngineObserver } from '../engine/deps.js';
import type { AttemptRecord, JobRecord } from '../engine/job.js';
import { routeClassOf } from '../routing/router.js';
import type { AttemptLabels, Metrics } from './metrics.js';

function requestLabels(job: JobRecord): Omit<AttemptLabels, 'deployment'> {
  return routeClassOf(job.request.fields);
}

function attemptLabels(job: JobRecord, attempt: AttemptRecord): AttemptLabels {
  return { deployment: attempt.deploymentId, ...requestLabels(job) };
}

/** The error code a client saw: the catalogue or upstream code, else the failure kind. */
function errorCode(job: JobRecord): string {
  if (!job.error) return '';
  const inner = job.error.body.error;
  const code = typeof inner === 'object' && inner !== null ? (inner as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== '' ? code : job.error.kind;
}

export function createEngineObserver(deps: {
  metrics?: Metrics;
  webhooks?: { jobFinished(job: JobRecord): void };
  log: { info(obj: object, msg?: string): void };
}): EngineObserver {
  const { metrics, webhooks, log } = deps;
  return {
    attemptEnded(job, attempt, durationMs) {
      if (!metrics) return;
      const labels = attemptLabels(job, attempt);
      metrics.attempt({ ...labels, outcome: attempt.outcome ?? 'unknown' });
      if (attempt.outcome === 'succeeded') metrics.generationDuration(labels, durationMs / 1000);
    },
    firstEvent(job, attempt, elapsedMs) {
      metrics?.timeToFirstEvent(attemptLabels(job, attempt), elapsedMs / 1000);
    },
    jobStarted() {
      metrics?.jobStarted();
    },
    runnerEnded() {
      metrics?.jobFinished();
    },
    jobFinished(job) {
      const code = errorCode(job);
      metrics?.request({
        model: job.request.model, endpoint: job.request.endpoint, outcome: job.status, code,
        deployment: job.attempts.at(-1)?.deploymentId ?? '', ...requestLabels(job),
      });
      log.info({
        jobId: job.id, status: job.status, model: job.request.model, attempts: job.attempts.length,
        upstreamIds: job.attempts.map((a) => ({ deployment: a.deploymentId, ...a.upstreamIds })), error: code || undefined,
      }, 'job finished');
      webhooks?.jobFinished(job);
    },
  };
}
