// package.json `engines`, the README and .ci/run's legs name the same Node.js majors: a version we
// promise is a version CI runs the whole suite on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

function ciMajors(): number[] {
  const line = read('.ci/run').match(/^NODE_MAJORS=\(([^)]*)\)$/m);
  assert.ok(line, '.ci/run declares NODE_MAJORS=(…)');
  return line[1]!.trim().split(/\s+/).map(Number).sort((a, b) => a - b);
}

function engineMajors(range: string): number[] {
  // One `^MAJOR[.MINOR]` per alternative: anything wider would promise an untested major.
  return range.split('||').map((part) => {
    const m = part.trim().match(/^\^(\d+)(\.\d+){0,2}$/);
    assert.ok(m, `engines alternative '${part.trim()}' is a caret range on one major`);
    return Number(m[1]);
  }).sort((a, b) => a - b);
}

test('engines names exactly the Node majors that .ci/run tests', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
  assert.deepEqual(engineMajors(pkg.engines.node), ciMajors());
});

test('the README names the same Node majors', () => {
  const readme = read('README.md');
  for (const major of ciMajors()) assert.match(readme, new RegExp(`Node(\\.js)? [^\\n]*\\b${major}\\b`), `README names Node ${major}`);
});

test('a range wider than one major per alternative is refused', () => {
  assert.throws(() => engineMajors('>=20.19 <21 || >=22'));
  assert.deepEqual(engineMajors('^20.19 || ^22 || ^24'), [20, 22, 24]);
});

test('the Node running this suite is one of them', () => {
  assert.ok(ciMajors().includes(Number(process.versions.node.split('.')[0])));
});
