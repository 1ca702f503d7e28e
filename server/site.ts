/**
 * The site `npm start` serves: the partner demo at `/` (and any other file under demo/), the widget
 * builds, `/health`, and the API and emulator apps it is given, mounted at `/api/layer` and
 * `/plaid`. Files come from disk through @hono/node-server's `serveStatic`; nothing here reads the
 * environment or listens (server/main.ts does), so tests call `createSiteApp(…).request(…)`.
 */
import { fileURLToPath } from 'node:url';

import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';

import { DEFAULT_API_BASE, LINK_SCRIPT_PATH } from '../contract/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the API and, in emulator mode, the emulator are mounted. */
export const API_PATH = DEFAULT_API_BASE;
export const EMULATOR_PATH = '/plaid';
/** The emulator's Link script, as pages under `npm start` load it. */
export const EMULATOR_LINK_SCRIPT = `${EMULATOR_PATH}${LINK_SCRIPT_PATH}`;

const WIDGET_BUILDS = [
  'layer-onboarding.js',
  'layer-onboarding.mjs',
  'layer-onboarding.js.map',
  'layer-onboarding.mjs.map',
];

/** A path with a segment that starts with a dot: `.env`, `.git/…` are never served. */
const HIDDEN = /(?:^|\/)\./;

export interface SiteOptions {
  /** Folder that holds `demo/` and `dist/`; the repository root by default. */
  root?: string;
  /** The Layer API, mounted at `/api/layer`. */
  api?: Hono;
  /** The Plaid emulator, mounted at `/plaid`. */
  emulator?: Hono;
  /** Written as `link-script-src` into each `<layer-onboarding>` tag of the demo's HTML pages. */
  linkScriptSrc?: string;
}

/**
 * Adds `link-script-src="…"` to every `<layer-onboarding …>` start tag that has none, so the demo
 * page (written for real Plaid) loads the emulator's Link script in emulator mode.
 */
export function injectLinkScriptSrc(html: string, src: string): string {
  const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return html.replace(
    /<layer-onboarding(?=[\s/>])(?![^>]*\slink-script-src\s*=)/gi,
    (tag) => `${tag} link-script-src="${attribute}"`,
  );
}

/**
 * Files under `root/folder`, as `serveStatic` finds them (it refuses `..`, `//` and percent-encoded
 * paths), never hidden ones, always revalidated (a rebuilt widget shows up on reload), never
 * sniffed; HTML pages get `linkScriptSrc` when given.
 */
function staticFiles(root: string, folder: string, linkScriptSrc?: string): MiddlewareHandler {
  // Rooted at `root`, which exists, so serveStatic does not warn while dist/ is not built yet.
  const files = serveStatic({ root, rewriteRequestPath: (path) => `/${folder}${path}` });
  return async function serveFiles(c, next) {
    if (HIDDEN.test(c.req.path)) return next();
    c.header('Cache-Control', 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    const found = await files(c, next);
    if (
      !found ||
      !linkScriptSrc ||
      found.status !== 200 ||
      !found.headers.get('Content-Type')?.startsWith('text/html')
    )
      return found;
    // The page grows by the attribute: its length is no longer the file's.
    const headers = new Headers(found.headers);
    headers.delete('Content-Length');
    const page = c.req.method === 'HEAD' ? null : injectLinkScriptSrc(await found.text(), linkScriptSrc);
    return new Response(page, { status: 200, headers });
  };
}

export function createSiteApp({ root = ROOT, api, emulator, linkScriptSrc }: SiteOptions = {}): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true }, 200));

  const widget = staticFiles(root, 'dist');
  for (const name of WIDGET_BUILDS)
    app.get(`/${name}`, widget, (c) =>
      c.json(
        {
          error: {
            code: 'NOT_BUILT',
            message: `dist/${name} is missing: run npm run build.`,
            request_id: '',
          },
        },
        404,
      ),
    );

  if (api) app.route(API_PATH, api);
  if (emulator) app.route(EMULATOR_PATH, emulator);

  app.get('*', staticFiles(root, 'demo', linkScriptSrc), (c) =>
    // A missing favicon is a 204, not a console error in every browser that opens the demo.
    c.req.path === '/favicon.ico' ? c.body(null, 204) : c.text('Not found', 404),
  );

  return app;
}
