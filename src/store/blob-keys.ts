// The blob key layout, in one place: every blob of a job lives under `jobs/{jobId}/`, so a purge or
// a discarded upload deletes a job's blobs together. Uploads: `uploads/{n}`; results: `images/{index}.{ext}`.

export function jobBlobPrefix(jobId: string): string {
  return `jobs/${jobId}/`;
}

export function uploadBlobKey(jobId: string, n: number): string {
  return `${jobBlobPrefix(jobId)}uploads/${n}`;
}

export function imageBlobKey(jobId: string, index: number, format: string): string {
  return `${jobBlobPrefix(jobId)}images/${index}.${format}`;
}
