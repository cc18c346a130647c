// Keeps a finished job's images as blobs (`jobs/{id}/images/{index}.{ext}`), served by the jobs API.
import type { BlobStore } from '../store/blob-store.js';
import type { ImagesResponse } from '../wire/openai-images.js';

export function imageBlobKey(jobId: string, index: number, format: string): string {
  return `jobs/${jobId}/images/${index}.${format}`;
}

export async function storeResultImages(blobs: BlobStore, jobId: string, response: ImagesResponse): Promise<void> {
  const format = response.output_format ?? 'png';
  for (const [index, item] of response.data.entries()) {
    if (item.b64_json) await blobs.put(imageBlobKey(jobId, index, format), Buffer.from(item.b64_json, 'base64'));
  }
}
