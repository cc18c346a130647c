// The simulator's running state, shared by its routes: deployments with their live fault profiles
// and rate-limit windows, stats, the renderer, the injected clock and seeded random.
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { ImageRenderer } from './images.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import type { DeploymentSpec, FaultProfile, Scenario } from './scenario-types.js';
import { StatsRecorder } from './stats.js';

export interface DeploymentRuntime {
  spec: DeploymentSpec;
  /** The scenario's profile, or the one set through `POST /_sim/deployments/{name}/faults`. */
  faults: FaultProfile;
  limiter: SlidingWindowLimiter | undefined;
  contentPolicy: RegExp | undefined;
}

export interface SimulatorContext {
  clock: Clock;
  random: Random;
  /** Feeds the image colours, so the same seed renders the same pictures. */
  seed: number;
  renderer: ImageRenderer;
  stats: StatsRecorder;
  deployments: Map<string, DeploymentRuntime>;
}

export function createContext(options: {
  scenario: Scenario; clock: Clock; random: Random; seed: number; renderer: ImageRenderer;
}): SimulatorContext {
  const deployments = new Map<string, DeploymentRuntime>();
  for (const spec of options.scenario.deployments) {
    deployments.set(spec.name, {
      spec,
      faults: spec.faults,
      limiter: spec.rateLimit ? new SlidingWindowLimiter(spec.rateLimit) : undefined,
      contentPolicy: spec.contentPolicy ? new RegExp(spec.contentPolicy.pattern, spec.contentPolicy.flags) : undefined,
    });
  }
  return {
    clock: options.clock,
    random: options.random,
    seed: options.seed,
    renderer: options.renderer,
    stats: new StatsRecorder([...deployments.keys()]),
    deployments,
  };
}

/** `count` random bytes as hex, from the seeded Random. */
export function randomHex(random: Random, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random.next() * 256).toString(16).padStart(2, '0');
  return out;
}

export function randomUuid(random: Random): string {
  const h = randomHex(random, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
