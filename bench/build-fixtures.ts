/**
 * Builds, in the run, what our widget is measured beside:
 * - the floor: a minimal Lit element (fixtures/lit-minimal) as an IIFE, with the options
 *   scripts/build.mjs gives our IIFE (Vite library mode, iife, minified, ES2022 as Safari 16 runs it);
 * - the alternative: the same Layer step as a React 19 + react-plaid-link 5 page
 *   (fixtures/react), a Vite production build with its defaults (minified), as a partner's app
 *   would be built. Vite's own JSX transform (automatic runtime); no plugin needed.
 * Both go to one temporary folder, built once per run and shared by size.ts and usable.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'bench/fixtures');

export interface Fixtures {
  /** The temporary folder everything is in; `remove()` deletes it. */
  dir: string;
  /** The minimal Lit element's IIFE. */
  litIife: string;
  /** The React page's build: index.html and assets/. */
  reactDir: string;
  /** The React page's JavaScript files (what its visitors download besides the HTML). */
  reactScripts: string[];
  remove: () => void;
}

let built: Promise<Fixtures> | undefined;

/** Builds the fixtures once per process. */
export function buildFixtures(): Promise<Fixtures> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'layer-bench-'));
  const litDir = join(dir, 'lit-minimal');
  await build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: litDir,
      emptyOutDir: false,
      target: ['es2022', 'safari16'],
      sourcemap: false,
      minify: true,
      lib: {
        entry: join(FIXTURES, 'lit-minimal/minimal-element.ts'),
        name: 'MinimalElement',
        formats: ['iife'],
        fileName: () => 'minimal-element.js',
      },
    },
  });
  const reactDir = join(dir, 'react');
  await build({
    configFile: false,
    root: join(FIXTURES, 'react'),
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    base: './',
    build: { outDir: reactDir, emptyOutDir: false, minify: true },
  });
  const reactScripts = readdirSync(join(reactDir, 'assets'))
    .filter((name) => name.endsWith('.js'))
    .map((name) => join(reactDir, 'assets', name));
  return {
    dir,
    litIife: join(litDir, 'minimal-element.js'),
    reactDir,
    reactScripts,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
