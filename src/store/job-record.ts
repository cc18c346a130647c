// The shapes a job is stored as: the record, its events and what they carry. The store owns them
// (as undici's cache store owns its value type), so every backend and the engine share one
// definition and no store imports engine/. engine/job.ts re-exports them with the state machine.
import type { ImageEndpoint, ImagesResponse } from '../wire/openai-images.js';
import type { UpstreamFailureKind, UpstreamIds } from '../upstream/failure.js';
import type { TokenUsage } from '../wire/usage.js';

export type { UpstreamIds };

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** An uploaded file of an edit, spooled to the blob store so that a retry can send it again. */
export interface UploadRef {
  /** Multipart field name as the client sent it: `image`, `image[]` or `mask`. */
  field: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  blobKey: string;
}

/** What the client asked for, validated once at the edge and then trusted. */
export interface JobRequest {
  endpoint: ImageEndpoint;
  /** The model route name the client used (a key of config `models`), or an upstream model name. */
  model: string;
  /** The body fields as sent (JSON body, or the text fields of a multipart edit). */
  fields: Record<string, unknown>;
  files: UploadRef[];
  /** Did the client ask for an SSE stream, and how many partial images. */
  stream: boolean;
  partialImages: number;
}

/**
 * Why a job or one of its attempts failed: an upstream call's kinds, plus the engine's own
 * (the job's deadline passed, the client cancelled, routing found no capacity in time).
 */
export type FailureKind = UpstreamFailureKind | 'deadline' | 'cancelled' | 'no_capacity';

/** The error a client finally sees, in the shape to send (the upstream's own body where it passes through). */
export interface JobError {
  status: number;
  body: Record<string, unknown>;
  kind: FailureKind;
  /** Upstream attempts spent before giving up. */
  attempts?: number;
  /** When a retry by the client could succeed (sets retry-after). */
  retryAfterMs?: number;
}

export type JobEventBody =
  | { type: 'job.queued' }
  | { type: 'attempt.started'; attempt: number; deploymentId: string; mode: 'stream' | 'non_stream' }
  | { type: 'image.partial'; attempt: number; deploymentId: string; forward: boolean; payload: Record<string, unknown> }
  | { type: 'attempt.failed'; attempt: number; deploymentId: string; kind: FailureKind; status?: number; message: string; retryInMs?: number; upstreamIds: UpstreamIds }
  | { type: 'attempt.succeeded'; attempt: number; deploymentId: string; upstreamIds: UpstreamIds }
  /**
   * response: the OpenAI answer; with `images`, its base64 lives in those blobs (by index) and not
   * here. completedEvent: the upstream's completed SSE payload without `b64_json`.
   */
  | { type: 'job.completed'; response: ImagesResponse; images?: Array<ImageRef | null>; completedEvent?: Record<string, unknown> }
  | { type: 'job.failed'; error: JobError; attempts: number }
  | { type: 'job.cancelled' };

export type JobEventType = JobEventBody['type'];

/** Where a finished job's image bytes are kept. */
export interface ImageRef {
  blobKey: string;
}

export type JobEvent = JobEventBody & { seq: number; at: number };

export interface AttemptRecord {
  attempt: number;
  deploymentId: string;
  mode: 'stream' | 'non_stream';
  startedAt: number;
  endedAt?: number;
  outcome?: 'succeeded' | FailureKind;
  status?: number;
  upstreamIds: UpstreamIds;
  /** Tokens the upstream billed for it: its `usage`, or an estimate when a billed attempt failed. */
  usage?: TokenUsage;
  /** usage at the price table; null when the deployment's model has no price. */
  costUsd?: number | null;
  /** Billed (the upstream had started generating) but delivered nothing. */
  lost?: boolean;
  /** Images it delivered. */
  images?: number;
}

export interface JobRecord {
  id: string;
  /** Hash of the client key that created it (jobs are scoped to their creator); '' when auth is off. */
  ownerKeyHash: string;
  status: JobStatus;
  createdAt: number;
  updatedAt: number;
  deadlineAt: number;
  request: JobRequest;
  attempts: AttemptRecord[];
  idempotencyKey?: string;
  webhookUrl?: string;
  /** The webhook of this job has not reached a final outcome yet (kept across restarts). */
  webhookPending?: boolean;
  /** Present once succeeded: the OpenAI response (b64 data kept here, images also in the blob store). */
  result?: ImagesResponse;
  error?: JobError;
  /** Webhook tries, recorded as they happen. */
  webhookDeliveries?: WebhookDeliveryRecord[];
  /** W3C traceparent of the request that made the job (tracing on): a resumed job continues its trace. */
  traceparent?: string;
}

export interface WebhookDeliveryRecord {
  webhookId: string;
  attempt: number;
  at: number;
  status?: number;
  error?: string;
  durationMs?: number;
}
