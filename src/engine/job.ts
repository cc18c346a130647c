// Job, its event log entries and the pure state machine transition(state, event) (style guide §4).
// The engine knows nothing of HTTP; a connection is a view that subscribes to these events.
import type { ImageEndpoint, ImagesResponse } from '../wire/openai-images.js';

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

export type FailureKind =
  | 'connect' | 'idle_timeout' | 'rate_limited' | 'server_error' | 'stream_error'
  | 'bad_request' | 'auth' | 'not_found' | 'content_policy' | 'deadline' | 'cancelled' | 'no_capacity';

/** Upstream request ids worth quoting to support (x-request-id, apim-request-id, x-ms-region). */
export type UpstreamIds = Record<string, string>;

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
}

export interface JobRecord {
  id: string;
  /** Hash of the client key that created it (jobs are scoped to their creator); '' when auth is off. */
  ownerKeyHash: string;
  /** The name of the key that created it, when the key has one ('admin' for the dashboard). */
  keyName?: string;
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
}

export interface WebhookDeliveryRecord {
  webhookId: string;
  attempt: number;
  at: number;
  status?: number;
  error?: string;
  durationMs?: number;
}

const terminal: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(status: JobStatus): boolean {
  return terminal.has(status);
}

/** Legal moves of the job state machine, by event type. */
const moves: Record<JobEventType, { from: readonly JobStatus[]; to: JobStatus | 'same' }> = {
  'job.queued': { from: ['queued', 'running'], to: 'queued' },
  'attempt.started': { from: ['queued', 'running'], to: 'running' },
  'image.partial': { from: ['running'], to: 'same' },
  'attempt.failed': { from: ['running'], to: 'running' },
  'attempt.succeeded': { from: ['running'], to: 'running' },
  'job.completed': { from: ['queued', 'running'], to: 'succeeded' },
  'job.failed': { from: ['queued', 'running'], to: 'failed' },
  'job.cancelled': { from: ['queued', 'running'], to: 'cancelled' },
};

/** Pure: the status after `event`, or an Error value when the move is illegal. */
export function transition(status: JobStatus, event: JobEventType): JobStatus | Error {
  const move = moves[event];
  if (!move.from.includes(status)) return new Error(`illegal move: ${event} while ${status}`);
  return move.to === 'same' ? status : move.to;
}
