// Writes docs/configuration.md from the config schema. Usage: npx tsx scripts/gen-config-doc.ts
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/reference.js';

const target = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigReference());
process.stdout.write(`wrote ${target.pathname}\n`);
