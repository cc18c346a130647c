// Job, its event log entries and the pure state machine transition(state, event) (style guide §4).
// The engine knows nothing of HTTP; a connection is a view that subscribes to these events.
import type { JobEventType, JobStatus } from '../store/job-record.js';

// The stored shapes are the store's (store/job-record.ts); the engine's vocabulary re-exports them.
export type {
  JobStatus, UploadRef, JobRequest, FailureKind, JobError, JobEventBody, JobEventType, ImageRef, JobEvent, AttemptRecord, JobRecord, WebhookDeliveryRecord,
} from '../store/job-record.js';
export type { UpstreamFailureKind, UpstreamIds } from '../upstream/failure.js';

const terminal: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

export function isTerminal(status: JobStatus): boolean {
  return terminal.has(status);
}

/** Legal moves of the job state machine, by event type. */
const moves: Record<JobEventType, { from: readonly JobStatus[]; to: JobStatus | 'same' }> = {
  'job.queued': { from: ['queued', 'running'], to: 'queued' },
  'attempt.started': { from: ['queued', 'running'], to: 'running' },
  'image.partial': { from: ['running'], to: 'same' },
  'attempt.failed': { from: ['running'], to: 'running' },
  'attempt.succeeded': { from: ['running'], to: 'running' },
  'job.completed': { from: ['queued', 'running'], to: 'succeeded' },
  'job.failed': { from: ['queued', 'running'], to: 'failed' },
  'job.cancelled': { from: ['queued', 'running'], to: 'cancelled' },
};

/** Does an event of this type end the job (completed, failed, cancelled)? Read from the move table. */
export function isTerminalEvent(event: { type: JobEventType }): boolean {
  const to = moves[event.type].to;
  return to !== 'same' && isTerminal(to);
}

/** Pure: the status after `event`, or an Error value when the move is illegal. */
export function transition(status: JobStatus, event: JobEventType): JobStatus | Error {
  const move = moves[event];
  if (!move.from.includes(status)) return new Error(`illegal move: ${event} while ${status}`);
  return move.to === 'same' ? status : move.to;
}
