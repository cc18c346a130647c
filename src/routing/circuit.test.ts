import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admits, closedCircuit, countsAgainstHealth, refresh, reopensAt, transition,
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

test('a result exactly one window old has left the window', () => {
  let state = closedCircuit;
  for (const at of [0, 1_000, 2_000]) state = apply(state, 'failure', at);
  state = apply(state, 'failure', 60_000);
  assert.equal(state.status, 'closed', 'the failure at 0 is out: three results remain, below minRequests');
  assert.deepEqual(state.samples.map((s) => s.at), [1_000, 2_000, 60_000]);
  state = apply(state, 'failure', 60_999);
  assert.equal(state.status, 'open', '1 000, 2 000, 60 000 and 60 999: four failures in the window');
  assert.equal(state.openedAt, 60_999);
});

test('a failure share exactly at the rate opens the circuit; below it does not', () => {
  let below = closedCircuit;
  for (const [at, event] of [[0, 'failure'], [1, 'success'], [2, 'success'], [3, 'success']] as const) below = apply(below, event, at);
  assert.equal(below.status, 'closed', 'one failure in four is 25 %, under the 50 % rate');
  assert.deepEqual(below.samples, [{ at: 0, ok: false }, { at: 1, ok: true }, { at: 2, ok: true }, { at: 3, ok: true }]);
  let at = closedCircuit;
  for (const [t, event] of [[0, 'failure'], [1, 'success'], [2, 'success'], [3, 'failure']] as const) at = apply(at, event, t);
  assert.deepEqual(at, { status: 'open', samples: [], openedAt: 3, probing: false }, 'two in four is exactly 50 %');
  let successes = closedCircuit;
  for (let t = 0; t < 10; t += 1) successes = apply(successes, 'success', t);
  assert.equal(successes.status, 'closed', 'successes alone never open it');
  assert.equal(successes.samples.length, 10);
});

test('a rate of 1 opens only when every result in the window failed', () => {
  const strict: CircuitOptions = { ...options, failureRate: 1 };
  let state = closedCircuit;
  for (const [t, event] of [[0, 'failure'], [1, 'failure'], [2, 'failure'], [3, 'success']] as const) {
    const next = transition(state, event, t, strict);
    assert.ok(!(next instanceof Error));
    state = next;
  }
  assert.equal(state.status, 'closed', 'three of four');
  const next = transition({ ...closedCircuit, samples: [{ at: 0, ok: false }, { at: 1, ok: false }, { at: 2, ok: false }] }, 'failure', 3, strict);
  assert.ok(!(next instanceof Error) && next.status === 'open', 'four of four');
});

test('results that arrive while open or half-open change nothing', () => {
  const open: CircuitState = { status: 'open', samples: [], openedAt: 5, probing: false };
  assert.equal(apply(open, 'success', 6), open);
  const halfOpen: CircuitState = { status: 'half_open', samples: [], openedAt: 5, probing: true };
  assert.equal(apply(halfOpen, 'success', 6), halfOpen);
  assert.equal(apply(halfOpen, 'failure', 6), halfOpen);
  assert.equal(admits(halfOpen), false, 'the probe is still out');
});

test('probe outcomes without a probe out are illegal; a failed probe restarts the cool-down from its end', () => {
  const idle: CircuitState = { status: 'half_open', samples: [], openedAt: 0, probing: false };
  for (const event of ['probe_succeeded', 'probe_failed', 'probe_abandoned'] as const) {
    assert.ok(transition(idle, event, 1, options) instanceof Error, event);
  }
  const probing = apply(idle, 'probe_started', 1);
  assert.deepEqual(apply(probing, 'probe_failed', 7_000), { status: 'open', samples: [], openedAt: 7_000, probing: false });
  assert.deepEqual(apply(probing, 'probe_abandoned', 7_000), idle);
  assert.deepEqual(apply(refresh({ status: 'open', samples: [], openedAt: 0, probing: true }, 30_000, options), 'probe_started', 30_000).probing, true,
    'half-open after a cool-down starts with the probe slot free');
  assert.ok(transition(idle, 'cooldown_elapsed', 1, options) instanceof Error, 'half-open has no cool-down');
  assert.ok(transition(closedCircuit, 'probe_succeeded', 1, options) instanceof Error);
});

test('refresh leaves closed, half-open and still-cooling circuits as they are (same state)', () => {
  const open: CircuitState = { status: 'open', samples: [], openedAt: 0, probing: false };
  const halfOpen: CircuitState = { status: 'half_open', samples: [], openedAt: 0, probing: false };
  assert.equal(refresh(closedCircuit, 1_000_000, options), closedCircuit);
  assert.equal(refresh(halfOpen, 1_000_000, options), halfOpen);
  assert.equal(refresh(open, 29_999, options), open);
  assert.deepEqual(refresh(open, 30_000, options), { status: 'half_open', samples: [], openedAt: 0, probing: false });
});

test('who is admitted, and when an open circuit lets a probe through', () => {
  const open: CircuitState = { status: 'open', samples: [], openedAt: 1_000, probing: false };
  assert.equal(admits(closedCircuit), true);
  assert.equal(admits(open), false);
  assert.equal(admits({ ...open, status: 'half_open' }), true);
  assert.equal(admits({ ...open, status: 'half_open', probing: true }), false);
  assert.equal(reopensAt(open, options), 31_000);
  assert.equal(reopensAt(closedCircuit, options), 0);
  assert.equal(reopensAt({ ...open, status: 'half_open' }, options), 0);
});

test('names that are not failure kinds never count against health', () => {
  for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', '']) assert.equal(countsAgainstHealth(name), false, name);
});

test('a probe that succeeds closes the circuit with nothing counted and no probe out', () => {
  const probing: CircuitState = { status: 'half_open', samples: [], openedAt: 0, probing: true };
  const closed = apply(probing, 'probe_succeeded', 40_000);
  assert.deepEqual(closed, { status: 'closed', samples: [], openedAt: 0, probing: false });
  assert.deepEqual(apply(closed, 'failure', 40_001).samples, [{ at: 40_001, ok: false }], 'counting starts afresh');
});
