import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayTime } from './gateway-time.js';
import { timingText } from './progress-reporter.js';
import { sizeClassOf } from './run-generate.js';

test('a gateway on the wall clock converts 1:1 at once; a 10x demo clock once two readings are 2 s apart', () => {
  const real = createGatewayTime();
  real.observe(1_000_000, 1_000_400);
  assert.equal(real.toLocalMs(30_000), 30_000);

  const demo = createGatewayTime();
  demo.observe(5_000_000, 1_000_000); // the simulated clock is far ahead of the wall clock
  assert.equal(demo.toLocalMs(245_000), undefined, 'no guess before the rate is measured');
  demo.observe(5_030_000, 1_003_000); // 30 simulated s in 3 real s
  assert.equal(demo.toLocalMs(245_000), 24_500);
});

test('the bar shows elapsed time, the ETA while it is ahead, and how far past the usual time', () => {
  assert.equal(timingText(41_000, 0, undefined), '0:41 elapsed');
  assert.equal(timingText(41_000, 0, 64_000), '0:41 elapsed, ETA 0:23');
  assert.equal(timingText(70_000, 0, 64_000), '1:10 elapsed, 0:06 past the usual time');
});

test("the client's size classes are the gateway's", () => {
  assert.deepEqual(['1024x1024', '1536x1024', '1536x1536', '2048x2048', undefined].map(sizeClassOf), ['small', 'medium', 'medium', 'large', 'small']);
});
