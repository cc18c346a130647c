// The last few events of each job this process is running, kept in memory so that live followers
// get the event that was just appended without reading (and parsing) tens of MB back from the
// store. The store stays the truth: a follower that is behind the window reads it from there.

import type { JobEvent } from './job.js';

const WINDOW = 8;

export class RecentEvents {
  private readonly byJob = new Map<string, JobEvent[]>();

  remember(event: JobEvent, jobId: string): void {
    const list = this.byJob.get(jobId) ?? [];
    list.push(event);
    if (list.length > WINDOW) list.shift();
    this.byJob.set(jobId, list);
  }

  /** The events after `afterSeq` when the window holds all of them (none missing); otherwise undefined. */
  after(jobId: string, afterSeq: number): JobEvent[] | undefined {
    const list = this.byJob.get(jobId);
    if (!list || list.length === 0 || list[0].seq > afterSeq + 1) return undefined;
    return list.filter((e) => e.seq > afterSeq);
  }

  forget(jobId: string): void {
    this.byJob.delete(jobId);
  }
}
