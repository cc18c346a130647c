// OpenTelemetry traces: a span per client request, one per job run, one per upstream attempt, with
// events for partial images and heartbeats. Off unless configured; no global provider or context
// manager (parents are passed explicitly), so two gateways in one process keep their traces apart.
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapGetter, type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { AttemptSpanFacts, AttemptTrace, HeaderBag, Tracing, TracingOptions } from './trace-types.js';

export type { AttemptTrace, JobTrace, RequestTrace, Tracing, TracingOptions } from './trace-types.js';

const headerGetter: TextMapGetter<HeaderBag> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

const propagator = new W3CTraceContextPropagator();

function traceparentOf(span: Span): string {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, { set: (c, k, v) => { c[k] = v; } });
  return carrier.traceparent ?? '';
}

function contextFrom(headers: HeaderBag): Context {
  return propagator.extract(ROOT_CONTEXT, headers, headerGetter);
}

function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined && v !== '')) as Attributes;
}

function startAttempt(tracer: Tracer, parent: Context, facts: AttemptSpanFacts): AttemptTrace {
  const span = tracer.startSpan('upstream.attempt', {
    kind: SpanKind.CLIENT,
    attributes: defined({
      'holdfast.deployment': facts.deployment, 'holdfast.region': facts.region, 'holdfast.upstream_mode': facts.mode,
      'holdfast.size': facts.size, 'holdfast.quality': facts.quality, 'holdfast.attempt': facts.number,
    }),
  }, parent);
  return {
    headers: { traceparent: traceparentOf(span) },
    partial: (index) => span.addEvent('partial_image', { 'holdfast.partial_image_index': index }),
    end(outcome, attributes) {
      span.setAttributes({ 'holdfast.outcome': outcome, ...attributes });
      if (outcome !== 'succeeded') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      span.end();
    },
  };
}

export function createTracing(options: TracingOptions): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(defined({ 'service.name': options.serviceName, 'service.version': options.serviceVersion })),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint, headers: { ...options.headers } }))],
  });
  const tracer = provider.getTracer('holdfast', options.serviceVersion);
  return {
    startRequest(method, route, headers) {
      const span = tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'http.route': route },
      }, contextFrom(headers));
      const { traceId, spanId } = span.spanContext();
      let heartbeats = 0;
      return {
        traceparent: traceparentOf(span), traceId, spanId,
        setJob: (jobId) => span.setAttribute('holdfast.job_id', jobId),
        heartbeat() {
          heartbeats += 1;
          span.addEvent('heartbeat', { 'holdfast.heartbeats': heartbeats });
        },
        end(statusCode) {
          span.setAttribute('http.response.status_code', statusCode);
          if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    startJob(jobId, parentTraceparent, attributes) {
      const parent = parentTraceparent ? contextFrom({ traceparent: parentTraceparent }) : ROOT_CONTEXT;
      const span = tracer.startSpan('job', { attributes: { 'holdfast.job_id': jobId, ...attributes } }, parent);
      const context = trace.setSpan(ROOT_CONTEXT, span);
      return {
        attempt: (facts) => startAttempt(tracer, context, facts),
        backoff: (delayMs, reason) => span.addEvent('backoff', { 'holdfast.retry_delay_ms': delayMs, 'holdfast.reason': reason }),
        end(status) {
          span.setAttribute('holdfast.job_status', status);
          if (status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: status });
          span.end();
        },
      };
    },
    async close() {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
