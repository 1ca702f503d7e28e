// What test/pack/pack.test.ts does with each code block in README.md: a partner copies them
// verbatim, so every block is type-checked against the installed tarball, run against the emulator,
// or named here as skipped with the reason. A block this file does not name fails the test, and so
// does a name that matches no block, so a new or renamed block cannot go unchecked.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ReadmeBlock {
  /** `<heading> #<n>`: the n-th fenced block under that heading. */
  key: string;
  lang: string;
  /** README line of the block's first line of code (1-based). */
  line: number;
  code: string;
}

/** The fenced code blocks, each keyed by the heading it is under and its place there. */
export function readmeBlocks(readme: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = readme.split('\n');
  let heading = '(top)';
  const counts = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i]!);
    if (!fence) {
      const title = /^#{1,6} (.+)$/.exec(lines[i]!);
      if (title) heading = title[1]!;
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    const n = (counts.get(heading) ?? 0) + 1;
    counts.set(heading, n);
    blocks.push({
      key: `${heading} #${n}`,
      lang: fence[1] || 'text',
      line: start + 1,
      code: lines.slice(start, end).join('\n') + '\n',
    });
    i = end;
  }
  return blocks;
}

/**
 * How a block is run: its code (with `replace` applied: only ports, so nothing binds a fixed one)
 * after `prelude`, then `epilogue`, as one ES module in the installed project, transpiled from
 * TypeScript by esbuild when it is TypeScript; or, with `driver`, the block is a module of its own
 * (`./snippet.mjs`) that the driver imports. The last line printed is JSON, compared with `expect`.
 */
export interface RunPlan {
  prelude?: string;
  epilogue?: string;
  driver?: string;
  replace?: Array<[string, string]>;
  env?: Record<string, string>;
  expect: unknown;
}

export type SnippetPlan =
  | {
      /** Type-checked under strict settings (`js` with checkJs, and nulls let be: see JAVASCRIPT_LENIENT). */
      check: 'ts' | 'tsx' | 'js';
      /** Declarations for what the block takes as given (your `options`, your `db`, ...). */
      declare?: string;
      run?: RunPlan | { skip: string };
    }
  | { skip: string };

const OPTIONS_TYPE = "import type { LayerApiOptions as __Options } from 'layer-onboarding/server';\n";
const DECLARE_OPTIONS = `${OPTIONS_TYPE}declare const options: __Options;\n`;
const DECLARE_OPTIONS_JS =
  'const options = /** @type {import("layer-onboarding/server").LayerApiOptions} */ ({});\n';

/**
 * `options` for the server snippets at run time: the emulator, served on a free port, in Plaid's
 * place (`__emulator` to close it).
 */
export const EMULATOR_OPTIONS = `
import * as __emulatorEntry from 'layer-onboarding/emulator';
import * as __nodeServer from '@hono/node-server';
const __emulator = await new Promise((resolve) => {
  const server = __nodeServer.serve({ fetch: __emulatorEntry.createPlaidEmulator().fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    resolve({ url: 'http://127.0.0.1:' + info.port, server }),
  );
});
const options = {
  plaid: { clientId: __emulatorEntry.EMULATOR_CLIENT_ID, secret: __emulatorEntry.EMULATOR_SECRET, env: 'sandbox', basePath: __emulator.url },
  templateId: __emulatorEntry.EMULATOR_TEMPLATE_ID,
  sessionSecret: 'x'.repeat(32),
  allowedOrigins: ['https://www.example.com'],
  logger: false,
};
`;

/** A browser's `POST {api}/link-token` from the allowed page: `{ status, link_token }`. */
export const LINK_TOKEN_REQUEST = `
const __linkTokenInit = {
  method: 'POST',
  headers: { Origin: 'https://www.example.com', 'Content-Type': 'application/json', 'Layer-Session': 'new' },
  body: '{}',
};
const __linkTokenResult = async (response) => {
  const body = await response.json();
  return { status: response.status, link_token: String(body.link_token).startsWith('link-sandbox-') };
};
`;

/** The CORS preflight of that request: answered by the API itself, needing no Plaid. */
export const PREFLIGHT = `
const __preflight = {
  method: 'OPTIONS',
  headers: { Origin: 'https://www.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,layer-session' },
};
const __preflightResult = (response) => ({ status: response.status, origin: response.headers.get('access-control-allow-origin') });
`;

const EXPECT_LINK_TOKEN = { status: 200, link_token: true };
const EXPECT_PREFLIGHT = { status: 204, origin: 'https://www.example.com' };
const PRINT = (value: string) => `console.log(JSON.stringify(${value})); process.exit(0);\n`;

const HTML_ILLUSTRATION =
  "markup for a page on another host (example.com): the element's attributes in it are checked against custom-elements.json";

