// Standard Webhooks signing (https://www.standardwebhooks.com/): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64 part of a `whsec_…` secret.
import { createHmac } from 'node:crypto';

const prefix = 'whsec_';

export interface SignInput {
  id: string;
  timestampSec: number;
  body: string;
  /** `whsec_<base64>` (the prefix may be omitted). */
  secret: string;
}

/** The HMAC key of a secret, or an Error value when it is not base64 (the message never quotes it). */
export function parseWebhookSecret(secret: string): Buffer | Error {
  const encoded = secret.startsWith(prefix) ? secret.slice(prefix.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  // Buffer.from skips invalid characters silently; re-encoding shows whether anything was lost.
  const canonical = encoded.replace(/=+$/, '');
  if (key.length === 0 || key.toString('base64').replace(/=+$/, '') !== canonical) {
    return new Error('the webhook secret must be "whsec_" followed by base64');
  }
  return key;
}

/** The `webhook-signature` header value: `v1,<base64 signature>`. Throws on a malformed secret. */
export function signWebhook(input: SignInput): string {
  const key = parseWebhookSecret(input.secret);
  if (key instanceof Error) throw key;
  return signWithKey(key, input);
}

export function signWithKey(key: Buffer, input: Omit<SignInput, 'secret'>): string {
  const mac = createHmac('sha256', key).update(`${input.id}.${input.timestampSec}.${input.body}`).digest('base64');
  return `v1,${mac}`;
}
