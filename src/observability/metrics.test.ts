import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { createMetrics, toLabel } from './metrics.js';

test('recorded metrics appear in the exposition text with holdfast_ names and base units', async () => {
  const metrics = createMetrics();
  const large = { deployment: 'eastus', sizeClass: 'large', quality: 'high' } as const;
  metrics.request({ model: 'gpt-image-1', endpoint: 'generations', outcome: 'succeeded', code: '', deployment: 'eastus', sizeClass: 'large', quality: 'high' });
  metrics.attempt({ ...large, outcome: 'stream_error' });
  metrics.attempt({ ...large, outcome: 'succeeded' });
  metrics.generationDuration(large, 245);
  metrics.timeToFirstEvent(large, 3.5);
  metrics.heartbeat();
  metrics.heartbeat();
  metrics.queueDepth('gpt-image-1', 4);
  metrics.queueWait('gpt-image-1', 12);
  metrics.rateLimitRemaining('eastus', 7);
  metrics.circuitState('eastus', 'large', 'open');
  metrics.upstream429('eastus');
  metrics.jobStarted();
  metrics.jobStarted();
  metrics.jobFinished();
  const text = await metrics.text();
  const expected = [
    'holdfast_requests_total{model="gpt-image-1",endpoint="generations",deployment="eastus",size_class="large",quality="high",outcome="succeeded",code=""} 1',
    'holdfast_attempts_total{deployment="eastus",size_class="large",quality="high",outcome="stream_error"} 1',
    'holdfast_generation_duration_seconds_bucket{le="300",deployment="eastus",size_class="large",quality="high"} 1',
    'holdfast_generation_duration_seconds_bucket{le="240",deployment="eastus",size_class="large",quality="high"} 0',
    'holdfast_time_to_first_event_seconds_sum{deployment="eastus",size_class="large",quality="high"} 3.5',
    'holdfast_heartbeats_total 2',
    'holdfast_queue_depth{model="gpt-image-1"} 4',
    'holdfast_queue_wait_seconds_count{model="gpt-image-1"} 1',
    'holdfast_rate_limit_remaining{deployment="eastus"} 7',
    'holdfast_circuit_state{deployment="eastus",size_class="large"} 2',
    'holdfast_upstream_429_total{deployment="eastus"} 1',
    'holdfast_jobs_in_flight 1',
  ];
  for (const line of expected) assert.ok(text.includes(line), `missing: ${line}`);
  assert.match(metrics.contentType, /text\/plain/);
});

test('each instance has its own registry and the default registry stays empty', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.heartbeat();
  assert.match(await a.text(), /holdfast_heartbeats_total 1/);
  assert.match(await b.text(), /holdfast_heartbeats_total 0/);
  assert.ok(!(await register.metrics()).includes('holdfast_'));
});

test('label values that are not short ids never reach the text', async () => {
  const metrics = createMetrics();
  metrics.upstream429('sk-proj-abcdef0123456789');
  metrics.upstream429('https://user:pass@example.com/v1');
  metrics.rateLimitRemaining('x'.repeat(200), 1);
  const text = await metrics.text();
  assert.ok(!text.includes('sk-proj'));
  assert.ok(!text.includes('pass@'));
  assert.ok(text.includes('holdfast_upstream_429_total{deployment="invalid"} 2'));
  assert.equal(toLabel('azure-eastus2.gpt-image-1'), 'azure-eastus2.gpt-image-1');
});
