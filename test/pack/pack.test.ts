// The package as users get it: `npm pack` (which builds, through `prepack`), the tarball installed
// into a fresh project, and each entry used from there — plain `node` with no tsx, TypeScript 5.4
// under strict settings, Chromium with the IIFE — plus publint and arethetypeswrong on the tarball.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isDeepStrictEqual, promisify } from 'node:util';

import { launchChromium, openPage } from '../support/browser.js';
import { PLANS, readmeBlocks, readmeTypeErrors, runBlock } from './readme-snippets.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

let work = '';
let tarball = '';
let files: string[] = [];
let app = '';

/** Runs a command; its standard output, or all it said when it fails, so the test says why. */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: process.env });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

/** A port free now, for a snippet that names a fixed one. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });

/** Runs an ES module's text with plain node in the installed project; its stdout. */
const nodeInApp = (code: string) => sh(process.execPath, ['--input-type=module', '-e', code], app);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'layer-onboarding-pack-'));
  const packed = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((file) => file.path);

  app = join(work, 'app');
  await sh('mkdir', ['-p', app], work);
  const dev = pkg.devDependencies;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'pack-consumer',
      private: true,
      type: 'module',
      dependencies: {
        'layer-onboarding': `file:${tarball}`,
        hono: dev.hono,
        jose: dev.jose,
        plaid: dev.plaid,
        redis: dev.redis,
        typescript: '5.4.5',
        // The React 19 typings (layer-onboarding/react) are checked against React's own.
        '@types/react': '19.3.3',
        '@types/node': dev['@types/node'],
        // What the README's server snippets import besides the package: they run here.
        '@hono/node-server': dev['@hono/node-server'],
        express: dev.express,
        '@types/express': dev['@types/express'],
        fastify: dev.fastify,
      },
    }),
  );
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the builds, declarations, manifest, LICENSE, README and CHANGELOG, and no sources or tests', () => {
  for (const path of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/layer-onboarding.js',
    'dist/layer-onboarding.mjs',
    'dist/layer-onboarding.dev.js',
    'dist/layer-onboarding.dev.mjs',
    'dist/layer-onboarding.d.ts',
    'dist/widget/index.d.ts',
    'dist/server.js',
    'dist/server/index.d.ts',
    'dist/server/node.d.ts',
    'dist/server-redis.js',
    'dist/emulator.js',
    'dist/emulator/index.d.ts',
    'dist/emulator/link-bundle.js',
    'dist/custom-elements.json',
    'dist/integrity.json',
    'dist/frameworks/react.d.ts',
    'dist/frameworks/vue.d.ts',
  ])
    assert.ok(files.includes(path), `${path} is in the tarball`);
  // npm start's server: compiled into dist/ for `npm start`, not a part of the package.
  assert.deepEqual(
    files.filter((path) => path.startsWith('dist/server/main.')),
    [],
  );
  const sources = files.filter((path) => /^(widget|server|emulator|contract|test|scripts|demo)\//.test(path));
  assert.deepEqual(sources, []);
  assert.deepEqual(
    files.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')),
    [],
  );
});

