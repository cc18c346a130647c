// The webhook URL check refuses every address form that reaches a non-public IPv4 or IPv6 range,
// the IPv6 forms that embed a private IPv4 address included; public ones pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebhookUrl, isNonPublicAddress } from '../../src/webhooks/webhook-url.js';

const refused = [
  '10.0.0.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '192.168.1.1', '172.16.0.1', '0.0.0.0', '255.255.255.255',
  '192.0.2.1', '198.18.0.1', '198.51.100.1', '203.0.113.1', '240.0.0.1', '224.0.0.1', '192.88.99.1',
  '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1', '2001::1', '100::1', 'fec0::1',
  '::ffff:127.0.0.1', '::ffff:10.0.0.1', // IPv4-mapped
  '::127.0.0.1', '::10.0.0.1', // IPv4-compatible (deprecated)
  '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b:1::a00:1', // NAT64
  '2002:7f00:1::', '2002:a00:1::1', // 6to4
  '::ffff:0:a00:1', // SIIT (rfc6145)
];
const allowed = ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];

test('every non-public address form is refused', () => {
  for (const a of refused) assert.equal(isNonPublicAddress(a), true, a);
});

test('public IPv4 and IPv6 addresses (also NAT64 / 6to4 of a public IPv4) pass', () => {
  for (const a of allowed) assert.equal(isNonPublicAddress(a), false, a);
});

test('a webhook URL naming an embedded private IPv4 literal is refused with a reason', async () => {
  for (const host of ['[::ffff:127.0.0.1]', '[64:ff9b::7f00:1]', '[2002:a9fe:a9fe::]', '[::169.254.169.254]']) {
    const verdict = await checkWebhookUrl(`https://${host}/hook`, { allowPrivateAddresses: false });
    assert.equal(verdict.ok, false, host);
  }
});
