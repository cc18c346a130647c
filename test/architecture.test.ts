// The import rules of the style guide (§2), read from the import lines of every source file:
// the folders show the architecture, and this test keeps them honest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { errorCatalogue } from '../src/errors.js';

const SRC = 'src';

/** Source files under `dir`; contract suites are sources of their folder too, unit tests are not. */
function sourceFiles(dir: string, out: string[] = [], withContracts = false): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out, withContracts);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && (withContracts || !name.endsWith('.contract.ts'))) out.push(path);
  }
  return out;
}

/** Every module a file imports: `{ local: 'engine/job.ts' }` for holdfast's own, `{ pkg: 'fastify' }` otherwise. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): Array<{ local?: string; pkg?: string; typeOnly: boolean }> {
  const found: Array<{ local?: string; pkg?: string; typeOnly: boolean }> = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    const typeOnly = Boolean(m[2]);
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
      found.push({ local: relative(SRC, target), typeOnly });
    } else {
      found.push({ pkg: spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0], typeOnly });
    }
  }
  return found;
}

const files = sourceFiles(SRC).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));
const area = (path: string): string => (path.includes('/') ? path.split('/')[0] : path.replace(/\.ts$/, ''));

function violations(from: (area: string, file: string) => boolean, allowed: (imp: { local?: string; pkg?: string; typeOnly: boolean }) => boolean): string[] {
  const bad: string[] = [];
  for (const { file, imports } of files) {
    if (!from(area(file), file)) continue;
    for (const imp of imports) if (!allowed(imp)) bad.push(`${file} imports ${imp.local ?? imp.pkg}`);
  }
  return bad;
}

test('the rule reader sees imports (sanity: the engine imports its job model)', () => {
  const engine = files.find((f) => f.file === 'engine/engine.ts');
  assert.ok(engine?.imports.some((i) => i.local === 'engine/job.ts'));
});

test('wire/, time/ and errors.ts import nothing else from holdfast', () => {
  const own = new Set(['wire', 'time', 'errors']);
  for (const { file, imports } of files) {
    const a = area(file);
    if (!own.has(a)) continue;
    for (const imp of imports) if (imp.local) assert.equal(area(imp.local), a, `${file} imports ${imp.local}`);
  }
});

test('engine/ uses only wire, time, errors and the interfaces of store, upstream and routing', () => {
  const interfaces = new Set(['store/job-store.ts', 'store/job-record.ts', 'store/blob-store.ts', 'store/blob-keys.ts', 'upstream/adapter.ts', 'upstream/failure.ts', 'routing/router.ts']);
  const forbiddenPkgs = new Set(['fastify', 'undici', 'better-sqlite3', 'ioredis', 'bullmq', 'pino', 'prom-client', '@fastify/multipart']);
  const bad = violations((a) => a === 'engine', (imp) => {
    if (imp.pkg) return !forbiddenPkgs.has(imp.pkg);
    const a = area(imp.local ?? '');
    return ['engine', 'wire', 'time', 'errors'].includes(a) || interfaces.has(imp.local ?? '');
  });
  assert.deepEqual(bad, []);
});

test('simulator/, sdk/ and web/ never import the engine (the simulator stays an independent oracle)', () => {
  const bad = violations((a) => a === 'simulator' || a === 'sdk' || a === 'web', (imp) => {
    if (!imp.local) return true;
    return ['wire', 'time', 'simulator', 'sdk', 'web'].includes(area(imp.local)) && area(imp.local) !== 'engine';
  });
  assert.deepEqual(bad, []);
});

test('the gateway never imports the simulator; only app.ts, main.ts and cli/ pick implementations', () => {
  const picks = (imp: { local?: string }): boolean => imp.local !== undefined && (/\/(sqlite|memory|disk|redis)\//.test(imp.local) || imp.local === 'routing/scored-router.ts');
  const bad: string[] = [];
  for (const { file, imports } of files) {
    const a = area(file);
    for (const imp of imports) {
      if (imp.local && area(imp.local) === 'simulator' && !['simulator', 'cli'].includes(a) && !file.startsWith('demo/')) bad.push(`${file} imports ${imp.local}`);
      if (picks(imp) && !['app', 'app-options', 'main', 'cli', 'store', 'routing', 'demo', 'probe'].includes(a)) bad.push(`${file} picks ${imp.local}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only main.ts and cli/ read process.env or call process.exit', () => {
  const bad = files
    .filter(({ file }) => !file.startsWith('cli/') && file !== 'main.ts')
    .filter(({ file }) => /process\.(env|exit|argv)\b/.test(readFileSync(join(SRC, file), 'utf8').replace(/\/\/.*$/gm, '')))
    .map(({ file }) => file);
  assert.deepEqual(bad, []);
});

// The layer order of the style guide (§2), for every folder of src/: an area may import its own
// files, the areas listed in `may`, and of the areas in `only` just the files named there (the
// interfaces, never an implementation). A folder without a row fails, so a new folder must say
// where it sits.
const LEAF = ['wire', 'time', 'errors', 'version'];
const INTERFACES = {
  store: ['store/job-store.ts', 'store/job-record.ts', 'store/blob-store.ts', 'store/blob-keys.ts'],
  upstream: ['upstream/adapter.ts', 'upstream/failure.ts'],
  routing: ['routing/router.ts'],
};
interface Layer { may: readonly string[]; only?: Readonly<Record<string, readonly string[]>> }
const GATEWAY = ['config', 'upstream', 'routing', 'store', 'engine', 'observability', 'webhooks', 'http', 'probe', 'keys', 'cost'];
const layers: Record<string, Layer> = {
  wire: { may: [] },
  time: { may: [] },
  errors: { may: [] },
  version: { may: [] },
  config: { may: LEAF },
  upstream: { may: LEAF },
  routing: { may: [...LEAF, 'upstream'] },
  store: { may: LEAF, only: { upstream: ['upstream/failure.ts'] } },
  engine: { may: LEAF, only: INTERFACES },
  observability: { may: [...LEAF, 'engine', 'routing'] },
  webhooks: { may: [...LEAF, 'engine'], only: { store: INTERFACES.store } },
  http: {
    may: [...LEAF, 'engine'],
    only: {
      store: [...INTERFACES.store, 'store/key-store.ts', 'store/usage-ledger.ts'],
      observability: ['observability/trace-types.ts'],
      keys: ['keys/client-keys.ts'],
    },
  },
  // Managed client keys: their store's interface, and (types only) the engine observer and HTTP's
  // KeyLimits seam that key-limits.ts fills.
  keys: { may: [...LEAF, 'engine'], only: { store: ['store/key-store.ts'], http: ['http/deps.ts'] } },
  // Cost: prices attempts for the engine (AttemptBilling) and books them in the usage ledger.
  cost: { may: [...LEAF, 'engine'], only: { store: [...INTERFACES.store, 'store/usage-ledger.ts'] } },
  probe: { may: [...LEAF, 'engine', 'routing', 'upstream'] },
  simulator: { may: ['wire', 'time'] },
  sdk: { may: ['wire', 'time'] },
  web: { may: ['wire', 'sdk'] },
  app: { may: [...LEAF, ...GATEWAY, 'app-options'] },
  'app-options': { may: [...LEAF, ...GATEWAY] },
  demo: { may: [...LEAF, 'config', 'app', 'sdk', 'simulator'] },
  generate: { may: ['time', 'sdk'] },
  cli: { may: [...LEAF, ...GATEWAY, 'app', 'app-options', 'demo', 'generate', 'sdk', 'simulator'] },
  main: { may: ['cli'] },
};

type SourceFile = { file: string; imports: ReturnType<typeof importsOf> };

function layerViolations(sources: readonly SourceFile[]): string[] {
  const bad: string[] = [];
  for (const { file, imports } of sources) {
    const from = area(file);
    const layer = layers[from];
    if (!layer) { bad.push(`${file}: folder '${from}' has no layer`); continue; }
    for (const { local } of imports) {
      if (local === undefined) continue;
      const to = area(local);
      if (to === from || layer.may.includes(to)) continue;
      if (layer.only?.[to]?.includes(local)) continue;
      bad.push(`${file} imports ${local}`);
    }
  }
  return bad;
}

const everySource: SourceFile[] = sourceFiles(SRC, [], true).map((f) => ({ file: relative(SRC, f), imports: importsOf(f) }));

test('every folder imports only the layers beneath it (style guide §2)', () => {
  assert.deepEqual(layerViolations(everySource), []);
});

test('a planted upward or sideways import is caught', () => {
  const plant = (file: string, text: string): SourceFile => ({ file, imports: importsOf(join(SRC, file), text) });
  const planted = [
    plant('store/sqlite/planted.ts', "import type { Engine } from '../../engine/engine.js';"),
    plant('upstream/planted.ts', "import { JobRunner } from '../engine/runner.js';"),
    plant('routing/planted.ts', "export type { JobRecord } from '../engine/job.js';"),
    plant('http/planted.ts', "import { SqliteJobStore } from '../store/sqlite/sqlite-job-store.js';"),
    plant('engine/planted.ts', "import { createOpenAIAdapter } from '../upstream/openai.js';"),
    plant('simulator/planted.ts', "const m = await import('../engine/engine.js');"),
    plant('sdk/planted.ts', "import { errorCatalogue } from '../errors.js';"),
    plant('newfolder/planted.ts', "import { x } from './x.js';"),
  ];
  assert.deepEqual(layerViolations([...everySource, ...planted]), [
    'store/sqlite/planted.ts imports engine/engine.ts',
    'upstream/planted.ts imports engine/runner.ts',
    'routing/planted.ts imports engine/job.ts',
    'http/planted.ts imports store/sqlite/sqlite-job-store.ts',
    'engine/planted.ts imports upstream/openai.ts',
    'simulator/planted.ts imports engine/engine.ts',
    'sdk/planted.ts imports errors.ts',
    "newfolder/planted.ts: folder 'newfolder' has no layer",
  ]);
});

test('every error body of holdfast comes from the catalogue in errors.ts', () => {
  const codes = Object.keys(errorCatalogue).join('|');
  const handBuilt = new RegExp(`new GatewayError\\(|code: '(${codes})'`);
  // image-rules.ts returns violations naming a code; http/routes/images.ts makes them createError's.
  const exempt = new Set(['errors.ts', 'wire/image-rules.ts']);
  const bad = files
    .filter(({ file }) => !exempt.has(file) && !['simulator', 'sdk'].includes(area(file)))
    .filter(({ file }) => handBuilt.test(readFileSync(join(SRC, file), 'utf8')))
    .map(({ file }) => file);
  assert.deepEqual(bad, []);
});

test('no component sees the config file: only config/, the composition root, cli/ and demo/ import config/', () => {
  const readers = new Set(['config', 'app', 'app-options', 'cli', 'demo']);
  const bad = violations((a) => !readers.has(a), (imp) => imp.local === undefined || area(imp.local) !== 'config');
  assert.deepEqual(bad, []);
});
