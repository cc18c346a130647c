// The README's first command as a new user runs it: a fresh clone of the committed HEAD, no config,
// `npx holdfast demo`, then the requests the demo prints, copied and pasted into a shell.
//
// Install step, decided: the clone gets a *copy* of this checkout's node_modules instead of running
// `npm ci`, which takes ~70 s because better-sqlite3 compiles from source (no prebuilt binary can be
// downloaded here). What the copy skips is only the download and compile: the clone still runs
// `npm run prepare` (the build `npm ci` runs for it) from its own committed sources, so uncommitted
// work cannot make this pass. `.ci/run` performs the real `npm ci` on a clean clone before `npm test`.
// On a new checkout path `npx holdfast` links the package into npm's npx cache and runs `prepare`
// once more (~10 s); the test gives npx a private cache so that it leaves nothing in ~/.npm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { request } from 'undici';
import { spawnDemo } from '../e2e/demo-process.js';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');

/** The multi-line `curl …` block of the banner that targets `baseUrl`. */
function printedCurl(banner: string, baseUrl: string): string {
  const start = banner.indexOf(`curl -sN '${baseUrl}/`);
  assert.ok(start >= 0, `the banner has a curl for ${baseUrl}:\n${banner}`);
  const end = banner.indexOf('| cut -c1-100', start);
  return banner.slice(start, end + '| cut -c1-100'.length);
}

test('fresh clone, npx holdfast demo with no config: a request through it succeeds, and the printed curls do what they say', { timeout: 240_000 }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'holdfast-first-run-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const clone = join(home, 'holdfast');
  await run('git', ['clone', '--quiet', repoRoot, clone]);
  await run('cp', ['-a', join(repoRoot, 'node_modules'), join(clone, 'node_modules')]);
  await run('npm', ['run', 'prepare', '--silent'], { cwd: clone });

  const demo = await spawnDemo((fn) => t.after(fn), 'npx', ['holdfast', 'demo', '--port', '0', '--time-scale', '0.01'], clone, {
    env: { npm_config_cache: join(home, 'npm-cache'), HOLDFAST_ADMIN_KEY: '' }, timeoutMs: 150_000,
  });
  assert.equal(demo.dataDir, join(clone, 'holdfast-data'), 'the default data dir is ./holdfast-data, and the banner says so');
  assert.match(demo.output(), /no client key required/);
  // The dashboard is on the gateway's port, and the banner's admin key signs in (the issue-14 path).
  const dashboard = /dashboard: +(http:\/\/\S+\/) +sign in with the admin key (hf-admin-[0-9a-f]+)/.exec(demo.output());
  assert.ok(dashboard, demo.output());
  assert.equal(dashboard[1], `${demo.gatewayUrl}/`);
  const page = await request(dashboard[1]);
  assert.equal(page.statusCode, 200);
  assert.match(await page.body.text(), /<label for="admin-key">Admin key<\/label>/);
  const signIn = await request(`${demo.gatewayUrl}/v1/holdfast/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ admin_key: dashboard[2] }),
  });
  assert.equal(signIn.statusCode, 200, await signIn.body.text());

  const res = await request(`${demo.gatewayUrl}/v1/images/generations`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-image-2', prompt: 'a red apple on a white background', size: '1024x1024', quality: 'low' }),
  });
  const body = (await res.body.json()) as { data: Array<{ b64_json: string }> };
  assert.equal(res.statusCode, 200, JSON.stringify(body));
  const meta = await sharp(Buffer.from(body.data[0].b64_json, 'base64')).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'png']);
  assert.ok(existsSync(join(clone, 'holdfast-data', 'holdfast.db')));

  // The report's request, as printed: through holdfast it completes; straight to the region, 408.
  const through = await run('sh', ['-c', printedCurl(demo.output(), demo.gatewayUrl)], { maxBuffer: 1 << 20 });
  assert.match(through.stdout, /^event: image_generation\.completed$/m);
  assert.match(through.stdout, /^: keepalive$/m);
  assert.match(through.stdout, /HTTP 200 after/);
  const direct = await run('sh', ['-c', printedCurl(demo.output(), demo.simUrl)]);
  assert.match(direct.stdout, /"code":"Timeout"/);
  assert.match(direct.stdout, /HTTP 408 after/);

  // Ctrl-C reaches the whole foreground group (npm, sh, node). npm's own status reflects the signal;
  // the demo's exit code 0 is asserted on a direct child in generate-cli.test.ts.
  await demo.stop('SIGINT');
  assert.match(demo.output(), /holdfast demo: SIGINT, stopping\nholdfast demo: stopped/);
  assert.ok(!demo.groupAlive(), 'nothing of the demo is left running');
});
