import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { ManualClock } from '../time/manual-clock.js';
import { GatewayError } from '../errors.js';
import { createAdminAuth } from './admin-auth.js';
import { createAdminGate } from './admin-session.js';

const secret = (value: string) => ({ reveal: () => value });

function app(clock: ManualClock, keys = ['admin-key-1']) {
  const gate = createAdminGate(clock, createAdminAuth(keys.map(secret)), keys.map(secret));
  const server = Fastify();
  server.setErrorHandler((error, _request, reply) => {
    const status = error instanceof GatewayError ? error.status : 500;
    return reply.code(status).send({ code: error instanceof GatewayError ? error.code : 'x', retryAfterMs: error instanceof GatewayError ? error.retryAfterMs : undefined });
  });
  server.post<{ Body: { key: string } }>('/in', async (request, reply) => reply.send(gate.signIn(request, reply, request.body.key)));
  server.get('/who', async (request) => ({ via: gate.check(request) }));
  server.post('/change', async (request) => ({ via: gate.require(request) }));
  server.delete('/out', async (request, reply) => { gate.check(request); gate.signOut(request, reply); return reply.code(204).send(); });
  return server;
}

async function signIn(server: ReturnType<typeof app>): Promise<{ cookie: string; csrf: string }> {
  const res = await server.inject({ method: 'POST', url: '/in', payload: { key: 'admin-key-1' } });
  assert.equal(res.statusCode, 200);
  return { cookie: String(res.headers['set-cookie']).split(';')[0], csrf: res.json<{ csrfToken: string }>().csrfToken };
}

test('a session lasts 12 hours of clock time and survives a new gate with the same keys, not with other keys', async () => {
  const clock = new ManualClock();
  const { cookie } = await signIn(app(clock));
  assert.equal((await app(clock).inject({ url: '/who', headers: { cookie } })).json().via, 'session', 'a restarted gateway honours it');
  assert.equal((await app(clock, ['another-key']).inject({ url: '/who', headers: { cookie } })).json().via, null, 'new admin keys end it');
  await clock.advanceBy(12 * 60 * 60 * 1000);
  assert.equal((await app(clock).inject({ url: '/who', headers: { cookie } })).json().via, null, 'expired');
});

test('changes need the CSRF token of the same session; sign-out revokes; the bearer key needs no token', async () => {
  const clock = new ManualClock();
  const server = app(clock);
  const { cookie, csrf } = await signIn(server);
  const other = await signIn(server);
  assert.equal((await server.inject({ method: 'POST', url: '/change', headers: { cookie } })).json().code, 'csrf_failed');
  assert.equal((await server.inject({ method: 'POST', url: '/change', headers: { cookie, 'x-csrf-token': other.csrf } })).json().code, 'csrf_failed');
  assert.equal((await server.inject({ method: 'POST', url: '/change', headers: { cookie, 'x-csrf-token': csrf } })).json().via, 'session');
  assert.equal((await server.inject({ method: 'POST', url: '/change', headers: { authorization: 'Bearer admin-key-1' } })).json().via, 'bearer');
  assert.equal((await server.inject({ method: 'POST', url: '/change', headers: { authorization: 'Bearer nope' } })).json().code, 'admin_required');
  assert.equal((await server.inject({ method: 'DELETE', url: '/out', headers: { cookie, 'x-csrf-token': csrf } })).statusCode, 204);
  assert.equal((await server.inject({ url: '/who', headers: { cookie } })).json().via, null);
  assert.equal((await server.inject({ url: '/who', headers: { cookie: other.cookie } })).json().via, 'session', 'only that session ended');
});

test('ten failed sign-ins from one address in a minute lock it out for the rest of the minute', async () => {
  const clock = new ManualClock();
  const server = app(clock);
  for (let i = 0; i < 10; i += 1) assert.equal((await server.inject({ method: 'POST', url: '/in', payload: { key: `wrong-${i}` } })).json().code, 'invalid_admin_key');
  const locked = await server.inject({ method: 'POST', url: '/in', payload: { key: 'admin-key-1' } });
  assert.equal(locked.json().code, 'too_many_sign_ins');
  await clock.advanceBy(60_001);
  assert.equal((await server.inject({ method: 'POST', url: '/in', payload: { key: 'admin-key-1' } })).statusCode, 200);
});
