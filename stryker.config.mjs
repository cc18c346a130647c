// StrykerJS config for `npm run test:mutation` (scripts/mutation.mjs sets HOLDFAST_MUTATE and
// HOLDFAST_MUTATION_TESTS per module, so each run mutates one decision module and runs only the
// unit tests that concern it). See docs/testing.md.
const list = (name, fallback) => (process.env[name] ? process.env[name].split(',') : fallback);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: {
    testFiles: list('HOLDFAST_MUTATION_TESTS', ['src/**/*.test.ts']),
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  mutate: list('HOLDFAST_MUTATE', ['src/upstream/classify.ts']),
  // The TypeScript checker drops mutants that do not compile; it costs a type check per mutant.
  checkers: process.env.HOLDFAST_MUTATION_CHECKER === '0' ? [] : ['typescript'],
  // Only the decision modules and what they import: checking the whole project per mutant is minutes.
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.HOLDFAST_MUTATION_CONCURRENCY ?? 1),
  timeoutMS: 20_000,
  reporters: ['clear-text', 'json', 'progress-append-only'],
  jsonReporter: { fileName: process.env.HOLDFAST_MUTATION_JSON ?? 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true },
  ignorePatterns: ['bench', 'dist', 'reports', 'docs', 'scenarios', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
