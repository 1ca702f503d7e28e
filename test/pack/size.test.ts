// The size budget of the two widget builds (bench/budget.ts): a change that makes the drop-in
// script or the ES module heavier fails here, with where its bytes went (`npm run bench` prints the
// bundle analysis).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';

import { SIZE_BUDGET_GZIP, gzipSize } from '../../bench/budget.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const gzipped = (file: string) => gzipSize(readFileSync(join(ROOT, file)));

before(() => {
  execFileSync(process.execPath, ['scripts/ensure-build.mjs'], { cwd: ROOT, stdio: 'inherit' });
});

test('the drop-in script (IIFE) stays within its gzip budget', () => {
  const size = gzipped('dist/layer-onboarding.js');
  assert.ok(
    size <= SIZE_BUDGET_GZIP.iife,
    `dist/layer-onboarding.js is ${size} B gzip, over its budget of ${SIZE_BUDGET_GZIP.iife} B (bench/budget.ts)`,
  );
});

test('the ES module stays within its budget and weighs no more than the IIFE', () => {
  const esm = gzipped('dist/layer-onboarding.mjs');
  assert.ok(
    esm <= SIZE_BUDGET_GZIP.esm,
    `dist/layer-onboarding.mjs is ${esm} B gzip, over ${SIZE_BUDGET_GZIP.esm} B`,
  );
  assert.ok(
    esm <= gzipped('dist/layer-onboarding.js'),
    'the ES module (without Lit) weighs more than the IIFE',
  );
});

test('the builds carry no development-only code', () => {
  for (const file of ['dist/layer-onboarding.js', 'dist/layer-onboarding.mjs']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    assert.doesNotMatch(
      text,
      /Lit is in dev mode|__LAYER_ONBOARDING_DEV__|ignored a move from|no translation for lang|is already defined by version/,
      file,
    );
  }
});

test('the development builds carry the messages the production builds leave out', () => {
  for (const file of ['dist/layer-onboarding.dev.js', 'dist/layer-onboarding.dev.mjs']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    assert.match(text, /no translation for lang/, file);
    assert.match(text, /is already defined by version/, file);
  }
});
