// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real gateway
// in front of the simulator: sign-in (wrong and client keys refused), the Deployments table and a
// circuit opening, a streamed playground generation with partials, a mid-stream failure and the
// failover in the job timeline, the job list's search, Cancel, a gateway restart, both widths,
// no console errors and no request leaving 127.0.0.1. Screenshots go to docs/images/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { request } from 'undici';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStack, type Stack } from '../helpers/stack.js';
import { createHoldfast, type Holdfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';

const ADMIN = 'hf-admin-browser-test-key';
const CLIENT = 'sk-client-browser';
const SWEDEN = 'gpt-image-2-1';
const SHOTS = new URL('../../docs/images/', import.meta.url);

const scenario = `
name: dashboard
content_policy: { pattern: "(?i)forbidden" }
deployments:
  - { name: ${SWEDEN}, form: azure, model: gpt-image-2, region: swedencentral, latency_factor: 1.0, rate_limit: { requests: 30, window_ms: 60000 } }
  - { name: gpt-image-2-westeurope, form: azure, model: gpt-image-2, region: westeurope, latency_factor: 0.9, rate_limit: { requests: 30, window_ms: 60000 } }
  - { name: slow, form: azure, model: gpt-image-2, region: northeurope, latency_factor: 40 }
`;

const config = `
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
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: ${SWEDEN}, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: swedencentral, idle_timeout_ms: null }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-westeurope, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: westeurope, idle_timeout_ms: null }
  northeurope: { provider: azure, base_url: "{{SIM}}", deployment: slow, api_key: env:AZ_KEY, model: gpt-image-2, rpm: 30, region: northeurope, idle_timeout_ms: null }
`;
const env = { CLIENT_KEY: CLIENT, HOLDFAST_ADMIN_KEY: ADMIN, AZ_KEY: 'sk-azure-secret' };

interface Watch { consoleErrors: string[]; foreign: string[] }

function watch(page: Page): Watch {
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

async function api(stack: { url: string }, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${stack.url}${path}`, {
    method, headers: { authorization: `Bearer ${CLIENT}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.statusCode, json: JSON.parse(await res.body.text()) as Record<string, unknown> };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: new URL(`${name}.png`, SHOTS).pathname, fullPage: true });
}

