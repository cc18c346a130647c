// createHoldfastClient: the SDK's entry point, binding the calls to one gateway (base URL, key,
// optional undici dispatcher and a sleep for reconnection back-off).
import type { Dispatcher } from 'undici';
import type { JobResource } from '../wire/jobs.js';
import type { ImagesResponse } from '../wire/openai-images.js';
import { SystemClock } from '../time/clock.js';
import { followJobEvents, type FollowOptions } from './follow.js';
import { fetchJobImage, getJob } from './images.js';
import { cancelJob, deploymentHealth, listJobs, type DeploymentHealthRow, type JobListQuery } from './jobs.js';
import type { JobStreamEvent } from './job-events.js';
import { generateImage, streamImage, submitJob, type ImageGenerationRequest, type SubmitOptions } from './submit.js';
import type { Transport } from './transport.js';

export interface HoldfastClientOptions {
  /** The gateway's root, e.g. `http://127.0.0.1:8080` (no `/v1`). */
  baseUrl: string;
  /** A client key from holdfast's `auth.keys`; omit when the gateway has none. */
  apiKey?: string;
  dispatcher?: Dispatcher;
  /** Waits between reconnections (default: real time). Tests pass a virtual one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HoldfastClient {
  readonly baseUrl: string;
  submitJob(body: ImageGenerationRequest, options?: SubmitOptions): Promise<JobResource>;
  generateImage(body: ImageGenerationRequest, options?: SubmitOptions): Promise<{ response: ImagesResponse; jobId?: string }>;
  streamImage(body: ImageGenerationRequest, options?: SubmitOptions): AsyncGenerator<{ event: string; data: Record<string, unknown> }>;
  followJobEvents(jobId: string, options?: FollowOptions): AsyncGenerator<JobStreamEvent>;
  getJob(jobId: string, signal?: AbortSignal): Promise<JobResource>;
  fetchJobImage(jobId: string, index: number, signal?: AbortSignal): Promise<{ bytes: Buffer; contentType: string }>;
  listJobs(query?: JobListQuery, signal?: AbortSignal): Promise<{ data: JobResource[] }>;
  cancelJob(jobId: string, signal?: AbortSignal): Promise<JobResource>;
  deploymentHealth(signal?: AbortSignal): Promise<DeploymentHealthRow[]>;
}

/**
 * A client for one holdfast gateway's image and jobs APIs.
 *
 * @example
 * ```ts
 * import { createHoldfastClient } from 'holdfast/sdk';
 * const client = createHoldfastClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.HOLDFAST_KEY });
 * const job = await client.submitJob({ model: 'gpt-image-2', prompt: 'a red apple', size: '2048x2048', quality: 'high' });
 * for await (const e of client.followJobEvents(job.id)) if (e.type === 'job.completed') break;
 * const { bytes } = await client.fetchJobImage(job.id, 0);
 * ```
 */
export function createHoldfastClient(options: HoldfastClientOptions): HoldfastClient {
  const transport: Transport = { baseUrl: options.baseUrl, apiKey: options.apiKey, dispatcher: options.dispatcher };
  const clock = new SystemClock();
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => clock.sleep(ms, signal));
  return {
    baseUrl: options.baseUrl,
    submitJob: (body, o) => submitJob(transport, body, o),
    generateImage: (body, o) => generateImage(transport, body, o),
    streamImage: (body, o) => streamImage(transport, body, o),
    followJobEvents: (jobId, o) => followJobEvents({ transport, sleep }, jobId, o),
    getJob: (jobId, signal) => getJob(transport, jobId, signal),
    fetchJobImage: (jobId, index, signal) => fetchJobImage(transport, jobId, index, signal),
    listJobs: (query, signal) => listJobs(transport, query, signal),
    cancelJob: (jobId, signal) => cancelJob(transport, jobId, signal),
    deploymentHealth: (signal) => deploymentHealth(transport, signal),
  };
}
