// Operations: /healthz (the process answers), /readyz (the store and the image folder can be written), /metrics (Prometheus
// text), /v1/holdfast/deployments (the live health table).
import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { clientKeyHook } from '../auth.js';

export function registerOpsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.ready();
      return { status: 'ready', store: 'ok' };
    } catch (error) {
      deps.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', store: 'failing' });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    if (!deps.metricsText) return reply.code(404).send('metrics are disabled\n');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metricsText());
  });
  app.get('/v1/holdfast/deployments', { onRequest: clientKeyHook(deps.auth) }, async () => {
    return { object: 'list', data: deps.deploymentHealth?.() ?? [] };
  });
}
