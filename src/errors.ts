// The one catalogue of holdfast's own errors, in the manner of fastify's lib/errors.js: per code its
// status, type and message template (docs/errors.md has a row per code, checked by errors.test.ts).
// Every error body holdfast writes comes from here; only http/error-reply.ts turns them into HTTP.
// Codes are snake_case and never change once shipped.

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error' | 'not_found_error'
  | 'insufficient_quota' | 'requests' | 'permission_error';

/** `{"error":{message,type,param,code}}`, the OpenAI error shape. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

interface ErrorSpec<A extends unknown[]> {
  status: number;
  type: ErrorType;
  message: (...args: A) => string;
}

function spec<A extends unknown[]>(status: number, type: ErrorType, message: (...args: A) => string): ErrorSpec<A> {
  return { status, type, message };
}

/**
 * The message as composed where the rule lives (wire/image-rules.ts keeps OpenAI's own wording for
 * field validation; the router words why it has no capacity): fastify's `'%s'`.
 */
const detail = (text: string): string => text;

type JsonProblem = 'not_an_object' | 'media_type' | { parseError: string } | { detail: string };

export const errorCatalogue = {
  invalid_value: spec(400, 'invalid_request_error', detail),
  invalid_type: spec(400, 'invalid_request_error', detail),
  unknown_parameter: spec(400, 'invalid_request_error', detail),
  missing_required_parameter: spec(400, 'invalid_request_error', detail),
  invalid_json: spec(400, 'invalid_request_error', (problem: JsonProblem) =>
    problem === 'not_an_object' ? 'The request body must be a JSON object.'
      : problem === 'media_type' ? 'Send JSON (application/json) or, for edits, multipart/form-data.'
        : 'detail' in problem ? problem.detail : `The request body is not valid JSON: ${problem.parseError}`),
  invalid_upload: spec(400, 'invalid_request_error', detail),
  upload_too_large: spec(413, 'invalid_request_error', detail),
  request_timeout: spec(408, 'invalid_request_error', detail),
  invalid_api_key: spec(401, 'authentication_error', () =>
    'Incorrect API key provided. Send it as `Authorization: Bearer …` or `api-key: …`.'),
  // known null: the route exists but the client key may not use it (OpenAI's wording, no list).
  model_not_found: spec(404, 'invalid_request_error', (model: string, known: readonly string[] | null) =>
    known === null ? `The model '${model}' does not exist or you do not have access to it.`
      : `The model '${model}' does not exist on this gateway. Known models: ${known.map((k) => `'${k}'`).join(', ')}.`),
  job_not_found: spec(404, 'not_found_error', (jobId: string, image?: { index: number; status: string }) =>
    image === undefined ? `No job '${jobId}'.`
      : `Job '${jobId}' has no image ${image.index}${image.status === 'succeeded' ? '' : ` (status: ${image.status})`}.`),
  route_not_found: spec(404, 'invalid_request_error', (method: string, path: string) => `No route ${method} ${path}.`),
  idempotency_key_reused: spec(422, 'invalid_request_error', (key: string) =>
    `Idempotency-Key '${key}' was already used with a different request body.`),
  queue_full: spec(429, 'rate_limit_error', detail),
  deadline_exceeded: spec(504, 'server_error', (why?: string) => why ?? 'The job missed its deadline.'),
  upstream_failed: spec(502, 'server_error', (refusal: 'auth' | 'not_found', status: number | undefined, upstreamMessage: string) =>
    `The upstream ${refusal === 'auth' ? "refused holdfast's upstream key" : 'does not know the configured deployment'} (HTTP ${status ?? '?'}): ${upstreamMessage}`),
  upstream_invalid_response: spec(502, 'server_error', detail),
  no_deployment_available: spec(503, 'server_error', detail),
  job_cancelled: spec(499, 'invalid_request_error', (jobId?: string) =>
    jobId === undefined ? 'The job was cancelled.' : `Job ${jobId} was cancelled.`),
  shutting_down: spec(503, 'server_error', (job?: { id: string; resumeAfterFrames?: number }) => {
    if (job === undefined) return 'holdfast is shutting down; retry on another replica.';
    const where = job.resumeAfterFrames === undefined
      ? `Fetch it with GET /v1/images/jobs/${job.id}.`
      : `Resume with GET /v1/images/jobs/${job.id}/events?after=${job.resumeAfterFrames}.`;
    return `holdfast is restarting; job ${job.id} goes on. ${where}`;
  }),
  // The message shows only an id to quote; the details go to the log (style guide §5).
  internal_error: spec(500, 'server_error', (ref: { requestId: string } | { jobId: string }) =>
    'requestId' in ref ? `Internal error; quote request id ${ref.requestId}.` : `Internal error in job ${ref.jobId}.`),
  // Managed client keys (issue 13): OpenAI's own codes and types for a spent quota and a rate limit.
  insufficient_quota: spec(429, 'insufficient_quota', detail),
  rate_limit_exceeded: spec(429, 'requests', detail),
  invalid_admin_key: spec(401, 'authentication_error', () =>
    'This route needs an admin key (admin.keys) as `Authorization: Bearer …`.'),
  admin_disabled: spec(403, 'permission_error', () => 'The admin API is off: set admin.keys in holdfast.yaml.'),
  key_not_found: spec(404, 'not_found_error', (id: string) => `No client key '${id}'.`),
};

export type ErrorCode = keyof typeof errorCatalogue;
export type MessageArgs<C extends ErrorCode> = Parameters<(typeof errorCatalogue)[C]['message']>;

export interface ErrorOptions {
  /** The field at fault, as a path such as `size` or `images[0].image_url`. */
  param?: string | null;
  /** Milliseconds after which a retry could succeed (sets retry-after headers). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly retryAfterMs?: number;

  /** Use createError: it fills the message from the catalogue's template. */
  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.type = errorCatalogue[code].type;
    this.param = options.param ?? null;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function messageOf<C extends ErrorCode>(code: C, args: MessageArgs<C>): string {
  const template = errorCatalogue[code].message as (...a: MessageArgs<C>) => string;
  return template(...args);
}

/** The catalogue's error for `code`, its message filled from `args`. */
export function createError<C extends ErrorCode>(code: C, args: MessageArgs<C>, options: ErrorOptions = {}): GatewayError {
  return new GatewayError(code, messageOf(code, args), options);
}

/** The body of a catalogue error, for errors that are stored or streamed rather than thrown. */
export function errorBody<C extends ErrorCode>(code: C, args: MessageArgs<C>, param: string | null = null): ErrorBody {
  return { error: { message: messageOf(code, args), type: errorCatalogue[code].type, param, code } };
}

export function bodyOf(error: GatewayError): ErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
