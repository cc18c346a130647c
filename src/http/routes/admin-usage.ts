// GET /v1/holdfast/usage?group_by=key|model|deployment|day&from=&to= : the usage ledger summed per
// group, as an OpenAI-style list, or CSV with `Accept: text/csv`. Admin only.
import type { FastifyInstance } from 'fastify';
import { createError } from '../../errors.js';
import { USAGE_GROUPS, type UsageGroup, type UsageRow } from '../../store/usage-ledger.js';
import type { AdminDeps } from '../deps.js';
import { requireAdmin } from '../require-admin.js';

type UsageQuerystring = { Querystring: { group_by?: string; from?: string; to?: string } };

export const USAGE_COLUMNS = [
  'id', 'name', 'images', 'attempts', 'lost_attempts', 'text_input_tokens', 'image_input_tokens',
  'image_output_tokens', 'text_output_tokens', 'cost_usd', 'lost_cost_usd',
] as const;

/** `from`/`to`: Unix seconds, or an ISO date/time (`2026-12-01`, `2026-12-01T12:00:00Z`). */
function timeParam(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw createError('invalid_value', [`${param} must be Unix seconds or an ISO 8601 date.`], { param });
  return ms;
}

function wireRow(groupBy: UsageGroup, r: UsageRow) {
  return {
    object: 'holdfast.usage', group_by: groupBy, id: r.id, name: r.name, images: r.images, attempts: r.attempts,
    lost_attempts: r.lostAttempts, text_input_tokens: r.textInputTokens, image_input_tokens: r.imageInputTokens,
    image_output_tokens: r.imageOutputTokens, text_output_tokens: r.textOutputTokens, cost_usd: r.costUsd, lost_cost_usd: r.lostCostUsd,
  };
}

function csvCell(value: unknown): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function registerAdminUsageRoutes(app: FastifyInstance, admin: AdminDeps): void {
  app.get<UsageQuerystring>('/v1/holdfast/usage', { preHandler: requireAdmin(admin.auth) }, async (request, reply) => {
    const groupBy = (request.query.group_by ?? 'key') as UsageGroup;
    if (!USAGE_GROUPS.includes(groupBy)) {
      throw createError('invalid_value', [`group_by must be one of ${USAGE_GROUPS.join(', ')}.`], { param: 'group_by' });
    }
    const fromMs = timeParam(request.query.from, 'from');
    const toMs = timeParam(request.query.to, 'to');
    const rows = (await admin.usage.summarize({ groupBy, fromMs, toMs })).map((r) => wireRow(groupBy, r));
    if (/text\/csv/i.test(String(request.headers.accept ?? ''))) {
      const lines = [USAGE_COLUMNS.join(','), ...rows.map((r) => USAGE_COLUMNS.map((c) => csvCell(r[c])).join(','))];
      return reply.type('text/csv; charset=utf-8').send(`${lines.join('\n')}\n`);
    }
    return { object: 'list', data: rows };
  });
}
