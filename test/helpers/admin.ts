// Admin API calls for tests: create, change and revoke managed client keys with an admin key.
import { request } from 'undici';

export const ADMIN_KEY = 'hf-admin-test-key';

export async function adminCall(baseUrl: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, key = ADMIN_KEY): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Record<string, unknown> }> {
  const res = await request(`${baseUrl}${path}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* CSV or empty */ }
  return { status: res.statusCode, json, text, headers: res.headers };
}

/** Creates a managed key and returns its id and plain key. */
export async function createKey(baseUrl: string, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const res = await adminCall(baseUrl, 'POST', '/v1/holdfast/keys', body);
  if (res.status !== 201) throw new Error(`key creation answered ${res.status}: ${res.text}`);
  return { id: String(res.json.id), key: String(res.json.key) };
}
