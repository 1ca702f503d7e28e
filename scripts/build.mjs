// `npm run build` (and `prepack`): everything the package ships, in dist/.
//
//   dist/layer-onboarding.mjs     the widget as an ES module; `lit` stays an import (a dependency)
//   dist/layer-onboarding.js      the widget as an IIFE for a <script> tag, Lit bundled, minified
//   dist/layer-onboarding.dev.{js,mjs}  the same two for development: not minified, and with the
//                                 console messages that say what is wrong in the page (widget/dev.ts)
//   dist/widget/*.d.ts            the widget's declarations (tsc)
//   dist/{server,emulator,contract}/*.js + .d.ts   the backend and the emulator (tsc)
//   dist/emulator/link-bundle.js  the emulated Link scripts, bundled now (esbuild), not at request
//   dist/server.js, dist/server-redis.js, dist/emulator.js   the entries: they name any missing
//                                 optional peer dependency, then load the compiled modules
//   dist/custom-elements.json     the manifest (@custom-elements-manifest/analyzer)
//   dist/frameworks/*.d.ts        JSX/Vue/Svelte/Solid typings for the tag
//   dist/integrity.json           SRI hashes (sha384) of the two widget builds
//
// Usage: node scripts/build.mjs [--quiet]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const quiet = process.argv.includes('--quiet');
const log = (...args) => quiet || console.log(...args);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const write = (path, text) => {
  mkdirSync(dirname(join(DIST, path)), { recursive: true });
  writeFileSync(join(DIST, path), text);
};

rmSync(DIST, { recursive: true, force: true });

