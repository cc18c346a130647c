// What happened, for tests and operators: requests and outcomes per deployment (`GET /_sim/stats`).

export const OUTCOMES = [
  'completed', 'stream_error', 'edit_error', 'reset', 'http_500', 'http_503', 'rate_limited', 'timeout_408',
  'cut', 'content_policy', 'bad_request', 'auth', 'client_aborted',
] as const;

export type Outcome = (typeof OUTCOMES)[number];

export interface DeploymentStats {
  requests: number;
  attempts_by_outcome: Record<Outcome, number>;
  peak_concurrency: number;
  in_flight: number;
}

export interface SimStats {
  deployments: Record<string, DeploymentStats>;
  faults_injected: number;
  rate_limited_total: number;
  requests_total: number;
  /** Requests that named no known deployment (404) or were malformed before routing. */
  unrouted: number;
}

const FAULT_OUTCOMES: ReadonlySet<Outcome> = new Set(['stream_error', 'edit_error', 'reset', 'http_500', 'http_503']);

export class StatsRecorder {
  private state: SimStats;

  constructor(private readonly names: readonly string[]) {
    this.state = this.empty();
  }

  private empty(): SimStats {
    const deployments: Record<string, DeploymentStats> = {};
    for (const name of this.names) {
      const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
      deployments[name] = { requests: 0, attempts_by_outcome: outcomes, peak_concurrency: 0, in_flight: 0 };
    }
    return { deployments, faults_injected: 0, rate_limited_total: 0, requests_total: 0, unrouted: 0 };
  }

  unrouted(): void {
    this.state.requests_total += 1;
    this.state.unrouted += 1;
  }

  request(deployment: string): void {
    this.state.requests_total += 1;
    this.state.deployments[deployment].requests += 1;
  }

  started(deployment: string): void {
    const d = this.state.deployments[deployment];
    d.in_flight += 1;
    d.peak_concurrency = Math.max(d.peak_concurrency, d.in_flight);
  }

  /** Records the request's one outcome; `wasInFlight` when started() was called for it. */
  outcome(deployment: string, outcome: Outcome, wasInFlight: boolean): void {
    const d = this.state.deployments[deployment];
    d.attempts_by_outcome[outcome] += 1;
    if (wasInFlight) d.in_flight = Math.max(0, d.in_flight - 1);
    if (FAULT_OUTCOMES.has(outcome)) this.state.faults_injected += 1;
    if (outcome === 'rate_limited') this.state.rate_limited_total += 1;
  }

  /** Clears counters; requests still in flight stay counted as in flight. */
  reset(): void {
    const inFlight = Object.fromEntries(Object.entries(this.state.deployments).map(([k, v]) => [k, v.in_flight]));
    this.state = this.empty();
    for (const [name, count] of Object.entries(inFlight)) this.state.deployments[name].in_flight = count;
  }

  snapshot(): SimStats {
    return structuredClone(this.state);
  }
}
