// A span per client request when tracing is on: started in onRequest from the incoming W3C
// `traceparent`, ended when the response closes (SSE replies included), with trace_id/span_id on
// the request's log lines. Routes reach the span through traceOf(request).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestTrace, Tracing } from '../observability/trace-types.js';

const traces = new WeakMap<FastifyRequest, RequestTrace>();

export function traceOf(request: FastifyRequest): RequestTrace | undefined {
  return traces.get(request);
}

export function registerRequestTracing(app: FastifyInstance, tracing: Pick<Tracing, 'startRequest'>): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracing.startRequest(request.method, route, request.headers);
    traces.set(request, span);
    request.log = request.log.child({ trace_id: span.traceId, span_id: span.spanId });
    reply.raw.once('close', () => span.end(reply.raw.statusCode));
  });
}
