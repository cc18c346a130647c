// The job resource of holdfast's jobs API (`object: "image.job"`), built from a job record.
export interface JobResource {
  id: string;
  object: 'image.job';
  status: string;
  created_at: number;
  updated_at: number;
  /** Unix seconds after which the gateway gives the job up (504 deadline_exceeded). */
  deadline_at: number;
  endpoint: string;
  model: string;
  attempts: Array<{
    attempt: number; deployment: string; mode: string; started_at: number; ended_at: number | null;
    outcome: string | null; status: number | null; upstream_request_ids: Record<string, string>;
  }>;
  result: unknown;
  error: unknown;
  webhook_deliveries?: Array<{ webhook_id: string; attempt: number; at: number; status: number | null; error: string | null; duration_ms: number | null }>;
}

export interface JobLike {
  id: string;
  status: string;
  createdAt: number;
  updatedAt: number;
  deadlineAt: number;
  request: { endpoint: string; model: string };
  attempts: Array<{ attempt: number; deploymentId: string; mode: string; startedAt: number; endedAt?: number; outcome?: string; status?: number; upstreamIds: Record<string, string> }>;
  error?: { body: unknown };
  webhookDeliveries?: Array<{ webhookId: string; attempt: number; at: number; status?: number; error?: string; durationMs?: number }>;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export function toJobResource(job: JobLike, result: unknown): JobResource {
  return {
    id: job.id,
    object: 'image.job',
    status: job.status,
    created_at: seconds(job.createdAt),
    updated_at: seconds(job.updatedAt),
    deadline_at: seconds(job.deadlineAt),
    endpoint: job.request.endpoint,
    model: job.request.model,
    attempts: job.attempts.map((a) => ({
      attempt: a.attempt, deployment: a.deploymentId, mode: a.mode, started_at: seconds(a.startedAt),
      ended_at: a.endedAt === undefined ? null : seconds(a.endedAt), outcome: a.outcome ?? null,
      status: a.status ?? null, upstream_request_ids: a.upstreamIds,
    })),
    result: result ?? null,
    error: job.error?.body ?? null,
    ...(job.webhookDeliveries !== undefined ? {
      webhook_deliveries: job.webhookDeliveries.map((d) => ({
        webhook_id: d.webhookId, attempt: d.attempt, at: seconds(d.at), status: d.status ?? null, error: d.error ?? null, duration_ms: d.durationMs ?? null,
      })),
    } : {}),
  };
}
