// Reading a job back: its resource (`GET /v1/images/jobs/{id}`) and its image bytes
// (`GET /v1/images/jobs/{id}/images/{index}`), with holdfast's content type.
import type { JobResource } from '../wire/jobs.js';
import { headerText, send, type Transport } from './transport.js';

/**
 * The job resource: status, attempts (deployment, outcome, upstream request ids), result or error.
 *
 * @example
 * ```ts
 * const job = await client.getJob('job_3f9a…');
 * console.log(job.status, job.attempts.map((a) => a.deployment));
 * ```
 */
export async function getJob(transport: Transport, jobId: string, signal?: AbortSignal): Promise<JobResource> {
  const res = await send(transport, `/v1/images/jobs/${encodeURIComponent(jobId)}`, { signal });
  return (await res.body.json()) as JobResource;
}

/**
 * Downloads image `index` of a succeeded job.
 *
 * @example
 * ```ts
 * const { bytes, contentType } = await client.fetchJobImage(job.id, 0);
 * await writeFile('apple.png', bytes); // contentType: image/png
 * ```
 */
export async function fetchJobImage(
  transport: Transport, jobId: string, index: number, signal?: AbortSignal,
): Promise<{ bytes: Buffer; contentType: string }> {
  const res = await send(transport, `/v1/images/jobs/${encodeURIComponent(jobId)}/images/${index}`, { signal });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { bytes, contentType: headerText(res, 'content-type') ?? 'application/octet-stream' };
}