test('every path custom-elements.json names is a file in the tarball, and its element module exports the element', async () => {
  // IDE plugins and Storybook resolve a module's `path` (and a reference's `module`) against the
  // installed package.
  const manifest = JSON.parse(
    readFileSync(join(app, 'node_modules/layer-onboarding/dist/custom-elements.json'), 'utf8'),
  ) as { modules: Array<{ path: string; declarations?: Array<{ name: string; customElement?: boolean }> }> };
  const named: string[] = [];
  JSON.stringify(manifest, (key, value: unknown) => {
    if ((key === 'path' || key === 'module') && typeof value === 'string') named.push(value);
    return value;
  });
  assert.ok(named.length > 0, 'the manifest names its modules');
  const missing = named.filter((path) => !files.includes(path.replace(/^\.?\//, '')));
  assert.deepEqual(missing, [], `named by custom-elements.json, not in the package: ${missing.join(', ')}`);
  for (const module of manifest.modules)
    for (const declaration of module.declarations ?? []) {
      if (!declaration.customElement) continue;
      const exported = await nodeInApp(
        `const m = await import('layer-onboarding/${module.path}'); console.log(typeof m[${JSON.stringify(declaration.name)}]);`,
      );
      assert.equal(exported.trim(), 'function', `${module.path} exports ${declaration.name}`);
    }
});

test('publint and arethetypeswrong find no problems in the tarball', async () => {
  const publint = await sh(bin('publint'), ['run', tarball, '--strict'], work);
  assert.match(publint, /All good!/);
  // ESM only (no CommonJS build): node10 and require() resolution are not checked.
  const attw = await sh(
    bin('attw'),
    [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-summary'],
    work,
  );
  const problems = attw.split('\n').filter((line) => /❌|💀|⚠️/u.test(line) && !line.includes('(ignored)'));
  assert.deepEqual(problems, [], attw);
});

test('a front-end-only install pulls lit alone', async () => {
  const manifest = JSON.parse(
    readFileSync(join(app, 'node_modules/layer-onboarding/package.json'), 'utf8'),
  ) as {
    dependencies: Record<string, string>;
  };
  assert.deepEqual(Object.keys(manifest.dependencies), ['lit']);
  // What the emulator used to build its Link script with is not installed, and not needed.
  assert.equal(existsSync(join(app, 'node_modules/esbuild')), false);
});

test('plain node imports the server, the Redis store, the Node adapters and the emulator; the emulator serves its Link script', async () => {
  const output = await nodeInApp(`
    const server = await import('layer-onboarding/server');
    const redis = await import('layer-onboarding/server/redis');
    const node = await import('layer-onboarding/server/node');
    const { createPlaidEmulator, LINK_SCRIPT_PATH } = await import('layer-onboarding/emulator');
    const api = server.createLayerApi({ plaid: { clientId: 'emulator-client-id', secret: 'emulator-secret', env: 'sandbox' }, templateId: 'template', sessionSecret: 'x'.repeat(32), allowedOrigins: ['http://localhost:3000'] });
    const emulator = createPlaidEmulator();
    const script = await emulator.request(LINK_SCRIPT_PATH);
    const text = await script.text();
    console.log(JSON.stringify({
      api: typeof api.fetch,
      redis: typeof redis.createRedisStore,
      node: Object.keys(node).sort(),
      script: script.status,
      plaidCreate: text.includes('Plaid'),
    }));
  `);
  const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(result, {
    api: 'function',
    redis: 'function',
    node: ['expressLayerApi', 'fastifyLayerApi', 'keepRawBody', 'nodeLayerApi', 'toFetchHandler'],
    script: 200,
    plaidCreate: true,
  });
});

test('importing the server entry checks its peers without loading plaid, which createLayerApi starts loading', async () => {
  const output = await nodeInApp(`
    import { createRequire } from 'node:module';
    await import('layer-onboarding/server');
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('/node_modules/plaid/'));
    console.log(JSON.stringify(loaded));
  `);
  assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), []);
});

test('a missing peer is named at import, with every other missing one and the install command', async () => {
  // Moved aside and back: the other tests use the same installed project.
  const modules = join(app, 'node_modules');
  for (const name of ['plaid', 'jose']) renameSync(join(modules, name), join(modules, `${name}.aside`));
  try {
    const output = await nodeInApp(`
      const error = await import('layer-onboarding/server').then(() => null, (caught) => caught);
      console.log(JSON.stringify({ name: error?.name, message: error?.message }));
    `);
    assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), {
      name: 'MissingPeersError',
      message:
        'layer-onboarding/server needs packages that are not installed: jose, plaid. ' +
        'Install them next to layer-onboarding: npm install jose plaid',
    });
  } finally {
    for (const name of ['plaid', 'jose']) renameSync(join(modules, `${name}.aside`), join(modules, name));
  }
});

test('the widget entry imports on Node without a DOM and defines nothing harmful', async () => {
  const output = await nodeInApp(`
    const widget = await import('layer-onboarding');
    console.log(JSON.stringify({ version: widget.LayerOnboarding.version, tag: widget.TAG_NAME }));
  `);
  assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), {
    version: pkg.version,
    tag: 'layer-onboarding',
  });
});

test('bundlers in development get the development build, which imports on Node (server rendering in development) too', async () => {
  // What a dev server's SSR does: resolve with the development condition, import, construct.
  const code = `
    const widget = await import('layer-onboarding');
    new widget.LayerOnboarding();
    console.log(import.meta.resolve('layer-onboarding'));
  `;
  const resolveIn = (conditions: string[]) =>
    sh(process.execPath, [...conditions, '--input-type=module', '-e', code], app);
  assert.match(await resolveIn(['--conditions=development']), /\/dist\/layer-onboarding\.dev\.mjs\s*$/);
  assert.match(await resolveIn([]), /\/dist\/layer-onboarding\.mjs\s*$/);
});

