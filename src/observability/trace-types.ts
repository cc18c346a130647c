// The tracing ports that http/ and the engine observer use; observability/tracing.ts implements
// them with OpenTelemetry, so nothing else imports the SDK.
import type { Attributes } from '@opentelemetry/api';

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  /** Extra export headers (an auth token for the collector): values are secrets, never attributes. */
  headers: Record<string, string>;
  /** Fraction of new traces sampled (0 to 1); an incoming sampled `traceparent` is always followed. */
  sampleRatio: number;
  serviceName: string;
  serviceVersion?: string;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

/** One client request's span; the relay reports heartbeats, the route its outcome. */
export interface RequestTrace {
  /** W3C traceparent of this span, stored with the job so that its spans are children of it. */
  readonly traceparent: string;
  readonly traceId: string;
  readonly spanId: string;
  setJob(jobId: string): void;
  heartbeat(): void;
  end(statusCode: number): void;
}

/** The attributes of one attempt, as the engine knows them. */
export interface AttemptSpanFacts {
  deployment: string;
  region?: string;
  mode: string;
  size?: string;
  quality?: string;
  number: number;
}

export interface AttemptTrace {
  /** Headers that carry this attempt's context upstream (`traceparent`). */
  readonly headers: Record<string, string>;
  partial(index: number): void;
  end(outcome: string, attributes: Attributes): void;
}

export interface JobTrace {
  attempt(facts: AttemptSpanFacts): AttemptTrace;
  backoff(delayMs: number, reason: string): void;
  end(status: string): void;
}

export interface Tracing {
  startRequest(method: string, route: string, headers: HeaderBag): RequestTrace;
  /** A job run's span, child of the request that made the job (its stored traceparent). */
  startJob(jobId: string, parentTraceparent: string | undefined, attributes: Attributes): JobTrace;
  close(): Promise<void>;
}
