import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOutPath, defaultOutPath, imagePath, partialPath } from './generate-files.js';

test('one image goes to --out, several get an index, partials a .partial-i suffix', () => {
  assert.equal(imagePath('apple.png', 'png', 0, 1), 'apple.png');
  assert.deepEqual([0, 1].map((i) => imagePath('out/apple.png', 'png', i, 2)), ['out/apple-0.png', 'out/apple-1.png']);
  assert.equal(partialPath('apple.png', 'png', 1), 'apple.partial-1.png');
  assert.equal(imagePath('apple', 'jpeg', 0, 1), 'apple.jpg');
  assert.equal(defaultOutPath('webp'), 'image.webp');
});

test('an --out extension that contradicts --format is refused before any request', () => {
  assert.equal(checkOutPath('apple.jpg', 'jpeg'), undefined);
  assert.equal(checkOutPath('apple', 'webp'), undefined);
  assert.match(String(checkOutPath('apple.png', 'jpeg')), /ends in \.png but --format is jpeg/);
});
