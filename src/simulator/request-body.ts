// Reads an image request's body: JSON, or multipart for edits (`image` / `image[]` files, `mask`,
// text fields as strings). Edit inputs are checked by their magic bytes, not their declared type.
import { sniffImageFormat, type ImageFormat } from '../wire/image-format.js';
import type { FastifyRequest } from 'fastify';
import { isRecord } from '../wire/openai-images.js';
import { badRequest, type ErrorReply } from './error-bodies.js';

export interface ImageBody {
  fields: Record<string, unknown>;
  images: Buffer[];
  mask?: Buffer;
}

export const MAX_EDIT_IMAGES = 16;
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

export async function readImageBody(request: FastifyRequest): Promise<ImageBody | ErrorReply> {
  if (!request.isMultipart()) {
    if (!isRecord(request.body)) return badRequest('The request body must be a JSON object.', null, 'invalid_request_body');
    return { fields: { ...request.body }, images: [] };
  }
  const body: ImageBody = { fields: {}, images: [] };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.fieldname === 'image' || part.fieldname === 'image[]') body.images.push(bytes);
        else if (part.fieldname === 'mask') body.mask = bytes;
        else return badRequest(`Unknown parameter: '${part.fieldname}'.`, part.fieldname, 'unknown_parameter');
      } else {
        body.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    const tooLarge = error instanceof Error && /too large|limit/i.test(error.message);
    return badRequest(tooLarge ? 'Each image must be smaller than 50 MB, with at most 16 images.' : 'Could not parse multipart form.', tooLarge ? 'image' : null, tooLarge ? 'invalid_value' : 'invalid_request_body');
  }
  return body;
}

export type ImageKind = ImageFormat;

export const sniffImage = sniffImageFormat;

/** JSON edits (`images: [{image_url: "data:..."}]`, GPT image models): decodes data URLs. */
function jsonEditImages(body: ImageBody): ErrorReply | undefined {
  const refs = body.fields.images;
  if (refs === undefined) return undefined;
  if (!Array.isArray(refs)) return badRequest("Invalid type for 'images': expected an array.", 'images', 'invalid_type');
  for (const [i, ref] of refs.entries()) {
    const url = isRecord(ref) ? ref.image_url : undefined;
    const m = typeof url === 'string' ? /^data:[^;,]+;base64,(.*)$/s.exec(url) : null;
    if (!m) return badRequest('The simulator accepts only base64 data URLs in image_url.', `images[${i}].image_url`, 'invalid_value');
    body.images.push(Buffer.from(m[1], 'base64'));
  }
  delete body.fields.images;
  return undefined;
}

/** Edit inputs: 1–16 png/webp/jpeg images under 50 MB, an optional png mask. */
export function checkEditInputs(body: ImageBody): ErrorReply | undefined {
  const jsonProblem = jsonEditImages(body);
  if (jsonProblem) return jsonProblem;
  if (body.images.length === 0) return badRequest("Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  if (body.images.length > MAX_EDIT_IMAGES) {
    return badRequest(`Too many images: at most ${MAX_EDIT_IMAGES} are allowed.`, 'image', 'invalid_value');
  }
  for (const [i, image] of body.images.entries()) {
    if (image.length >= MAX_IMAGE_BYTES) return badRequest('Each image must be smaller than 50 MB.', `image[${i}]`, 'invalid_value');
    if (!sniffImage(image)) {
      return badRequest("Invalid image file or mode for image, please check your image file. Supported formats are 'png', 'jpeg' and 'webp'.", `image[${i}]`, 'invalid_image_format');
    }
  }
  if (body.mask && sniffImage(body.mask) !== 'png') {
    return badRequest("Invalid mask: the mask must be a PNG image.", 'mask', 'invalid_image_format');
  }
  return undefined;
}
