// StoreUnavailableError: the shared store (Redis) cannot serve right now; waiting and retrying helps.
// Stores throw it instead of hanging; the HTTP layer maps it to 503 with retry-after (issue 10).

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  /** How long a caller should wait before trying again. */
  readonly retryAfterMs: number;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StoreUnavailableError';
    this.retryAfterMs = options.retryAfterMs ?? 1000;
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
