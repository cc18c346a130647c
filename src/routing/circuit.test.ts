import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admits, closedCircuit, countsAgainstHealth, refresh, transition,
  type CircuitEvent, type CircuitOptions, type CircuitState,
} from './circuit.js';

const options: CircuitOptions = { windowMs: 60_000, failureRate: 0.5, minRequests: 4, cooldownMs: 30_000 };

function apply(state: CircuitState, event: CircuitEvent, now: number): CircuitState {
  const next = transition(state, event, now, options);
  if (next instanceof Error) throw next;
  return next;
}

test('a closed circuit opens once failures reach the rate with enough requests in the window', () => {
  let state = closedCircuit;
  state = apply(state, 'failure', 0);
  state = apply(state, 'failure', 1_000);
  state = apply(state, 'success', 2_000);
  assert.equal(state.status, 'closed', 'three results are below minRequests');
  state = apply(state, 'failure', 3_000);
  assert.equal(state.status, 'open');
  assert.equal(admits(state), false);
});

test('old results leave the window and do not open the circuit', () => {
  let state = closedCircuit;
  for (const at of [0, 1_000, 2_000]) state = apply(state, 'failure', at);
  for (const at of [70_000, 71_000, 72_000]) state = apply(state, 'success', at);
  state = apply(state, 'failure', 73_000);
  assert.equal(state.status, 'closed');
});

test('after the cool-down exactly one probe goes through; its success closes the circuit', () => {
  let state: CircuitState = { status: 'open', samples: [], openedAt: 10_000, probing: false };
  assert.equal(refresh(state, 39_999, options).status, 'open');
  state = refresh(state, 40_000, options);
  assert.equal(state.status, 'half_open');
  assert.ok(admits(state));
  state = apply(state, 'probe_started', 40_000);
  assert.equal(admits(state), false, 'only one probe at a time');
  assert.ok(transition(state, 'probe_started', 40_000, options) instanceof Error);
  state = apply(state, 'probe_succeeded', 41_000);
  assert.deepEqual(state, closedCircuit);
});

test('a failed probe opens the circuit again for a new cool-down; an abandoned one frees the slot', () => {
  let state: CircuitState = { status: 'half_open', samples: [], openedAt: 0, probing: false };
  state = apply(state, 'probe_started', 50_000);
  state = apply(apply(state, 'probe_abandoned', 50_500), 'probe_started', 51_000);
  state = apply(state, 'probe_failed', 52_000);
  assert.equal(state.status, 'open');
  assert.equal(refresh(state, 81_999, options).status, 'open');
  assert.equal(refresh(state, 82_000, options).status, 'half_open');
});

test('illegal moves are error values', () => {
  assert.ok(transition(closedCircuit, 'probe_started', 0, options) instanceof Error);
  assert.ok(transition(closedCircuit, 'cooldown_elapsed', 0, options) instanceof Error);
  const open: CircuitState = { status: 'open', samples: [], openedAt: 0, probing: false };
  assert.ok(transition(open, 'cooldown_elapsed', 29_999, options) instanceof Error);
  assert.equal(apply(open, 'failure', 1), open, 'late results of an open circuit change nothing');
});

test('only health failures count: 429, bad requests, refusals, cancels and deadlines do not', () => {
  for (const kind of ['connect', 'idle_timeout', 'server_error', 'stream_error', 'auth', 'not_found'] as const) {
    assert.equal(countsAgainstHealth(kind), true, kind);
  }
  for (const kind of ['rate_limited', 'bad_request', 'content_policy', 'cancelled', 'deadline', 'no_capacity'] as const) {
    assert.equal(countsAgainstHealth(kind), false, kind);
  }
});