test('a bundler keeps the element registration in the build each condition picks (sideEffects names every build)', async () => {
  // `import 'layer-onboarding'` only for its side effect, as the README's snippets do. A build an
  // export condition resolves to but `sideEffects` leaves out is dropped from the bundle by any
  // bundler that honours the field (esbuild, Rolldown): with the `development` condition the tag
  // would never be defined.
  const entries = {
    'side-effect.js': "import 'layer-onboarding';",
    'side-effect-iife.js': "import 'layer-onboarding/dist/layer-onboarding.js';",
  };
  const defined: Record<string, string> = {};
  for (const [file, code] of Object.entries(entries)) {
    writeFileSync(join(app, file), code);
    for (const conditions of [[], ['--conditions=development']]) {
      const bundle = await sh(
        bin('esbuild'),
        [file, '--bundle', '--format=esm', '--log-level=error', ...conditions],
        app,
      );
      // Which build it is: the development builds carry the messages the others leave out.
      defined[`${file} ${conditions.join(' ') || '(default)'}`] =
        `${bundle.includes('customElements.define(') ? 'defined' : 'dropped'}, ${bundle.includes('no translation for lang') ? 'development' : 'production'}`;
    }
  }
  assert.deepEqual(defined, {
    'side-effect.js (default)': 'defined, production',
    'side-effect.js --conditions=development': 'defined, development',
    'side-effect-iife.js (default)': 'defined, production',
    'side-effect-iife.js --conditions=development': 'defined, development',
  });
});

test('every build sideEffects names is one that exports resolve to', () => {
  const manifest = JSON.parse(
    readFileSync(join(app, 'node_modules/layer-onboarding/package.json'), 'utf8'),
  ) as { sideEffects: string[]; exports: unknown };
  const targets = new Set<string>();
  JSON.stringify(manifest.exports, (_key, value: unknown) => {
    if (typeof value === 'string') targets.add(value);
    return value;
  });
  assert.deepEqual(
    manifest.sideEffects.filter((path) => !targets.has(path)),
    [],
    'named as having side effects, but no export resolves to it',
  );
});

test('integrity.json holds the sha384 of the installed builds', () => {
  const dist = join(app, 'node_modules/layer-onboarding/dist');
  const integrity = JSON.parse(readFileSync(join(dist, 'integrity.json'), 'utf8')) as Record<string, string>;
  assert.equal(integrity.version, pkg.version);
  for (const name of [
    'layer-onboarding.js',
    'layer-onboarding.mjs',
    'layer-onboarding.dev.js',
    'layer-onboarding.dev.mjs',
  ])
    assert.equal(
      integrity[name],
      `sha384-${createHash('sha384')
        .update(readFileSync(join(dist, name)))
        .digest('base64')}`,
    );
});

const REACT_CONSUMER = `
import type {} from 'layer-onboarding/react';
import type { LayerSuccessDetail } from 'layer-onboarding';

export function SignUp() {
  return (
    <layer-onboarding
      api="/api/layer"
      link-script-src="https://cdn.plaid.com/link/v2/stable/link-initialize.js"
      no-autofill
      onlayer-success={(event) => {
        const detail: LayerSuccessDetail = event.detail;
        console.log(detail.profile.name?.first_name);
      }}
      onlayer-fallback={(event) => console.log(event.detail.reason)}
    >
      <p slot="fallback">Fill in the form below.</p>
    </layer-onboarding>
  );
}
`;

