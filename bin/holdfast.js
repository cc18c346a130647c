#!/usr/bin/env node
// The `holdfast` command: runs the compiled CLI (npm ci builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('holdfast: dist/ is missing; run `npm run build` (npm ci does it for you).\n');
  process.exit(2);
}
await import(entry.href);
