// `holdfast generate` as a user runs it: a real child process against a running `holdfast demo`
// (also a child), checked by the image it writes (sharp metadata), its exit code and the simulator's
// stats. Time scale 0.05: 1024x1024 low (22 simulated s) takes about a second of real time.
import { test, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { request } from 'undici';
import { spawnDemo, type DemoProcess } from '../e2e/demo-process.js';
import { startDropProxy } from '../e2e/drop-proxy.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'holdfast-generate-'));

function demoArgs(): string[] {
  return ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'demo', '--port', '0', '--time-scale', '0.05', '--data-dir', mkdtempSync(join(work, 'data-'))];
}

/** A demo of the test's own (for a test that stops it), SIGKILLed after the test if still up. */
async function startDemo(t: TestContext): Promise<DemoProcess> {
  return spawnDemo((fn) => t.after(fn), process.execPath, demoArgs(), repoRoot);
}

// One demo shared by the tests that only use it (a demo start costs seconds on a loaded box). It is
// started by whichever test comes first and stopped after the file, so no test depends on the order;
// a test that counts upstream calls resets the simulator's stats first.
const cleanups: Array<() => Promise<void>> = [];
let shared: Promise<DemoProcess> | undefined;
const sharedDemo = (): Promise<DemoProcess> => (shared ??= spawnDemo((fn) => cleanups.push(fn), process.execPath, demoArgs(), repoRoot));
after(async () => {
  for (const fn of cleanups) await fn();
  rmSync(work, { recursive: true, force: true });
});

/** Runs `holdfast generate`; SIGKILLed if it outlives timeoutMs or the test. */
async function generate(t: TestContext, args: string[], timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'generate', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  t.after(kill);
  const timer = setTimeout(kill, timeoutMs);
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  const [code] = await exited;
  clearTimeout(timer);
  return { code, output };
}

async function simStats(demo: DemoProcess): Promise<{ requests_total: number; faults_injected: number }> {
  const res = await request(`${demo.simUrl}/_sim/stats`);
  return (await res.body.json()) as { requests_total: number; faults_injected: number };
}

test('generate writes a 1536x1024 JPEG and exits 0, with plain progress lines when not on a terminal', async (t) => {
  const demo = await sharedDemo();
  const out = join(work, 'apple.jpg');
  const run = await generate(t, ['a red apple on a white background', '--size', '1536x1024', '--quality', 'low', '--format', 'jpeg', '--out', out, '--gateway', demo.gatewayUrl]);
  assert.equal(run.code, 0, run.output);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1536, 1024, 'jpeg']);
  assert.match(run.output, /\] attempt 1 on deployment (sweden|westeurope)\n/);
  assert.match(run.output, /completed in [\d.]+ s: wrote .*apple\.jpg/);
  assert.ok(!run.output.includes('\u001b['), 'no terminal escapes when stderr is a pipe');
});

test('a dropped events connection is resumed with Last-Event-ID: same job, one upstream generation, each partial once', async (t) => {
  const demo = await sharedDemo();
  await request(`${demo.simUrl}/_sim/reset`, { method: 'POST' }).then((r) => r.body.dump());
  const proxy = await startDropProxy(t, demo.gatewayUrl, 'event: image.partial');
  const out = join(work, 'resumed.png');
  const run = await generate(t, ['a green pear', '--size', '1024x1024', '--quality', 'low', '--partials', '2', '--save-partials', '--out', out, '--gateway', proxy.url]);
  assert.equal(run.code, 0, run.output);
  assert.ok(proxy.dropped, 'the proxy cut the events stream');
  assert.equal(proxy.eventsRequests.length, 2, proxy.eventsRequests.join('\n---\n'));
  assert.doesNotMatch(proxy.eventsRequests[0], /last-event-id/i);
  const resumedAfter = /last-event-id: (\d+)/i.exec(proxy.eventsRequests[1]);
  assert.ok(resumedAfter && Number(resumedAfter[1]) > 0, `second request resumes: ${proxy.eventsRequests[1]}`);
  // The second partial arrived on the resumed connection, and nothing came twice.
  assert.match(run.output, new RegExp(`resuming after event ${resumedAfter[1]}\\n(.*\\n)*.*partial 2 of 2`));
  assert.equal(run.output.match(/partial 1 of 2/g)?.length, 1, run.output);
  const stats = await simStats(demo);
  assert.equal(stats.requests_total, 1, 'one upstream generation');
  assert.deepEqual([0, 1, 2].map((i) => existsSync(join(work, `resumed.partial-${i}.png`))), [true, true, false]);
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'png']);
});

test('an unreachable gateway and a refused request each end in one clear line and exit 1', async (t) => {
  const demo = await sharedDemo();
  const down = await generate(t, ['x', '--gateway', 'http://127.0.0.1:1', '--out', join(work, 'never.png')]);
  assert.equal(down.code, 1);
  assert.deepEqual(down.output.trim().split('\n'), ['holdfast generate: cannot reach http://127.0.0.1:1: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1']);
  const refused = await generate(t, ['x', '--size', '1000x10', '--gateway', demo.gatewayUrl, '--out', join(work, 'never.png')]);
  assert.equal(refused.code, 1);
  assert.match(refused.output.trim(), /^holdfast generate: the gateway answered 400 invalid_value: Invalid size '1000x10'/);
  assert.equal(refused.output.trim().split('\n').length, 1);
  assert.ok(!existsSync(join(work, 'never.png')));
});

test('--async prints the job id and its URL, and the job completes on its own', async (t) => {
  const demo = await sharedDemo();
  const run = await generate(t, ['a plum', '--size', '1024x1024', '--quality', 'low', '--async', '--gateway', demo.gatewayUrl]);
  assert.equal(run.code, 0, run.output);
  const [id, url] = run.output.trim().split('\n');
  assert.match(id, /^job_[0-9a-f]{32}$/);
  assert.equal(url, `${demo.gatewayUrl}/v1/images/jobs/${id}`);
  const res = await request(`${url}/events`);
  assert.equal(res.statusCode, 200);
  assert.match(await res.body.text(), /event: job\.completed/);
});

test('the demo stops cleanly on SIGTERM (exit 0)', async (t) => {
  const demo = await startDemo(t);
  assert.deepEqual(await demo.stop('SIGTERM'), { code: 0, signal: null });
  assert.match(demo.output(), /holdfast demo: stopped/);
});
