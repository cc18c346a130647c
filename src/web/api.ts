// The page's only way to the gateway: documented endpoints on the same origin, the session cookie
// sent by the browser, and the session's CSRF token on every state-changing call.
let csrfToken: string | null = null;

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null) {
    super(message);
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  try {
    const body = await res.json() as { error?: { message?: string; code?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // not JSON
  }
  return new ApiError(res.status, message, code);
}

export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method === 'GET' ? {} : csrfHeaders()), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return await res.json() as T;
}

export async function rawPost(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', ...csrfHeaders(), ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return res;
}

export interface Attempt {
  attempt: number; deployment: string; mode: string; started_at: number; ended_at: number | null;
  outcome: string | null; status: number | null; upstream_request_ids: Record<string, string>;
}

export interface JobItem {
  id: string; status: string; created_at: number; updated_at: number; endpoint: string; model: string;
  attempts: Attempt[]; error: { error?: { message?: string; code?: string } } | null;
  prompt: string | null; key_name: string | null; size: string | null; quality: string | null; output_format: string | null;
}

export interface DeploymentRow {
  deployment: string; size_class: string; region: string | null; provider: string; requests: number; successes: number;
  success_rate: number | null; p50_ms: number | null; p95_ms: number | null; ttfb_p50_ms: number | null;
  errors: Record<string, number>; status_408: number; status_429: number; circuit: string;
  budget: { remaining: number | null; limit: number | null; window_ms: number; resets_in_ms: number };
  queue_depth: number; billed_lost: number;
}

export interface HistoryPoint { at: number; deployment: string; size_class: string; success_rate: number | null; p50_ms: number | null; p95_ms: number | null }
