// The simulator's public API: start a server for a scenario, load scenarios. Used by the CLI
// (`holdfast sim`), the demo and tests. Imports only wire/, time/ and npm packages.
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { createContext } from './context.js';
import { createImageRenderer, type ImageRenderer } from './images.js';
import { buildSimulatorServer } from './routes/server.js';
import type { Scenario } from './scenario-types.js';
import type { SimStats } from './stats.js';

export { loadScenario, parseScenario, parseScenarioYaml, ScenarioError } from './scenario.js';
export type { Scenario, DeploymentSpec, FaultProfile } from './scenario-types.js';
export type { SimStats, DeploymentStats, Outcome } from './stats.js';

export interface StartSimulatorOptions {
  scenario: Scenario;
  clock: Clock;
  random: Random;
  /** Feeds image colours; defaults to 0. Pass the same seed as the Random for a reproducible run. */
  seed?: number;
  host?: string;
  port?: number;
}

/** Wraps a renderer to know when no render is in flight (virtual-time tests wait on it). */
function trackRenders(renderer: ImageRenderer): { renderer: ImageRenderer; settled(): Promise<void> } {
  const inFlight = new Set<Promise<Buffer>>();
  const track = (work: Promise<Buffer>): Promise<Buffer> => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  };
  return {
    renderer: {
      render: (spec) => track(renderer.render(spec)),
      renderPartial: (spec, k, count) => track(renderer.renderPartial(spec, k, count)),
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

export interface RunningSimulator {
  /** Base URL, e.g. `http://127.0.0.1:9100` (OpenAI clients add `/v1`). */
  url: string;
  close(): Promise<void>;
  stats(): SimStats;
  /** Resolves once no image render is in flight: real work that a virtual or fast clock must not outrun. */
  settled(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const renders = trackRenders(createImageRenderer());
  const renderer = renders.renderer;
  // The first SVG with text initialises fontconfig (~100 ms): pay it now, not in the first request.
  await renderer.render({ prompt: 'warm up', seed: 0, index: 0, width: 64, height: 64, format: 'png', compression: 100, transparent: false });
  const ctx = createContext({
    scenario: options.scenario,
    clock: options.clock,
    random: options.random,
    seed: options.seed ?? 0,
    renderer,
  });
  const app = await buildSimulatorServer(ctx);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    close: () => (closing ??= app.close()),
    stats: () => ctx.stats.snapshot(),
    settled: () => renders.settled(),
  };
}
