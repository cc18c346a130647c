// Books every billed attempt: prices it (config prices over the shipped defaults), writes it to the
// usage ledger, adds its cost to the managed key's spend, and counts it in the cost metrics by model
// and deployment (never by key). A failure to book is logged, never thrown into the job.
import type { AttemptBilling } from '../engine/deps.js';
import type { AttemptRecord, JobRecord, JobRequest } from '../engine/job.js';
import type { UsageLedger } from '../store/usage-ledger.js';
import { estimateRequestUsage, type TokenUsage } from '../wire/usage.js';
import { costUsd, type ModelPrice } from './prices.js';

export interface CostMetrics {
  cost(labels: { model: string; deployment: string }, usd: number): void;
  lostCost(labels: { model: string; deployment: string }, usd: number): void;
}

/** Who a job's owner scope is, for the ledger: a managed key id, a static key, or anonymous. */
export interface OwnerNames {
  describe(ownerScope: string): Promise<{ keyId: string; keyName: string; managed: boolean }>;
}

export interface BillingDeps {
  prices: ReadonlyMap<string, ModelPrice>;
  /** Deployment id → its upstream model name (the price table's key). */
  deploymentModels: ReadonlyMap<string, string>;
  usage: UsageLedger;
  owners: OwnerNames;
  charge(keyId: string, usd: number, atMs: number): Promise<void>;
  metrics?: CostMetrics;
  log: { error(obj: object, msg?: string): void };
}

export function createBilling(deps: BillingDeps): AttemptBilling {
  return {
    costOf(deploymentId: string, usage: TokenUsage) {
      const model = deps.deploymentModels.get(deploymentId);
      const price = model === undefined ? undefined : deps.prices.get(model);
      return price ? costUsd(usage, price) : undefined;
    },
    async attemptBilled(job: JobRecord, attempt: AttemptRecord) {
      try {
        const owner = await deps.owners.describe(job.ownerKeyHash);
        const usage = attempt.usage;
        if (!usage) return;
        const cost = attempt.costUsd ?? 0;
        const at = attempt.endedAt ?? attempt.startedAt;
        await deps.usage.record({
          jobId: job.id, attempt: attempt.attempt, at, keyId: owner.keyId, keyName: owner.keyName, model: job.request.model,
          deployment: attempt.deploymentId, images: attempt.images ?? 0, lost: attempt.lost === true,
          textInputTokens: usage.text_input_tokens, imageInputTokens: usage.image_input_tokens,
          imageOutputTokens: usage.image_output_tokens, textOutputTokens: usage.text_output_tokens, costUsd: cost,
        });
        if (owner.managed && cost > 0) await deps.charge(owner.keyId, cost, at);
        const labels = { model: job.request.model, deployment: attempt.deploymentId };
        deps.metrics?.cost(labels, cost);
        if (attempt.lost) deps.metrics?.lostCost(labels, cost);
      } catch (error) {
        deps.log.error({ jobId: job.id, attempt: attempt.attempt, err: error }, 'booking the attempt\'s cost failed');
      }
    },
  };
}

/** Config models without a price, for a startup warning. */
export function unpricedModels(deploymentModels: Iterable<string>, prices: ReadonlyMap<string, ModelPrice>): string[] {
  return [...new Set(deploymentModels)].filter((m) => !prices.has(m)).sort();
}

/**
 * What to hold against a key's budget while its job runs: the request's estimated tokens
 * (wire/usage.ts estimateRequestUsage) at the dearest priced model among the route's deployments;
 * 0 when none has a price (such attempts are not charged either).
 */
export function reservationUsd(request: Pick<JobRequest, 'fields' | 'stream' | 'partialImages'>, upstreamModels: Iterable<string>, prices: ReadonlyMap<string, ModelPrice>): number {
  const usage = estimateRequestUsage(request);
  let most = 0;
  for (const model of upstreamModels) {
    const price = prices.get(model);
    if (price) most = Math.max(most, costUsd(usage, price));
  }
  return most;
}
