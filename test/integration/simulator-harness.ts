// Test harness for the simulator: starts it on 127.0.0.1:0 with a ScaledClock (or a given clock),
// closes it after the test, and reads SSE responses into frames.
import type { TestContext } from 'node:test';
import { createParser } from 'eventsource-parser';
import sharp from 'sharp';
import type { Clock } from '../../src/time/clock.js';
import { createSeededRandom } from '../../src/time/random.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { loadScenario, startSimulator, type RunningSimulator, type Scenario } from '../../src/simulator/index.js';

export const AZURE_QUERY = '?api-version=2025-04-01-preview';

export interface SimHandle {
  sim: RunningSimulator;
  url: string;
  clock: Clock;
}

export async function startSim(
  t: TestContext,
  options: { scale?: number; seed?: number; scenario?: Scenario; clock?: Clock } = {},
): Promise<SimHandle> {
  const clock = options.clock ?? new ScaledClock(options.scale ?? 0.005);
  const seed = options.seed ?? 1;
  const scenario = options.scenario ?? await loadScenario('seed');
  const sim = await startSimulator({ scenario, clock, random: createSeededRandom(seed), seed });
  t.after(() => sim.close());
  return { sim, url: sim.url, clock };
}

export function azureUrl(url: string, deployment: string, endpoint = 'generations'): string {
  return `${url}/openai/deployments/${deployment}/images/${endpoint}${AZURE_QUERY}`;
}

export function postJson(url: string, body: unknown, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal });
}

export interface SseFrame {
  event: string | undefined;
  data: Record<string, unknown>;
}

/** Reads a whole SSE body; a torn connection ends the read with `error` set. */
export async function readSse(response: Response): Promise<{ frames: SseFrame[]; error?: unknown }> {
  const frames: SseFrame[] = [];
  const parser = createParser({ onEvent: (e) => frames.push({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }) });
  const decoder = new TextDecoder();
  try {
    if (!response.body) return { frames };
    for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
    return { frames };
  } catch (error) {
    return { frames, error };
  }
}

export async function decode(b64: string): Promise<{ width?: number; height?: number; format?: string }> {
  const meta = await sharp(Buffer.from(b64, 'base64')).metadata();
  return { width: meta.width, height: meta.height, format: meta.format };
}
