// The image endpoints' shared handler (OpenAI and Azure forms): read, validate with
// the deployment model's rules, submit a job, then answer as the client asked: an SSE stream,
// the JSON body, or 202 with the job's URL (Prefer: respond-async).
import { createHash } from 'node:crypto';
import { traceOf } from '../request-tracing.js';
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { createError } from '../../errors.js';
import type { JobRecord, JobRequest } from '../../engine/job.js';
import { checkImageRequest, modelFamily, readStreamOptions } from '../../wire/image-rules.js';
import type { ImageEndpoint } from '../../wire/openai-images.js';
import { headerText } from '../header-text.js';
import type { HttpDeps, HttpOptions, ModelRoute } from '../deps.js';
import { parseJsonRequest, parseMultipartRequest, type ParsedImageRequest } from '../intake.js';
import { replyJobError } from '../error-reply.js';
import { relayOpenAIStream } from '../openai-stream.js';
import { resultJsonBody } from '../result-body.js';
import { jobResourceOf } from './job-resource.js';
import { callerHook, callerOf } from '../caller.js';

export interface ImageCall {
  endpoint: ImageEndpoint;
  /** The model route named in the path (Azure form); otherwise the body's `model`. */
  pathModel?: string;
}

/**
 * Route options of an image endpoint: the caller (admin or client key) is checked on the headers,
 * before a byte of the body is read (http/caller.ts's hook), and the JSON body is bounded by what the endpoint can
 * legitimately need.
 */
export function imageRouteOptions(deps: HttpDeps, options: HttpOptions, endpoint: ImageEndpoint): RouteShorthandOptions {
  return {
    bodyLimit: endpoint === 'edits' ? options.limits.editJsonBodyBytes : options.limits.jsonBodyBytes,
    onRequest: callerHook(deps, { admin: 'session' }),
  };
}

function routeFor(deps: HttpDeps, options: HttpOptions, name: unknown): ModelRoute {
  const routeName = typeof name === 'string' && name !== '' ? name : options.defaultModel;
  const route = deps.models.get(routeName);
  if (!route) {
    throw createError('model_not_found', [routeName, [...deps.models.keys()]], { param: 'model' });
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
  if (violation) throw createError(violation.code, [violation.message], { param: violation.param });
}

function deadlineOf(request: FastifyRequest, maxMs: number): number | undefined {
  const text = headerText(request, 'holdfast-deadline-ms');
  if (text === undefined) return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw createError('invalid_value', ['Holdfast-Deadline-Ms must be a positive integer of milliseconds.'], { param: 'Holdfast-Deadline-Ms' });
  if (ms > maxMs) throw createError('invalid_value', [`Holdfast-Deadline-Ms must be at most ${maxMs} (jobs.max_deadline_ms).`], { param: 'Holdfast-Deadline-Ms' });
  return ms;
}

/** Any model, also ones without rules: a prompt longer than the limit is refused before it travels further. */
function checkPromptLength(fields: Record<string, unknown>, maxChars: number): void {
  const prompt = fields.prompt;
  if (typeof prompt === 'string' && prompt.length > maxChars) {
    throw createError('invalid_value', [`Invalid 'prompt': string too long. Expected a string with maximum length ${maxChars}, but got a string with length ${prompt.length} instead.`], { param: 'prompt' });
  }
}

/** The same Idempotency-Key and body on another endpoint or model path is another request. */
function scopedHash(call: ImageCall, parsed: ParsedImageRequest): string {
  return createHash('sha256').update(JSON.stringify([call.endpoint, call.pathModel ?? null, parsed.requestHash])).digest('hex');
}

async function webhookOf(deps: HttpDeps, request: FastifyRequest): Promise<string | undefined> {
  const url = headerText(request, 'holdfast-webhook-url');
  if (url === undefined) return undefined;
  if (!deps.checkWebhookUrl) throw createError('invalid_value', ['Webhooks are not configured on this gateway (webhooks.secret).'], { param: 'Holdfast-Webhook-Url' });
  const verdict = await deps.checkWebhookUrl(url);
  if (!verdict.ok) throw createError('invalid_value', [`Holdfast-Webhook-Url refused: ${verdict.reason}`], { param: 'Holdfast-Webhook-Url' });
  return url;
}

export async function handleImageRequest(
  deps: HttpDeps, options: HttpOptions, call: ImageCall, request: FastifyRequest, reply: FastifyReply,
): Promise<FastifyReply | void> {
  const caller = callerOf(request);
  const principal = request.clientPrincipal;
  const deadlineMs = deadlineOf(request, options.limits.maxDeadlineMs);
  const webhookUrl = await webhookOf(deps, request);
  const id = deps.engine.allocateId();
  let submitted: Awaited<ReturnType<HttpDeps['engine']['submit']>>;
  let stream: boolean;
  let admitted = false;
  // Until the job exists, its uploads (and its key's limit slot) belong to nobody: any refusal frees them.
  try {
    const parsed = request.isMultipart()
      ? await parseMultipartRequest(request, deps.blobs, id, options.uploads)
      : parseJsonRequest(request.body);
    checkPromptLength(parsed.fields, options.limits.maxPromptChars);
    const route = routeFor(deps, options, call.pathModel ?? parsed.fields.model);
    validate(route, parsed, call.endpoint);
    const streamOptions = readStreamOptions(parsed.fields);
    stream = streamOptions.stream;
    const jobRequest: JobRequest = { endpoint: call.endpoint, model: route.name, fields: parsed.fields, files: parsed.files, stream, partialImages: streamOptions.partialImages };
    await deps.limits?.admit(principal, { model: route.name, jobId: id, deadlineMs, job: jobRequest });
    admitted = true;
    submitted = await deps.engine.submit({
      id, request: jobRequest, ownerKeyHash: caller.owner, keyName: caller.keyName, deadlineMs, webhookUrl,
      idempotencyKey: headerText(request, 'idempotency-key'), requestHash: scopedHash(call, parsed),
      traceparent: traceOf(request)?.traceparent,
    });
  } catch (error) {
    if (admitted) await deps.limits?.release(principal, id);
    await deps.engine.discardBlobs(id).catch(() => undefined);
    throw error;
  }
  const { job, attached } = submitted;
  traceOf(request)?.setJob(job.id);
  if (attached) {
    // The slot admitted for this request did not become a new job: give it back.
    await deps.limits?.release(principal, id);
    await deps.engine.discardBlobs(id);
  }
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
    if (event.type === 'job.completed') return reply.code(200).type('application/json; charset=utf-8').send(await resultJsonBody(deps.blobs, event, deps.engine.heldImages(event)));
    if (event.type === 'job.failed') return replyJobError(reply, event.error);
    if (event.type === 'job.cancelled') throw createError('job_cancelled', [job.id]);
  }
  // Either the client went away (the job goes on and waits for it at /v1/images/jobs/{id}), or
  // holdfast is shutting down before the job ended: it resumes on restart, under the same id.
  if (!gone.signal.aborted) {
    throw createError('shutting_down', [{ id: job.id }], { retryAfterMs: 5000 });
  }
}