const CONSUMER = `
import { LayerOnboarding, TAG_NAME, type LayerSuccessDetail, type LayerState } from 'layer-onboarding';
import { createLayerApi, verifyProfileToken, type LayerApiOptions } from 'layer-onboarding/server';
import { nodeLayerApi, toFetchHandler } from 'layer-onboarding/server/node';
import { createRedisStore } from 'layer-onboarding/server/redis';
import { createPlaidEmulator } from 'layer-onboarding/emulator';
import type {} from 'layer-onboarding/dist/layer-onboarding.js';
import type {} from 'layer-onboarding/dist/layer-onboarding.mjs';

const element = document.querySelector('layer-onboarding');
if (element) {
  element.api = '/api/layer';
  element.noAutofill = true;
  const state: LayerState = element.state;
  element.addEventListener('layer-success', (event) => {
    const detail: LayerSuccessDetail = event.detail;
    const first: string | null | undefined = detail.profile.name?.first_name;
    console.log(first, state);
  });
  element.addEventListener('layer-fallback', (event) => console.log(event.detail.reason, event.detail.phone));
}
document.addEventListener('layer-error', (event) => console.log(event.detail.code));
const created: LayerOnboarding = document.createElement(TAG_NAME);
const version: string = LayerOnboarding.version;

const options: LayerApiOptions = {
  plaid: { clientId: 'id', secret: 'secret', env: 'sandbox' },
  templateId: 'template',
  sessionSecret: 'x'.repeat(32),
  allowedOrigins: ['https://www.example.com'],
  onSession: async ({ identity }) => console.log(identity),
};
const api = createLayerApi(options);
// Optional settings straight from the environment: undefined means the default, also under
// exactOptionalPropertyTypes.
export const fromEnvironment = createLayerApi({
  ...options,
  plaid: { clientId: 'id', secret: 'secret', env: process.env.PLAID_ENV === 'production' ? 'production' : undefined, basePath: process.env.PLAID_BASE_PATH },
  webhookUrl: process.env.WEBHOOK_URL,
  redirectUri: process.env.REDIRECT_URI,
  timeoutMs: process.env.PLAID_TIMEOUT_MS ? Number(process.env.PLAID_TIMEOUT_MS) : undefined,
  trustProxy: process.env.TRUST_PROXY ? Number(process.env.TRUST_PROXY) : undefined,
  store: undefined,
  logger: process.env.QUIET ? false : undefined,
  getUserId: undefined,
});
export const { GET, POST, OPTIONS } = toFetchHandler(api, { basePath: '/api/layer' });
export const middleware = nodeLayerApi(api);
export const store = createRedisStore({ url: 'redis://127.0.0.1:6379' });
export const emulator = createPlaidEmulator({});
export const verify = (token: string) => verifyProfileToken(token, 'x'.repeat(32));
// As the README verifies a posted form: FormData.get() gives FormDataEntryValue | null.
export const verifyPosted = (form: FormData) => verifyProfileToken(form.get('layer_token'), 'x'.repeat(32));
console.log(created, version);
`;

/**
 * tsc's errors in the consumer or in our declarations. Errors inside other packages' declarations
 * are theirs: hono's and others' own .d.ts need TypeScript 5.7+ (`Uint8Array<…>`) under
 * skipLibCheck: false.
 */
async function typeErrors(dir: string): Promise<string[]> {
  try {
    await run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    });
    return [];
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? error);
    const errors = output.split('\n').filter((line) => /^\S+\(\d+,\d+\): error/.test(line));
    if (!errors.length) throw error;
    return errors.filter(
      (line) => !line.startsWith('../node_modules/') || line.startsWith('../node_modules/layer-onboarding/'),
    );
  }
}

test('TypeScript 5.4, strict with exactOptionalPropertyTypes, compiles a consumer of every entry and a React 19 component (moduleResolution bundler, node16 and node10)', async () => {
  const version = await sh(join(app, 'node_modules/.bin/tsc'), ['--version'], app);
  assert.match(version, /Version 5\.4\.5/);
  const configs = [
    // Every declaration file checked: ours must hold under 5.4 too.
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler', skipLibCheck: false }],
    // The entries' resolution under Node's rules.
    ['node16', { module: 'Node16', moduleResolution: 'node16', skipLibCheck: true }],
    // The older rules many apps still compile with (`"moduleResolution": "node"`), which ignore
    // `exports`: the subpaths' types come from `typesVersions`.
    ['node10', { module: 'ESNext', moduleResolution: 'node', skipLibCheck: true }],
  ] as const;
  const results = await Promise.all(
    configs.map(async ([name, compilerOptions]) => {
      const dir = join(app, `ts-${name}`);
      await sh('mkdir', ['-p', dir], app);
      writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
      writeFileSync(join(dir, 'sign-up.tsx'), REACT_CONSUMER);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            ...compilerOptions,
            target: 'ES2022',
            lib: ['ES2022', 'DOM', 'DOM.Iterable'],
            types: ['node'],
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            noEmit: true,
            jsx: 'react-jsx',
          },
          files: ['consumer.ts', 'sign-up.tsx'],
        }),
      );
      return [name, await typeErrors(dir)] as const;
    }),
  );
  assert.deepEqual(results, [
    ['bundler', []],
    ['node16', []],
    ['node10', []],
  ]);
});

