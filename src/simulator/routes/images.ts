// The image routes in their three forms: OpenAI (/v1/images/*), Azure classic
// (/openai/deployments/{name}/images/*?api-version=…) and Azure v1 (/openai/v1/images/*).
// Admission order: deployment → key → api-version → rate limit → body rules → content policy → faults.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkImageRequest, modelFamily } from '../../wire/image-rules.js';
import type { ImageEndpoint } from '../../wire/openai-images.js';
import { randomHex, randomUuid, type DeploymentRuntime, type SimulatorContext } from '../context.js';
import {
  badRequest, contentPolicy, deploymentNotFound, invalidKey, missingApiVersion, rateLimited, serverError,
  type ApiShape, type ErrorReply,
} from '../error-bodies.js';
import { Exchange } from '../exchange.js';
import { drawFault } from '../faults.js';
import { runGeneration } from '../generation.js';
import { toGenerationRequest } from '../generation-request.js';
import { checkEditInputs, readImageBody, type ImageBody } from '../request-body.js';
import { rateLimitHeaders } from '../rate-limit.js';
import type { Outcome } from '../stats.js';
import { drawDurationMs, partialTimesMs } from '../timeline.js';

export type RouteForm = 'openai' | 'azure' | 'azure-v1';

interface Admitted {
  runtime: DeploymentRuntime;
  body: ImageBody;
  headers: Record<string, string>;
}

type Answer = (reply: ErrorReply, outcome: Outcome) => FastifyReply;

export function createImagesHandler(ctx: SimulatorContext, form: RouteForm) {
  return async function handleImages(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { endpoint, deployment: pathDeployment } = request.params as { endpoint: string; deployment?: string };
    const shape: ApiShape = form === 'openai' ? 'openai' : 'azure';
    const headers: Record<string, string> = { 'x-request-id': `req_${randomHex(ctx.random, 16)}` };
    const send = (r: ErrorReply): FastifyReply => reply.code(r.status).headers(headers).send(r.body);
    if (endpoint !== 'generations' && endpoint !== 'edits') {
      ctx.stats.unrouted();
      return send({ status: 404, body: { error: { message: `Invalid URL (POST ${request.url})`, type: 'invalid_request_error', param: null, code: null } } });
    }
    const body = await readImageBody(request);
    const name = pathDeployment ?? ('fields' in body ? modelName(ctx, form, body.fields.model) : undefined);
    const runtime = name === undefined ? undefined : findDeployment(ctx, form, name);
    if (!runtime) {
      ctx.stats.unrouted();
      return send('fields' in body ? deploymentNotFound(shape, name ?? '') : body);
    }
    ctx.stats.request(runtime.spec.name);
    const answer: Answer = (r, outcome) => {
      ctx.stats.outcome(runtime.spec.name, outcome, false);
      return send(r);
    };
    if (shape === 'azure') {
      headers['apim-request-id'] = randomUuid(ctx.random);
      headers['x-ms-region'] = runtime.spec.regionName;
      headers['x-ms-deployment-name'] = runtime.spec.name;
    }
    const admitted = admit(ctx, { request, form, endpoint, runtime, body, headers }, answer);
    if (!('runtime' in admitted)) return admitted;
    return start(ctx, { reply, endpoint, admitted }, answer);
  };
}

function modelName(ctx: SimulatorContext, form: RouteForm, model: unknown): string | undefined {
  if (typeof model === 'string' && model !== '') return model;
  // The OpenAI form without `model` goes to the scenario's first OpenAI-form deployment.
  if (form !== 'openai') return undefined;
  return [...ctx.deployments.values()].find((d) => d.spec.form === 'openai')?.spec.name;
}

function findDeployment(ctx: SimulatorContext, form: RouteForm, name: string): DeploymentRuntime | undefined {
  const wanted = form === 'openai' ? 'openai' : 'azure';
  const runtimes = [...ctx.deployments.values()].filter((d) => d.spec.form === wanted);
  return runtimes.find((d) => d.spec.name === name) ?? (form === 'openai' ? runtimes.find((d) => d.spec.model === name) : undefined);
}

