// The rest of the jobs API a client needs to pick jobs back up: list its jobs, cancel one, and read
// the gateway's health table (for an expected duration).
import type { JobResource } from '../wire/jobs.js';
import { send, type Transport } from './transport.js';

export interface JobListQuery {
  /** Only jobs with this status (queued, running, succeeded, failed, cancelled). */
  status?: string;
  limit?: number;
}

/** One row of `GET /v1/holdfast/deployments`, as far as a client reads it. */
export interface DeploymentHealthRow {
  deployment: string;
  size_class: string;
  requests: number;
  successes: number;
  success_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

/**
 * The caller's jobs, newest first (`GET /v1/images/jobs`).
 *
 * @example
 * ```ts
 * const { data } = await client.listJobs({ status: 'running', limit: 20 });
 * for (const job of data) console.log(job.id, job.status);
 * ```
 */
export async function listJobs(transport: Transport, query: JobListQuery = {}, signal?: AbortSignal): Promise<{ data: JobResource[] }> {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const qs = params.toString();
  const res = await send(transport, `/v1/images/jobs${qs ? `?${qs}` : ''}`, { signal });
  const body = (await res.body.json()) as { data?: unknown };
  return { data: Array.isArray(body.data) ? (body.data as JobResource[]) : [] };
}

/**
 * Cancels a job (`DELETE /v1/images/jobs/{id}`); the answer is the job after cancellation (a
 * finished job is returned unchanged).
 *
 * @example
 * ```ts
 * const job = await client.cancelJob('job_3f9a…'); // job.status === 'cancelled'
 * ```
 */
export async function cancelJob(transport: Transport, jobId: string, signal?: AbortSignal): Promise<JobResource> {
  const res = await send(transport, `/v1/images/jobs/${encodeURIComponent(jobId)}`, { method: 'DELETE', signal });
  return (await res.body.json()) as JobResource;
}

/**
 * The gateway's live health table: per deployment and size class, success rate and p50/p95.
 *
 * @example
 * ```ts
 * const rows = await client.deploymentHealth();
 * const p50 = rows.find((r) => r.deployment === 'sweden' && r.size_class === 'large')?.p50_ms;
 * ```
 */
export async function deploymentHealth(transport: Transport, signal?: AbortSignal): Promise<DeploymentHealthRow[]> {
  const res = await send(transport, '/v1/holdfast/deployments', { signal, idleTimeoutMs: 10_000 });
  const body = (await res.body.json()) as { data?: unknown };
  return Array.isArray(body.data) ? (body.data as DeploymentHealthRow[]) : [];
}
