import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load.js';
import { parseOtelHeaders, resolveTracingOptions } from './tracing-options.js';

const BASE = `
models: { m: { deployments: [a] } }
deployments:
  a: { provider: openai, base_url: "http://127.0.0.1:1/v1", api_key: env:K, model: gpt-image-1 }
`;
const tracesOf = (extra = '') => parseConfig(`${extra}\n${BASE}`, { K: 'sk-x', TOKEN: 'collector-token' }, 't.yaml').config.telemetry.traces;

test('traces are off by default and with OTEL_TRACES_EXPORTER unset or none', () => {
  assert.equal(resolveTracingOptions(tracesOf(), {}), undefined);
  assert.equal(resolveTracingOptions(tracesOf(), { OTEL_TRACES_EXPORTER: 'none' }), undefined);
  assert.equal(resolveTracingOptions(tracesOf(), { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }), undefined);
});

test('the standard OTEL_* variables turn traces on and set endpoint, headers, ratio and service name', () => {
  const options = resolveTracingOptions(tracesOf(), {
    OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc,x-team=img', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_SERVICE_NAME: 'img-gw',
  });
  assert.deepEqual(options, {
    endpoint: 'http://collector:4318/v1/traces', headers: { authorization: 'Bearer abc', 'x-team': 'img' },
    sampleRatio: 0.25, serviceName: 'img-gw', serviceVersion: undefined,
  });
  assert.equal(resolveTracingOptions(tracesOf(), { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c/t' })?.endpoint, 'http://c/t');
});

test('the config wins over the environment, and its header values are secrets resolved at the edge', () => {
  const traces = tracesOf('telemetry: { traces: { exporter: otlp, endpoint: "http://127.0.0.1:4318/v1/traces", headers: { x-token: env:TOKEN }, sample_ratio: 0.5 } }');
  assert.equal(String(traces.headers['x-token']), '[redacted]');
  const options = resolveTracingOptions(traces, { OTEL_EXPORTER_OTLP_HEADERS: 'x-token=env-token,x-other=1', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
  assert.deepEqual(options?.headers, { 'x-token': 'collector-token', 'x-other': '1' });
  assert.equal(options?.sampleRatio, 0.5);
  assert.equal(options?.endpoint, 'http://127.0.0.1:4318/v1/traces');
  assert.equal(resolveTracingOptions(tracesOf('telemetry: { traces: { exporter: otlp } }'), {})?.endpoint, 'http://localhost:4318/v1/traces');
});

test('OTEL header lists tolerate blanks, missing values and bad escapes', () => {
  assert.deepEqual(parseOtelHeaders(' a = 1 ,, =x, b=%zz, c'), { a: '1', b: '%zz' });
  assert.deepEqual(parseOtelHeaders(undefined), {});
});
