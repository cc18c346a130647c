// The dashboard in Chromium against a real gateway in front of the simulator, when a region fails:
// Sweden fails every stream mid-way, its circuit opens in the Deployments table, the job list finds
// a job by id, its timeline shows the failed attempt on Sweden and the successful one on West Europe
// with the upstream request ids, and Cancel cancels a running job. A client key cannot reach admin
// data; no console errors, no request leaving 127.0.0.1. Screenshots at 1280 and 390 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { api, CLIENT, openDashboard, shot, signIn, SWEDEN, unexpected } from './dashboard-browser.js';

test('dashboard: a circuit opens, the failover is in the job timeline, the job list finds it, Cancel cancels', { timeout: 170_000 }, async (t) => {
  const { stack, page, seen } = await openDashboard(t);
  await signIn(page, stack.url);
  const table = page.getByRole('table', { name: 'Deployments' });

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


  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.url}/#/deployments`);
  await table.getByRole('rowheader', { name: 'sweden' }).first().waitFor();
  await page.waitForTimeout(300);
  await shot(page, 'dashboard-deployments-390');
  await page.goto(`${stack.url}/#/jobs/${failedOver.id}`);
  await page.getByRole('list', { name: 'Job timeline' }).getByText('Completed').waitFor();
  await shot(page, 'dashboard-job-390');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);

  assert.deepEqual(seen.foreign, [], 'no request left 127.0.0.1');
  assert.deepEqual(unexpected(seen.consoleErrors), [], 'no console errors');
});
