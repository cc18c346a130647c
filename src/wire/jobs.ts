// The job resource of holdfast's jobs API (`object: "image.job"`), built from a job record.
import { addUsage, ZERO_USAGE, type TokenUsage } from './usage.js';

/** Billed tokens as clients see them: OpenAI's usage shape, plus whether holdfast estimated them. */
export interface WireUsage {
  input_tokens: number;
  input_tokens_details: { text_tokens: number; image_tokens: number };
  output_tokens: number;
  output_tokens_details: { image_tokens: number; text_tokens: number };
  total_tokens: number;
  estimated: boolean;
}

export function toWireUsage(u: TokenUsage): WireUsage {
  const input = u.text_input_tokens + u.image_input_tokens;
  const output = u.image_output_tokens + u.text_output_tokens;
  return {
    input_tokens: input, input_tokens_details: { text_tokens: u.text_input_tokens, image_tokens: u.image_input_tokens },
    output_tokens: output, output_tokens_details: { image_tokens: u.image_output_tokens, text_tokens: u.text_output_tokens },
    total_tokens: input + output, estimated: u.estimated,
  };
}

const roundUsd = (usd: number): number => Math.round(usd * 1_000_000) / 1_000_000;
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
    usage: WireUsage | null; cost_usd: number | null; lost: boolean;
  }>;
  /** Tokens billed over every attempt (lost ones included), and what they cost. */
  usage: WireUsage | null;
  cost_usd: number | null;
  lost_cost_usd: number;
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
  attempts: Array<{
    attempt: number; deploymentId: string; mode: string; startedAt: number; endedAt?: number; outcome?: string; status?: number;
    upstreamIds: Record<string, string>; usage?: TokenUsage; costUsd?: number | null; lost?: boolean;
  }>;
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
      usage: a.usage ? toWireUsage(a.usage) : null, cost_usd: a.costUsd ?? null, lost: a.lost === true,
    })),
    ...jobCost(job.attempts),
    result: result ?? null,
    error: job.error?.body ?? null,
    ...(job.webhookDeliveries !== undefined ? {
      webhook_deliveries: job.webhookDeliveries.map((d) => ({
        webhook_id: d.webhookId, attempt: d.attempt, at: seconds(d.at), status: d.status ?? null, error: d.error ?? null, duration_ms: d.durationMs ?? null,
      })),
    } : {}),
  };
}

/** A job's usage and cost: the sum over its billed attempts; cost null when one had no price. */
function jobCost(attempts: JobLike['attempts']): Pick<JobResource, 'usage' | 'cost_usd' | 'lost_cost_usd'> {
  const billed = attempts.filter((a) => a.usage !== undefined);
  if (billed.length === 0) return { usage: null, cost_usd: null, lost_cost_usd: 0 };
  const usage = billed.reduce((sum, a) => addUsage(sum, a.usage ?? ZERO_USAGE), { ...ZERO_USAGE });
  const priced = billed.every((a) => typeof a.costUsd === 'number');
  const cost = billed.reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
  const lost = billed.filter((a) => a.lost).reduce((sum, a) => sum + (a.costUsd ?? 0), 0);
  return { usage: toWireUsage(usage), cost_usd: priced ? roundUsd(cost) : null, lost_cost_usd: roundUsd(lost) };
}
