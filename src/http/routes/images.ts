// The image endpoints' shared handler (OpenAI and Azure forms): authenticate, read, validate with
// the deployment model's rules, submit a job, then answer as the client asked: an SSE stream,
// the JSON body, or 202 with the job's URL (Prefer: respond-async).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { JobRecord, JobRequest } from '../../engine/job.js';
import { checkImageRequest, modelFamily, readStreamOptions } from '../../wire/image-rules.js';
import type { ImageEndpoint } from '../../wire/openai-images.js';
import type { HttpDeps, HttpOptions, ModelRoute } from '../deps.js';
import { parseJsonRequest, parseMultipartRequest, type ParsedImageRequest } from '../intake.js';
import { replyJobError } from '../error-reply.js';
import { relayOpenAIStream } from '../openai-stream.js';
import { loadResultImages } from '../../engine/result-images.js';
import { jobResourceOf } from './job-resource.js';
import { callerOf } from '../caller.js';

export interface ImageCall {
  endpoint: ImageEndpoint;
  /** The model route named in the path (Azure form); otherwise the body's `model`. */
  pathModel?: string;
}

/** The owner new jobs of this caller are recorded under (a client key's hash, or the admin's). */
export function authenticate(deps: HttpDeps, request: FastifyRequest): string {
  return callerOf(deps, request).owner;
}

function routeFor(deps: HttpDeps, options: HttpOptions, name: unknown): ModelRoute {
  const routeName = typeof name === 'string' && name !== '' ? name : options.defaultModel;
  const route = deps.models.get(routeName);
  if (!route) {
    const known = [...deps.models.keys()].map((k) => `'${k}'`).join(', ');
    throw new GatewayError('model_not_found', `The model '${routeName}' does not exist on this gateway. Known models: ${known}.`, { param: 'model' });
  }
  return route;
}

/** Validates with the rules of the route's upstream model; unknown models pass unvalidated. */
function validate(route: ModelRoute, parsed: ParsedImageRequest, endpoint: ImageEndpoint): void {
  const first = route.deployments[0];
  const family = first ? modelFamily(first.model) : undefined;
  if (!family) return;
  const provider = route.deployments.every((d) => d.provider === 'azure') ? 'azure' : 'openai';
  const violation = checkImageRequest(family, parsed.fields, { endpoint, provider });
  if (violation) throw new GatewayError(violation.code, violation.message, { param: violation.param });
}

function headerText(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function deadlineOf(request: FastifyRequest): number | undefined {
  const text = headerText(request, 'holdfast-deadline-ms');
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new GatewayError('invalid_value', 'Holdfast-Deadline-Ms must be a positive integer of milliseconds.', { param: 'Holdfast-Deadline-Ms' });
  return ms;
}

async function webhookOf(deps: HttpDeps, request: FastifyRequest): Promise<string | undefined> {
  const url = headerText(request, 'holdfast-webhook-url');
  if (url === undefined) return undefined;
  if (!deps.checkWebhookUrl) throw new GatewayError('invalid_value', 'Webhooks are not configured on this gateway (webhooks.secret).', { param: 'Holdfast-Webhook-Url' });
  const verdict = await deps.checkWebhookUrl(url);
  if (!verdict.ok) throw new GatewayError('invalid_value', `Holdfast-Webhook-Url refused: ${verdict.reason}`, { param: 'Holdfast-Webhook-Url' });
  return url;
}

export async function handleImageRequest(
  deps: HttpDeps, options: HttpOptions, call: ImageCall, request: FastifyRequest, reply: FastifyReply,
): Promise<FastifyReply | void> {
  const caller = callerOf(deps, request);
  const deadlineMs = deadlineOf(request);
  const webhookUrl = await webhookOf(deps, request);
  const id = deps.engine.allocateId();
  const parsed = request.isMultipart()
    ? await parseMultipartRequest(request, deps.blobs, id, options.uploads)
    : parseJsonRequest(request.body);
  const route = routeFor(deps, options, call.pathModel ?? parsed.fields.model);
  try {
    validate(route, parsed, call.endpoint);
  } catch (error) {
    await deps.blobs.deletePrefix(`jobs/${id}/`);
    throw error;
  }
  const { stream, partialImages } = readStreamOptions(parsed.fields);
  const jobRequest: JobRequest = { endpoint: call.endpoint, model: route.name, fields: parsed.fields, files: parsed.files, stream, partialImages };
  const { job, attached } = await deps.engine.submit({
    id, request: jobRequest, ownerKeyHash: caller.owner, keyName: caller.keyName, deadlineMs, webhookUrl,
    idempotencyKey: headerText(request, 'idempotency-key'), requestHash: parsed.requestHash,
  });
  if (attached) await deps.blobs.deletePrefix(`jobs/${id}/`);
  reply.header('holdfast-job-id', job.id);
  if (/respond-async/i.test(headerText(request, 'prefer') ?? '')) {
    return reply.code(202).header('location', `/v1/images/jobs/${job.id}`).header('preference-applied', 'respond-async')
      .send(await jobResourceOf(deps, job));
  }
  if (stream) return relayOpenAIStream(deps, options, job, reply);
  return answerWhenDone(deps, job, request, reply);
}

async function answerWhenDone(deps: HttpDeps, job: JobRecord, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const gone = new AbortController();
  request.raw.on('close', () => { if (!reply.sent) gone.abort(); });
  for await (const event of deps.engine.subscribe(job.id, 0, gone.signal)) {
    if (event.type === 'job.completed') return reply.code(200).send(await loadResultImages(deps.blobs, event.response, event.images));
    if (event.type === 'job.failed') return replyJobError(reply, event.error);
    if (event.type === 'job.cancelled') throw new GatewayError('job_cancelled', `Job ${job.id} was cancelled.`);
  }
  // Either the client went away (the job goes on and waits for it at /v1/images/jobs/{id}), or
  // holdfast is shutting down before the job ended: it resumes on restart, under the same id.
  if (!gone.signal.aborted) {
    throw new GatewayError('shutting_down', `holdfast is restarting; job ${job.id} goes on. Fetch it with GET /v1/images/jobs/${job.id}.`, { retryAfterMs: 5000 });
  }
}
