// Choosing among deployments that can take an attempt now: a due circuit probe first, then a small
// exploration share, otherwise a weighted draw that strongly favours the best expected completion time.
import type { Random } from '../time/random.js';

export interface Candidate {
  id: string;
  /** Configured weight: the prior share of traffic while the estimates are equal. */
  weight: number;
  /** Expected completion time: latency estimate over success-rate estimate. */
  expectedMs: number;
  /** Half-open circuit whose probe slot is free. */
  probe: boolean;
}

export interface PickOptions {
  /** Share of picks made uniformly at random, so a quiet deployment keeps getting samples. */
  explorationShare: number;
  /**
   * How sharply the draw favours the faster candidate: its share goes with (best / expected)^sharpness.
   * At 4, a deployment expected to take twice as long gets about 1/16 of the best one's share.
   */
  sharpness: number;
}

export const defaultPickOptions: PickOptions = { explorationShare: 0.05, sharpness: 4 };

/** Picks one of `candidates` (non-empty), preferring those not in `avoid` when there are any. */
export function pickCandidate<C extends Candidate>(
  candidates: readonly C[],
  avoid: readonly string[],
  deps: { random: Random; options: PickOptions },
): C {
  const fresh = candidates.filter((c) => !avoid.includes(c.id));
  const pool = fresh.length > 0 ? fresh : candidates;
  const probe = pool.find((c) => c.probe);
  if (probe) return probe;
  const { random, options } = deps;
  if (pool.length > 1 && random.next() < options.explorationShare) {
    return pool[Math.min(pool.length - 1, Math.floor(random.next() * pool.length))];
  }
  const best = Math.min(...pool.map((c) => c.expectedMs));
  const shares = pool.map((c) => Math.max(0, c.weight) * Math.pow(best / Math.max(1, c.expectedMs), options.sharpness));
  const total = shares.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return pool[0];
  let draw = random.next() * total;
  for (let i = 0; i < pool.length; i += 1) {
    draw -= shares[i];
    if (draw < 0) return pool[i];
  }
  return pool[pool.length - 1];
}
