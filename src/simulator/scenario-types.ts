// The simulator's scenario model: deployments, their fronts, rate limits and fault profiles.
// Parsed and validated from YAML by scenario.ts; everything else reads these frozen shapes.

export type DeploymentForm = 'azure' | 'openai';

/** Size classes for fault profiles: small ≤ 1024x1024, medium ≤ 1536x1536, large above. */
export type SizeClass = 'small' | 'medium' | 'large';

export const SIZE_CLASS_MAX_PIXELS = { small: 1_048_576, medium: 2_359_296 } as const;

export interface FaultRates {
  /** Probability of an SSE `error` event (`server_error`) after a partial; 500 when not streaming. */
  streamError: number;
  /** Probability of a destroyed socket mid-generation. */
  reset: number;
  http500: number;
  http503: number;
  /** Edits only: `image_generation_server_error` event at sequence 0. */
  editError: number;
  /** Index of the partial after which stream errors and resets happen (default 0). */
  afterPartial: number;
}

/** Rates per size class; `all` applies when the request's class has no entry. */
export type FaultProfile = Partial<Record<SizeClass | 'all', FaultRates>>;

export interface ContentPolicy {
  pattern: string;
  flags: string;
}

export interface RateLimitSpec {
  requests: number;
  windowMs: number;
}

export interface DeploymentSpec {
  name: string;
  form: DeploymentForm;
  model: string;
  region: string;
  /** Display name sent in `x-ms-region`, e.g. `Sweden Central`. */
  regionName: string;
  /** Pinned key; undefined accepts any non-empty key. */
  key?: string;
  latencyFactor: number;
  idleTimeoutMs: number | null;
  streamIdleTimeoutMs: number | null;
  responseTimeoutMs: number | null;
  rateLimit: RateLimitSpec | null;
  faults: FaultProfile;
  contentPolicy: ContentPolicy | null;
}

export interface Scenario {
  name: string;
  deployments: DeploymentSpec[];
}

export function sizeClassOf(pixels: number): SizeClass {
  if (pixels <= SIZE_CLASS_MAX_PIXELS.small) return 'small';
  if (pixels <= SIZE_CLASS_MAX_PIXELS.medium) return 'medium';
  return 'large';
}

export function faultRatesFor(profile: FaultProfile, pixels: number): FaultRates | undefined {
  return profile[sizeClassOf(pixels)] ?? profile.all;
}
