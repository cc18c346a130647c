// Sends a job's webhook when it finishes, records every try on the job (`webhook_deliveries`), and
// keeps `webhookPending` on the job until the delivery ends, so that a restart resumes deliveries a
// crash or shutdown interrupted (resume()). Glue between the engine's observer and the sender;
// undefined when webhooks are off.
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { JobRecord } from '../engine/job.js';
import type { JobStore } from '../store/job-store.js';
import { toJobResource } from '../wire/jobs.js';
import { createWebhookSender, type Delivery, type WebhookLog, type WebhookSenderOptions } from './webhook-sender.js';
import { checkWebhookUrl } from './webhook-url.js';

export interface WebhookDispatch {
  check(url: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  jobFinished(job: JobRecord): void;
  /** Restarts deliveries that were pending when holdfast stopped; resolves once they are under way. */
  resume(): Promise<number>;
  /** Aborts deliveries in flight (they stay pending) and waits for them. */
  close(): Promise<void>;
}

const RESUME_BATCH = 1000;

export function createWebhookDispatch(
  deps: { clock: Clock; random: Random; log: WebhookLog; jobs: JobStore }, options: WebhookSenderOptions | undefined,
): WebhookDispatch | undefined {
  if (!options?.secret) return undefined;
  const sender = createWebhookSender({ clock: deps.clock, random: deps.random, log: deps.log }, options);
  const controller = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  let writes: Promise<void> = Promise.resolve();

  /** Serialised read-modify-write of a finished job (nothing else writes it any more). */
  const update = (jobId: string, change: (job: JobRecord) => void): Promise<void> => {
    writes = writes.then(async () => {
      const job = await deps.jobs.get(jobId);
      if (!job) return;
      change(job);
      await deps.jobs.save(job);
    }).catch((error: unknown) => deps.log.warn({ err: String(error), jobId }, 'could not record a webhook delivery'));
    return writes;
  };

  const start = (job: JobRecord): void => {
    if (!job.webhookUrl || (job.status !== 'succeeded' && job.status !== 'failed')) return;
    const webhookId = `msg_${job.id.replace(/^job_/, '')}`;
    const firstAttempt = (job.webhookDeliveries?.length ?? 0) + 1;
    const record = (d: Delivery): void => { void update(job.id, (j) => { j.webhookDeliveries = [...(j.webhookDeliveries ?? []), { webhookId, ...d }]; }); };
    const delivery = sender.deliver({
      webhookId, url: job.webhookUrl, type: job.status === 'succeeded' ? 'image.job.succeeded' : 'image.job.failed',
      payload: toJobResource(job, job.result ?? null), firstAttempt,
    }, controller.signal, record)
      // Delivered, refused or out of tries: final. Interrupted by a shutdown: still pending.
      .then(() => (controller.signal.aborted ? undefined : update(job.id, (j) => { j.webhookPending = false; })))
      .catch((error: unknown) => deps.log.warn({ err: String(error), jobId: job.id }, 'webhook delivery stopped'));
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  };

  return {
    check: (url) => checkWebhookUrl(url, { allowPrivateAddresses: options.allowPrivateAddresses }),
    jobFinished: start,
    async resume() {
      const pending = await deps.jobs.listWebhookPending(RESUME_BATCH);
      for (const job of pending) start(job);
      return pending.length;
    },
    async close() {
      controller.abort('shutdown');
      await Promise.allSettled([...inFlight]);
      await writes;
    },
  };
}
