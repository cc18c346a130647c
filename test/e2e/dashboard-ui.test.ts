// The dashboard in Chromium (playwright-core) against a real gateway in front of the simulator:
// sign-in by keyboard (a wrong key and a client key are refused), the Deployments table, visible
// focus, a streamed playground generation with partials and the final image at 1280 and 390 px, a
// gateway restart the page reconnects through; no console errors, no request leaving 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, CLIENT, openDashboard, restartOn, shot, unexpected } from './dashboard-browser.js';

test('dashboard: sign in, deployments, playground partials and image at both widths, reconnect after a restart', { timeout: 170_000 }, async (t) => {
  const { stack, page, context, seen } = await openDashboard(t);

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

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByAltText(/^Generated image/).first().waitFor();
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
  assert.deepEqual(unexpected(seen.consoleErrors), [], 'no console errors');
});
