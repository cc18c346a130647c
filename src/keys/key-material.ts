// Managed client keys at rest: the plain key is `sk-hf-` + 32 base64url characters (192 random
// bits), shown once at creation; the store keeps only HMAC-SHA256(secret, key). The secret comes
// from `auth.key_hash_secret`, or is generated once into `key-hash.secret` beside the database.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const KEY_PREFIX = 'sk-hf-';
/** Characters of the plain key kept for display: `sk-hf-` and four more. */
export const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 4;

export function generatePlainKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function hashKey(secret: string, plainKey: string): string {
  return createHmac('sha256', secret).update(plainKey).digest('hex');
}

export const SECRET_FILE = 'key-hash.secret';

/**
 * The HMAC secret: the configured one; else the one in `<dir of dbPath>/key-hash.secret`, created
 * (mode 0600) on first use; else (memory store) a fresh one for this process.
 */
export function resolveHashSecret(configured: string | undefined, dbPath: string | undefined): string {
  if (configured !== undefined) return configured;
  if (dbPath === undefined || dbPath === ':memory:') return randomBytes(32).toString('hex');
  const file = join(dirname(dbPath), SECRET_FILE);
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (text.length >= 32) return text;
    throw new Error(`${file} is shorter than 32 characters; delete it only if no managed key must survive`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
