// Builds the job resource for a record, with the result (images inline) read from its event log.
import type { JobRecord } from '../../engine/job.js';
import { toJobResource, type JobResource } from '../../wire/jobs.js';
import type { HttpDeps } from '../deps.js';

export async function jobResourceOf(deps: HttpDeps, job: JobRecord): Promise<JobResource> {
  if (job.status !== 'succeeded') return toJobResource(job, null);
  return toJobResource(job, await deps.engine.result(job.id));
}
