// The phase `holdfast generate` shows for each job event: queued, attempt k on deployment X,
// partial i of N, retrying after error E in S s, completed. Pure, so it is tested without a terminal.
import type { JobStreamEvent } from '../sdk/index.js';

export interface PhaseState {
  /** Partial images the user asked for. */
  partialsWanted: number;
  attempt: number;
  deploymentId: string;
  /** Forwarded partials seen in the current attempt. */
  partialsInAttempt: number;
  /** Partials the current attempt can deliver: none when holdfast calls the upstream without streaming. */
  partialsPossible: number;
}

export interface PhaseUpdate {
  state: PhaseState;
  /** The new phase text; undefined when the event changes nothing the user cares about. */
  phase?: string;
  /** Worth a line of its own, once (why partial images are skipped). */
  note?: string;
  /** Progress in steps: each partial is one, completion the last. */
  progress: { value: number; total: number };
}

export function initialPhase(partialsWanted: number): PhaseState {
  return { partialsWanted, attempt: 0, deploymentId: '', partialsInAttempt: 0, partialsPossible: partialsWanted };
}

function secondsText(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function failureText(event: Extract<JobStreamEvent, { type: 'attempt.failed' }>): string {
  const status = event.status === undefined ? '' : ` ${event.status}`;
  const message = event.message ? ` (${event.message.slice(0, 120)})` : '';
  return `${event.kind}${status}${message}`;
}

/** Why a non-streaming attempt brings no partial images. */
export const PARTIALS_SKIPPED = 'no partial images on this attempt: holdfast calls this deployment without streaming for this size and quality, '
  + 'because the silences between partials would outlast its idle limit (or upstream_mode is non_stream); the image comes at the end';

function phaseOf(state: PhaseState, event: JobStreamEvent): { state: PhaseState; phase?: string; note?: string } {
  switch (event.type) {
    case 'job.queued':
      return { state, phase: state.attempt > 0 ? 'queued again (the gateway restarted and resumed the job)' : 'queued' };
    case 'attempt.started': {
      const skipped = state.partialsWanted > 0 && event.mode === 'non_stream';
      const next = { ...state, attempt: event.attempt, deploymentId: event.deploymentId, partialsInAttempt: 0, partialsPossible: skipped ? 0 : state.partialsWanted };
      const phase = `attempt ${event.attempt} on deployment ${event.deploymentId}${skipped ? ' (no partials: upstream without streaming)' : ''}`;
      return { state: next, phase, note: skipped ? PARTIALS_SKIPPED : undefined };
    }
    case 'image.partial': {
      if (!event.forward) return { state };
      const next = { ...state, partialsInAttempt: state.partialsInAttempt + 1 };
      return { state: next, phase: `partial ${next.partialsInAttempt}${state.partialsPossible > 0 ? ` of ${state.partialsPossible}` : ''} (attempt ${state.attempt} on ${state.deploymentId})` };
    }
    case 'attempt.failed': {
      const what = `attempt ${event.attempt} on ${event.deploymentId} failed: ${failureText(event)}`;
      return { state, phase: event.retryInMs === undefined ? what : `retrying in ${secondsText(event.retryInMs)} after error ${failureText(event)}` };
    }
    case 'attempt.succeeded':
      return { state, phase: `attempt ${event.attempt} on ${event.deploymentId} succeeded; downloading` };
    case 'job.completed':
      return { state, phase: 'completed' };
    case 'job.failed':
      return { state, phase: `failed after ${event.attempts} attempt(s)` };
    case 'job.cancelled':
      return { state, phase: 'cancelled' };
    case 'other':
      return { state };
  }
}

/** Applies one event: the new state, the phase to show (if it changed) and the progress. */
export function nextPhase(state: PhaseState, event: JobStreamEvent): PhaseUpdate {
  const { state: next, phase, note } = phaseOf(state, event);
  const total = next.partialsPossible + 1;
  const value = event.type === 'job.completed' ? total : Math.min(next.partialsInAttempt, total - 1);
  return { state: next, phase, note, progress: { value, total } };
}

/** The one-line reason a failed job gives, from its error body (OpenAI or Azure shape). */
export function jobFailureMessage(event: Extract<JobStreamEvent, { type: 'job.failed' }>): string {
  const body = event.error.body;
  const inner = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const message = typeof inner === 'object' && inner !== null ? (inner as { message?: unknown }).message : undefined;
  const code = typeof inner === 'object' && inner !== null ? (inner as { code?: unknown }).code : undefined;
  const codeText = typeof code === 'string' ? ` [${code}]` : '';
  return `${typeof message === 'string' ? message : event.error.kind} (HTTP ${event.error.status}${codeText}, ${event.attempts} attempt(s))`;
}
