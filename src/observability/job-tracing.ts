// Turns a job's events into spans: one per job run (child of the request that made the job, through
// its stored traceparent) and one per upstream attempt, whose context travels upstream as
// `traceparent`. Everything comes from the engine's observer hooks; the engine knows no OpenTelemetry.
import type { EngineObserver } from '../engine/deps.js';
import type { JobEventBody, JobRecord } from '../engine/job.js';
import type { AttemptTrace, JobTrace, Tracing } from './tracing.js';

interface OpenJob {
  trace: JobTrace;
  attempts: Map<number, AttemptTrace>;
}

function idAttributes(ids: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(ids)) if (value) out[`holdfast.upstream.${name.replaceAll('-', '_')}`] = value;
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function createJobTracing(tracing: Tracing, regions: ReadonlyMap<string, string | null>): EngineObserver {
  const open = new Map<string, OpenJob>();
  const onEvent = (job: JobRecord, run: OpenJob, body: JobEventBody): void => {
    switch (body.type) {
      case 'attempt.started':
        run.attempts.set(body.attempt, run.trace.attempt({
          deployment: body.deploymentId, region: regions.get(body.deploymentId) ?? undefined, mode: body.mode,
          size: text(job.request.fields.size), quality: text(job.request.fields.quality), number: body.attempt,
        }));
        return;
      case 'image.partial': {
        const index = body.payload.partial_image_index;
        run.attempts.get(body.attempt)?.partial(typeof index === 'number' ? index : -1);
        return;
      }
      case 'attempt.failed':
        run.attempts.get(body.attempt)?.end(body.kind, {
          ...idAttributes(body.upstreamIds), ...(body.status !== undefined ? { 'http.response.status_code': body.status } : {}),
          ...(body.retryInMs !== undefined ? { 'holdfast.retry_delay_ms': body.retryInMs } : {}),
        });
        run.attempts.delete(body.attempt);
        if (body.retryInMs !== undefined) run.trace.backoff(body.retryInMs, body.kind);
        return;
      case 'attempt.succeeded':
        run.attempts.get(body.attempt)?.end('succeeded', idAttributes(body.upstreamIds));
        run.attempts.delete(body.attempt);
        return;
      case 'job.completed':
      case 'job.failed':
      case 'job.cancelled':
        close(job, body.type.slice('job.'.length));
        return;
      default:
        return;
    }
  };
  const close = (job: JobRecord, status: string): void => {
    const run = open.get(job.id);
    if (!run) return;
    for (const attempt of run.attempts.values()) attempt.end(status === 'cancelled' ? 'cancelled' : 'interrupted', {});
    run.trace.end(status);
    open.delete(job.id);
  };
  return {
    jobStarted(job) {
      open.set(job.id, {
        trace: tracing.startJob(job.id, job.traceparent, { 'holdfast.model': job.request.model, 'holdfast.endpoint': job.request.endpoint }),
        attempts: new Map(),
      });
    },
    eventAppended(job, body) {
      const run = open.get(job.id);
      if (run) onEvent(job, run, body);
    },
    upstreamHeaders: (job, attempt) => open.get(job.id)?.attempts.get(attempt)?.headers,
    // Still open when the runner ends: holdfast is stopping, and the job resumes (a new run span) later.
    runnerEnded: (job) => close(job, 'interrupted'),
  };
}

/** Calls every observer's hooks in order; upstreamHeaders merges what they return. */
export function composeObservers(...observers: Array<EngineObserver | undefined>): EngineObserver {
  const list = observers.filter((o): o is EngineObserver => o !== undefined);
  if (list.length === 1) return list[0]!;
  return {
    attemptEnded: (...a) => { for (const o of list) o.attemptEnded?.(...a); },
    jobStarted: (...a) => { for (const o of list) o.jobStarted?.(...a); },
    runnerEnded: (...a) => { for (const o of list) o.runnerEnded?.(...a); },
    jobFinished: (...a) => { for (const o of list) o.jobFinished?.(...a); },
    async jobEnding(...a) { for (const o of list) await o.jobEnding?.(...a); },
    firstEvent: (...a) => { for (const o of list) o.firstEvent?.(...a); },
    eventAppended: (...a) => { for (const o of list) o.eventAppended?.(...a); },
    upstreamHeaders(...a) {
      const merged = Object.assign({}, ...list.map((o) => o.upstreamHeaders?.(...a) ?? {})) as Record<string, string>;
      return Object.keys(merged).length > 0 ? merged : undefined;
    },
  };
}
