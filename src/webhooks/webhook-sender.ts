// Sends one webhook event per Standard Webhooks: signed POSTs, retried with exponential backoff and
// full jitter (injected Clock and Random) until a 2xx or maxAttempts. Every try of one event
// carries the same webhook-id. Records each try; the secret never appears in records or logs.
import { Agent, request } from 'undici';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { pinnedLookup } from './pinned-lookup.js';
import { parseWebhookSecret, signWithKey } from './sign.js';
import { resolveWebhookTarget, type HostResolver } from './webhook-url.js';

export type WebhookEventType = 'image.job.succeeded' | 'image.job.failed';

export interface WebhookEvent {
  /** The `webhook-id` of every try of this event; receivers deduplicate on it. */
  webhookId: string;
  url: string;
  type: WebhookEventType;
  /** The `data` of the body (the job resource). */
  payload: object;
  /** Number of the first try (tries made before a restart count). Default 1. */
  firstAttempt?: number;
}

/** One try: the receiver's status, or why there was none. */
export interface Delivery {
  attempt: number;
  at: number;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface WebhookLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface WebhookSenderDeps {
  clock: Clock;
  random: Random;
  log?: WebhookLog;
  /** Host name resolution (tests inject names); defaults to dns.lookup with every address. */
  resolve?: HostResolver;
}

export interface WebhookSenderOptions {
  /** `whsec_<base64>`; without it the requests carry no webhook-signature. */
  secret: string | undefined;
  allowPrivateAddresses: boolean;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per try, from the request start to the end of the response head. */
  timeoutMs: number;
}

export interface WebhookSender {
  /** Resolves with every try once one succeeds, tries run out, the URL is refused or signal aborts. */
  deliver(event: WebhookEvent, signal?: AbortSignal, onDelivery?: (delivery: Delivery) => void): Promise<Delivery[]>;
}

interface TryOutcome {
  status?: number;
  error?: string;
  /** Stop trying: success, or a failure that another try cannot fix. */
  final: boolean;
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))). */
export function webhookBackoffMs(attempt: number, options: Pick<WebhookSenderOptions, 'baseDelayMs' | 'maxDelayMs'>, random: Random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random.next() * ceiling);
}

export function createWebhookSender(deps: WebhookSenderDeps, options: WebhookSenderOptions): WebhookSender {
  const parsed = options.secret === undefined ? undefined : parseWebhookSecret(options.secret);
  if (parsed instanceof Error) throw parsed;
  const key: Buffer | undefined = parsed;
  const { clock } = deps;

  async function tryOnce(event: WebhookEvent, body: string, signal: AbortSignal | undefined): Promise<TryOutcome> {
    const target = await resolveWebhookTarget(event.url, { allowPrivateAddresses: options.allowPrivateAddresses, resolve: deps.resolve });
    if (!target.ok) return { error: target.reason, final: !target.retryable };
    const timestampSec = Math.floor(clock.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'holdfast-webhooks',
      'webhook-id': event.webhookId,
      'webhook-timestamp': String(timestampSec),
    };
    if (key) headers['webhook-signature'] = signWithKey(key, { id: event.webhookId, timestampSec, body });
    const timeout = new AbortController();
    const timer = clock.setTimer(options.timeoutMs, () => timeout.abort());
    const agent = new Agent({ connect: { lookup: pinnedLookup(target.addresses) }, headersTimeout: 0, bodyTimeout: 0 });
    try {
      const both = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
      const response = await request(target.url, { method: 'POST', headers, body, dispatcher: agent, signal: both });
      timer.cancel();
      await response.body.dump();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { status: response.statusCode, final: ok };
    } catch (error) {
      if (timeout.signal.aborted) return { error: `no response within ${options.timeoutMs} ms`, final: false };
      if (signal?.aborted) return { error: 'cancelled', final: true };
      return { error: describe(error), final: false };
    } finally {
      timer.cancel();
      await agent.destroy();
    }
  }

  async function deliver(event: WebhookEvent, signal?: AbortSignal, onDelivery?: (d: Delivery) => void): Promise<Delivery[]> {
    const body = JSON.stringify({ type: event.type, timestamp: new Date(clock.now()).toISOString(), data: event.payload });
    const deliveries: Delivery[] = [];
    for (let attempt = event.firstAttempt ?? 1; attempt <= options.maxAttempts && !signal?.aborted; attempt += 1) {
      const at = clock.now();
      const outcome = await tryOnce(event, body, signal);
      const delivery: Delivery = { attempt, at, ...pick(outcome), durationMs: clock.now() - at };
      deliveries.push(delivery);
      if (!outcome.final) deps.log?.warn({ webhookId: event.webhookId, ...delivery }, 'webhook try failed');
      onDelivery?.(delivery);
      // No await between onDelivery and sleep: an observer that advances a ManualClock finds the timer set.
      if (outcome.final || attempt === options.maxAttempts) break;
      const slept = await clock.sleep(webhookBackoffMs(attempt, options, deps.random), signal).then(() => true, () => false);
      if (!slept) break;
    }
    return deliveries;
  }

  return { deliver };
}

function pick(outcome: TryOutcome): Pick<Delivery, 'status' | 'error'> {
  return outcome.status === undefined ? { error: outcome.error } : { status: outcome.status };
}

/** A short reason from a socket or HTTP error: its code where it has one (ECONNREFUSED, …). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const cause = error.cause instanceof Error ? describe(error.cause) : undefined;
  return code ?? cause ?? error.message;
}
