// The circuit breaker of one deployment and size class, as a pure transition(state, event, now,
// options) over a table of legal moves. The router owns the states; this file owns the rules.
import type { UpstreamFailureKind } from '../upstream/failure.js';

export type CircuitStatus = 'closed' | 'open' | 'half_open';

export interface CircuitOptions {
  /** Window over which the failure rate is measured while closed. */
  windowMs: number;
  /** Failure share (0..1] within the window that opens the circuit. */
  failureRate: number;
  /** Fewest health-relevant results in the window before the rate can open it. */
  minRequests: number;
  /** Time an open circuit waits before letting one probe through. */
  cooldownMs: number;
}

export const defaultCircuitOptions: CircuitOptions = {
  windowMs: 60_000,
  failureRate: 0.7,
  minRequests: 5,
  cooldownMs: 30_000,
};

export interface CircuitState {
  status: CircuitStatus;
  /** Results within the window while closed (oldest first). */
  samples: readonly { at: number; ok: boolean }[];
  openedAt: number;
  /** Half-open only: the one probe is out. */
  probing: boolean;
}

export type CircuitEvent =
  | 'success' | 'failure' | 'cooldown_elapsed'
  | 'probe_started' | 'probe_succeeded' | 'probe_failed' | 'probe_abandoned';

export const closedCircuit: CircuitState = { status: 'closed', samples: [], openedAt: 0, probing: false };

/** Which upstream failures say the deployment is unhealthy; every kind must be listed. */
const healthRelevant: Record<UpstreamFailureKind, boolean> = {
  connect: true, idle_timeout: true, server_error: true, stream_error: true, auth: true, not_found: true,
  rate_limited: false, bad_request: false, content_policy: false,
};

/**
 * Does this failure say the deployment is unhealthy? A 429 is budget, not health; a bad request
 * or a content-policy refusal says nothing about the deployment, nor does any reason that is not
 * an upstream call's (a cancel, the client's deadline, no capacity: the engine's own kinds).
 * auth and not_found do: that deployment is broken for everyone.
 */
export function countsAgainstHealth(kind: string): boolean {
  return Object.hasOwn(healthRelevant, kind) && healthRelevant[kind as UpstreamFailureKind];
}

type Move = (state: CircuitState, now: number, options: CircuitOptions) => CircuitState | Error;

const record = (ok: boolean): Move => (state, now, options) => {
  const samples = [...state.samples.filter((s) => s.at > now - options.windowMs), { at: now, ok }];
  const failures = samples.filter((s) => !s.ok).length;
  const trips = samples.length >= options.minRequests && failures / samples.length >= options.failureRate;
  return trips ? open(now) : { ...state, samples };
};

const open = (now: number): CircuitState => ({ status: 'open', samples: [], openedAt: now, probing: false });

/** Legal moves: from-status → event → next state. A missing entry is an illegal move. */
const moves: Record<CircuitStatus, Partial<Record<CircuitEvent, Move>>> = {
  closed: { success: record(true), failure: record(false) },
  open: {
    // Results of attempts that started before the circuit opened change nothing.
    success: (s) => s,
    failure: (s) => s,
    cooldown_elapsed: (s, now, o) =>
      now >= s.openedAt + o.cooldownMs ? { ...s, status: 'half_open', probing: false } : new Error('cooldown not elapsed'),
  },
  half_open: {
    success: (s) => s,
    failure: (s) => s,
    probe_started: (s) => (s.probing ? new Error('a probe is already out') : { ...s, probing: true }),
    probe_succeeded: (s) => (s.probing ? closedCircuit : new Error('no probe out')),
    probe_failed: (s, now) => (s.probing ? open(now) : new Error('no probe out')),
    probe_abandoned: (s) => (s.probing ? { ...s, probing: false } : new Error('no probe out')),
  },
};

/** Pure: the state after `event` at `now`, or an Error value when the move is illegal. */
export function transition(state: CircuitState, event: CircuitEvent, now: number, options: CircuitOptions): CircuitState | Error {
  const move = moves[state.status][event];
  if (!move) return new Error(`illegal move: ${event} while ${state.status}`);
  return move(state, now, options);
}

/** Moves an open circuit to half-open once its cool-down has passed; otherwise returns it as is. */
export function refresh(state: CircuitState, now: number, options: CircuitOptions): CircuitState {
  if (state.status !== 'open') return state;
  const next = transition(state, 'cooldown_elapsed', now, options);
  return next instanceof Error ? state : next;
}

/** Can an attempt go through now (closed, or half-open with the probe slot free)? */
export function admits(state: CircuitState): boolean {
  return state.status === 'closed' || (state.status === 'half_open' && !state.probing);
}

/** When an open circuit will let a probe through (now for closed/half-open). */
export function reopensAt(state: CircuitState, options: CircuitOptions): number {
  return state.status === 'open' ? state.openedAt + options.cooldownMs : 0;
}
