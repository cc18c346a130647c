import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebhookSecret, signWebhook } from './sign.js';

test('the signature matches the test vector of the Standard Webhooks reference libraries', () => {
  const signature = signWebhook({
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestampSec: 1614265330,
    body: '{"test": 2432232314}',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  });
  assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('a secret that is not base64 is refused without quoting it', () => {
  const result = parseWebhookSecret('whsec_not*base64!!');
  assert.ok(result instanceof Error);
  assert.doesNotMatch(result.message, /not\*base64/);
  assert.throws(() => signWebhook({ id: 'm', timestampSec: 1, body: '{}', secret: 'whsec_' }));
});
