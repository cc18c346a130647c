// The contract between the engine and one upstream deployment. An adapter makes exactly one HTTP
// call per send(): it never retries. Expected failures are values (UpstreamFailure), not throws.
import type { Readable } from 'node:stream';
import type { UpstreamFailureKind, UpstreamIds } from './failure.js';
import type { ImageEndpoint, ImagesResponse } from '../wire/openai-images.js';

export type UpstreamMode = 'stream' | 'non_stream';

export interface UpstreamFile {
  field: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** Opens the bytes afresh for every attempt. */
  open(): Promise<Readable>;
}

export interface UpstreamRequest {
  endpoint: ImageEndpoint;
  /** Body fields to send as they are (the engine has set model, stream and partial_images). */
  fields: Record<string, unknown>;
  files: UpstreamFile[];
  mode: UpstreamMode;
  /** Abort the call when no byte arrives for this long (the path's known idle limit plus margin). */
  idleTimeoutMs?: number;
  /** Headers for this call only (W3C trace context); never credentials, which the adapter adds. */
  headers?: Readonly<Record<string, string>>;
}

/** Rate-limit facts read from the upstream's headers (x-ratelimit-*, retry-after). */
export interface RateLimitInfo {
  limitRequests?: number;
  remainingRequests?: number;
  resetRequestsMs?: number;
}

export interface UpstreamFailure {
  kind: UpstreamFailureKind;
  status?: number;
  message: string;
  /** The upstream's error body, passed through to the client where it must be (content policy, 400). */
  body?: Record<string, unknown>;
  retryAfterMs?: number;
  /** Partial images already received in this attempt before it failed. */
  partialsReceived: number;
  /** The connection died under the call (reset, or cut by a front on the path) rather than an answer. */
  connectionLost?: boolean;
}

export type UpstreamResult =
  | { ok: true; response: ImagesResponse; completedEvent?: Record<string, unknown>; upstreamIds: UpstreamIds; rateLimit?: RateLimitInfo }
  | { ok: false; failure: UpstreamFailure; upstreamIds: UpstreamIds; rateLimit?: RateLimitInfo };

export interface UpstreamHandlers {
  /** Called once response headers arrive (status and ids), before any event. */
  onResponse?(status: number, upstreamIds: UpstreamIds): void;
  /** Each `*.partial_image` event's payload, as received. */
  onPartial?(payload: Record<string, unknown>): void;
}

export interface UpstreamAdapter {
  readonly deploymentId: string;
  send(request: UpstreamRequest, handlers: UpstreamHandlers, signal: AbortSignal): Promise<UpstreamResult>;
}