export const PLANS: Record<string, SnippetPlan> = {
  'layer-onboarding #1': { skip: HTML_ILLUSTRATION },
  'Quick start #1': { skip: 'shell commands for this repository (npm start, npm test): what CI runs' },
  'Quick start #2': {
    skip: 'a shell command for this repository: CHROMIUM_PATH is read by test/support/browser.ts',
  },
  'Install #1': {
    skip: 'npm install lines: the packages they name are checked against package.json peerDependencies',
  },
  'From a CDN, with Subresource Integrity #1': {
    skip: "a placeholder for the integrity value; the CDN path is checked to be the tarball's and its version the package's",
  },
  'Same site #1': { skip: HTML_ILLUSTRATION },
  'Another site than the API #1': { skip: HTML_ILLUSTRATION },
  'The element #1': { skip: 'run in Chromium against npm start by test/e2e/readme-snippet.test.ts' },
  'The element #2': {
    check: 'js',
    run: {
      driver: "await import('./snippet.mjs'); console.log(JSON.stringify(typeof customElements));",
      expect: 'undefined',
    },
  },
  'The element #3': {
    skip: 'the import map: run in Chromium by "the installed ES module runs in Chromium without a bundler, with the README\'s import map"',
  },
  "Fill the partner's form #1": {
    skip: "a fragment (its <select> holds an ellipsis): the element's attributes in it are checked against custom-elements.json",
  },
  'In your framework #1': {
    check: 'tsx',
    run: {
      skip: 'a React component for a browser: examples/react-vite runs one like it (npm run test:examples)',
    },
  },
  'In your framework #2': {
    skip: 'a Vue single-file component: needs vue-tsc; examples/vue-vite type-checks and runs the same',
  },
  'In your framework #3': {
    skip: 'Angular: @angular/core is not installed here (the README says it is untested)',
  },
  'In your framework #4': { skip: 'a Svelte component: needs svelte-check (the README says it is untested)' },
  'Types #1': { check: 'ts', run: { skip: 'type imports only' } },
  'Theming: light and dark, parts and custom properties #1': {
    skip: 'CSS for the page: nothing to compile or run',
  },
  'Words and languages #1': {
    check: 'js',
    run: { skip: 'needs the element in a page: the browser tests set strings' },
  },
  'Testing your app (jsdom, Vitest, Jest) #1': {
    check: 'ts',
    // Vitest's and Jest's globals, as @types/jest or vitest/globals declare them.
    declare:
      'declare function test(name: string, body: () => Promise<void>): void;\ndeclare function expect(value: unknown): { toBe(expected: unknown): void };\n',
    run: {
      skip: 'needs Vitest or Jest with jsdom: test/dom runs the same element under jsdom and happy-dom',
    },
  },
  'Mounting it #1': {
    check: 'ts',
    declare:
      'declare const db: { saveLayerProfile(userId: string, identity: unknown, items: unknown): Promise<void> };\n',
    run: {
      // Real Plaid's production keys come from the environment: only the preflight, which needs no
      // Plaid, is sent.
      env: {
        PLAID_CLIENT_ID: 'id',
        PLAID_SECRET: 'secret',
        LAYER_TEMPLATE_ID: 'template',
        SESSION_SECRET: 'x'.repeat(32),
      },
      prelude: `const db = { saveLayerProfile: async () => {} };\n${PREFLIGHT}`,
      epilogue: PRINT("__preflightResult(await app.request('/api/layer/link-token', __preflight))"),
      expect: EXPECT_PREFLIGHT,
    },
  },
  'Mounting it #2': {
    check: 'js',
    declare: DECLARE_OPTIONS_JS,
    run: {
      replace: [['app.listen(3000)', 'app.listen(0)']],
      prelude: EMULATOR_OPTIONS + LINK_TOKEN_REQUEST,
      epilogue: `
const { createServer } = await import('node:http');
const __server = createServer(app).listen(0, '127.0.0.1');
await new Promise((resolve) => __server.once('listening', resolve));
${PRINT("await __linkTokenResult(await fetch('http://127.0.0.1:' + __server.address().port + '/api/layer/link-token', __linkTokenInit))")}`,
      expect: EXPECT_LINK_TOKEN,
    },
  },
  'Mounting it #3': {
    check: 'js',
    declare: DECLARE_OPTIONS_JS,
    run: {
      prelude: EMULATOR_OPTIONS + LINK_TOKEN_REQUEST,
      epilogue: `
await app.listen({ port: 0, host: '127.0.0.1' });
${PRINT("await __linkTokenResult(await fetch('http://127.0.0.1:' + app.server.address().port + '/api/layer/link-token', __linkTokenInit))")}`,
      expect: EXPECT_LINK_TOKEN,
    },
  },
  'Mounting it #4': {
    check: 'ts',
    declare: DECLARE_OPTIONS,
    run: {
      prelude: EMULATOR_OPTIONS,
      driver: `${LINK_TOKEN_REQUEST}
const { POST } = await import('./snippet.mjs');
${PRINT("await __linkTokenResult(await POST(new Request('http://localhost:3000/api/layer/link-token', __linkTokenInit)))")}`,
      expect: EXPECT_LINK_TOKEN,
    },
  },
  'Mounting it #5': {
    check: 'js',
    declare: DECLARE_OPTIONS_JS,
    run: {
      prelude: EMULATOR_OPTIONS,
      driver: `${LINK_TOKEN_REQUEST}
const { createServer } = await import('node:http');
const { default: handler, config } = await import('./snippet.mjs');
const server = createServer(handler).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const result = await __linkTokenResult(await fetch('http://127.0.0.1:' + server.address().port + '/api/layer/link-token', __linkTokenInit));
${PRINT('{ ...result, bodyParser: config.api.bodyParser }')}`,
      expect: { ...EXPECT_LINK_TOKEN, bodyParser: false },
    },
  },
  'Bun, Deno and Cloudflare Workers #1': {
    check: 'ts',
    declare: DECLARE_OPTIONS,
    run: {
      prelude: EMULATOR_OPTIONS,
      driver: `${LINK_TOKEN_REQUEST}
const { default: app } = await import('./snippet.mjs');
${PRINT("await __linkTokenResult(await app.fetch(new Request('http://localhost/api/layer/link-token', __linkTokenInit)))")}`,
      expect: EXPECT_LINK_TOKEN,
    },
  },
  'Bun, Deno and Cloudflare Workers #2': {
    check: 'ts',
    // What @cloudflare/workers-types and the Worker's own binding types give a Worker.
    declare: `import type { KeyValueStore as __Store } from 'layer-onboarding/server';
type ExecutionContext = import('hono').ExecutionContext;
interface Env { PLAID_CLIENT_ID: string; PLAID_SECRET: string; LAYER_TEMPLATE_ID: string; SESSION_SECRET: string }
declare const store: __Store;
`,
    run: {
      prelude:
        "import * as __server from 'layer-onboarding/server';\nconst store = __server.createMemoryStore();\n",
      driver: `${PREFLIGHT}
const { default: worker } = await import('./snippet.mjs');
const env = { PLAID_CLIENT_ID: 'id', PLAID_SECRET: 'secret', LAYER_TEMPLATE_ID: 'template', SESSION_SECRET: 'x'.repeat(32) };
const context = { waitUntil() {}, passThroughOnException() {} };
${PRINT("__preflightResult(await worker.fetch(new Request('https://api.example.com/api/layer/link-token', __preflight), env, context))")}`,
      expect: EXPECT_PREFLIGHT,
    },
  },
  'Verifying the profile token on your back end #1': {
    check: 'ts',
    declare:
      'declare function badRequest(reason: string): Response;\ndeclare function createAccount(verified: object): Promise<Response>;\n',
    run: {
      env: { SESSION_SECRET: 'x'.repeat(32) },
      prelude:
        'const badRequest = (reason) => new Response(reason, { status: 400 });\nconst createAccount = async () => new Response(null, { status: 201 });\n',
      epilogue: `
const form = new FormData();
form.set('layer_token', 'not-a-token');
const response = await signUp(form);
${PRINT('{ status: response.status, reason: await response.text() }')}`,
      expect: { status: 400, reason: 'invalid' },
    },
  },
  'Running several instances #1': {
    check: 'ts',
    declare: `${OPTIONS_TYPE}import type { Hono as __Hono } from 'hono';\ndeclare const app: __Hono;\ndeclare const options: __Options;\nimport { createLayerApi } from 'layer-onboarding/server';\n`,
    run: { skip: 'needs a Redis server: test/server runs the store against one' },
  },
  'Running several instances #2': {
    check: 'ts',
    // The interface as the README shows it must be the exported one, both ways.
    declare: "import type { KeyValueStore as __Exported } from 'layer-onboarding/server';\n",
    run: { skip: 'an interface' },
  },
  'Faults and other emulator-only routes #1': {
    skip: 'curl: each request is sent to the installed emulator by "the README\'s curl lines install faults in the emulator"',
  },
  'Using it from another project #1': {
    check: 'ts',
    run: {
      // A free port in place of 3000 (the test's own), everywhere the block names it.
      replace: [['3000', '__PORT__']],
      epilogue: PRINT("{ link_token: data.link?.link_token.startsWith('link-sandbox-') }"),
      expect: { link_token: true },
    },
  },
  'Using it from another project #2': {
    skip: "a script tag for a page: its path is checked to be the emulator's LINK_SCRIPT_PATH under the snippet's /plaid",
  },
  'React 19 and server rendering: listen from a ref #1': {
    check: 'tsx',
    run: {
      skip: 'a React client component for a browser: examples/nextjs hydrates one like it (npm run test:examples)',
    },
  },
  'States #1': { skip: 'a Mermaid diagram' },
  'Layout #1': { skip: 'a directory listing, not code' },
};

