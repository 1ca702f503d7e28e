// Builds the package (scripts/build.mjs) when dist/ is missing or older than its sources, so
// `npm start` (which runs the compiled dist/server/main.js) and the tests always serve and import
// what is in the sources without a separate build step: editing server/*.ts and running
// `npm start` again rebuilds.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUTS = [
  'dist/layer-onboarding.js',
  'dist/layer-onboarding.mjs',
  'dist/layer-onboarding.dev.js',
  'dist/layer-onboarding.dev.mjs',
  'dist/server.js',
  'dist/server/main.js',
  'dist/emulator.js',
  'dist/custom-elements.json',
  'dist/integrity.json',
];
const INPUTS = [
  'widget',
  'server',
  'emulator',
  'contract',
  'scripts/build.mjs',
  'scripts/framework-types.mjs',
  'custom-elements-manifest.config.mjs',
  'package.json',
  'tsconfig.json',
  'tsconfig.base.json',
  'tsconfig.build.json',
  'tsconfig.build-widget.json',
];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const missing = OUTPUTS.some((file) => !existsSync(file));
const built = missing ? 0 : Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs));
const changed = INPUTS.filter(existsSync).some((input) => newestMtime(input) > built);

if (missing || changed || process.argv.includes('--force'))
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