test('the installed IIFE defines the element in Chromium', async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser);
    await page.setContent(
      '<!doctype html><layer-onboarding api="/nowhere" preload="intent"></layer-onboarding>',
    );
    await page.addScriptTag({
      content: readFileSync(join(app, 'node_modules/layer-onboarding/dist/layer-onboarding.js'), 'utf8'),
    });
    const defined = await page.evaluate(() => {
      const element = customElements.get('layer-onboarding') as unknown as { version: string } | undefined;
      const input = document.querySelector('layer-onboarding')?.shadowRoot?.querySelector('input');
      return { version: element?.version, rendered: !!input };
    });
    assert.deepEqual(defined, { version: pkg.version, rendered: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("the installed ES module runs in Chromium without a bundler, with the README's import map", async () => {
  // The import map as the README gives it, for a page that serves node_modules at /node_modules/.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(readme)?.[1];
  assert.ok(importMap, 'the README shows an import map for the ES module');
  const modules = join(app, 'node_modules');
  const browser = await launchChromium();
  try {
    const { page, errors } = await openPage(browser);
    await page.route('http://localhost:9/**', async (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === '/')
        return route.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><script type="importmap">${importMap}</script>
            <script type="module" src="/node_modules/layer-onboarding/dist/layer-onboarding.mjs"></script>
            <layer-onboarding api="/nowhere" preload="intent"></layer-onboarding>`,
        });
      const file = join(modules, pathname.replace(/^\/node_modules\//, ''));
      if (!pathname.startsWith('/node_modules/') || !existsSync(file))
        return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file) });
    });
    await page.goto('http://localhost:9/');
    const rendered = await page
      .waitForFunction(
        () => !!document.querySelector('layer-onboarding')?.shadowRoot?.querySelector('input'),
        null,
        {
          timeout: 10_000,
        },
      )
      .then(
        () => true,
        () => false,
      );
    assert.deepEqual({ rendered, errors }, { rendered: true, errors: [] });
  } finally {
    await browser.close();
  }
});

test('the development IIFE says what is wrong in the page; the production one stays quiet', async () => {
  const browser = await launchChromium();
  try {
    const warningsWith = async (build: string) => {
      const { page, errors } = await openPage(browser);
      const warnings: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'warning') warnings.push(message.text());
      });
      // lang="xx": a language the widget has no words for, which the development build points out.
      await page.setContent(
        '<!doctype html><layer-onboarding lang="xx" api="/nowhere" preload="intent"></layer-onboarding>',
      );
      await page.addScriptTag({
        content: readFileSync(join(app, 'node_modules/layer-onboarding/dist', build), 'utf8'),
      });
      await page.waitForFunction(
        () => !!document.querySelector('layer-onboarding')?.shadowRoot?.querySelector('input'),
      );
      await page.close();
      assert.deepEqual(errors, [], build);
      return warnings;
    };
    const dev = await warningsWith('layer-onboarding.dev.js');
    assert.ok(
      dev.some((text) => text.includes('no translation for lang="xx"')),
      `the development build warned: ${JSON.stringify(dev)}`,
    );
    assert.deepEqual(await warningsWith('layer-onboarding.js'), []);
  } finally {
    await browser.close();
  }
});

// README.md's code blocks, as a partner copies them: test/pack/readme-snippets.ts says what is done
// with each (type-checked, run, or skipped with the reason).
const readmeText = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(readmeText);

test('every README code block is accounted for, and the TypeScript and JavaScript ones type-check against the installed package', async () => {
  const keys = new Set(blocks.map((block) => block.key));
  assert.deepEqual(
    {
      unplanned: blocks
        .filter((block) => !PLANS[block.key])
        .map((block) => `README.md:${block.line} ${block.key}`),
      stale: Object.keys(PLANS).filter((key) => !keys.has(key)),
    },
    { unplanned: [], stale: [] },
    'each block in README.md needs an entry in test/pack/readme-snippets.ts PLANS (check it, or skip it with a reason)',
  );
  const checked = blocks.filter((block) => 'check' in PLANS[block.key]!);
  // Whatever the README shows in TypeScript or JavaScript is checked, unless its plan says why not.
  for (const block of blocks.filter((block) => ['ts', 'tsx', 'js'].includes(block.lang)))
    assert.ok(checked.includes(block) || 'skip' in PLANS[block.key]!, block.key);
  assert.deepEqual(await readmeTypeErrors(app, blocks), []);
});

test("the README's server snippets run against the emulator from the installed package", async () => {
  const runnable = blocks.flatMap((block) => {
    const plan = PLANS[block.key]!;
    return 'check' in plan && plan.run && !('skip' in plan.run) ? [{ block, run: plan.run }] : [];
  });
  assert.ok(runnable.length >= 9, 'the server snippets are among them');
  // All of them, each to its end: one failure does not hide another.
  const results = await Promise.all(
    runnable.map(async ({ block, run }) => [
      block.key,
      await runBlock(app, block, run, bin('esbuild'), await freePort()).catch(
        (error: Error) => error.message,
      ),
    ]),
  );
  const wrong = runnable.flatMap(({ block, run }, index) => {
    const got = results[index]![1];
    return isDeepStrictEqual(got, run.expect) ? [] : [{ block: block.key, got, expected: run.expect }];
  });
  assert.deepEqual(wrong, []);
});

test("the README's curl lines install faults in the installed emulator", async () => {
  const block = blocks.find((block) => block.key === 'Faults and other emulator-only routes #1');
  assert.ok(block, 'the curl block is in the README');
  const requests = block.code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.startsWith('curl '))
    .map((line) => {
      const url = /^curl -X POST http:\/\/127\.0\.0\.1:8787\/plaid(\/\S+)/.exec(line);
      const headers = [...line.matchAll(/-H '([^:']+): ([^']*)'/g)].map((match) => [match[1], match[2]]);
      const body = /-d '([^']*)'/.exec(line);
      assert.ok(url && body, `a POST to npm start's emulator with a body: ${line}`);
      return { path: url[1], headers: Object.fromEntries(headers), body: body[1] };
    });
  assert.equal(requests.length, 2);
  const output = await nodeInApp(`
    const { createPlaidEmulator } = await import('layer-onboarding/emulator');
    const emulator = createPlaidEmulator();
    const statuses = [];
    for (const { path, headers, body } of ${JSON.stringify(requests)})
      statuses.push((await emulator.request(path, { method: 'POST', headers, body })).status);
    const { faults } = await (await emulator.request('/emulator/faults')).json();
    console.log(JSON.stringify({ statuses, routes: faults.map((fault) => fault.route) }));
  `);
  assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), {
    statuses: [200, 200],
    routes: requests.map((request) => (JSON.parse(request.body) as { route: string }).route),
  });
});

