// The simulator's own control routes under /_sim: stats, reset, and runtime fault overrides
// (routing tests make a deployment fail every call, then recover).
import type { FastifyInstance } from 'fastify';
import type { SimulatorContext } from '../context.js';
import { parseFaultProfile } from '../scenario.js';

export function registerAdminRoutes(app: FastifyInstance, ctx: SimulatorContext): void {
  app.get('/_sim/stats', async () => ctx.stats.snapshot());

  app.post('/_sim/reset', async () => {
    ctx.stats.reset();
    for (const runtime of ctx.deployments.values()) runtime.limiter?.reset();
    return { ok: true };
  });

  app.post('/_sim/deployments/:name/faults', async (request, reply) => {
    const { name } = request.params as { name: string };
    const runtime = ctx.deployments.get(name);
    if (!runtime) return reply.code(404).send({ error: { message: `No deployment '${name}'.`, type: 'invalid_request_error', param: null, code: 'deployment_not_found' } });
    const { profile, errors } = parseFaultProfile(request.body ?? {}, 'faults');
    if (errors.length > 0) {
      return reply.code(400).send({ error: { message: errors.join('\n'), type: 'invalid_request_error', param: 'faults', code: 'invalid_value' }, errors });
    }
    runtime.faults = profile;
    return { deployment: name, faults: profile };
  });

  app.delete('/_sim/deployments/:name/faults', async (request, reply) => {
    const { name } = request.params as { name: string };
    const runtime = ctx.deployments.get(name);
    if (!runtime) return reply.code(404).send({ error: { message: `No deployment '${name}'.`, type: 'invalid_request_error', param: null, code: 'deployment_not_found' } });
    runtime.faults = runtime.spec.faults;
    return { deployment: name, faults: runtime.faults };
  });
}
