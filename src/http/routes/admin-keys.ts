// The admin API for managed client keys: POST/GET /v1/holdfast/keys, GET/PATCH/DELETE
// /v1/holdfast/keys/{id}. Only an admin key passes (requireAdmin). The plain key appears once, in
// the 201 answer to POST; lists show a short prefix.
import type { FastifyInstance } from 'fastify';
import { createError, type GatewayError } from '../../errors.js';
import { BUDGET_PERIODS, type BudgetPeriod, type ClientKeyRecord, type KeyLimitsPatch } from '../../store/key-store.js';
import type { AdminDeps, HttpDeps } from '../deps.js';
import { requireAdmin } from '../require-admin.js';
import { isRecord } from '../../wire/openai-images.js';
import { roundUsd } from '../../store/usage-ledger.js';

const FIELDS = new Set(['name', 'models', 'rpm', 'max_concurrency', 'budget_usd', 'budget_period', 'expires_at']);
const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

async function keyResource(admin: AdminDeps, key: ClientKeyRecord) {
  return {
    object: 'holdfast.key', id: key.id, name: key.name, key_prefix: key.prefix,
    created_at: seconds(key.createdAt), expires_at: seconds(key.expiresAt), revoked_at: seconds(key.revokedAt),
    models: key.models, rpm: key.rpm, max_concurrency: key.maxConcurrency,
    budget_usd: key.budgetUsd, budget_period: key.budgetPeriod,
    spend_usd: roundUsd(await admin.keys.spend(key.id, key.budgetPeriod)),
    spend_total_usd: roundUsd(await admin.keys.spend(key.id, 'total')),
  };
}

function invalid(param: string, message: string): GatewayError {
  return createError('invalid_value', [`${param}: ${message}`], { param });
}

function nullablePositiveInt(body: Record<string, unknown>, param: string): number | null | undefined {
  const v = body[param];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid(param, 'must be a positive integer or null');
  return v;
}

/** Reads the limits of a POST or PATCH body, checking every field. */
function readLimits(body: unknown, deps: HttpDeps, creating: boolean): KeyLimitsPatch {
  if (!isRecord(body)) throw createError('invalid_json', ['not_an_object']);
  for (const field of Object.keys(body)) {
    if (!FIELDS.has(field)) throw createError('unknown_parameter', [`Unknown parameter: '${field}'.`], { param: field });
  }
  const patch: KeyLimitsPatch = {};
  if (body.name !== undefined || creating) {
    if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200) throw invalid('name', 'must be a non-empty string of at most 200 characters');
    patch.name = body.name.trim();
  }
  if (body.models !== undefined) {
    if (body.models !== null && (!Array.isArray(body.models) || body.models.some((m) => typeof m !== 'string'))) throw invalid('models', 'must be a list of model names or null');
    const models = body.models as string[] | null;
    const unknown = models?.find((m) => !deps.models.has(m));
    if (unknown !== undefined) throw invalid('models', `'${unknown}' is not a model of this gateway (${[...deps.models.keys()].join(', ')})`);
    patch.models = models === null ? null : [...new Set(models)];
  }
  patch.rpm = nullablePositiveInt(body, 'rpm');
  patch.maxConcurrency = nullablePositiveInt(body, 'max_concurrency');
  if (body.budget_usd !== undefined) {
    const v = body.budget_usd;
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw invalid('budget_usd', 'must be a number ≥ 0 or null');
    patch.budgetUsd = v as number | null;
  }
  if (body.budget_period !== undefined) {
    if (!BUDGET_PERIODS.includes(body.budget_period as BudgetPeriod)) throw invalid('budget_period', `must be one of ${BUDGET_PERIODS.join(', ')}`);
    patch.budgetPeriod = body.budget_period as BudgetPeriod;
  }
  if (body.expires_at !== undefined) {
    const v = body.expires_at;
    if (v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) throw invalid('expires_at', 'must be a Unix time in seconds or null');
    patch.expiresAt = v === null ? null : (v as number) * 1000;
  }
  return patch;
}

export function registerAdminKeyRoutes(app: FastifyInstance, deps: HttpDeps, admin: AdminDeps): void {
  const preHandler = requireAdmin(admin.auth);
  const found = async (id: string): Promise<ClientKeyRecord> => {
    const key = await admin.keys.get(id);
    if (!key) throw createError('key_not_found', [id], { param: 'id' });
    return key;
  };

  app.post('/v1/holdfast/keys', { preHandler }, async (request, reply) => {
    const limits = readLimits(request.body, deps, true);
    const { record, plainKey } = await admin.keys.create({ ...limits, name: limits.name ?? '' });
    request.log.info({ keyId: record.id, name: record.name }, 'client key created');
    return reply.code(201).send({ ...(await keyResource(admin, record)), key: plainKey });
  });

  app.get('/v1/holdfast/keys', { preHandler }, async () => {
    const keys = await admin.keys.list();
    return { object: 'list', data: await Promise.all(keys.map((k) => keyResource(admin, k))) };
  });

  app.get<{ Params: { id: string } }>('/v1/holdfast/keys/:id', { preHandler }, async (request) => keyResource(admin, await found(request.params.id)));

  app.patch<{ Params: { id: string } }>('/v1/holdfast/keys/:id', { preHandler }, async (request) => {
    await found(request.params.id);
    const updated = await admin.keys.update(request.params.id, readLimits(request.body ?? {}, deps, false));
    request.log.info({ keyId: request.params.id }, 'client key limits changed');
    return keyResource(admin, updated ?? await found(request.params.id));
  });

  app.delete<{ Params: { id: string } }>('/v1/holdfast/keys/:id', { preHandler }, async (request) => {
    await found(request.params.id);
    const revoked = await admin.keys.revoke(request.params.id);
    request.log.info({ keyId: request.params.id }, 'client key revoked');
    return keyResource(admin, revoked ?? await found(request.params.id));
  });
}
