import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseUpstreamMode, watchdogMs, type DeploymentTiming } from './upstream-mode.js';
import { expectedDurationMs } from './expected-duration.js';

const azure: DeploymentTiming = { upstreamMode: 'auto', idleTimeoutMs: 60_000, responseTimeoutMs: 300_000 };
const openai: DeploymentTiming = { upstreamMode: 'auto' };
const big = expectedDurationMs({ size: '2048x2048', quality: 'high' });
const small = expectedDurationMs({ size: '1024x1024', quality: 'low' });

test('the a-priori durations follow the published figures', () => {
  assert.ok(big > 200_000 && big < 260_000, String(big));
  assert.ok(small > 18_000 && small < 26_000, String(small));
});

test('a silent 2K stream behind a 60 s idle front is served by one non-streaming call', () => {
  assert.deepEqual(chooseUpstreamMode(azure, { clientStream: true, clientPartials: 0, expectedMs: big }), { mode: 'non_stream', upstreamPartials: 0 });
});

test('after a non-streaming call was cut off, the next attempt streams with partials to keep bytes flowing', () => {
  assert.deepEqual(chooseUpstreamMode(azure, { clientStream: true, clientPartials: 0, expectedMs: big, cutOffMode: 'non_stream' }), { mode: 'stream', upstreamPartials: 3 });
});

test('partials a client asked for are streamed when their gaps fit under the idle limit', () => {
  assert.deepEqual(chooseUpstreamMode(azure, { clientStream: true, clientPartials: 2, expectedMs: small }), { mode: 'stream', upstreamPartials: 2 });
  assert.deepEqual(chooseUpstreamMode(openai, { clientStream: true, clientPartials: 2, expectedMs: big }), { mode: 'stream', upstreamPartials: 2 });
});

test('partials whose gaps would exceed the idle limit are not worth a second paid generation', () => {
  assert.deepEqual(chooseUpstreamMode(azure, { clientStream: true, clientPartials: 2, expectedMs: big }), { mode: 'non_stream', upstreamPartials: 0 });
});

test('a generation longer than the response timeout streams even for a JSON client', () => {
  const huge = 400_000;
  assert.equal(chooseUpstreamMode(azure, { clientStream: false, clientPartials: 0, expectedMs: huge }).mode, 'stream');
  assert.equal(chooseUpstreamMode(azure, { clientStream: false, clientPartials: 0, expectedMs: small }).mode, 'non_stream');
});

test('upstream_mode overrides the choice', () => {
  assert.equal(chooseUpstreamMode({ ...azure, upstreamMode: 'stream' }, { clientStream: false, clientPartials: 0, expectedMs: big }).mode, 'stream');
  assert.equal(chooseUpstreamMode({ ...azure, upstreamMode: 'non_stream' }, { clientStream: true, clientPartials: 2, expectedMs: small }).mode, 'non_stream');
});

test('the watchdog sits just above the known path limit, else well beyond the expected duration', () => {
  assert.equal(watchdogMs(azure, 'stream', big), 75_000, 'a quarter over the 60 s idle limit: the front cuts first');
  assert.equal(watchdogMs(azure, 'non_stream', big), 330_000, 'a tenth over the 300 s response timeout');
  assert.equal(watchdogMs(openai, 'stream', 20_000), 100_000, 'no known limit: twice the expected duration plus a minute');
  assert.equal(watchdogMs(openai, 'non_stream', 20_000), 120_000, 'three times plus a minute');
  assert.ok(Number.isInteger(watchdogMs(openai, 'stream', 333.3)));
});
