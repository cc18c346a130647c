// Which webhook URLs holdfast will call: http(s) only, and hosts that resolve to public addresses
// only (no private, loopback, link-local, CGNAT, unspecified or multicast) unless allowed.
// The addresses checked here are the ones the sender connects to (see pinnedLookup), which
// closes the DNS-rebinding gap between the check and the connection.
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (dns.lookup semantics, so /etc/hosts counts). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface WebhookUrlOptions {
  allowPrivateAddresses: boolean;
  resolve?: HostResolver;
}

export type WebhookTarget =
  | { ok: true; url: URL; addresses: ResolvedAddress[] }
  | { ok: false; reason: string; retryable: boolean };

const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  nonPublic.addSubnet(net, bits, 'ipv6');
}

/** True for addresses a webhook may not reach by default. IPv4-mapped IPv6 is judged as IPv4. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export const systemResolver: HostResolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Parses, resolves and checks a webhook URL; the result names the addresses to connect to. */
export async function resolveWebhookTarget(raw: string, options: WebhookUrlOptions): Promise<WebhookTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the webhook URL is not a valid URL', retryable: false };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: 'the webhook URL must use http or https', retryable: false };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  let addresses: ResolvedAddress[];
  if (family !== 0) addresses = [{ address: host, family: family === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch {
      return { ok: false, reason: `the webhook host ${host} could not be resolved`, retryable: true };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `the webhook host ${host} has no address`, retryable: true };
  const refused = options.allowPrivateAddresses ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
  if (refused) {
    return { ok: false, reason: `the webhook host ${host} resolves to a non-public address (${refused.address})`, retryable: false };
  }
  return { ok: true, url, addresses };
}

/** The up-front check for the HTTP layer (answer 400 with `reason`). */
export async function checkWebhookUrl(
  url: string,
  options: WebhookUrlOptions,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const target = await resolveWebhookTarget(url, options);
  return target.ok ? { ok: true } : { ok: false, reason: target.reason };
}
