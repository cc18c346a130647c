// The jobs API: read a job, follow or resume its events, fetch its images, cancel it.
// Jobs are scoped to the client key that created them: another key gets 404.
import { traceOf } from '../request-tracing.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createError } from '../../errors.js';
import type { JobEvent, JobRecord } from '../../engine/job.js';
import { encodeJsonFrame } from '../../wire/sse.js';
import { headerText } from '../header-text.js';
import type { HttpDeps, HttpOptions } from '../deps.js';
import { openSseReply, relayEvents } from '../sse-relay.js';
import { relayOpenAIStream } from '../openai-stream.js';
import { clientKeyHook } from '../auth.js';
import { jobResourceOf } from './job-resource.js';

type JobParams = { Params: { id: string }; Querystring: { last_event_id?: string; after?: string } };

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

async function ownJob(deps: HttpDeps, request: FastifyRequest<{ Params: { id: string } }>): Promise<JobRecord> {
  const job = await deps.engine.get(request.params.id, request.clientOwner);
  if (!job) throw createError('job_not_found', [request.params.id], { param: 'id' });
  return job;
}

function nonNegativeInt(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw createError('invalid_value', [`${param} must be a non-negative integer.`], { param });
  return n;
}

export function registerJobRoutes(app: FastifyInstance, deps: HttpDeps, options: HttpOptions): void {
  const onRequest = clientKeyHook(deps.auth);
  app.get<JobParams>('/v1/images/jobs/:id', { onRequest }, async (request, reply) => {
    const job = await ownJob(deps, request);
    return reply.header('holdfast-job-id', job.id).send(await jobResourceOf(deps, job));
  });

  app.delete<JobParams>('/v1/images/jobs/:id', { onRequest }, async (request, reply) => {
    const job = await ownJob(deps, request);
    const after = (await deps.engine.cancel(job.id, job.ownerKeyHash)) ?? job;
    return reply.header('holdfast-job-id', job.id).send(await jobResourceOf(deps, after));
  });

  app.get<JobParams & { Params: { id: string; index: string } }>('/v1/images/jobs/:id/images/:index', { onRequest }, async (request, reply) => {
    const job = await ownJob(deps, request);
    const index = nonNegativeInt(request.params.index, 'index') ?? 0;
    const format = job.result?.output_format ?? 'png';
    const stream = await deps.engine.openImage(job, index);
    if (!stream) throw createError('job_not_found', [job.id, { index, status: job.status }], { param: 'index' });
    return reply.header('holdfast-job-id', job.id).type(IMAGE_TYPES[format] ?? 'application/octet-stream').send(stream);
  });

  app.get<JobParams>('/v1/images/jobs/:id/events', { onRequest }, async (request, reply) => streamEvents(deps, options, request, reply));
}

async function streamEvents(deps: HttpDeps, options: HttpOptions, request: FastifyRequest<JobParams>, reply: FastifyReply): Promise<void> {
  const job = await ownJob(deps, request);
  const lastEventId = nonNegativeInt(headerText(request, 'last-event-id') ?? request.query.last_event_id, 'Last-Event-ID');
  const afterFrames = nonNegativeInt(request.query.after, 'after');
  // Resuming an OpenAI-format stream: the same frames, without id: lines, minus the N received.
  if (afterFrames !== undefined) return relayOpenAIStream(deps, options, job, reply, afterFrames);
  const { res, signal } = openSseReply(reply, { 'holdfast-job-id': job.id, 'x-request-id': request.id });
  await relayEvents(deps.clock, res, deps.engine.subscribe(job.id, lastEventId ?? 0, signal), {
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    toFrames: (event) => [encodeJsonFrame(event.type, publicEvent(event, job.id), String(event.seq))],
    onHeartbeat: () => {
      deps.observer?.heartbeat?.();
      traceOf(request)?.heartbeat();
    },
  });
}

/** A job event as clients see it: a completed event names its images' URLs, not where they are stored. */
function publicEvent(event: JobEvent, jobId: string): object {
  if (event.type !== 'job.completed') return event;
  const { images: _stored, ...rest } = event;
  return { ...rest, image_urls: event.response.data.map((_item, index) => `/v1/images/jobs/${jobId}/images/${index}`) };
}
