// Sends a job's webhook when it finishes and records every try on the job (`webhook_deliveries`).
// Glue between the engine's observer and the webhook sender; undefined when webhooks are off.
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { HoldfastConfig } from '../config/schema.js';
import type { JobRecord } from '../engine/job.js';
import type { JobStore } from '../store/job-store.js';
import { toJobResource } from '../wire/jobs.js';
import { createWebhookSender, type WebhookLog } from './webhook-sender.js';
import { checkWebhookUrl } from './webhook-url.js';

export interface WebhookDispatch {
  check(url: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  jobFinished(job: JobRecord): void;
  /** Aborts deliveries in flight and waits for them. */
  close(): Promise<void>;
}

export function createWebhookDispatch(
  deps: { clock: Clock; random: Random; log: WebhookLog; jobs: JobStore }, config: HoldfastConfig,
): WebhookDispatch | undefined {
  const settings = config.webhooks;
  if (!settings.secret) return undefined;
  const options = {
    secret: settings.secret.reveal(), allowPrivateAddresses: settings.allow_private_addresses, maxAttempts: settings.max_attempts,
    baseDelayMs: settings.base_delay_ms, maxDelayMs: settings.max_delay_ms, timeoutMs: settings.timeout_ms,
  };
  const sender = createWebhookSender({ clock: deps.clock, random: deps.random, log: deps.log }, options);
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let writes: Promise<void> = Promise.resolve();
  const record = (jobId: string, webhookId: string, delivery: { attempt: number; at: number; status?: number; error?: string; durationMs: number }): void => {
    writes = writes.then(async () => {
      const job = await deps.jobs.get(jobId);
      if (!job) return;
      job.webhookDeliveries = [...(job.webhookDeliveries ?? []), { webhookId, ...delivery }];
      await deps.jobs.save(job);
    }).catch((error: unknown) => deps.log.warn({ err: String(error), jobId }, 'could not record a webhook delivery'));
  };
  return {
    check: (url) => checkWebhookUrl(url, { allowPrivateAddresses: settings.allow_private_addresses }),
    jobFinished(job) {
      if (!job.webhookUrl || (job.status !== 'succeeded' && job.status !== 'failed')) return;
      const webhookId = `msg_${job.id.replace(/^job_/, '')}`;
      const type = job.status === 'succeeded' ? 'image.job.succeeded' : 'image.job.failed';
      const payload = toJobResource(job, job.result ?? null);
      const delivery = sender.deliver({ webhookId, url: job.webhookUrl, type, payload }, controller.signal, (d) => record(job.id, webhookId, d))
        .catch((error: unknown) => deps.log.warn({ err: String(error), jobId: job.id }, 'webhook delivery stopped'));
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    },
    async close() {
      controller.abort('shutdown');
      await Promise.allSettled([...inFlight]);
      await writes;
    },
  };
}
