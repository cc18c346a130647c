// Shared by the dashboard's browser tests: the gateway and simulator setup, Debian's Chromium through
// playwright-core, a watch on console errors and on requests leaving 127.0.0.1, screenshots.
import type { TestContext } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { request } from 'undici';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startStack, type Stack } from '../helpers/stack.js';
import { createHoldfast, type Holdfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';

export const ADMIN = 'hf-admin-browser-test-key';
export const CLIENT = 'sk-client-browser';
export const SWEDEN = 'gpt-image-2-1';
export const SHOTS = new URL('../../docs/images/', import.meta.url);

export const scenario = `
name: dashboard
content_policy: { pattern: "(?i)forbidden" }
deployments:
  - { name: ${SWEDEN}, form: azure, model: gpt-image-2, region: swedencentral, latency_factor: 1.0, rate_limit: { requests: 30, window_ms: 60000 } }
  - { name: gpt-image-2-westeurope, form: azure, model: gpt-image-2, region: westeurope, latency_factor: 0.9, rate_limit: { requests: 30, window_ms: 60000 } }
  - { name: slow, form: azure, model: gpt-image-2, region: northeurope, latency_factor: 40 }
`;

export const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "{{DATA}}/holdfast.db" }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 5000 }
retry: { max_attempts: 4, base_delay_ms: 1000, max_delay_ms: 30000 }
circuit: { window_ms: 300000, min_requests: 3, failure_rate: 0.5, cooldown_ms: 600000 }
jobs: { default_deadline_ms: 3600000 }
auth: { keys: [env:CLIENT_KEY] }
admin: { keys: [env:HOLDFAST_ADMIN_KEY] }
models:
  gpt-image-2: { deployments: [sweden, westeurope], queue: { max_depth: 100, max_wait_ms: 1800000 } }
  gpt-image-2-slow: { deployments: [northeurope] }
deployments:
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: ${SWEDEN}, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: swedencentral, idle_timeout_ms: 600000 }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-westeurope, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: westeurope, idle_timeout_ms: 600000 }
  northeurope: { provider: azure, base_url: "{{SIM}}", deployment: slow, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: northeurope, idle_timeout_ms: 600000 }
`;
export const env = { CLIENT_KEY: CLIENT, HOLDFAST_ADMIN_KEY: ADMIN, AZ_KEY: 'sk-azure-secret' };

export interface Watch { consoleErrors: string[]; foreign: string[] }

export function watch(page: Page): Watch {
  const w: Watch = { consoleErrors: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The refused sign-ins this test makes on purpose are logged by Chromium as failed loads; nothing else may be.
    const refusedSignIn = /status of 401/.test(m.text()) && new URL(m.location().url || 'http://x/').pathname === '/v1/holdfast/session';
    if (!refusedSignIn) w.consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => w.consoleErrors.push(String(e)));
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    if (u.hostname !== '127.0.0.1') w.foreign.push(r.url());
  });
  return w;
}

export async function api(stack: { url: string }, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${stack.url}${path}`, {
    method, headers: { authorization: `Bearer ${CLIENT}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.statusCode, json: JSON.parse(await res.body.text()) as Record<string, unknown> };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
}

export function launchBrowser(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A second holdfast process on the same port and database: the "restarted gateway". */
export async function restartOn(stack: Stack, port: number): Promise<Holdfast> {
  const text = config.replace('port: 0', `port: ${port}`).replaceAll('{{SIM}}', stack.sim.url).replaceAll('{{DATA}}', stack.dataDir);
  const parsed = parseConfig(text, env, 'restart.yaml').config;
  const holdfast = await createHoldfast({ clock: stack.clock, random: createSeededRandom(9), ids: cryptoIds, log: pino({ level: 'silent' }) }, parsed);
  await holdfast.start();
  return holdfast;
}

/** Compiles src/web/ into dist/web/ unless the build is newer than every source (two test files share it). */
function buildWebOnce(): void {
  const newest = (dir: string, ext: string): number => Math.max(0, ...readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => statSync(`${dir}/${f}`).mtimeMs));
  if (existsSync('dist/web/main.js') && newest('dist/web', '.js') > newest('src/web', '.ts')) return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/web/tsconfig.json']);
}

export interface Session { stack: Stack; page: Page; context: BrowserContext; seen: Watch }

/** Builds the web bundle, starts the stack and a browser page at 1280 px; cleans all up after the test. */
export async function openDashboard(t: TestContext): Promise<Session> {
  buildWebOnce();
  mkdirSync(SHOTS, { recursive: true });
  const stack = await startStack(t, { config, env, scenarioYaml: scenario, timeScale: 0.03, seed: 3 });
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const seen = watch(page);
  t.after(async () => {
    // On failure, what the browser showed helps: a screenshot and console lines in the temp dir.
    if (!page.isClosed()) await page.screenshot({ path: `${tmpdir()}/holdfast-dashboard-last.png`, fullPage: true }).catch(() => undefined);
    if (seen.consoleErrors.length > 0) console.error(seen.consoleErrors.join('\n'));
    await browser.close();
  });
  return { stack, page, context, seen };
}

export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const keyField = page.getByLabel('Admin key');
  await keyField.fill(ADMIN);
  await keyField.press('Enter');
  await page.getByRole('table', { name: 'Deployments' }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
}

/** Chromium logs the refused reconnects while the gateway is down as console errors; only those are expected. */
export function unexpected(errors: string[]): string[] {
  return errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
}
