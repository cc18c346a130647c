// What one finished attempt was billed: the upstream's `usage` when it delivered, an estimate when
// it failed after the upstream had answered 200 (a mid-stream error or a cut stream: the upstream
// was generating, and bills the partial images it sent), nothing when it was refused up front.
import type { AttemptRecord } from './job.js';
import type { UpstreamResult } from '../upstream/adapter.js';
import { estimateLostUsage, readUsage, ZERO_USAGE } from '../wire/usage.js';
import type { AttemptBilling } from './deps.js';

/** Sets usage, costUsd, lost and images on the record; returns whether the attempt counts for billing. */
export function billAttempt(
  record: AttemptRecord, result: UpstreamResult, context: { answeredStatus?: number; prompt: unknown; billing?: AttemptBilling },
): boolean {
  if (result.ok) {
    record.images = result.response.data.length;
    record.lost = false;
    // DALL·E answers carry no usage: the attempt counts, at no known token cost.
    record.usage = readUsage(result.response.usage) ?? { ...ZERO_USAGE };
  } else if (context.answeredStatus === 200) {
    record.images = 0;
    record.lost = true;
    record.usage = estimateLostUsage(context.prompt, result.failure.partialsReceived);
  } else {
    return false;
  }
  const cost = context.billing?.costOf(record.deploymentId, record.usage);
  record.costUsd = cost ?? null;
  return true;
}