function launchBrowser(): Promise<Browser> {
  const executablePath = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A second holdfast process on the same port and database: the "restarted gateway". */
async function restartOn(stack: Stack, port: number): Promise<Holdfast> {
  const text = config.replace('port: 0', `port: ${port}`).replaceAll('{{SIM}}', stack.sim.url).replaceAll('{{DATA}}', stack.dataDir);
  const parsed = parseConfig(text, env, 'restart.yaml').config;
  const holdfast = await createHoldfast({ clock: stack.clock, random: createSeededRandom(9), ids: cryptoIds, log: pino({ level: 'silent' }) }, parsed);
  await holdfast.start();
  return holdfast;
}

test('the dashboard: sign in, deployments and a circuit opening, playground, failover timeline, job search, cancel, restart', { timeout: 180_000 }, async (t) => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/web/tsconfig.json']);
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

  // Sign in by keyboard; a wrong key and a client key are refused with a message.
  await page.goto(stack.url);
  const keyField = page.getByLabel('Admin key');
  await keyField.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'admin-key', 'the key field has focus');
  await keyField.fill('not-an-admin-key');
  await keyField.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'not an admin key' }).waitFor();
  await keyField.fill(CLIENT);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not an admin key' }).waitFor();
  assert.equal(await page.getByRole('table', { name: 'Deployments' }).count(), 0, 'nothing behind the sign-in is shown');
  await shot(page, 'dashboard-signin-1280');
  await keyField.fill(ADMIN);
  await keyField.press('Enter');

  // The Deployments table names every configured deployment, live.
  const table = page.getByRole('table', { name: 'Deployments' });
  await table.waitFor();
  for (const name of ['sweden', 'westeurope', 'northeurope']) await table.getByRole('rowheader', { name }).first().waitFor();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  const cookies = await context.cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  assert.ok(!page.url().includes(ADMIN) && !cookies[0].value.includes(ADMIN), 'the key is in neither the URL nor the cookie');

  // Visible focus: a keyboard user tabbing to a nav link sees an outline.
  await page.getByRole('link', { name: 'Jobs' }).focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
  assert.equal(outline, 'solid');

  // Playground: a streamed generation shows heartbeats, partial images as they come, then the image.
  await page.getByRole('link', { name: 'Playground' }).click();
  await page.getByLabel('Model').selectOption('gpt-image-2');
  await page.getByLabel('Prompt').fill('A lighthouse on a rocky coast at dusk');
  await page.getByLabel('Partial images').fill('2');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByAltText('Partial image 1').waitFor({ timeout: 30_000 });
  await page.getByAltText(/^Generated image/).first().waitFor({ timeout: 30_000 });
  assert.ok(await page.getByAltText('Partial image 2').count() === 1, 'both partials shown');
  assert.match(await page.locator('#pg-curl').innerText(), /curl -N http:\/\/127\.0\.0\.1:\d+\/v1\/images\/generations/);
  assert.ok(!(await page.locator('#pg-curl').innerText()).includes(ADMIN), 'snippets name $HOLDFAST_KEY, not a key');
  await page.getByRole('link', { name: 'Download' }).first().waitFor();
  await shot(page, 'dashboard-playground-1280');

  // Sweden starts failing mid-stream: jobs fail over to West Europe and Sweden's circuit opens.
  const faults = await request(`${stack.sim.url}/_sim/deployments/${SWEDEN}/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { stream_error: 1, after_partial: 0 } }),
  });
  assert.equal(faults.statusCode, 200, await faults.body.text());
  await page.getByRole('link', { name: 'Deployments' }).click();
  // Streaming jobs (answered 202 at once): Sweden fails each one mid-stream, West Europe finishes it.
  const burst = await Promise.all(Array.from({ length: 6 }, (_v, i) => api(stack, 'POST', '/v1/images/generations',
    { model: 'gpt-image-2', prompt: `harbour at night ${i}`, size: '1024x1024', quality: 'low', stream: true, partial_images: 1 }, { prefer: 'respond-async' })));
  assert.deepEqual(burst.map((r) => r.status), Array(6).fill(202));
  const swedenRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'sweden' }) }).first();
  await swedenRow.filter({ hasText: 'open' }).waitFor({ timeout: 30_000 });
  assert.match(await swedenRow.innerText(), /(stream_error|server_error|idle_timeout) \d/, 'the errors column counts the failures by kind');
  await page.waitForTimeout(300);
  await shot(page, 'dashboard-deployments-1280');

  // Find a job that failed on Sweden and succeeded on West Europe, through the job list's search.
  type Listed = { id: string; status: string; attempts: Array<{ deployment: string; outcome: string | null; mode: string }> };
  let failedOver: Listed | undefined;
  for (let i = 0; i < 150 && !failedOver; i += 1) {
    const list = await api(stack, 'GET', '/v1/images/jobs?deployment=sweden&status=succeeded&limit=50');
    failedOver = (list.json.data as Listed[]).find((j) => j.attempts.some((a) => a.deployment === 'sweden' && a.outcome !== 'succeeded' && a.mode === 'stream')
      && j.attempts.at(-1)?.deployment === 'westeurope');
    if (!failedOver) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(failedOver, 'a job failed over from Sweden to West Europe');
  await page.getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(failedOver.id);
  await page.getByRole('button', { name: 'Find' }).click();
  const jobsTable = page.getByRole('table', { name: 'Jobs' });
  await jobsTable.getByRole('link', { name: failedOver.id }).waitFor();
  assert.equal(await jobsTable.locator('tbody tr').count(), 1, 'the search finds exactly that job');
  await shot(page, 'dashboard-jobs-1280');
  await jobsTable.getByRole('link', { name: failedOver.id }).click();
  const timeline = page.getByRole('list', { name: 'Job timeline' });
  await timeline.getByText('Completed').waitFor();
  const entries = await timeline.getByRole('listitem').allInnerTexts();
  const startedAt = entries.findIndex((e) => /Attempt \d+ started on sweden \(streaming\)/.test(e));
  const failedAt = entries.findIndex((e) => /Failed: attempt \d+ on sweden: \w+/.test(e));
  const succeededAt = entries.findIndex((e) => /Succeeded: attempt \d+ on westeurope/.test(e));
  assert.ok(startedAt >= 0 && failedAt > startedAt && succeededAt > failedAt, entries.join('\n'));
  await page.getByRole('table', { name: 'Upstream attempts' }).getByText(/x-request-id|apim-request-id/).first().waitFor();
  await page.getByAltText(/^Generated image/).waitFor();
  await shot(page, 'dashboard-job-1280');

  // Cancel: a slow job, opened from its URL, is cancelled with the button.
  const slow = await api(stack, 'POST', '/v1/images/generations', { model: 'gpt-image-2-slow', prompt: 'a very slow cathedral', size: '1024x1024', quality: 'high' }, { prefer: 'respond-async' });
  assert.equal(slow.status, 202);
  await page.goto(`${stack.url}/#/jobs/${String(slow.json.id)}`);
  await page.getByRole('list', { name: 'Job timeline' }).getByText(/Attempt 1 started on northeurope/).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('list', { name: 'Job timeline' }).getByText('Cancelled').waitFor();
  assert.equal((await api(stack, 'GET', `/v1/images/jobs/${String(slow.json.id)}`)).json.status, 'cancelled');
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).isDisabled(), true);

  // A client key cannot reach admin data; the browser's session can, the client's bearer cannot.
  assert.equal((await api(stack, 'GET', '/v1/holdfast/session')).json.signed_in, false);
  assert.equal((await api(stack, 'POST', '/v1/holdfast/session', { admin_key: CLIENT })).status, 401);
  assert.equal((await api(stack, 'GET', `/v1/images/jobs?limit=100`)).json.data instanceof Array, true);
  const adminOnly = ((await api(stack, 'GET', '/v1/images/jobs?key_name=admin')).json.data as unknown[]).length;
  assert.equal(adminOnly, 0, 'the client key does not see the playground job the admin made');

  // 390 px wide: the same views, usable as cards.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.url}/#/deployments`);
  await table.getByRole('rowheader', { name: 'sweden' }).first().waitFor();
  await page.waitForTimeout(300);
  await shot(page, 'dashboard-deployments-390');
  await page.goto(`${stack.url}/#/jobs/${failedOver.id}`);
  await page.getByRole('list', { name: 'Job timeline' }).getByText('Completed').waitFor();
  await shot(page, 'dashboard-job-390');
  await page.getByRole('link', { name: 'Playground' }).click();
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByAltText(/^Generated image/).first().waitFor({ timeout: 30_000 });
  await shot(page, 'dashboard-playground-390');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);

  // The gateway restarts: the page says so, reconnects to the new process and stays signed in.
  await page.goto(`${stack.url}/#/deployments`);
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  const port = Number(new URL(stack.url).port);
  await stack.holdfast.close();
  await page.getByRole('status').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 20_000 });
  const second = await restartOn(stack, port);
  t.after(() => second.close());
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
  await table.getByRole('rowheader', { name: 'westeurope' }).first().waitFor();
  assert.equal(await page.getByLabel('Admin key').isVisible(), false, 'still signed in after the restart');

  assert.deepEqual(seen.foreign, [], 'no request left 127.0.0.1');
  assert.deepEqual(seen.consoleErrors.filter((e) => !restarting(e)), [], 'no console errors');
});

/** Chromium logs the refused reconnects while the gateway is down as console errors; only those are expected. */
function restarting(message: string): boolean {
  return /ERR_CONNECTION_REFUSED/.test(message);
}
