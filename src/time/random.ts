// Randomness behind an interface: seeded in tests and the simulator, crypto-strong for ids.
import { randomBytes } from 'node:crypto';

export interface Random {
  /** A number in [0, 1). */
  next(): number;
}

/** Deterministic PRNG (mulberry32) for tests, jitter and the simulator's faults. */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const systemRandom: Random = { next: () => Math.random() };

export interface IdSource {
  /** An unguessable id with a prefix, e.g. `job_3f9a…` (128 bits of entropy). */
  next(prefix: string): string;
}

export const cryptoIds: IdSource = {
  next: (prefix) => `${prefix}_${randomBytes(16).toString('hex')}`,
};
