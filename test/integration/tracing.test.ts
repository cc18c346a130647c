// OpenTelemetry traces as an operator's collector receives them over OTLP/HTTP: the client request,
// the job and each upstream attempt as one tree under the caller's traceparent, which also travels
// upstream; no key appears anywhere in the export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { startStack } from '../helpers/stack.js';

interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string;
  attributes: { key: string; value: OtlpValue }[];
  events?: { name: string; attributes?: { key: string; value: OtlpValue }[] }[];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An OTLP/HTTP (JSON) traces receiver: keeps every exported span and the raw bodies. */
async function startReceiver(t: { after(fn: () => Promise<void> | void): void }) {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const url = await listen(server);
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url, spans, bodies };
}

/** A pass-through proxy in front of the simulator that records each upstream call's headers. */
async function startRecordingProxy(t: { after(fn: () => Promise<void> | void): void }, target: () => string) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const upstream = new URL(req.url ?? '/', target());
    const out = httpRequest(upstream, { method: req.method, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  const url = await listen(server);
  t.after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  return { url, seen };
}

const attr = (span: OtlpSpan, key: string): string | number | boolean | undefined => {
  const v = span.attributes.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.boolValue ?? v.doubleValue;
};

const scenario = `
name: tracing
deployments:
  - { name: flaky, form: azure, model: gpt-image-2, region: swedencentral, faults: { all: { stream_error: 1, after_partial: 0 } } }
  - { name: steady, form: azure, model: gpt-image-2, region: westeurope }
`;

test('a request that failed mid-stream once and then succeeded elsewhere is one trace: request, job, two attempts', async (t) => {
  const receiver = await startReceiver(t);
  let simUrl = '';
  const proxy = await startRecordingProxy(t, () => simUrl);
  const config = `
listen: { host: 127.0.0.1, port: 0 }
auth: { keys: [env:CLIENT_KEY] }
store: { kind: sqlite, path: "{{DATA}}/holdfast.db" }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 2000 }
retry: { max_attempts: 3, base_delay_ms: 1000, max_delay_ms: 2000 }
telemetry: { traces: { exporter: otlp, endpoint: "${receiver.url}/v1/traces", headers: { x-collector-token: env:COLLECTOR_TOKEN } } }
models:
  gpt-image-2: { deployments: [flaky, steady] }
deployments:
  flaky: { provider: azure, base_url: "${proxy.url}", deployment: flaky, api_key: env:FLAKY_KEY, model: gpt-image-2, idle_timeout_ms: null, weight: 1000, region: swedencentral }
  steady: { provider: azure, base_url: "${proxy.url}", deployment: steady, api_key: env:STEADY_KEY, model: gpt-image-2, idle_timeout_ms: null, weight: 1, region: westeurope }
`;
  const env = { CLIENT_KEY: 'hf-client-secret-1', FLAKY_KEY: 'sk-flaky-secret-2', STEADY_KEY: 'sk-steady-secret-3', COLLECTOR_TOKEN: 'collector-secret-4' };
  const stack = await startStack(t, { scenarioYaml: scenario, config, env, timeScale: 0.02, seed: 3 });
  simUrl = stack.sim.url;

  const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';
  const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: env.CLIENT_KEY, maxRetries: 0 });
  const stream = await client.images.generate(
    { model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low', stream: true, partial_images: 1 },
    { headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` } },
  );
  const events: string[] = [];
  for await (const event of stream) events.push(event.type);
  assert.equal(events.filter((e) => e === 'image_generation.completed').length, 1);
  await stack.holdfast.close();

  const spans = receiver.spans;
  const requestSpan = spans.find((s) => s.name === 'POST /v1/images/generations');
  assert.ok(requestSpan, `a request span among ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(requestSpan.traceId, callerTraceId, 'the caller\'s trace is continued');
  assert.equal(requestSpan.parentSpanId, callerSpanId);
  assert.equal(attr(requestSpan, 'http.response.status_code'), 200);
  assert.ok((requestSpan.events ?? []).some((e) => e.name === 'heartbeat'), 'heartbeats written are span events');

  const jobSpan = spans.find((s) => s.name === 'job');
  assert.ok(jobSpan);
  assert.equal(jobSpan.traceId, callerTraceId);
  assert.equal(jobSpan.parentSpanId, requestSpan.spanId);
  assert.equal(attr(jobSpan, 'holdfast.job_status'), 'completed');
  assert.match(String(attr(requestSpan, 'holdfast.job_id')), /^job_/);
  assert.equal(attr(jobSpan, 'holdfast.job_id'), attr(requestSpan, 'holdfast.job_id'));
  assert.ok((jobSpan.events ?? []).some((e) => e.name === 'backoff'), 'the backoff before the retry is an event');

  const attempts = spans.filter((s) => s.name === 'upstream.attempt').sort((a, b) => Number(attr(a, 'holdfast.attempt')) - Number(attr(b, 'holdfast.attempt')));
  assert.equal(attempts.length, 2);
  const [failed, succeeded] = attempts as [OtlpSpan, OtlpSpan];
  for (const span of attempts) {
    assert.equal(span.parentSpanId, jobSpan.spanId);
    assert.equal(span.traceId, callerTraceId);
    assert.equal(attr(span, 'holdfast.upstream_mode'), 'stream');
    assert.equal(attr(span, 'holdfast.size'), '1024x1024');
    assert.equal(attr(span, 'holdfast.quality'), 'low');
    // The ids a support ticket needs: OpenAI's x-request-id and Azure API Management's apim-request-id.
    assert.match(String(attr(span, 'holdfast.upstream.x_request_id')), /^req_/);
    assert.match(String(attr(span, 'holdfast.upstream.apim_request_id')), /^[0-9a-f-]{36}$/);
  }
  assert.deepEqual([attr(failed, 'holdfast.deployment'), attr(failed, 'holdfast.region'), attr(failed, 'holdfast.attempt'), attr(failed, 'holdfast.outcome')],
    ['flaky', 'swedencentral', 1, 'stream_error']);
  assert.ok(Number(attr(failed, 'holdfast.retry_delay_ms')) >= 0);
  assert.ok((failed.events ?? []).some((e) => e.name === 'partial_image'), 'the partial before the failure is an event');
  assert.deepEqual([attr(succeeded, 'holdfast.deployment'), attr(succeeded, 'holdfast.region'), attr(succeeded, 'holdfast.attempt'), attr(succeeded, 'holdfast.outcome')],
    ['steady', 'westeurope', 2, 'succeeded']);

  // Each upstream call carried its attempt span's context.
  const upstreamParents = proxy.seen.map((h) => String(h.traceparent));
  assert.deepEqual(upstreamParents, attempts.map((s) => `00-${callerTraceId}-${s.spanId}-01`));

  const exported = receiver.bodies.join('\n');
  for (const secret of Object.values(env)) assert.ok(!exported.includes(secret), 'no key or token in any exported span');
});
