import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createImageRenderer, type ImageSpec } from './images.js';

const spec: ImageSpec = { prompt: 'a <lighthouse> & "dusk"', seed: 1, index: 0, width: 320, height: 640, format: 'webp', compression: 80, transparent: false };

test('renders exactly the requested size and format, deterministically, with blurred partials', async () => {
  const renderer = createImageRenderer();
  const image = await renderer.render(spec);
  const meta = await sharp(image).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [320, 640, 'webp']);
  assert.ok((await createImageRenderer().render(spec)).equals(image));
  const partial = await renderer.renderPartial(spec, 0, 2);
  const pmeta = await sharp(partial).metadata();
  assert.deepEqual([pmeta.width, pmeta.height, pmeta.format], [320, 640, 'webp']);
  assert.ok(!partial.equals(image));
  assert.ok(!(await renderer.render({ ...spec, seed: 2 })).equals(image), 'the seed changes the picture');
});