/** Code appended to a type-checked block, after it. */
export const CHECK_EPILOGUES: Record<string, string> = {
  'Running several instances #2':
    'export const __toExported = (store: KeyValueStore): __Exported => store;\nexport const __fromExported = (store: __Exported): KeyValueStore => store;\n',
};

const EXTENSIONS = { ts: 'ts', tsx: 'tsx', js: 'js' } as const;
const lineCount = (text: string) => text.split('\n').length - 1;

/**
 * What plain JavaScript cannot say, so a JavaScript block is not held to it: that a value it knows
 * is there (`document.querySelector('layer-onboarding').strings = …`) is not null.
 */
const JAVASCRIPT_LENIENT = new Set(['TS2531', 'TS18047']);

/**
 * Type-checks every block whose plan says so, in `app` (the installed project) with its TypeScript,
 * as one program (TypeScript under strict settings, JavaScript with checkJs): the errors, each as
 * `README.md:<line> (<block>): <tsc's message>`.
 */
export async function readmeTypeErrors(app: string, blocks: ReadmeBlock[]): Promise<string[]> {
  const dir = join(app, 'readme-check');
  mkdirSync(dir, { recursive: true });
  const where = new Map<string, { block: ReadmeBlock; offset: number; js: boolean }>();
  for (const block of blocks) {
    const plan = PLANS[block.key];
    if (!plan || !('check' in plan)) continue;
    const name = `line-${block.line}.${EXTENSIONS[plan.check]}`;
    const declare = plan.declare ?? '';
    writeFileSync(join(dir, name), `${declare}${block.code}${CHECK_EPILOGUES[block.key] ?? ''}export {};\n`);
    where.set(name, { block, offset: lineCount(declare), js: plan.check === 'js' });
  }
  const compilerOptions = {
    module: 'ESNext',
    moduleResolution: 'bundler',
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: ['node'],
    noEmit: true,
    jsx: 'react-jsx',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    allowJs: true,
    checkJs: true,
    // Our declarations are checked whole by the consumer test; here, what the blocks do with them.
    skipLibCheck: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...where.keys()] }));
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
    return errors.flatMap((line) => {
      const [, file, row, code, rest] = /^(\S+)\((\d+),\d+\): error (TS\d+)(.*)$/.exec(line)!;
      const found = where.get(file!);
      if (!found) return [line];
      if (found.js && JAVASCRIPT_LENIENT.has(code!)) return [];
      const readmeLine = found.block.line + Number(row) - 1 - found.offset;
      return [`README.md:${readmeLine} (${found.block.key}): ${code}${rest}`];
    });
  }
}

