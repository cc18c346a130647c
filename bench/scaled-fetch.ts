// A fetch for the official openai SDK running on real timers against a simulator on a time scale:
// it rewrites the waits the SDK reads (retry-after-ms, retry-after) from simulated into real ms, and
// gives retryable answers without one the SDK's own default back-off (0.5 s x 2^n, at most 8 s,
// mean jitter) in simulated time, so that every wait the SDK makes is on the simulated clock.
type Fetch = typeof fetch;

const RETRYABLE = new Set([408, 409, 429]);

function sdkDefaultBackOffMs(retryCount: number): number {
  return Math.min(0.5 * 2 ** retryCount, 8) * 0.875 * 1000;
}

export function createScaledFetch(scale: number): Fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!RETRYABLE.has(response.status) && response.status < 500) return response;
    const headers = new Headers(response.headers);
    const retryCount = Number(new Headers(init?.headers).get('x-stainless-retry-count') ?? '0') || 0;
    const ms = Number(headers.get('retry-after-ms') ?? Number(headers.get('retry-after') ?? NaN) * 1000);
    const simulatedMs = Number.isFinite(ms) ? ms : sdkDefaultBackOffMs(retryCount);
    headers.set('retry-after-ms', String(Math.max(1, Math.round(simulatedMs * scale))));
    headers.delete('retry-after');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
