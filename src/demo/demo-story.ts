// What `holdfast demo` tells on the terminal while it runs: one human line per job, attempt, retry,
// failover and outcome, at wall-clock time, with the simulated time beside it when the clock is
// scaled. Built from the engine's job events; pure apart from the two clocks it is given.
import type { HoldfastDeps } from '../app.js';

/** What createHoldfast's onJobEvent hook hands over (the demo layer sees the engine only through app). */
type StoryHook = NonNullable<HoldfastDeps['onJobEvent']>;
type JobRecord = Parameters<StoryHook>[0];

export interface StoryDeps {
  /** The wall clock (Date.now in the demo). */
  wallNow(): number;
  /** The gateway's clock: simulated under a time scale. */
  simNow(): number;
  timeScale: number;
  write(line: string): void;
}

function hms(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function duration(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

function shortId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 12)}…` : id;
}

export function createDemoStory(deps: StoryDeps): StoryHook {
  const scaled = deps.timeScale !== 1;
  const started = new Map<string, { wall: number; sim: number; lastDeployment?: string }>();
  const stamp = (): string => (scaled ? `${hms(deps.wallNow())} (simulated ${hms(deps.simNow())})` : hms(deps.wallNow()));
  /** A real duration, with the simulated one beside it when they differ. */
  const took = (realMs: number): string => (scaled ? `${duration(realMs)} (simulated ${duration(realMs / deps.timeScale)})` : duration(realMs));
  const say = (job: JobRecord, text: string): void => deps.write(`${stamp()}  ${shortId(job.id)}  ${text}\n`);

  return (job, event) => {
    const state = started.get(job.id);
    switch (event.type) {
      case 'job.queued': {
        if (state || job.attempts.length > 0) {
          say(job, 'queued again: holdfast restarted and resumes the job');
          if (!state) started.set(job.id, { wall: deps.wallNow(), sim: deps.simNow() });
          return;
        }
        started.set(job.id, { wall: deps.wallNow(), sim: deps.simNow() });
        const f = job.request.fields;
        const what = [f.size, f.quality].filter((v) => typeof v === 'string').join(' ');
        say(job, `new job: ${job.request.model}${what ? ` ${what}` : ''}${job.request.stream ? ', streamed' : ''}`);
        return;
      }
      case 'attempt.started': {
        const previous = state?.lastDeployment;
        const how = previous === undefined ? '' : previous === event.deploymentId ? 'retry: ' : `failover from ${previous}: `;
        say(job, `${how}attempt ${event.attempt} on ${event.deploymentId} (${event.mode === 'stream' ? 'streaming' : 'non-streaming'} upstream call)`);
        if (state) state.lastDeployment = event.deploymentId;
        return;
      }
      case 'attempt.failed': {
        const status = event.status === undefined ? '' : ` HTTP ${event.status}`;
        const message = event.message ? `: ${event.message.slice(0, 100)}` : '';
        const next = event.retryInMs === undefined ? '; no retry left' : `; retrying in ${took(event.retryInMs * deps.timeScale)}`;
        say(job, `attempt ${event.attempt} on ${event.deploymentId} failed (${event.kind}${status}${message})${next}`);
        return;
      }
      case 'job.completed':
      case 'job.failed':
      case 'job.cancelled': {
        const after = state ? ` after ${took(deps.wallNow() - state.wall)}` : '';
        const attempts = `${job.attempts.length} attempt(s)`;
        if (event.type === 'job.completed') say(job, `completed on ${job.attempts.at(-1)?.deploymentId ?? '?'}${after}, ${attempts}`);
        else if (event.type === 'job.failed') say(job, `failed${after}: HTTP ${event.error.status} ${event.error.kind}, ${attempts}`);
        else say(job, `cancelled${after}`);
        started.delete(job.id);
        return;
      }
      default:
        return; // partial images and attempt.succeeded add nothing a person needs here
    }
  };
}
