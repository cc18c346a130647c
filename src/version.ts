// holdfast's own version, from package.json (src/ and dist/ both sit one level below it).
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const HOLDFAST_VERSION: string = pkg.version;
