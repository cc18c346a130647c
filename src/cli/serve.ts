// `holdfast serve --config holdfast.yaml [--port N]`: the gateway. SIGTERM/SIGINT stop taking
// requests, let in-flight jobs finish for up to --grace-ms, then exit; unfinished jobs resume on restart.
import type { Command } from 'commander';
import { createHoldfast } from '../app.js';
import { ConfigError, formatIssue, loadConfigFile } from '../config/load.js';
import type { HoldfastConfig } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { StoreLockedError } from '../store/sqlite/sqlite-owner-lock.js';
import { StoreUnavailableError } from '../store/store-unavailable-error.js';
import { SystemClock } from '../time/clock.js';
import { cryptoIds, systemRandom } from '../time/random.js';
import { ScaledClock } from '../time/scaled-clock.js';
import { busyPortMessage, renderServeSummary } from './serve-summary.js';
import { HOLDFAST_VERSION } from '../version.js';

interface ServeOptions {
  config: string;
  port?: string;
  host?: string;
  graceMs: string;
  summary: string;
}

const SUMMARY_MODES = ['auto', 'always', 'never'];

export function withListen(config: HoldfastConfig, host: string | undefined, port: string | undefined): HoldfastConfig {
  if (host === undefined && port === undefined) return config;
  const listen = { host: host ?? config.listen.host, port: port === undefined ? config.listen.port : Number(port) };
  return Object.freeze({ ...config, listen: Object.freeze(listen) });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the gateway with a configuration file')
    .option('-c, --config <file>', 'configuration file', 'holdfast.yaml')
    .option('-p, --port <port>', 'listen on this port (overrides listen.port)')
    .option('--host <host>', 'listen on this interface (overrides listen.host)')
    .option('--grace-ms <ms>', 'on SIGTERM, how long in-flight jobs may finish', '30000')
    .option('--summary <when>', 'print a human start-up summary: auto (when stdout, where logs go, is a terminal), always, never', 'auto')
    .action(async (options: ServeOptions) => {
      if (!SUMMARY_MODES.includes(options.summary)) {
        process.stderr.write(`holdfast serve: --summary: one of ${SUMMARY_MODES.join(', ')}, got '${options.summary}'\n`);
        process.exit(2);
      }
      let config: HoldfastConfig;
      try {
        const loaded = loadConfigFile(options.config, process.env);
        config = withListen(loaded.config, options.host, options.port);
        for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      const log = createLogger({ level: config.log.level });
      // simulation.time_scale: the same config pairs with `holdfast sim --time-scale` (timeouts stay in real-world units).
      const clock = config.simulation.time_scale === 1 ? new SystemClock() : new ScaledClock(config.simulation.time_scale);
      const otelEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('OTEL_')));
      let holdfast: Awaited<ReturnType<typeof createHoldfast>>;
      try {
        holdfast = await createHoldfast({ clock, random: systemRandom, ids: cryptoIds, log, otelEnv }, config);
      } catch (error) {
        // A store held by another process, or a Redis that does not answer: say so and exit, no stack.
        if (error instanceof StoreLockedError || error instanceof StoreUnavailableError) {
          process.stderr.write(`holdfast: ${error.message}\n`);
          process.exit(1);
        }
        throw error;
      }
      let url: string;
      try {
        url = await holdfast.start();
      } catch (error) {
        await holdfast.close(0).catch(() => undefined);
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          process.stderr.write(busyPortMessage(config.listen.host, config.listen.port));
          process.exit(1);
        }
        throw error;
      }
      log.info({ url, models: Object.keys(config.models), deployments: Object.keys(config.deployments) }, 'holdfast is listening');
      if (options.summary === 'always' || (options.summary === 'auto' && process.stdout.isTTY)) {
        process.stdout.write(renderServeSummary({
          version: HOLDFAST_VERSION, url, config, configPath: options.config, timeScale: config.simulation.time_scale,
          hasRoute: (path) => holdfast.server.hasRoute({ method: 'GET', url: path }),
        }));
      }
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info({ signal, inFlight: holdfast.engine.inFlight }, 'shutting down');
        holdfast.close(Number(options.graceMs)).then(() => process.exit(0), (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });
}
