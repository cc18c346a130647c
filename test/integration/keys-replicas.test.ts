// Two holdfast processes on one store (here: one SQLite file) see one set of keys: a key created on
// one works on the other, and a revocation on one is refused by the other on its next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import OpenAI from 'openai';
import { createHoldfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';
import { ADMIN_KEY, adminCall, createKey } from '../helpers/admin.js';

const extra = 'admin: { keys: [env:HOLDFAST_ADMIN_KEY] }';
const env = { ...seedEnv, HOLDFAST_ADMIN_KEY: ADMIN_KEY };

test('a key revoked on one replica is refused by another replica sharing the store at once', async (t) => {
  const first = await startStack(t, { config: seedConfig(extra), env });
  const text = seedConfig(extra).replaceAll('{{SIM}}', first.sim.url).replaceAll('{{DATA}}', first.dataDir);
  const second = await createHoldfast({ clock: first.clock, random: createSeededRandom(5), ids: cryptoIds, log: pino({ level: 'silent' }) },
    parseConfig(text, env, 'replica.yaml').config);
  const secondUrl = await second.start();
  t.after(() => second.close());

  const { id, key } = await createKey(first.url, { name: 'shared' });
  const onSecond = new OpenAI({ apiKey: key, baseURL: `${secondUrl}/v1`, maxRetries: 0 });
  assert.ok((await onSecond.images.generate({ model: 'gpt-image-2', prompt: 'a fig', size: '1024x1024', quality: 'low' })).data?.[0]?.b64_json);
  assert.equal((await adminCall(first.url, 'DELETE', `/v1/holdfast/keys/${id}`)).status, 200);
  await assert.rejects(onSecond.images.generate({ model: 'gpt-image-2', prompt: 'a fig' }), OpenAI.AuthenticationError);
  // Both replicas report the spend of the one image.
  const listed = (await adminCall(secondUrl, 'GET', '/v1/holdfast/keys')).json.data as Array<{ spend_usd: number; revoked_at: number | null }>;
  assert.ok(listed[0].spend_usd > 0 && listed[0].revoked_at !== null);
});