/**
 * Runs a block as its plan says, in `app` with plain node: the JSON it printed last. `esbuild`
 * strips TypeScript's types (nothing else changes).
 */
export async function runBlock(
  app: string,
  block: ReadmeBlock,
  plan: RunPlan,
  esbuild: string,
  port: number,
) {
  let code = block.code;
  for (const [from, to] of plan.replace ?? []) {
    if (!code.includes(from))
      throw new Error(`${block.key} no longer contains ${JSON.stringify(from)}: update PLANS`);
    code = code.replaceAll(from, to);
  }
  code = code.replaceAll('__PORT__', String(port));
  const dir = join(app, 'readme-run', `line-${block.line}`);
  mkdirSync(dir, { recursive: true });
  const source = `${plan.prelude ?? ''}${code}${plan.epilogue ?? ''}`;
  if (plan.driver) writeFileSync(join(dir, 'driver.mjs'), plan.driver);
  try {
    if (block.lang === 'js') writeFileSync(join(dir, 'snippet.mjs'), source);
    else {
      writeFileSync(join(dir, `snippet.${block.lang}`), source);
      await run(
        esbuild,
        [`snippet.${block.lang}`, '--format=esm', '--outfile=snippet.mjs', '--log-level=error'],
        {
          cwd: dir,
        },
      );
    }
    const { stdout } = await run(process.execPath, [plan.driver ? 'driver.mjs' : 'snippet.mjs'], {
      cwd: dir,
      env: { ...process.env, ...plan.env },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as unknown;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`README.md:${block.line} (${block.key}) failed to run:\n${stdout}\n${stderr}`);
  }
}
