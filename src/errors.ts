// The catalogue of holdfast's own error codes (docs/errors.md has a row per code) and GatewayError.
// Only http/error-reply.ts turns these into HTTP; codes are snake_case and never change once shipped.

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'rate_limit_error' | 'server_error' | 'not_found_error';

interface ErrorSpec {
  status: number;
  type: ErrorType;
}

export const errorCatalogue = {
  invalid_value: { status: 400, type: 'invalid_request_error' },
  invalid_type: { status: 400, type: 'invalid_request_error' },
  unknown_parameter: { status: 400, type: 'invalid_request_error' },
  missing_required_parameter: { status: 400, type: 'invalid_request_error' },
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_upload: { status: 400, type: 'invalid_request_error' },
  upload_too_large: { status: 413, type: 'invalid_request_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  invalid_admin_key: { status: 401, type: 'authentication_error' },
  admin_required: { status: 403, type: 'permission_error' },
  csrf_failed: { status: 403, type: 'permission_error' },
  too_many_sign_ins: { status: 429, type: 'rate_limit_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  job_not_found: { status: 404, type: 'not_found_error' },
  route_not_found: { status: 404, type: 'invalid_request_error' },
  idempotency_key_reused: { status: 422, type: 'invalid_request_error' },
  queue_full: { status: 429, type: 'rate_limit_error' },
  deadline_exceeded: { status: 504, type: 'server_error' },
  upstream_failed: { status: 502, type: 'server_error' },
  no_deployment_available: { status: 503, type: 'server_error' },
  job_cancelled: { status: 499, type: 'invalid_request_error' },
  shutting_down: { status: 503, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  /** Milliseconds after which a retry could succeed (sets retry-after headers). */
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: { param?: string | null; retryAfterMs?: number; cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.type = errorCatalogue[code].type;
    this.param = options.param ?? null;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