test("the README's markup and install lines name what the package has", async () => {
  const manifest = JSON.parse(
    readFileSync(join(app, 'node_modules/layer-onboarding/dist/custom-elements.json'), 'utf8'),
  ) as {
    modules: Array<{ declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string }> }> }>;
  };
  const attributes = new Set(['id', 'class', 'style', 'slot', 'hidden', 'nonce']);
  for (const module of manifest.modules)
    for (const declaration of module.declarations ?? [])
      if (declaration.tagName === 'layer-onboarding')
        for (const attribute of declaration.attributes ?? []) attributes.add(attribute.name);
  const unknown: string[] = [];
  for (const block of blocks.filter((block) => block.lang === 'html'))
    for (const [, attrs] of block.code.matchAll(/<layer-onboarding\b([^>]*)>/g))
      for (const [, name] of attrs!.matchAll(/\s([a-z-]+)(?==|\s|$)/g))
        if (!attributes.has(name!)) unknown.push(`README.md:${block.line} ${name}`);
  assert.deepEqual(unknown, [], 'attributes on <layer-onboarding> that it does not have');

  // The CDN URL: this version, a file in the tarball.
  const cdn = /https:\/\/cdn\.jsdelivr\.net\/npm\/layer-onboarding@([^/]+)\/(\S+?)"/.exec(readmeText);
  assert.deepEqual(cdn?.slice(1), [pkg.version, 'dist/layer-onboarding.js']);
  assert.ok(files.includes(cdn![2]!));
  // The emulator's Link script, under the snippet's /plaid.
  const { LINK_SCRIPT_PATH } = (await import(
    join(app, 'node_modules/layer-onboarding/dist/emulator.js')
  )) as {
    LINK_SCRIPT_PATH: string;
  };
  assert.ok(readmeText.includes(`<script src="http://127.0.0.1:3000/plaid${LINK_SCRIPT_PATH}"></script>`));
  // npm install lines: the optional peers, all of them, and nothing else.
  const install = blocks.find((block) => block.key === 'Install #1')!.code;
  const named = [...install.matchAll(/npm install ([^#\n]+)/g)].flatMap((match) =>
    match[1]!.trim().split(/\s+/),
  );
  const peers = Object.keys(
    (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        peerDependencies: Record<string, string>;
      }
    ).peerDependencies,
  );
  assert.deepEqual([...new Set(named)].sort(), ['layer-onboarding', ...peers].sort());
});
