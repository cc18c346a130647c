// The two ways a call to holdfast fails: the gateway answered with an error (HoldfastApiError, in
// OpenAI's error shape), or it could not be reached / the connection kept dropping (HoldfastConnectionError).

/**
 * The gateway answered with a non-2xx status; `code`, `type` and `param` come from its
 * `{"error":{message,type,param,code}}` body.
 *
 * @example
 * ```ts
 * try { await client.getJob('job_missing'); }
 * catch (e) { if (e instanceof HoldfastApiError && e.status === 404) console.log(e.code); }
 * ```
 */
export class HoldfastApiError extends Error {
  override readonly name = 'HoldfastApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly details: { code: string | null; type: string | null; param: string | null; requestId?: string; body: unknown },
  ) {
    super(message);
  }

  get code(): string | null {
    return this.details.code;
  }

  /** Worth trying again: 408, 429 and 5xx. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/**
 * The gateway could not be reached, or a stream kept dropping more often than allowed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof HoldfastConnectionError) console.error(`gateway unreachable: ${e.message}`); }
 * ```
 */
export class HoldfastConnectionError extends Error {
  override readonly name = 'HoldfastConnectionError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function field(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}

/** Builds the error from a status and the body text (OpenAI shape, Azure shape, or anything else). */
export function toApiError(status: number, text: string, requestId?: string): HoldfastApiError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const inner = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).error : undefined;
  const message = field(inner, 'message') ?? (text.trim().slice(0, 200) || `HTTP ${status}`);
  return new HoldfastApiError(status, message, {
    code: field(inner, 'code'), type: field(inner, 'type'), param: field(inner, 'param'), requestId, body,
  });
}
