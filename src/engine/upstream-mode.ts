// How to call an upstream so the call survives the path's idle limit (issue 3, "Upstream keep-alive").
// A silent stream dies at the idle limit (APIM answers 408 after 60 s without bytes); a non-streaming
// call is bounded by the front's response timeout instead; partial images make a stream talk.
import type { UpstreamMode } from '../upstream/adapter.js';

export interface DeploymentTiming {
  upstreamMode: 'auto' | UpstreamMode;
  idleTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export interface ModeChoice {
  mode: UpstreamMode;
  /** partial_images to ask the upstream for (0 = leave the field as the client sent it). */
  upstreamPartials: number;
}

export interface ModeInput {
  clientStream: boolean;
  clientPartials: number;
  expectedMs: number;
  /** Mode of an earlier attempt on this deployment that was cut off by an idle/response limit. */
  cutOffMode?: UpstreamMode;
}

const MAX_PARTIALS = 3;

function other(mode: UpstreamMode): UpstreamMode {
  return mode === 'stream' ? 'non_stream' : 'stream';
}

export function chooseUpstreamMode(timing: DeploymentTiming, input: ModeInput): ModeChoice {
  const streamChoice = (partials: number): ModeChoice => ({ mode: 'stream', upstreamPartials: partials });
  const wantsPartials = input.clientStream && input.clientPartials > 0;
  if (timing.upstreamMode === 'stream') return streamChoice(wantsPartials ? input.clientPartials : 0);
  if (timing.upstreamMode === 'non_stream') return { mode: 'non_stream', upstreamPartials: 0 };

  const preferred = preferredMode(timing, input);
  const mode = input.cutOffMode === preferred ? other(preferred) : preferred;
  if (mode === 'non_stream') return { mode, upstreamPartials: 0 };
  if (wantsPartials) return streamChoice(input.clientPartials);
  const silentTooLong = timing.idleTimeoutMs !== undefined && input.expectedMs > timing.idleTimeoutMs;
  return streamChoice(silentTooLong ? MAX_PARTIALS : 0);
}

function preferredMode(timing: DeploymentTiming, input: ModeInput): UpstreamMode {
  const idleKills = timing.idleTimeoutMs !== undefined && input.expectedMs > timing.idleTimeoutMs;
  const responseFits = timing.responseTimeoutMs === undefined || input.expectedMs < timing.responseTimeoutMs * 0.9;
  if (input.clientStream && input.clientPartials > 0) {
    // A client that wants partials gets them from a streaming upstream, when the silences between
    // them (spread over the generation) fit under the idle limit. Otherwise the stream would die
    // at its first long gap and the generation would be paid twice: one non-streaming call wins.
    const longestGapMs = input.expectedMs / (input.clientPartials + 1);
    const gapsFit = timing.idleTimeoutMs === undefined || longestGapMs <= timing.idleTimeoutMs * 0.9;
    return gapsFit || !responseFits ? 'stream' : 'non_stream';
  }
  if (!input.clientStream) return responseFits ? 'non_stream' : 'stream';
  if (!idleKills) return 'stream';
  return responseFits ? 'non_stream' : 'stream';
}

/**
 * Our own watchdog sits above the path's limit, so the front's cut (the 408 we classify) comes
 * first and ours only catches a path that went silent without one: a quarter over the idle limit
 * for a stream, a tenth over the response timeout for a non-streaming call.
 */
export const WATCHDOG_OVER_IDLE_LIMIT = 1.25;
export const WATCHDOG_OVER_RESPONSE_TIMEOUT = 1.1;
/** Without a known limit: a multiple of the expected duration plus a minute of slack. */
export const WATCHDOG_STREAM_EXPECTED_FACTOR = 2;
export const WATCHDOG_NON_STREAM_EXPECTED_FACTOR = 3;
export const WATCHDOG_SLACK_MS = 60_000;

/** How long the upstream call may stay silent before holdfast cuts it (ms, whole). */
export function watchdogMs(timing: DeploymentTiming, mode: UpstreamMode, expectedMs: number): number {
  const ms = mode === 'stream'
    ? (timing.idleTimeoutMs !== undefined ? timing.idleTimeoutMs * WATCHDOG_OVER_IDLE_LIMIT : expectedMs * WATCHDOG_STREAM_EXPECTED_FACTOR + WATCHDOG_SLACK_MS)
    : (timing.responseTimeoutMs !== undefined ? timing.responseTimeoutMs * WATCHDOG_OVER_RESPONSE_TIMEOUT : expectedMs * WATCHDOG_NON_STREAM_EXPECTED_FACTOR + WATCHDOG_SLACK_MS);
  return Math.round(ms);
}
