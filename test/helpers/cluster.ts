// Several holdfast replicas as child processes on one Redis (REDIS_URL or 127.0.0.1:6379) under a
// unique key prefix (deleted after the test), sharing one blob folder, against one simulator.
import type { TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHoldfast, startFixture, type Fixture, type HoldfastProcess } from './process.js';
import { deleteRedisPrefix, testRedisUrl, useRedisPrefix } from './redis-prefix.js';

export interface ClusterFixture {
  fixture: Fixture;
  prefix: string;
  redisUrl: string;
  configPath: string;
  env: Record<string, string>;
  replicas: HoldfastProcess[];
  /** Starts one more replica on the same config. */
  spawn(): Promise<HoldfastProcess>;
}

export const clusterEnv = { CLIENT_KEY: 'hf-client-one', UPSTREAM_KEY: 'sk-upstream' };

/** holdfast.yaml of a replica: Redis store, shared blob folder, one deployment `sim` behind model gpt-image-1. */
export function clusterConfig(options: { prefix: string; deployment?: string; models?: string; deployments?: string; extra?: string; leaseMs?: number }): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
log: { level: info }
auth: { keys: [env:CLIENT_KEY] }
store: { kind: redis, url: env:REDIS_URL, prefix: "${options.prefix}" }
cluster: { lease_ms: ${options.leaseMs ?? 1500} }
blobs: { path: "{{DATA}}/blobs" }
streaming: { heartbeat_interval_ms: 200 }
retry: { max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200 }
models:
  gpt-image-1: { deployments: [sim], queue: { max_depth: 200, max_wait_ms: 120000 } }
${options.models ?? ''}
deployments:
  sim: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-1${options.deployment ?? ''} }
${options.deployments ?? ''}
${options.extra ?? ''}`;
}

export async function startCluster(t: TestContext, options: {
  replicas: number; scenarioYaml: string; timeScale?: number; leaseMs?: number;
  /** A private Redis (its own keys are not cleaned: the test owns the server). */
  redisUrl?: string;
  deployment?: string; models?: string; deployments?: string; extra?: string;
  /** More environment for the replicas (secrets the config names). */
  env?: Record<string, string>;
}): Promise<ClusterFixture> {
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const prefix = options.redisUrl ? `holdfast-test:${randomUUID()}:` : useRedisPrefix(t, redisUrl);
  const fixture = await startFixture(t, { scenarioYaml: options.scenarioYaml, timeScale: options.timeScale });
  const configPath = fixture.writeConfig(clusterConfig({ prefix, ...options }));
  const env = { ...clusterEnv, REDIS_URL: redisUrl, ...options.env };
  const replicas: HoldfastProcess[] = [];
  // After hooks run in the order they were added: the prefix's own cleanup runs before the replicas'
  // kills, and a replica still ticking would write its keys again. Stop them all first, then clean again.
  t.after(async () => {
    await Promise.all(replicas.map((r) => r.kill('SIGKILL')));
    if (!options.redisUrl) await deleteRedisPrefix(redisUrl, prefix);
  });
  replicas.push(...await Promise.all(Array.from({ length: options.replicas }, () => spawnHoldfast(t, configPath, env))));
  return {
    fixture, prefix, redisUrl, configPath, env, replicas,
    spawn: async () => {
      const replica = await spawnHoldfast(t, configPath, env);
      replicas.push(replica);
      return replica;
    },
  };
}

/** A private redis-server on a free loopback port with AOF (appendfsync always) in a temp dir; stop() and start() again keep its data. */
export async function startPrivateRedis(t: TestContext): Promise<{ url: string; port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i += 1) {
      if (await answers(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`redis-server on ${port} did not start`);
  };
  const stop = async (): Promise<void> => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  t.after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
    socket.once('error', () => resolve(false));
  });
}
