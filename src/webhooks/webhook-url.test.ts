import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebhookUrl, isNonPublicAddress, type HostResolver } from './webhook-url.js';

const strict = { allowPrivateAddresses: false };

test('private, loopback, link-local, CGNAT and unspecified addresses are refused by default', async () => {
  for (const url of [
    'http://127.0.0.1/hook', 'http://10.0.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/',
    'http://172.16.5.4/', 'http://192.168.1.1/', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[fe80::1]/',
    'http://[fd12:3456::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::]/', 'https://127.1/',
  ]) {
    const result = await checkWebhookUrl(url, strict);
    assert.equal(result.ok, false, url);
    assert.match(result.ok ? '' : result.reason, /non-public address/, url);
  }
});

test('only http and https URLs are accepted', async () => {
  for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
    const result = await checkWebhookUrl(url, { allowPrivateAddresses: true });
    assert.equal(result.ok, false, url);
  }
});

test('a host name is judged by every address it resolves to', async () => {
  const resolve: HostResolver = async (host) => host === 'mixed.test'
    ? [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }]
    : [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }];
  assert.deepEqual(await checkWebhookUrl('https://public.test/hook', { ...strict, resolve }), { ok: true });
  const mixed = await checkWebhookUrl('https://mixed.test/hook', { ...strict, resolve });
  assert.deepEqual(mixed, { ok: false, reason: 'the webhook host mixed.test resolves to a non-public address (10.1.2.3)' });
});

test('localhost resolves to loopback and is refused; allowed when private addresses are allowed', async () => {
  assert.equal((await checkWebhookUrl('http://localhost:9/hook', strict)).ok, false);
  assert.deepEqual(await checkWebhookUrl('http://localhost:9/hook', { allowPrivateAddresses: true }), { ok: true });
  assert.deepEqual(await checkWebhookUrl('http://127.0.0.1:9/hook', { allowPrivateAddresses: true }), { ok: true });
});

test('public addresses pass', () => {
  for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111']) {
    assert.equal(isNonPublicAddress(a), false, a);
  }
});
