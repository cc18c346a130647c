// `holdfast keys create|list|revoke`: managed client keys over the admin API (/v1/holdfast/keys),
// authenticated with an admin key (--admin-key or HOLDFAST_ADMIN_KEY). The new key is printed once.
import type { Command } from 'commander';
import { DEFAULT_GATEWAY_URL } from './generate.js';

interface AdminOptions {
  gateway: string;
  adminKey?: string;
  json?: boolean;
}

interface CreateOptions extends AdminOptions {
  models?: string;
  rpm?: string;
  maxConcurrency?: string;
  budgetUsd?: string;
  budgetPeriod?: string;
  expiresAt?: string;
}

interface KeyResource {
  id: string; name: string; key_prefix: string; key?: string; models: string[] | null; rpm: number | null;
  max_concurrency: number | null; budget_usd: number | null; budget_period: string; spend_usd: number;
  spend_total_usd: number; revoked_at: number | null; expires_at: number | null; created_at: number;
}

class CliError extends Error {}

async function call(options: AdminOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const adminKey = options.adminKey ?? process.env.HOLDFAST_ADMIN_KEY;
  if (!adminKey) throw new CliError('an admin key is needed: --admin-key or HOLDFAST_ADMIN_KEY');
  const url = `${options.gateway.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method, headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const json = await res.json().catch(() => undefined) as { error?: { message?: string; code?: string } } | undefined;
  if (!res.ok) throw new CliError(`${res.status} ${json?.error?.code ?? ''}: ${json?.error?.message ?? 'no error body'}`);
  return json;
}

function positive(text: string | undefined, name: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (integer && (!Number.isInteger(n) || n < 1))) throw new CliError(`${name} must be a ${integer ? 'positive integer' : 'number ≥ 0'}`);
  return n;
}

function unixSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new CliError('--expires-at must be Unix seconds or an ISO 8601 date');
  return Math.floor(ms / 1000);
}

function limitText(k: KeyResource): string {
  const parts = [
    `models ${k.models?.join(',') ?? 'all'}`, `rpm ${k.rpm ?? '-'}`, `concurrency ${k.max_concurrency ?? '-'}`,
    `budget ${k.budget_usd === null ? '-' : `$${k.budget_usd}/${k.budget_period}`}`, `spent $${k.spend_usd.toFixed(4)}`,
  ];
  return parts.join('  ');
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    process.stderr.write(`holdfast keys: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliError ? 1 : 2);
  }
}

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage client keys on a running gateway (admin API)');
  const common = (c: Command): Command => c
    .option('--gateway <url>', "holdfast's URL", DEFAULT_GATEWAY_URL)
    .option('--admin-key <key>', 'an admin key from admin.keys (also HOLDFAST_ADMIN_KEY)')
    .option('--json', 'print the API answer as JSON', false);

  common(keys.command('create <name>').description('create a key; its secret is printed once'))
    .option('--models <list>', 'comma-separated model routes it may use (default: all)')
    .option('--rpm <n>', 'requests per minute')
    .option('--max-concurrency <n>', 'jobs queued or running at once')
    .option('--budget-usd <usd>', 'spend allowed per budget period (USD)')
    .option('--budget-period <p>', 'day, month or total', 'month')
    .option('--expires-at <time>', 'Unix seconds or an ISO 8601 date')
    .action((name: string, options: CreateOptions) => run(async () => {
      const body = {
        name, models: options.models?.split(',').map((m) => m.trim()).filter((m) => m !== ''),
        rpm: positive(options.rpm, '--rpm', true), max_concurrency: positive(options.maxConcurrency, '--max-concurrency', true),
        budget_usd: positive(options.budgetUsd, '--budget-usd', false), budget_period: options.budgetPeriod,
        expires_at: unixSeconds(options.expiresAt),
      };
      const created = await call(options, 'POST', '/v1/holdfast/keys', body) as KeyResource;
      if (options.json) return print(JSON.stringify(created, null, 2));
      print(`created ${created.id} (${created.name})`);
      print(`key: ${created.key ?? ''}`);
      print('Store it now: holdfast keeps only a hash and cannot show it again.');
    }));

  common(keys.command('list').description('list keys with their limits and spend (no secrets)'))
    .action((options: AdminOptions) => run(async () => {
      const list = await call(options, 'GET', '/v1/holdfast/keys') as { data: KeyResource[] };
      if (options.json) return print(JSON.stringify(list, null, 2));
      if (list.data.length === 0) return print('no managed keys');
      for (const k of list.data) {
        const state = k.revoked_at !== null ? 'revoked' : 'active';
        print(`${k.id}  ${k.key_prefix}…  ${k.name}  ${state}  ${limitText(k)}`);
      }
    }));

  common(keys.command('revoke <id>').description('revoke a key: it is refused from now on'))
    .action((id: string, options: AdminOptions) => run(async () => {
      const revoked = await call(options, 'DELETE', `/v1/holdfast/keys/${encodeURIComponent(id)}`) as KeyResource;
      if (options.json) return print(JSON.stringify(revoked, null, 2));
      print(`revoked ${revoked.id} (${revoked.name})`);
    }));
}
