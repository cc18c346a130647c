// Creating image jobs, in the three ways holdfast answers: 202 with the job (`Prefer: respond-async`),
// the OpenAI JSON body when done, or the OpenAI SSE stream. Holdfast's request headers are options here.
import type { JobResource } from '../wire/jobs.js';
import type { ImagesResponse } from '../wire/openai-images.js';
import { readSseFrames } from './sse-reader.js';
import { headerText, send, type Transport } from './transport.js';

/** The body of `POST /v1/images/generations`, as OpenAI documents it; extra fields pass through. */
export interface ImageGenerationRequest {
  prompt: string;
  model?: string;
  size?: string;
  quality?: string;
  n?: number;
  output_format?: 'png' | 'jpeg' | 'webp';
  partial_images?: number;
  stream?: boolean;
  [field: string]: unknown;
}

export interface SubmitOptions {
  /** Same key and same body within the retention window: the same job, never a second generation. */
  idempotencyKey?: string;
  /** `Holdfast-Deadline-Ms`: give up after this long (gateway milliseconds). */
  deadlineMs?: number;
  /** `Holdfast-Webhook-Url`: a signed POST when the job ends. */
  webhookUrl?: string;
  signal?: AbortSignal;
}

function holdfastHeaders(options: SubmitOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.deadlineMs !== undefined) headers['holdfast-deadline-ms'] = String(options.deadlineMs);
  if (options.webhookUrl) headers['holdfast-webhook-url'] = options.webhookUrl;
  return headers;
}

/**
 * Creates a job and returns at once (`Prefer: respond-async` → 202 and the job resource).
 *
 * @example
 * ```ts
 * const job = await client.submitJob({ model: 'gpt-image-2', prompt: 'a red apple', size: '2048x2048' },
 *   { idempotencyKey: 'apple-1' });
 * console.log(job.id, job.status); // job_…, queued
 * ```
 */
export async function submitJob(transport: Transport, body: ImageGenerationRequest, options: SubmitOptions = {}): Promise<JobResource> {
  const res = await send(transport, '/v1/images/generations', {
    method: 'POST', json: body, signal: options.signal,
    headers: { prefer: 'respond-async', ...holdfastHeaders(options) },
  });
  return (await res.body.json()) as JobResource;
}

/**
 * Generates and waits for the OpenAI JSON body (`stream` forced off); `jobId` names the job holdfast made.
 *
 * @example
 * ```ts
 * const { response, jobId } = await client.generateImage({ prompt: 'a red apple', size: '1024x1024' });
 * const png = Buffer.from(response.data[0].b64_json ?? '', 'base64');
 * ```
 */
export async function generateImage(
  transport: Transport, body: ImageGenerationRequest, options: SubmitOptions = {},
): Promise<{ response: ImagesResponse; jobId?: string }> {
  const res = await send(transport, '/v1/images/generations', {
    method: 'POST', json: { ...body, stream: false }, signal: options.signal, headers: holdfastHeaders(options),
  });
  return { response: (await res.body.json()) as ImagesResponse, jobId: headerText(res, 'holdfast-job-id') };
}

/**
 * Generates with an OpenAI SSE stream (`stream` forced on) and yields its events as parsed JSON
 * (`image_generation.partial_image`, `image_generation.completed`, or `error`).
 *
 * @example
 * ```ts
 * for await (const e of client.streamImage({ prompt: 'a red apple', partial_images: 2 })) {
 *   if (e.event === 'image_generation.completed') save(e.data);
 * }
 * ```
 */
export async function* streamImage(
  transport: Transport, body: ImageGenerationRequest, options: SubmitOptions = {},
): AsyncGenerator<{ event: string; data: Record<string, unknown> }> {
  const res = await send(transport, '/v1/images/generations', {
    method: 'POST', json: { ...body, stream: true }, signal: options.signal,
    headers: { accept: 'text/event-stream', ...holdfastHeaders(options) },
  });
  try {
    for await (const frame of readSseFrames(res.body)) {
      const data: unknown = JSON.parse(frame.data);
      if (typeof data === 'object' && data !== null) yield { event: frame.event ?? 'message', data: data as Record<string, unknown> };
    }
  } finally {
    res.body.destroy();
  }
}
