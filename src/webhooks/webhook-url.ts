// Which webhook URLs holdfast will call: http(s) only, and hosts that resolve to public addresses
// only (ipaddr.js's `unicast` range, IPv6 forms embedding IPv4 judged by that IPv4) unless allowed.
// The addresses checked here are the ones the sender connects to (see pinnedLookup), which
// closes the DNS-rebinding gap between the check and the connection.
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

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

/** IPv6 ranges that carry an IPv4 address: judged by the IPv4 address they reach. */
const EMBEDDING_RANGES = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

function embeddedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const parts = address.parts;
  if (range === '6to4') return new ipaddr.IPv4([parts[1] >> 8, parts[1] & 0xff, parts[2] >> 8, parts[2] & 0xff]);
  if (EMBEDDING_RANGES.has(range) || parts.slice(0, 6).every((p) => p === 0)) {
    // Last 32 bits: IPv4-mapped, SIIT (rfc6145), NAT64 (rfc6052) and the deprecated IPv4-compatible ::a.b.c.d.
    return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
  }
  return undefined;
}

/**
 * True for addresses a webhook may not reach by default: anything ipaddr.js does not class as
 * `unicast` (private, loopback, link-local, CGNAT, reserved, documentation, multicast, unique
 * local, Teredo…), and IPv6 forms that embed such an IPv4 address.
 */
export function isNonPublicAddress(address: string): boolean {
  if (isIP(address) === 0 || !ipaddr.isValid(address)) return true;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.range() !== 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const v4 = embeddedIPv4(v6, range);
  if (v4) return v4.range() !== 'unicast';
  return range !== 'unicast';
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
