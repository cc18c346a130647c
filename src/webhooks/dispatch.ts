// Sends a job's webhook when it finishes, records every try on the job (`webhook_deliveries`), and
// keeps `webhookPending` on the job until the delivery ends, so that a restart resumes deliveries a
// crash or shutdown interrupted (resume()). Glue between the engine's observer and the sender;
// undefined when webhooks are off. On a cluster every delivery is claimed first (`claims`, a lease in
// Redis): one replica at a time sends it, and when that replica dies another takes it over (adopt()).
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { JobRecord } from '../engine/job.js';
import type { JobStore } from '../store/job-store.js';
import { toJobResource } from '../wire/jobs.js';
import { createWebhookSender, type Delivery, type WebhookLog, type WebhookSenderOptions } from './webhook-sender.js';
import { checkWebhookUrl } from './webhook-url.js';

/** Who delivers a job's webhook when several replicas share one store. */
export interface DeliveryClaims {
  /** Takes the delivery; false when another replica holds it. */
  claim(jobId: string): Promise<boolean>;
  /** The delivery ended (`done`: it is recorded final) or stopped here (another replica may take it). */
  release(jobId: string, done: boolean): Promise<void>;
}

export interface WebhookDispatch {
  check(url: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  jobFinished(job: JobRecord): void;
  /** Restarts deliveries that were pending when holdfast stopped; resolves once they are under way. */
  resume(): Promise<number>;
  /** Jobs whose delivery runs here (a cluster renews their claims). */
  deliveringIds(): string[];
  /** Delivers a pending webhook this replica has just claimed (taken over from a replica that is gone). */
  adopt(jobId: string): Promise<void>;
  /** Stops one delivery here without ending it (its claim was lost); it stays pending. */
  stopLocal(jobId: string): void;
  /** Aborts deliveries in flight (they stay pending) and waits for them. */
  close(): Promise<void>;
}

const RESUME_BATCH = 1000;

export function createWebhookDispatch(
  deps: { clock: Clock; random: Random; log: WebhookLog; jobs: JobStore; claims?: DeliveryClaims }, options: WebhookSenderOptions | undefined,
): WebhookDispatch | undefined {
  if (!options?.secret) return undefined;
  const sender = createWebhookSender({ clock: deps.clock, random: deps.random, log: deps.log }, options);
  const { claims } = deps;
  const controller = new AbortController();
  const running = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  let writes: Promise<void> = Promise.resolve();

  /** Serialised read-modify-write of a finished job (nothing else writes it any more). */
  const update = (jobId: string, change: (job: JobRecord) => void): Promise<void> => {
    writes = writes.then(async () => {
      const job = await deps.jobs.get(jobId);
      if (!job) return;
      change(job);
      await deps.jobs.save(job);
    });
    const written = writes;
    writes = writes.catch((error: unknown) => deps.log.warn({ err: String(error), jobId }, 'could not record a webhook delivery'));
    return written;
  };

  const deliverable = (job: JobRecord): boolean => Boolean(job.webhookUrl) && (job.status === 'succeeded' || job.status === 'failed');

  /** Sends the webhook of a finished job this replica may deliver (claimed, or no claims needed). */
  const send = (job: JobRecord): void => {
    if (!job.webhookUrl || running.has(job.id)) return;
    const webhookId = `msg_${job.id.replace(/^job_/, '')}`;
    const firstAttempt = (job.webhookDeliveries?.length ?? 0) + 1;
    const stop = new AbortController();
    const signal = AbortSignal.any([controller.signal, stop.signal]);
    const record = (d: Delivery): void => { void update(job.id, (j) => { j.webhookDeliveries = [...(j.webhookDeliveries ?? []), { webhookId, ...d }]; }).catch(() => undefined); };
    const done = sender.deliver({
      webhookId, url: job.webhookUrl, type: job.status === 'succeeded' ? 'image.job.succeeded' : 'image.job.failed',
      payload: toJobResource(job, job.result ?? null), firstAttempt,
    }, signal, record)
      // Delivered, refused or out of tries: final. Interrupted by a shutdown or a lost claim: still pending.
      .then(async () => {
        if (signal.aborted) return false;
        await update(job.id, (j) => { j.webhookPending = false; });
        return true;
      })
      .catch((error: unknown) => {
        deps.log.warn({ err: String(error), jobId: job.id }, 'webhook delivery stopped');
        return false;
      })
      // The claim goes only after the final record is written: nobody can take a delivered webhook again.
      .then((final) => (stop.signal.aborted ? undefined : claims?.release(job.id, final)))
      .catch((error: unknown) => deps.log.warn({ err: String(error), jobId: job.id }, 'could not release a webhook delivery'))
      .finally(() => running.delete(job.id));
    running.set(job.id, { stop, done });
  };

  const start = async (job: JobRecord): Promise<void> => {
    if (!deliverable(job) || running.has(job.id)) return;
    if (claims && !(await claims.claim(job.id))) return;
    send(job);
  };

  return {
    check: (url) => checkWebhookUrl(url, { allowPrivateAddresses: options.allowPrivateAddresses }),
    jobFinished(job) {
      start(job).catch((error: unknown) => deps.log.warn({ err: String(error), jobId: job.id }, 'could not claim a webhook delivery; another replica will send it'));
    },
    async resume() {
      // On a cluster the takeover scan hands pending deliveries out (adopt), one replica each.
      if (claims) return 0;
      const pending = await deps.jobs.listWebhookPending(RESUME_BATCH);
      for (const job of pending) send(job);
      return pending.length;
    },
    deliveringIds: () => [...running.keys()],
    async adopt(jobId) {
      const job = await deps.jobs.get(jobId);
      if (job?.webhookPending === true && deliverable(job)) send(job);
      else await claims?.release(jobId, true);
    },
    stopLocal(jobId) {
      running.get(jobId)?.stop.abort('claim lost');
    },
    async close() {
      controller.abort('shutdown');
      await Promise.allSettled([...running.values()].map((r) => r.done));
      await writes;
    },
  };
}