function presentedKey(request: FastifyRequest, form: RouteForm): string {
  const apiKey = request.headers['api-key'];
  const bearer = /^Bearer\s+(.*)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() ?? '';
  if (form === 'openai') return bearer;
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey;
  return form === 'azure-v1' ? bearer : '';
}

interface AdmitInput {
  request: FastifyRequest;
  form: RouteForm;
  endpoint: ImageEndpoint;
  runtime: DeploymentRuntime;
  body: ImageBody | ErrorReply;
  headers: Record<string, string>;
}

function admit(ctx: SimulatorContext, input: AdmitInput, answer: Answer): Admitted | FastifyReply {
  const { request, form, endpoint, runtime, body, headers } = input;
  const { spec } = runtime;
  const shape: ApiShape = form === 'openai' ? 'openai' : 'azure';
  const key = presentedKey(request, form);
  if (key === '' || (spec.key !== undefined && key !== spec.key)) return answer(invalidKey(shape, key), 'auth');
  const query = request.query as Record<string, unknown>;
  if (form === 'azure' && (typeof query['api-version'] !== 'string' || query['api-version'] === '')) {
    return answer(missingApiVersion(), 'bad_request');
  }
  if (runtime.limiter) {
    const decision = runtime.limiter.take(ctx.clock.now());
    Object.assign(headers, rateLimitHeaders(decision));
    if (!decision.allowed) {
      return answer(rateLimited(shape, Math.ceil((decision.retryAfterMs ?? 0) / 1000), decision.limit), 'rate_limited');
    }
  }
  if (!('fields' in body)) return answer(body, 'bad_request');
  if (endpoint === 'edits') {
    const problem = checkEditInputs(body);
    if (problem) return answer(problem, 'bad_request');
  }
  const family = modelFamily(spec.model);
  const violation = family
    ? checkImageRequest(family, body.fields, { endpoint, provider: spec.form === 'azure' ? 'azure' : 'openai' })
    : typeof body.fields.prompt !== 'string' || body.fields.prompt === ''
      ? { message: "Missing required parameter: 'prompt'.", param: 'prompt', code: 'missing_required_parameter' }
      : undefined;
  if (violation) return answer(badRequest(violation.message, violation.param, violation.code), 'bad_request');
  if (runtime.contentPolicy?.test(String(body.fields.prompt))) {
    return answer(contentPolicy(shape, headers['x-request-id']), 'content_policy');
  }
  return { runtime, body, headers };
}

interface StartInput {
  reply: FastifyReply;
  endpoint: ImageEndpoint;
  admitted: Admitted;
}

function start(ctx: SimulatorContext, input: StartInput, answer: Answer): FastifyReply {
  const { reply, endpoint, admitted: { runtime, body, headers } } = input;
  const { spec } = runtime;
  const req = toGenerationRequest(endpoint, body.fields, body.images.length);
  const pixels = req.width * req.height;
  const fault = drawFault(runtime.faults, { pixels, isEdit: endpoint === 'edits' }, ctx.random);
  if (fault?.kind === 'http_503' || fault?.kind === 'http_500') {
    return answer(serverError(fault.kind === 'http_503' ? 503 : 500), fault.kind);
  }
  const durationMs = drawDurationMs({ pixels, quality: req.quality, n: req.n, latencyFactor: spec.latencyFactor }, ctx.random);
  const plan = { durationMs, partialTimesMs: partialTimesMs(req.partialImages, durationMs), fault };
  reply.hijack();
  ctx.stats.started(spec.name);
  const exchange = new Exchange({
    clock: ctx.clock,
    raw: reply.raw,
    headers,
    streaming: req.stream,
    front: { idleTimeoutMs: spec.idleTimeoutMs, streamIdleTimeoutMs: spec.streamIdleTimeoutMs, responseTimeoutMs: spec.responseTimeoutMs },
    onFinish: (outcome) => ctx.stats.outcome(spec.name, outcome, true),
  });
  runGeneration(exchange, req, plan, { clock: ctx.clock, renderer: ctx.renderer, seed: ctx.seed });
  return reply;
}
