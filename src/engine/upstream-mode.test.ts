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

// Boundaries of the choice, on a front with a 60 s idle limit and a 300 s response timeout (the
// response must fit under 90 % of it: 270 s; partial gaps under 90 % of the idle limit: 54 s).
const auto = (clientStream: boolean, clientPartials: number, expectedMs: number, cutOffMode?: 'stream' | 'non_stream') =>
  chooseUpstreamMode(azure, { clientStream, clientPartials, expectedMs, ...(cutOffMode ? { cutOffMode } : {}) });

test('a silent stream that ends exactly at the idle limit still streams; one ms longer goes non-streaming', () => {
  assert.deepEqual(auto(true, 0, 60_000), { mode: 'stream', upstreamPartials: 0 });
  assert.deepEqual(auto(true, 0, 60_001), { mode: 'non_stream', upstreamPartials: 0 });
});

test('a JSON client is served non-streaming up to just under 90 % of the response timeout', () => {
  assert.deepEqual(auto(false, 0, 269_999), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(auto(false, 0, 270_000), { mode: 'stream', upstreamPartials: 3 }, 'a stream that would fall silent past the idle limit asks for partials');
  assert.deepEqual(chooseUpstreamMode(openai, { clientStream: false, clientPartials: 0, expectedMs: 10_000_000 }), { mode: 'non_stream', upstreamPartials: 0 }, 'no response timeout: always fits');
});

test('a JSON client that set partial_images is still a JSON client', () => {
  assert.deepEqual(auto(false, 2, small), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(chooseUpstreamMode({ ...azure, upstreamMode: 'stream' }, { clientStream: false, clientPartials: 2, expectedMs: small }), { mode: 'stream', upstreamPartials: 0 });
  assert.deepEqual(chooseUpstreamMode({ ...azure, upstreamMode: 'stream' }, { clientStream: true, clientPartials: 2, expectedMs: small }), { mode: 'stream', upstreamPartials: 2 });
  assert.deepEqual(chooseUpstreamMode({ ...azure, upstreamMode: 'stream' }, { clientStream: true, clientPartials: 0, expectedMs: big }), { mode: 'stream', upstreamPartials: 0 }, 'a forced stream is not given partials');
});

test('a stream too long for the idle limit and too long for the response timeout streams with partials', () => {
  assert.deepEqual(auto(true, 0, 270_000), { mode: 'stream', upstreamPartials: 3 });
  assert.deepEqual(auto(true, 0, 269_999), { mode: 'non_stream', upstreamPartials: 0 });
});

test('partial gaps that fit exactly under 90 % of the idle limit stream; one ms more does not', () => {
  // Two partials split the generation into three gaps: 162 s / 3 = 54 s, exactly 90 % of 60 s.
  assert.deepEqual(auto(true, 2, 162_000), { mode: 'stream', upstreamPartials: 2 });
  assert.deepEqual(auto(true, 2, 162_003), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(auto(true, 1, 108_000), { mode: 'stream', upstreamPartials: 1 }, 'one partial: two gaps of 54 s');
  assert.deepEqual(auto(true, 1, 108_002), { mode: 'non_stream', upstreamPartials: 0 });
});

test('partials whose gaps are too long still stream when a single call would outlast the response timeout', () => {
  assert.deepEqual(auto(true, 1, 270_000), { mode: 'stream', upstreamPartials: 1 });
  assert.deepEqual(auto(true, 1, 269_999), { mode: 'non_stream', upstreamPartials: 0 });
});

test('an attempt cut off in one mode retries in the other; a cut in the mode not chosen changes nothing', () => {
  assert.deepEqual(auto(true, 2, small, 'stream'), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(auto(true, 2, small, 'non_stream'), { mode: 'stream', upstreamPartials: 2 });
  assert.deepEqual(auto(false, 0, small, 'non_stream'), { mode: 'stream', upstreamPartials: 0 }, 'a short stream stays under the idle limit without partials');
  assert.deepEqual(auto(false, 0, small, 'stream'), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(auto(true, 0, big, 'stream'), { mode: 'non_stream', upstreamPartials: 0 });
  assert.deepEqual(auto(true, 0, small, 'non_stream'), { mode: 'stream', upstreamPartials: 0 });
});

test('a stream chosen because the response timeout is short asks for partials only past the idle limit', () => {
  const short: DeploymentTiming = { upstreamMode: 'auto', idleTimeoutMs: 60_000, responseTimeoutMs: 60_000 };
  assert.deepEqual(chooseUpstreamMode(short, { clientStream: false, clientPartials: 0, expectedMs: 60_000 }), { mode: 'stream', upstreamPartials: 0 });
  assert.deepEqual(chooseUpstreamMode(short, { clientStream: false, clientPartials: 0, expectedMs: 60_001 }), { mode: 'stream', upstreamPartials: 3 });
  const noIdle: DeploymentTiming = { upstreamMode: 'auto', responseTimeoutMs: 60_000 };
  assert.deepEqual(chooseUpstreamMode(noIdle, { clientStream: false, clientPartials: 0, expectedMs: 100_000 }), { mode: 'stream', upstreamPartials: 0 }, 'no idle limit: a silent stream is fine');
  assert.deepEqual(chooseUpstreamMode(noIdle, { clientStream: true, clientPartials: 0, expectedMs: 100_000 }), { mode: 'stream', upstreamPartials: 0 });
  assert.deepEqual(chooseUpstreamMode(noIdle, { clientStream: true, clientPartials: 1, expectedMs: 100_000 }), { mode: 'stream', upstreamPartials: 1 });
});

test('the watchdog uses the limit of the mode it guards and rounds to the nearest ms', () => {
  const idleOnly: DeploymentTiming = { upstreamMode: 'auto', idleTimeoutMs: 60_000 };
  const responseOnly: DeploymentTiming = { upstreamMode: 'auto', responseTimeoutMs: 300_000 };
  assert.equal(watchdogMs(idleOnly, 'non_stream', 20_000), 120_000, 'the idle limit does not bound a non-streaming call');
  assert.equal(watchdogMs(responseOnly, 'stream', 20_000), 100_000, 'the response timeout does not bound a stream');
  assert.equal(watchdogMs(responseOnly, 'non_stream', 20_000), 330_000);
  assert.equal(watchdogMs(openai, 'stream', 333.3), 60_667, '666.6 + 60 000 rounds up');
  assert.equal(watchdogMs(openai, 'stream', 100.2), 60_200, '200.4 + 60 000 rounds down');
  assert.equal(watchdogMs({ upstreamMode: 'auto', idleTimeoutMs: 1_001 }, 'stream', 0), 1_251, '1 251.25 rounds down');
});

test('a stream that was cut off retries non-streaming, whichever reason chose the stream', () => {
  assert.deepEqual(auto(true, 0, small, 'stream'), { mode: 'non_stream', upstreamPartials: 0 }, 'short enough for the idle limit');
  assert.deepEqual(auto(true, 0, 270_000, 'stream'), { mode: 'non_stream', upstreamPartials: 0 }, 'too long for the response timeout');
  assert.deepEqual(auto(false, 0, 270_000, 'stream'), { mode: 'non_stream', upstreamPartials: 0 }, 'a JSON client too long for the response timeout');
  assert.deepEqual(auto(true, 1, 270_000, 'stream'), { mode: 'non_stream', upstreamPartials: 0 }, 'partials too sparse, response too long');
});
