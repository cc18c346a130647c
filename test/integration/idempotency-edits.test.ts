// Idempotency-Key on multipart edits: the uploaded files are part of the request's identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';

async function png(red: number): Promise<Blob> {
  const bytes = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: red, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
  return new Blob([bytes], { type: 'image/png' });
}

async function edit(url: string, image: Blob, key: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const form = new FormData();
  form.append('model', 'gpt-image-2');
  form.append('prompt', 'add a hat');
  form.append('size', '1024x1024');
  form.append('quality', 'low');
  form.append('image', image, 'a.png');
  const res = await fetch(`${url}/v1/images/edits`, { method: 'POST', headers: { 'idempotency-key': key, prefer: 'respond-async' }, body: form });
  return { status: res.status, json: await res.json() as Record<string, unknown> };
}

test('the same key with another uploaded image is refused; with the same image it attaches', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const first = await edit(stack.url, await png(200), 'edit-1');
  assert.equal(first.status, 202, JSON.stringify(first.json));
  const other = await edit(stack.url, await png(10), 'edit-1');
  assert.equal(other.status, 422, JSON.stringify(other.json));
  assert.equal((other.json.error as Record<string, unknown>).code, 'idempotency_key_reused');
  const same = await edit(stack.url, await png(200), 'edit-1');
  assert.equal(same.status, 202);
  assert.equal(same.json.id, first.json.id);
});
