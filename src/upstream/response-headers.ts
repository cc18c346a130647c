// What an upstream's response headers tell: the request ids to quote to support, the rate-limit
// window (x-ratelimit-*, with OpenAI's Go-style durations) and retry-after. No I/O.
import type { RateLimitInfo } from './adapter.js';
import type { UpstreamIds } from './failure.js';

export type ResponseHeaders = Record<string, string | string[] | undefined>;
const ID_HEADERS = ['x-request-id', 'apim-request-id', 'x-ms-region', 'request-id'];

export function readIds(headers: ResponseHeaders): UpstreamIds {
  const ids: UpstreamIds = {};
  for (const name of ID_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string') ids[name] = v;
  }
  return ids;
}

export function readRateLimit(headers: ResponseHeaders): RateLimitInfo | undefined {
  const num = (name: string): number | undefined => {
    const v = Number(headers[name]);
    return headers[name] !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const reset = headers['x-ratelimit-reset-requests'];
  const info: RateLimitInfo = {
    limitRequests: num('x-ratelimit-limit-requests'),
    remainingRequests: num('x-ratelimit-remaining-requests'),
    resetRequestsMs: typeof reset === 'string' ? parseGoDurationMs(reset) : undefined,
  };
  return Object.values(info).some((v) => v !== undefined) ? info : undefined;
}

/** `6m0s`, `1s`, `12ms`, `1.5s` → milliseconds (OpenAI's x-ratelimit-reset-* format). */
export function parseGoDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const)[m[2] as 'h' | 'm' | 's' | 'ms'];
    matched += m[0];
  }
  if (matched === text && text.length > 0) return total;
  const seconds = Number(text);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** retry-after-ms (ms), else retry-after (seconds or an HTTP date); undefined when absent or bad. */
export function parseRetryAfterMs(headers: ResponseHeaders, nowMs: number): number | undefined {
  const first = (name: string): string | undefined => {
    const v = headers[name];
    const text = (Array.isArray(v) ? v[0] : v)?.trim();
    return text === '' ? undefined : text;
  };
  const ms = Number(first('retry-after-ms'));
  if (first('retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = first('retry-after');
  if (after === undefined) return undefined;
  // A numeric value is seconds or nothing: never read a number as a date.
  if (/^[-+.\d]+$/.test(after)) {
    const seconds = Number(after);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  }
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}
