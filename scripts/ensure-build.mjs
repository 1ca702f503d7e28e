// Builds the widget when dist/ is missing or older than its sources, so `npm start` and the
// end-to-end tests always serve what is in widget/ without a separate build step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const OUTPUTS = ['dist/layer-onboarding.js', 'dist/layer-onboarding.mjs'];
const INPUTS = ['widget', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const missing = OUTPUTS.some((file) => !existsSync(file));
const built = missing ? 0 : Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs));
const changed = INPUTS.filter(existsSync).some((input) => newestMtime(input) > built);

if (missing || changed || process.argv.includes('--force')) {
  const { build } = await import('vite');
  await build({ logLevel: 'warn' });
  console.log('built dist/layer-onboarding.js and dist/layer-onboarding.mjs');
}
