// `npm run test:mutation`: StrykerJS over the decision modules, one run per module with only the
// unit tests that concern it, concurrency 1 (a shared 2-core machine). Prints the score per module.
// Usage: node scripts/mutation.mjs [module-name ...]   (names from MODULES below; default all)
// Env: HOLDFAST_MUTATION_CHECKER=0 skips the TypeScript checker (about 3x faster; mutants that do
// not compile then run and are usually killed, so the score is a little lower, not higher).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** name → [files to mutate (path or path:lines), unit tests that cover them]. */
export const MODULES = {
  classify: [['src/upstream/classify.ts'], ['src/upstream/classify.test.ts']],
  'response-headers': [['src/upstream/response-headers.ts'], ['src/upstream/response-headers.test.ts']],
  'retry-policy': [['src/engine/retry-policy.ts'], ['src/engine/retry-policy.test.ts', 'src/upstream/classify.test.ts']],
  'upstream-mode': [['src/engine/upstream-mode.ts'], ['src/engine/upstream-mode.test.ts']],
  circuit: [['src/routing/circuit.ts'], ['src/routing/circuit.test.ts']],
  'rate-limit': [['src/routing/rate-limit.ts'], ['src/routing/rate-limit.test.ts']],
  'fair-queue': [['src/routing/fair-queue.ts'], ['src/routing/fair-queue.test.ts']],
  'request-hash': [['src/http/request-hash.ts'], ['src/http/request-hash.test.ts']],
  idempotency: [
    ['src/store/memory/memory-store.ts:91-114', 'src/store/sqlite/sqlite-idempotency-store.ts'],
    ['src/store/memory/memory-store.test.ts', 'src/store/memory/memory-idempotency-release.test.ts', 'src/store/sqlite/sqlite-store.test.ts'],
  ],
  'sse-encoding': [['src/wire/sse.ts', 'src/http/openai-frames.ts'], ['src/wire/sse.test.ts', 'src/http/openai-frames.test.ts']],
  'image-rules': [['src/wire/image-rules.ts'], ['src/wire/image-rules.test.ts', 'src/wire/image-rules-table.test.ts']],
  'job-transitions': [['src/engine/job.ts'], ['src/engine/job.test.ts']],
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(MODULES);
for (const name of names) if (!MODULES[name]) { console.error(`unknown module ${name}; known: ${Object.keys(MODULES).join(', ')}`); process.exit(2); }

const outDir = join('reports', 'mutation');
mkdirSync(outDir, { recursive: true });
const rows = [];
const started = Date.now();
for (const name of names) {
  const [mutate, tests] = MODULES[name];
  const json = join(outDir, `${name}.json`);
  const t0 = Date.now();
  console.log(`\n=== ${name}: mutating ${mutate.join(', ')} with ${tests.join(', ')}`);
  const run = spawnSync('npx', ['stryker', 'run'], {
    stdio: 'inherit',
    env: { ...process.env, HOLDFAST_MUTATE: mutate.join(','), HOLDFAST_MUTATION_TESTS: tests.join(','), HOLDFAST_MUTATION_JSON: json },
    timeout: 60 * 60 * 1000,
    killSignal: 'SIGKILL',
  });
  const seconds = Math.round((Date.now() - t0) / 1000);
  if (run.status !== 0) {
    rows.push({ name, error: `stryker exited ${run.status ?? run.signal}`, seconds });
    continue;
  }
  rows.push({ name, ...countMutants(JSON.parse(readFileSync(json, 'utf8'))), seconds });
}

function countMutants(report) {
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, runtimeError: 0, ignored: 0 };
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      const key = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage', CompileError: 'compileError', RuntimeError: 'runtimeError', Ignored: 'ignored' }[m.status];
      if (key) c[key] += 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.replacement ? ` → ${m.replacement.replace(/\s+/g, ' ').slice(0, 80)}` : ''}`);
      }
    }
  }
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return { ...c, score: valid === 0 ? 100 : (100 * detected) / valid, survivors };
}

const line = (cells) => `| ${cells.join(' | ')} |`;
const table = [
  line(['module', 'killed', 'timeout', 'survived', 'no coverage', 'compile error', 'score', 'time']),
  line(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ...rows.map((r) => (r.error
    ? line([r.name, r.error, '', '', '', '', '', `${r.seconds} s`])
    : line([r.name, r.killed, r.timeout, r.survived, r.noCoverage, r.compileError, `${r.score.toFixed(1)} %`, `${r.seconds} s`]))),
];
const survivorText = rows.filter((r) => r.survivors?.length).map((r) => `\n${r.name}:\n${r.survivors.map((s) => `  ${s}`).join('\n')}`).join('\n');
const summary = `${table.join('\n')}\n\ntotal ${Math.round((Date.now() - started) / 1000)} s; checker ${process.env.HOLDFAST_MUTATION_CHECKER === '0' ? 'off' : 'on'}\n${survivorText ? `\nsurvivors:${survivorText}\n` : ''}`;
writeFileSync(join(outDir, 'summary.md'), summary);
console.log(`\n${summary}`);
process.exit(rows.some((r) => r.error) ? 1 : 0);
