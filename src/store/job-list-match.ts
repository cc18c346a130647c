// The meaning of a JobListQuery as a predicate on one record: the memory store filters with it and
// the SQLite store's SQL must agree with it (the contract suite runs both).
import type { JobRecord } from './job-record.js';
import type { JobListQuery } from './job-store.js';

export function promptOf(job: JobRecord): string {
  const prompt = job.request.fields.prompt;
  return typeof prompt === 'string' ? prompt : '';
}

export function matchesJobQuery(job: JobRecord, query: JobListQuery): boolean {
  if (query.owner !== undefined && job.ownerKeyHash !== query.owner) return false;
  if (query.status !== undefined && job.status !== query.status) return false;
  if (query.model !== undefined && job.request.model !== query.model) return false;
  if (query.keyName !== undefined && job.keyName !== query.keyName) return false;
  if (query.deployment !== undefined && !job.attempts.some((a) => a.deploymentId === query.deployment)) return false;
  if (query.search !== undefined && query.search !== '') {
    const needle = query.search.toLowerCase();
    if (job.id !== query.search && !promptOf(job).toLowerCase().includes(needle)) return false;
  }
  if (query.before !== undefined) {
    const { createdAt, id } = query.before;
    if (!(job.createdAt < createdAt || (job.createdAt === createdAt && job.id < id))) return false;
  }
  return true;
}

/** Newest first: createdAt descending, then id descending. */
export function newestFirst(a: JobRecord, b: JobRecord): number {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
