// A finished job's images live as blobs (`jobs/{id}/images/{index}.{ext}`), not in its event log:
// the completed event keeps only their keys, so tens of MB of base64 are neither written to the
// store nor read back for every follower. Readers put the base64 back when they answer.
import type { BlobStore } from '../store/blob-store.js';
import { imageBlobKey } from '../store/blob-keys.js';
import type { ImagesResponse } from '../wire/openai-images.js';
import type { ImageRef } from './job.js';

/** Writes each base64 image to its blob; returns the refs by index (null where an item had none). */
export async function storeResultImages(blobs: BlobStore, jobId: string, response: ImagesResponse): Promise<Array<ImageRef | null>> {
  const format = response.output_format ?? 'png';
  const refs: Array<ImageRef | null> = [];
  for (const [index, item] of response.data.entries()) {
    if (!item.b64_json) {
      refs.push(null);
      continue;
    }
    const blobKey = imageBlobKey(jobId, index, format);
    await blobs.put(blobKey, Buffer.from(item.b64_json, 'base64'));
    refs.push({ blobKey });
  }
  return refs;
}

/** The response without its base64 images (they are in the blobs). */
export function withoutImageData(response: ImagesResponse): ImagesResponse {
  return { ...response, data: response.data.map(({ b64_json: _drop, ...rest }) => rest) };
}

/** The OpenAI response with its images back in `b64_json`, read from the blobs the refs name. */
export async function loadResultImages(blobs: BlobStore, response: ImagesResponse, images: ReadonlyArray<ImageRef | null> | undefined): Promise<ImagesResponse> {
  if (!images) return response;
  const data = await Promise.all(response.data.map(async (item, index) => {
    const ref = images[index];
    if (!ref) return item;
    const bytes = await blobs.read(ref.blobKey);
    if (!bytes) throw new Error(`image ${ref.blobKey} is missing`);
    return { ...item, b64_json: bytes.toString('base64') };
  }));
  return { ...response, data };
}
