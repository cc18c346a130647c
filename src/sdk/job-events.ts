// The events of a job as `/v1/images/jobs/{id}/events` sends them (one SSE frame each, `id:` = seq),
// narrowed from JSON. Unknown event types are passed through as `other`, so newer gateways don't break older clients.

interface EventBase {
  /** Position in the job's event log; the `Last-Event-ID` to resume after this event. */
  seq: number;
  /** Gateway clock, epoch ms. */
  at: number;
}

export interface ImageData {
  b64_json?: string;
  url?: string;
  revised_prompt?: string;
}

/** What an event says, apart from its place in the log. */
export type JobStreamEventBody =
  | { type: 'job.queued' }
  | { type: 'attempt.started'; attempt: number; deploymentId: string; mode: string }
  | { type: 'image.partial'; attempt: number; deploymentId: string; forward: boolean; payload: { b64_json?: string; partial_image_index?: number; output_format?: string } }
  | { type: 'attempt.failed'; attempt: number; deploymentId: string; kind: string; status?: number; message: string; retryInMs?: number }
  | { type: 'attempt.succeeded'; attempt: number; deploymentId: string }
  | { type: 'job.completed'; response: { data: ImageData[]; output_format?: string; size?: string } }
  | { type: 'job.failed'; error: { status: number; body: unknown; kind: string }; attempts: number }
  | { type: 'job.cancelled' }
  | { type: 'other'; name: string; data: Record<string, unknown> };

/** One event of a job's log. `attempt.failed.retryInMs` is absent when holdfast gives up. */
export type JobStreamEvent = EventBase & JobStreamEventBody;

export type JobStreamEventType = JobStreamEvent['type'];

const TERMINAL: ReadonlySet<string> = new Set(['job.completed', 'job.failed', 'job.cancelled']);

/** True for the last event a job ever has. */
export function isTerminalEvent(event: JobStreamEvent): event is Extract<JobStreamEvent, { type: 'job.completed' | 'job.failed' | 'job.cancelled' }> {
  return TERMINAL.has(event.type);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function bodyOf(type: string, d: Record<string, unknown>): JobStreamEventBody {
  const attempt = num(d.attempt);
  const deploymentId = str(d.deploymentId);
  switch (type) {
    case 'job.queued': return { type };
    case 'attempt.started': return { type, attempt, deploymentId, mode: str(d.mode) };
    case 'image.partial': return { type, attempt, deploymentId, forward: d.forward === true, payload: isObject(d.payload) ? d.payload : {} };
    case 'attempt.failed':
      return { type, attempt, deploymentId, kind: str(d.kind, 'unknown'), status: optNum(d.status), message: str(d.message), retryInMs: optNum(d.retryInMs) };
    case 'attempt.succeeded': return { type, attempt, deploymentId };
    case 'job.completed': {
      const response = isObject(d.response) ? d.response : {};
      const data = Array.isArray(response.data) ? response.data.filter(isObject) : [];
      return { type, response: { ...response, data } };
    }
    case 'job.failed': {
      const error = isObject(d.error) ? d.error : {};
      return { type, error: { status: num(error.status, 500), body: error.body, kind: str(error.kind, 'unknown') }, attempts: num(d.attempts) };
    }
    case 'job.cancelled': return { type };
    default: return { type: 'other', name: type, data: d };
  }
}

/** Narrows one frame of the events stream; undefined when its data is not a JSON object. */
export function parseJobEvent(frame: { event?: string; id?: string; data: string }): JobStreamEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch {
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const type = str(data.type, frame.event ?? '');
  const seq = num(data.seq, Number(frame.id ?? 0));
  return { ...bodyOf(type, data), seq, at: num(data.at) };
}
