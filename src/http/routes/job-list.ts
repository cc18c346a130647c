// GET /v1/images/jobs: the caller's jobs newest first (the admin's: everyone's), paged with an
// `after` cursor and filtered by status, model, deployment, key name and a search (docs/jobs-api.md).
import type { FastifyInstance } from 'fastify';
import { createError } from '../../errors.js';
import type { JobRecord, JobStatus } from '../../engine/job.js';
import type { JobListQuery } from '../../store/job-store.js';
import { toJobResource, type JobResource } from '../../wire/jobs.js';
import type { HttpDeps } from '../deps.js';
import { callerHook, callerOf } from '../caller.js';

const STATUSES: ReadonlySet<string> = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

type ListQuery = { Querystring: Record<string, string | undefined> };

export type JobListItem = Omit<JobResource, 'result'> & {
  prompt: string | null; key_name: string | null; size: string | null; quality: string | null; output_format: string | null;
};

function text(value: string | undefined, param: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 1000) throw createError('invalid_value', [`${param} must be a string of at most 1000 characters.`], { param });
  return value;
}

function field(job: JobRecord, name: string): string | null {
  const v = job.request.fields[name];
  return typeof v === 'string' ? v : null;
}

/** One list entry: the job resource without its result (fetch GET /v1/images/jobs/{id} for that). */
export function jobListItem(job: JobRecord): JobListItem {
  const { result: _result, ...resource } = toJobResource(job, null);
  return { ...resource, prompt: field(job, 'prompt'), key_name: job.keyName ?? null, size: field(job, 'size'), quality: field(job, 'quality'), output_format: field(job, 'output_format') };
}

export function registerJobListRoute(app: FastifyInstance, deps: HttpDeps): void {
  app.get<ListQuery>('/v1/images/jobs', { onRequest: callerHook(deps) }, async (request) => {
    const caller = callerOf(request);
    const q = request.query;
    const limitText = text(q.limit, 'limit');
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw createError('invalid_value', [`limit must be an integer from 1 to ${MAX_LIMIT}.`], { param: 'limit' });
    const status = text(q.status, 'status');
    if (status !== undefined && !STATUSES.has(status)) throw createError('invalid_value', [`status must be one of ${[...STATUSES].join(', ')}.`], { param: 'status' });
    const query: JobListQuery = {
      limit: limit + 1,
      ...(caller.scope !== null ? { owner: caller.scope } : {}),
      status: status as JobStatus | undefined,
      model: text(q.model, 'model'),
      deployment: text(q.deployment, 'deployment'),
      keyName: text(q.key_name, 'key_name'),
      search: text(q.q, 'q'),
    };
    const after = text(q.after, 'after');
    if (after !== undefined) {
      const cursor = await deps.engine.get(after, caller.scope);
      if (!cursor) throw createError('job_not_found', [after], { param: 'after' });
      query.before = { createdAt: cursor.createdAt, id: cursor.id };
    }
    const jobs = await deps.engine.list(query);
    const data = jobs.slice(0, limit).map(jobListItem);
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: jobs.length > limit };
  });
}
