// The dashboard's API as any client sees it: sign-in sets a guarded cookie, the session needs its
// CSRF token for changes, wrong and client keys are refused, and GET /v1/images/jobs lists each
// key's own jobs (the admin's: all) with filters, search and pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';

const ADMIN = 'hf-admin-0123456789abcdef';
const env = { ...seedEnv, HOLDFAST_ADMIN_KEY: ADMIN, KEY_A: 'sk-client-a', KEY_B: 'sk-client-b' };
const config = seedConfig().replace('models:', 'auth: { keys: [env:KEY_A, env:KEY_B] }\nadmin: { keys: [env:HOLDFAST_ADMIN_KEY] }\nmodels:');
const SMALL = { model: 'gpt-image-2', size: '1024x1024', quality: 'low', output_format: 'jpeg', output_compression: 5 };

async function call(url: string, method: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await request(url, {
    method: method as 'GET', headers: body !== undefined ? { 'content-type': 'application/json', ...headers } : headers,
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

test('admin sign-in: cookie guarded, CSRF needed for changes, wrong and client keys refused, admin sees every job', async (t) => {
  const logLines: string[] = [];
  const stack = await startStack(t, { config, env, timeScale: 0.01, logLines });
  const url = stack.url;

  assert.equal((await call(`${url}/v1/holdfast/session`, 'POST', {}, { admin_key: 'not-the-key' })).status, 401);
  const clientAsAdmin = await call(`${url}/v1/holdfast/session`, 'POST', {}, { admin_key: 'sk-client-a' });
  assert.equal(clientAsAdmin.status, 401);
  assert.equal((clientAsAdmin.json.error as { code: string }).code, 'invalid_admin_key');

  const signIn = await call(`${url}/v1/holdfast/session`, 'POST', {}, { admin_key: ADMIN });
  assert.equal(signIn.status, 200);
  const setCookie = String(signIn.headers['set-cookie']);
  assert.match(setCookie, /^holdfast_session=v1\.[^;]+; HttpOnly; SameSite=Strict; Path=\//);
  assert.ok(!setCookie.includes(ADMIN), 'the cookie does not hold the key');
  const cookie = setCookie.split(';')[0];
  const csrf = signIn.json.csrf_token as string;
  assert.equal((await call(`${url}/v1/holdfast/session`, 'GET', { cookie })).json.csrf_token, csrf);

  // Two clients' jobs; each sees only its own, the admin (cookie or bearer) sees all.
  const a = await call(`${url}/v1/images/generations`, 'POST', { authorization: 'Bearer sk-client-a' }, { ...SMALL, prompt: 'a red fox in snow' });
  const b = await call(`${url}/v1/images/generations`, 'POST', { authorization: 'Bearer sk-client-b' }, { ...SMALL, prompt: 'a blue whale' });
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  const idsOf = async (headers: Record<string, string>, query = '') =>
    ((await call(`${url}/v1/images/jobs${query}`, 'GET', headers)).json.data as Array<{ id: string }>).map((j) => j.id);
  const [jobA] = await idsOf({ authorization: 'Bearer sk-client-a' });
  const [jobB] = await idsOf({ authorization: 'Bearer sk-client-b' });
  assert.deepEqual(await idsOf({ authorization: 'Bearer sk-client-a' }), [jobA]);
  assert.deepEqual(await idsOf({ cookie }), [jobB, jobA], 'the admin sees every job, newest first');
  assert.deepEqual(await idsOf({ authorization: `Bearer ${ADMIN}` }, '?q=FOX'), [jobA]);
  assert.deepEqual(await idsOf({ cookie }, `?q=${jobB}`), [jobB]);
  assert.deepEqual(await idsOf({ cookie }, '?status=failed'), []);
  assert.deepEqual(await idsOf({ cookie }, '?limit=1'), [jobB]);
  const page = await call(`${url}/v1/images/jobs?limit=1&after=${jobB}`, 'GET', { cookie });
  assert.deepEqual([(page.json.data as Array<{ id: string }>).map((j) => j.id), page.json.has_more], [[jobA], false]);
  assert.equal((await call(`${url}/v1/images/jobs?status=nope`, 'GET', { cookie })).status, 400);

  // A client key cannot reach admin data: not another key's job, not the session.
  assert.equal((await call(`${url}/v1/images/jobs/${jobB}`, 'GET', { authorization: 'Bearer sk-client-a' })).status, 404);
  assert.equal((await call(`${url}/v1/holdfast/session`, 'GET', { authorization: 'Bearer sk-client-a' })).json.signed_in, false);
  assert.equal((await call(`${url}/v1/holdfast/session`, 'POST', { authorization: 'Bearer sk-client-a' }, { admin_key: 'sk-client-a' })).status, 401);
  assert.equal((await call(`${url}/v1/images/jobs/${jobB}`, 'GET', { cookie })).status, 200, 'the admin reads any job');

  // The cookie alone cannot change anything: a POST without the CSRF token, or from another origin, is refused.
  const noToken = await call(`${url}/v1/images/generations`, 'POST', { cookie }, { ...SMALL, prompt: 'x' });
  assert.equal(noToken.status, 403);
  assert.equal((noToken.json.error as { code: string }).code, 'csrf_failed');
  const foreign = await call(`${url}/v1/images/generations`, 'POST', { cookie, 'x-csrf-token': csrf, origin: 'http://evil.example' }, { ...SMALL, prompt: 'x' });
  assert.equal(foreign.status, 403);
  const own = await call(`${url}/v1/images/generations`, 'POST', { cookie, 'x-csrf-token': csrf, prefer: 'respond-async' }, { ...SMALL, prompt: 'by the admin' });
  assert.equal(own.status, 202);
  const [adminJob] = await idsOf({ cookie }, '?key_name=admin');
  assert.equal(adminJob, own.json.id);

  // Sign-out ends the session; a forged or tampered cookie is nobody.
  assert.equal((await call(`${url}/v1/holdfast/session`, 'DELETE', { cookie, 'x-csrf-token': csrf })).status, 204);
  assert.equal((await call(`${url}/v1/images/jobs`, 'GET', { cookie })).status, 401);
  const tampered = cookie.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 1000}.`);
  assert.equal((await call(`${url}/v1/holdfast/session`, 'GET', { cookie: tampered })).json.signed_in, false);
  assert.equal((await call(`${url}/v1/images/jobs`, 'GET', { cookie: tampered })).status, 401);

  assert.ok(!logLines.some((l) => l.includes(ADMIN)), 'the admin key never reaches the log');
  assert.ok(!logLines.some((l) => l.includes(csrf)), 'nor the CSRF token');
});