// ── the widget (Vite) ──
const { build } = await import('vite');
// widget/dev.ts: development-only messages and checks are dropped from the production builds.
const defineFor = (dev) => ({
  __LAYER_ONBOARDING_DEV__: String(dev),
  __LAYER_ONBOARDING_VERSION__: JSON.stringify(pkg.version),
});
// The element's CSS is one template literal in widget/styles.ts, kept readable there and minified
// here (esbuild's CSS minifier): the JS minifier leaves a string's contents alone. Then two things
// esbuild leaves: the space after a custom property's colon and after a comma inside parentheses
// (`var(--x, 0)`), which CSS ignores; and the private `--_*` properties' names, which only
// styles.ts uses, shortened to `--_0`, `--_1`… (measured together: 32 B gzip off each build).
const { transform } = await import('esbuild');
const minifyStyles = {
  name: 'minify-widget-styles',
  async transform(code, id) {
    if (!id.endsWith('/widget/styles.ts')) return null;
    const literal = /`([^`$]*)`/;
    const css = code.match(literal)?.[1];
    if (css === undefined) throw new Error('widget/styles.ts: no CSS template literal found');
    const minified = (await transform(css, { loader: 'css', minify: true })).code
      .trim()
      .replace(/(--[\w-]+): /g, '$1:')
      .replace(/, (?=[^()]*\))/g, ',');
    const privateNames = [...new Set(minified.match(/--_[\w-]+/g))];
    const short = minified.replace(/--_[\w-]+/g, (name) => `--_${privateNames.indexOf(name).toString(36)}`);
    return { code: code.replace(literal, () => JSON.stringify(short)), map: null };
  },
};
// Lit's templates keep the source's line breaks and indentation. Each run of whitespace holding a
// line break becomes one space, which renders the same (HTML collapses it). Written here rather
// than taken from a package: the ones that do it (minify-html-literals) are no longer maintained,
// and with TypeScript's parser finding the templates it is a few lines.
const minifyTemplates = {
  name: 'minify-widget-templates',
  async transform(code, id) {
    if (!/\/widget\/[\w-]+\.ts$/.test(id) || !/\bhtml`/.test(code)) return null;
    const { default: ts } = await import('typescript');
    const { default: MagicString } = await import('magic-string');
    const source = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true);
    const out = new MagicString(code);
    const visit = (node) => {
      if (ts.isTaggedTemplateExpression(node) && node.tag.getText(source) === 'html') {
        const { template } = node;
        const parts = ts.isNoSubstitutionTemplateLiteral(template)
          ? [template]
          : [template.head, ...template.templateSpans.map((span) => span.literal)];
        for (const part of parts) {
          const start = part.getStart(source);
          for (const match of code.slice(start, part.end).matchAll(/\s*\n\s*/g))
            out.overwrite(start + match.index, start + match.index + match[0].length, ' ');
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return out.hasChanged()
      ? { code: out.toString(), map: out.generateMap({ hires: true, source: id }) }
      : null;
  },
};
const widget = (format, fileName, external, { dev = false } = {}) =>
  build({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    publicDir: false,
    plugins: dev ? [] : [minifyStyles, minifyTemplates],
    define: defineFor(dev),
    build: {
      outDir: DIST,
      emptyOutDir: false,
      // ES2022 keeps the widget's `#private` members, which the minifier shortens (ES2021 would
      // turn them into WeakMaps); Safari 16 has them, and lowers only static blocks (16.4).
      target: ['es2022', 'safari16'],
      sourcemap: true,
      minify: !dev,
      lib: {
        entry: join(ROOT, 'widget/index.ts'),
        name: 'LayerOnboarding',
        formats: [format],
        fileName: () => fileName,
      },
      // Lib mode leaves an ES module's whitespace in (for the app's bundler); it is minified like
      // the IIFE, since most apps' bundlers keep a dependency's code as it comes. The IIFE's global
      // is a plain object: Vite would mark it `Symbol.toStringTag: 'Module'`, which nothing reads.
      rolldownOptions: { external, output: { minify: !dev, generatedCode: { symbols: false } } },
    },
  });
// Lit (and anything under lit/ or @lit/) stays an import in the ES module, so an app that uses Lit
// itself loads it once.
const LIT = [/^lit(\/|$)/, /^@lit\//, /^@lit-labs\//];
// A second pass over the two production builds with terser's compressor: after Vite's (Oxc's)
// minifier it still finds rewrites that gzip rewards, such as `void 0 === x` comparisons written one
// way throughout (measured: about 140 B gzip off the IIFE, 180 B off the ES module). Its source
// map is chained to Vite's, so the map still points into the sources.
//
// The same pass shortens the property names below, which a minifier keeps (it cannot know who else
// reads a property): members of the widget's own objects that only widget/ reads — the states'
// table and data, the element's internal reactive fields, what its modules pass each other. Never
// a name anyone outside reads: the element's API, an event's detail, the wire contract, Plaid's
// Link, the `strings` keys. Two checks keep the list honest: no name may be a DOM member (lib.dom),
// since a host object's property would be renamed with ours; and none may be left in the output
// once renamed, which would mean the code also reads it as a string (`'name' in state`).
const INTERNAL_PROPERTIES = [
  // widget/states.ts: the table's fields and the states' data
  'accepts',
  'busy',
  'dateOfBirth',
  'given',
  'linkInCharge',
  'outcome',
  'resumeOAuth',
  // widget/element-base.ts: the class's own tables
  'propertyOfAttribute',
  'sharedSheet',
  // widget/layer-onboarding.ts: internal reactive fields
  'dobValue',
  'formDisabled',
  'invalidField',
  'phoneValue',
  // widget/layer-flow.ts and the modules it drives
  'clearAll',
  'clock',
  'expiresAt',
  'grace',
  'isLoaded',
  'loadPlaid',
  'oauth',
  'onTransition',
  'peekOAuthReturn',
  'proven',
  'replacesInvalid',
  'requests',
  'retries',
  'sessionHandle',
  'takeOAuthReturn',
];
const domDeclarations = readFileSync(join(ROOT, 'node_modules/typescript/lib/lib.dom.d.ts'), 'utf8');
for (const name of INTERNAL_PROPERTIES)
  if (new RegExp(`^\\s+(readonly )?"?${name}"?\\??[:(<]`, 'm').test(domDeclarations))
    throw new Error(`build: "${name}" is a DOM member (lib.dom.d.ts): it cannot be renamed safely`);
const { minify: terser } = await import('terser');
const polish = async (fileName) => {
  const path = join(DIST, fileName);
  const code = readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '');
  const result = await terser(code, {
    ecma: 2022,
    module: fileName.endsWith('.mjs'),
    compress: { passes: 3 },
    mangle: { properties: { regex: new RegExp(`^(${INTERNAL_PROPERTIES.join('|')})$`) } },
    sourceMap: { content: readFileSync(`${path}.map`, 'utf8'), url: `${fileName}.map` },
  });
  const left = INTERNAL_PROPERTIES.filter((name) =>
    new RegExp(`(["'\`])${name}\\1|\\.${name}\\b|[{,]${name}[:(]`).test(result.code),
  );
  if (left.length)
    throw new Error(`build: ${fileName} still names ${left.join(', ')} after renaming: read as strings?`);
  writeFileSync(path, result.code);
  writeFileSync(`${path}.map`, result.map);
};
await widget('es', 'layer-onboarding.mjs', LIT);
await widget('iife', 'layer-onboarding.js', []);
await polish('layer-onboarding.mjs');
await polish('layer-onboarding.js');
await widget('es', 'layer-onboarding.dev.mjs', LIT, { dev: true });
await widget('iife', 'layer-onboarding.dev.js', [], { dev: true });
// The IIFE's wrapper takes its exports object as a parameter named `exports`; unminified, the
// development build then ends in lines like `exports.LayerOnboarding = LayerOnboarding;`, which
// tools that tell a file's format by regex (publint, and bundlers' heuristics) read as CommonJS:
// publint --strict fails the package where an export resolves to it ("written in CJS, but is
// interpreted as ESM"). The production IIFE is minified (`t.LayerOnboarding=…`). The parameter is
// renamed to a name of the same length, so the source map stays exact.
{
  const path = join(DIST, 'layer-onboarding.dev.js');
  const code = readFileSync(path, 'utf8');
  const uses = code.match(/\bexports\b/g)?.length ?? 0;
  const expected = 2 + (code.match(/^exports\.\w+ = \w+;$/gm)?.length ?? 0);
  if (
    !code.startsWith('var LayerOnboarding = (function(exports) {') ||
    uses !== expected ||
    /\b_export\b/.test(code)
  )
    throw new Error('build: the development IIFE is not wrapped as expected; see the rename of `exports`');
  writeFileSync(path, code.replace(/\bexports\b/g, '_export'));
}

// ── declarations and the backend (tsc) ──
execFileSync(bin('tsc'), ['-p', 'tsconfig.build-widget.json'], { cwd: ROOT, stdio: 'inherit' });
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
// TypeScript 5.7 made Uint8Array generic and our compiler writes `Uint8Array<ArrayBuffer>`; a
// consumer on TypeScript 5.4–5.6 reads that as an error (TS2315). Plain `Uint8Array` means the same
// there and the widest form on 5.7+.
for (const file of readdirSync(DIST, { recursive: true })) {
  if (!String(file).endsWith('.d.ts')) continue;
  const text = readFileSync(join(DIST, file), 'utf8');
  const plain = text.replace(/\bUint8Array<Array(Buffer|BufferLike)>/g, 'Uint8Array');
  if (plain !== text) writeFileSync(join(DIST, file), plain);
}

// The IIFE exports nothing; importing its path (for its side effect) brings the tag's global
// typings (HTMLElementTagNameMap, the event maps).
write(
  'layer-onboarding.d.ts',
  "// The IIFE defines <layer-onboarding> and exports nothing.\nimport './widget/index.js';\nexport {};\n",
);

// ── the emulated Link scripts, bundled now ──
// The TypeScript source, through tsx's API: this script runs under plain node.
const { tsImport } = await import('tsx/esm/api');
const { buildLinkScripts } = await tsImport('../emulator/link-bundle.ts', import.meta.url);
const scripts = await buildLinkScripts();
write(
  'emulator/link-bundle.js',
  `// Generated by scripts/build.mjs from emulator/link/: the emulated Link scripts, bundled at build time.\n` +
    `export const LINK_SCRIPT_BANNER = ${JSON.stringify(scripts.page.slice(0, scripts.page.indexOf('\n') + 1))};\n` +
    `const SCRIPTS = Object.freeze({ page: ${JSON.stringify(scripts.page)}, frame: ${JSON.stringify(scripts.frame)} });\n` +
    `export async function buildLinkScripts() {\n  return SCRIPTS;\n}\n`,
);

// ── the entries that name missing peer dependencies ──
const ENTRIES = [
  {
    file: 'server.js',
    module: './server/index.js',
    entry: 'layer-onboarding/server',
    peers: ['hono', 'jose', 'plaid'],
  },
  {
    file: 'server-redis.js',
    module: './server/redis-store.js',
    entry: 'layer-onboarding/server/redis',
    peers: ['redis'],
  },
  {
    file: 'emulator.js',
    module: './emulator/index.js',
    entry: 'layer-onboarding/emulator',
    peers: ['hono', 'jose'],
  },
];
for (const { file, module, entry, peers } of ENTRIES) {
  const names = Object.keys(await import(pathToFileURL(join(DIST, module)).href)).sort();
  write(
    file,
    `// Generated by scripts/build.mjs. ${entry} needs optional peer dependencies: name any that are\n` +
      `// missing, all at once, before loading the modules that import them.\n` +
      `import { requirePeers } from './server/require-peers.js';\n\n` +
      `await requirePeers(${JSON.stringify(entry)}, {\n` +
      peers.map((name) => `  ${JSON.stringify(name)}: () => import(${JSON.stringify(name)}),\n`).join('') +
      `});\n\n` +
      `const entry = await import(${JSON.stringify(module)});\n\n` +
      `export const {\n${names.map((name) => `  ${name},\n`).join('')}} = entry;\n`,
  );
}

// ── custom-elements.json and the framework typings ──
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules/@custom-elements-manifest/analyzer/cem.js'), 'analyze', '--quiet'],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
const { writeFrameworkTypes } = await import('./framework-types.mjs');
await writeFrameworkTypes({ root: ROOT, dist: DIST });

// ── SRI hashes ──
const integrity = {};
const sizes = [];
for (const name of [
  'layer-onboarding.js',
  'layer-onboarding.mjs',
  'layer-onboarding.dev.js',
  'layer-onboarding.dev.mjs',
]) {
  const bytes = readFileSync(join(DIST, name));
  integrity[name] = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
  sizes.push(
    `${name} ${(bytes.length / 1024).toFixed(1)} kB, ${(gzipSync(bytes).length / 1024).toFixed(1)} kB gzip`,
  );
}
write('integrity.json', `${JSON.stringify({ version: pkg.version, ...integrity }, null, 2)}\n`);

log(`built dist/ for layer-onboarding ${pkg.version}`);
for (const line of sizes) log(`  ${line}`);
for (const [name, hash] of Object.entries(integrity)) log(`  integrity ${name}: ${hash}`);
