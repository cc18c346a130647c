// blobs.kind azure through the gateway: an image generated on one replica lands in Azure Blob
// Storage (Azurite on 127.0.0.1) and another replica on the same Redis serves its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { BlobServiceClient } from '@azure/storage-blob';
import { startStack } from '../helpers/stack.js';
import { jobsScenario } from '../helpers/process.js';
import { startAzurite } from '../helpers/azurite.js';
import { testRedisUrl, useRedisPrefix } from '../helpers/redis-prefix.js';

function config(prefix: string, container: string): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
auth: { keys: [env:CLIENT_KEY] }
store: { kind: redis, url: env:REDIS_URL, prefix: "${prefix}" }
blobs: { kind: azure, connection_string: env:AZURE_STORAGE, container: ${container} }
models:
  gpt-image-1: { deployments: [sim] }
deployments:
  sim: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-1 }
`;
}

test('an image made on one replica is stored in Azure and served by another replica', async (t) => {
  const azurite = await startAzurite(t);
  const prefix = useRedisPrefix(t);
  const container = `holdfast-it-${randomUUID().slice(0, 8)}`;
  const env = { CLIENT_KEY: 'hf-client', UPSTREAM_KEY: 'sk-up', REDIS_URL: testRedisUrl(), AZURE_STORAGE: azurite.connectionString };
  const a = await startStack(t, { scenarioYaml: jobsScenario(0.2), config: config(prefix, container), env });
  const b = await startStack(t, { scenarioYaml: jobsScenario(0.2), config: config(prefix, container), env });
  const auth = { authorization: `Bearer ${env.CLIENT_KEY}`, 'content-type': 'application/json' };

  const made = await request(`${a.url}/v1/images/generations`, {
    method: 'POST', headers: auth, body: JSON.stringify({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low' }),
  });
  assert.equal(made.statusCode, 200);
  const jobId = String(made.headers['holdfast-job-id']);
  const body = await made.body.json() as { data: Array<{ b64_json: string }> };
  const png = Buffer.from(body.data[0].b64_json, 'base64');
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const names: string[] = [];
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
  for await (const item of client.listBlobsFlat({ prefix: `jobs/${jobId}/` })) names.push(item.name);
  assert.ok(names.length >= 1, 'the result image is a blob in the container');

  const image = await request(`${b.url}/v1/images/jobs/${jobId}/images/0`, { headers: auth });
  assert.equal(image.statusCode, 200);
  assert.equal(image.headers['content-type'], 'image/png');
  assert.deepEqual(Buffer.from(await image.body.arrayBuffer()), png);
});
