// Managed client keys as an operator and a client see them: created over the admin API and the
// CLI, used with the official SDK, listed without secrets, revoked with immediate effect, and the
// plain key never written to the data folder or the log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';
import { ADMIN_KEY, adminCall, createKey } from '../helpers/admin.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const admin = 'admin: { keys: [env:HOLDFAST_ADMIN_KEY] }';
const env = { ...seedEnv, HOLDFAST_ADMIN_KEY: ADMIN_KEY };

function runCli(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'keys', ...args], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function client(url: string, apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 });
}

test('a managed key is created, used, listed without its secret, limited, and revoked at once', async (t) => {
  const logLines: string[] = [];
  const stack = await startStack(t, { config: seedConfig(admin), env, logLines });

  assert.equal((await adminCall(stack.url, 'POST', '/v1/holdfast/keys', { name: 'x' }, 'not-an-admin')).status, 401);
  const created = await adminCall(stack.url, 'POST', '/v1/holdfast/keys', { name: 'team red', models: ['gpt-image-2'], rpm: 30, budget_usd: 10, budget_period: 'month' });
  assert.equal(created.status, 201);
  const plain = String(created.json.key);
  assert.match(plain, /^sk-hf-[A-Za-z0-9_-]{32}$/);
  assert.equal(created.json.key_prefix, plain.slice(0, 10));
  assert.deepEqual([created.json.models, created.json.rpm, created.json.budget_usd, created.json.spend_usd], [['gpt-image-2'], 30, 10, 0]);

  // The key works with the official SDK; a request without any key, or with the admin key, does not.
  const image = await client(stack.url, plain).images.generate({ model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low' });
  assert.ok(image.data?.[0]?.b64_json);
  await assert.rejects(client(stack.url, ADMIN_KEY).images.generate({ model: 'gpt-image-2', prompt: 'a red apple' }), OpenAI.AuthenticationError);
  // A model the key may not use is "not found", as OpenAI answers.
  await assert.rejects(client(stack.url, plain).images.generate({ model: 'gpt-image-2-openai', prompt: 'a red apple' }),
    (error: unknown) => error instanceof OpenAI.NotFoundError && error.code === 'model_not_found');
  assert.deepEqual((await client(stack.url, plain).models.list()).data.map((m) => m.id), ['gpt-image-2']);

  const listed = await adminCall(stack.url, 'GET', '/v1/holdfast/keys');
  const row = (listed.json.data as Array<Record<string, unknown>>)[0];
  assert.equal(row.id, created.json.id);
  assert.equal(row.key, undefined);
  assert.ok(!listed.text.includes(plain), 'the list never shows the plain key');
  assert.ok(Number(row.spend_usd) > 0, 'the image was charged to the key');

  const patched = await adminCall(stack.url, 'PATCH', `/v1/holdfast/keys/${String(created.json.id)}`, { rpm: null, max_concurrency: 4 });
  assert.deepEqual([patched.json.rpm, patched.json.max_concurrency, patched.json.budget_usd], [null, 4, 10]);
  const bad = await adminCall(stack.url, 'PATCH', `/v1/holdfast/keys/${String(created.json.id)}`, { budget_period: 'week' });
  assert.deepEqual([bad.status, (bad.json.error as Record<string, unknown>).param], [400, 'budget_period']);

  const revoked = await adminCall(stack.url, 'DELETE', `/v1/holdfast/keys/${String(created.json.id)}`);
  assert.equal(revoked.status, 200);
  assert.ok(typeof revoked.json.revoked_at === 'number');
  await assert.rejects(client(stack.url, plain).images.generate({ model: 'gpt-image-2', prompt: 'again', size: '1024x1024', quality: 'low' }), OpenAI.AuthenticationError);

  // The plain key is in no file of the data folder (database, WAL, images) and in no log line.
  for (const file of filesUnder(stack.dataDir)) assert.ok(!readFileSync(file).includes(plain), `${file} contains the plain key`);
  assert.ok(logLines.length > 0);
  assert.ok(!logLines.some((line) => line.includes(plain)), 'a log line contains the plain key');
});

test('holdfast keys create, list and revoke drive the admin API; the revoked key is refused', async (t) => {
  const stack = await startStack(t, { config: seedConfig(admin), env });
  const cliEnv = { HOLDFAST_ADMIN_KEY: ADMIN_KEY };
  const made = await runCli(['create', 'cli team', '--gateway', stack.url, '--rpm', '5', '--budget-usd', '2', '--budget-period', 'day', '--json'], cliEnv);
  assert.equal(made.code, 0, made.stderr);
  const key = JSON.parse(made.stdout) as { id: string; key: string; rpm: number; budget_period: string };
  assert.deepEqual([key.rpm, key.budget_period], [5, 'day']);
  const image = await client(stack.url, key.key).images.generate({ model: 'gpt-image-2', prompt: 'a pear', size: '1024x1024', quality: 'low' });
  assert.ok(image.data?.[0]?.b64_json);

  const list = await runCli(['list', '--gateway', stack.url], cliEnv);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${key.id}\\s+${key.key.slice(0, 10)}…\\s+cli team\\s+active\\s+models all\\s+rpm 5`));
  assert.ok(!list.stdout.includes(key.key));

  const revoke = await runCli(['revoke', key.id, '--gateway', stack.url], cliEnv);
  assert.equal(revoke.code, 0, revoke.stderr);
  assert.match(revoke.stdout, new RegExp(`revoked ${key.id}`));
  await assert.rejects(client(stack.url, key.key).images.generate({ model: 'gpt-image-2', prompt: 'a pear' }), OpenAI.AuthenticationError);
  assert.match((await runCli(['list', '--gateway', stack.url], cliEnv)).stdout, /cli team\s+revoked/);

  const refused = await runCli(['list', '--gateway', stack.url], { HOLDFAST_ADMIN_KEY: key.key });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /401 invalid_admin_key/);
});

test('static auth.keys keep working beside managed keys', async (t) => {
  const stack = await startStack(t, { config: seedConfig(`${admin}\nauth: { keys: [env:STATIC_KEY] }`), env: { ...env, STATIC_KEY: 'hf-static-key' } });
  const managed = await createKey(stack.url, { name: 'beside static' });
  for (const apiKey of ['hf-static-key', managed.key]) {
    const image = await client(stack.url, apiKey).images.generate({ model: 'gpt-image-2', prompt: 'a plum', size: '1024x1024', quality: 'low' });
    assert.ok(image.data?.[0]?.b64_json, apiKey === managed.key ? 'managed' : 'static');
  }
});
