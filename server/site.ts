/**
 * The site `npm start` serves: the partner demo at `/` (and any other file under demo/), the widget
 * builds, `/health`, and the API and emulator apps it is given, mounted at `/api/layer` and
 * `/plaid`. Files come from disk through @hono/node-server's `serveStatic`; nothing here reads the
 * environment or listens (server/main.ts does), so tests call `createSiteApp(…).request(…)`.
 *
 * The demo's pages carry a strict Content-Security-Policy (no inline script or style, no eval, no
 * framing), `Referrer-Policy: no-referrer` and `X-Content-Type-Options: nosniff`: they are prefilled
 * with a visitor's personal data, and they show partners the policy the widget works under.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';

import { DEFAULT_API_BASE, LINK_SCRIPT_PATH } from '../contract/index.js';

/**
 * The folder that holds package.json, demo/ and dist/: the nearest above this module with a
 * package.json, since `npm start` runs this module compiled (dist/server/site.js, two folders
 * down) and the tests run it from the sources (server/site.ts, one folder down).
 */
function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
  return folder;
}

const ROOT = packageRoot();

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
  // The development builds, with the console messages that say what is wrong in the page.
  'layer-onboarding.dev.js',
  'layer-onboarding.dev.mjs',
  'layer-onboarding.dev.js.map',
  'layer-onboarding.dev.mjs.map',
];

/** The package version, for the widget's versioned URLs. */
export function packageVersion(root = ROOT): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The widget at a URL that names its version, `/layer-onboarding@0.2.0/layer-onboarding.js`: its
 * content never changes, so browsers and CDNs keep it for a year. Cross-origin pages may load it,
 * with SRI (`integrity` needs CORS) and under Cross-Origin-Embedder-Policy.
 */
export const widgetPath = (version: string, name = 'layer-onboarding.js') =>
  `/layer-onboarding@${version}/${name}`;

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Headers any page may load the widget with: CORS (for SRI), CORP, no sniffing. */
const crossOrigin: MiddlewareHandler = async function crossOriginWidget(c, next) {
  await next();
  c.header('Access-Control-Allow-Origin', '*');
  c.header('Cross-Origin-Resource-Policy', 'cross-origin');
};

/** A path with a segment that starts with a dot: `.env`, `.git/…` are never served. */
const HIDDEN = /(?:^|\/)\./;

/** Where real Plaid Link comes from, and what it calls and frames (Plaid's CSP advice, LAYER.md §4.1). */
export const PLAID_LINK_SCRIPT = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';
const PLAID_LINK_FRAMES = 'https://cdn.plaid.com';
const PLAID_APIS = ['https://production.plaid.com', 'https://sandbox.plaid.com'];

/** Where the demo's Link comes from: the emulator at these origins, or Plaid's CDN. */
export type DemoLink = { emulatorOrigins: readonly string[] } | { plaid: true };

/**
 * The demo pages' Content-Security-Policy: everything from the page's own origin, plus Link's
 * script and iframe (the emulator's origins, or Plaid's CDN) and, with real Plaid, the API hosts
 * Plaid lists. No `'unsafe-inline'`, no `'unsafe-eval'`, no plugins, no `<base>`, forms only to
 * this site, and no page may frame the demo.
 *
 * With real Plaid, the rest of what Plaid's CSP advice lists for its link-initialize.js (LAYER.md
 * §4.1): `default-src https://cdn.plaid.com/` (here added to `default-src` and `img-src`), and
 * `'unsafe-inline'` for `script-src`, `style-src` and `style-src-elem`, which "a nonce can
 * replace": so the page's `nonce` (one per response, given to `<layer-onboarding nonce>`, which
 * gives it to Link's script tag) goes into `script-src` and `style-src`; `style-src-elem` falls
 * back to `style-src`. `style-src-attr 'unsafe-inline'` is required even with a nonce. The
 * emulated script needs none of this (it injects no inline script or style, and uses
 * `element.style`), so only the Plaid policy has it.
 *
 * With the emulator, Trusted Types are enforced as a fintech partner's page may: only the policies
 * the README lists, Lit's (`lit-html`) and the widget's (`layer-onboarding`, for Link's script
 * URL), and the page's own `default` (demo.js), which vouches for the emulated Link's origin: the
 * widget's vouches only for the page's origin and Plaid's CDN. Not with real Plaid: its
 * link-initialize.js is Plaid's code, and whether it runs under Trusted Types is Plaid's to say
 * (it cannot be tested offline).
 */
export function demoContentSecurityPolicy(link?: DemoLink, nonce?: string): string {
  const emulator = link && 'emulatorOrigins' in link ? link.emulatorOrigins : [];
  const plaid = !!link && 'plaid' in link;
  const pageNonce = plaid && nonce ? [`'nonce-${nonce}'`] : [];
  const directives: Array<[string, ...string[]]> = [
    ['default-src', "'self'", ...(plaid ? [PLAID_LINK_FRAMES] : [])],
    ['script-src', "'self'", ...emulator, ...(plaid ? [PLAID_LINK_SCRIPT] : []), ...pageNonce],
    ['frame-src', "'self'", ...emulator, ...(plaid ? [PLAID_LINK_FRAMES] : [])],
    ['connect-src', "'self'", ...(plaid ? PLAID_APIS : [])],
    ['style-src', "'self'", ...pageNonce],
    ...(plaid ? [['style-src-attr', "'unsafe-inline'"] as [string, string]] : []),
    ['img-src', "'self'", 'data:', ...(plaid ? [PLAID_LINK_FRAMES] : [])],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
    ...(plaid
      ? []
      : [
          ['require-trusted-types-for', "'script'"] as [string, string],
          ['trusted-types', 'lit-html', 'layer-onboarding', 'default'] as [string, ...string[]],
        ]),
  ];
  return directives.map((directive) => [...new Set(directive)].join(' ')).join('; ');
}

export interface SiteOptions {
  /** Folder that holds `demo/` and `dist/`; the repository root by default. */
  root?: string;
  /** The Layer API, mounted at `/api/layer`. */
  api?: Hono;
  /** The Plaid emulator, mounted at `/plaid`. */
  emulator?: Hono;
  /**
   * Written as `link-script-src` into each `<layer-onboarding>` tag of the demo's HTML pages; a
   * function picks it for each request from the URL the page was asked for.
   */
  linkScriptSrc?: string | ((pageUrl: URL) => string);
  /**
   * The demo pages' Content-Security-Policy; by default {@link demoContentSecurityPolicy} for
   * Link from this site alone. A function is given a fresh nonce for each page, which is also
   * written as `nonce="…"` into each `<layer-onboarding …>` tag (for real Plaid's script).
   */
  contentSecurityPolicy?: string | ((nonce: string) => string);
  /** The version in the widget's versioned URLs; package.json's by default. */
  version?: string;
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

/** Adds `nonce="…"` to every `<layer-onboarding …>` start tag that has none. */
export function injectNonce(html: string, nonce: string): string {
  return html.replace(
    /<layer-onboarding(?=[\s/>])(?![^>]*\snonce\s*=)/gi,
    (tag) => `${tag} nonce="${nonce}"`,
  );
}

/** A CSP nonce: 128 random bits, base64. */
function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * Files under `root/folder` (or the one `file` there, whatever the path), as `serveStatic` finds them (it refuses `..`, `//` and percent-encoded
 * paths), never hidden ones, always revalidated (a rebuilt widget shows up on reload), never
 * sniffed; HTML pages get `pages` (their link-script-src and security headers) when given.
 */
function staticFiles(
  root: string,
  folder: string,
  pages?: {
    linkScriptSrc?: SiteOptions['linkScriptSrc'];
    contentSecurityPolicy: NonNullable<SiteOptions['contentSecurityPolicy']>;
  },
  file?: string,
): MiddlewareHandler {
  // Rooted at `root`, which exists, so serveStatic does not warn while dist/ is not built yet.
  const files = serveStatic({ root, rewriteRequestPath: (path) => `/${folder}${file ? `/${file}` : path}` });
  return async function serveFiles(c, next) {
    if (HIDDEN.test(c.req.path)) return next();
    c.header('Cache-Control', 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    // A Response when the file was found; otherwise what `next()` gave (Hono's context).
    const found = await files(c, next);
    if (!(found instanceof Response) || !pages || !found.headers.get('Content-Type')?.startsWith('text/html'))
      return found;
    const headers = new Headers(found.headers);
    const { linkScriptSrc, contentSecurityPolicy: policy } = pages;
    const nonce = typeof policy === 'string' ? null : newNonce();
    headers.set('Content-Security-Policy', typeof policy === 'string' ? policy : policy(nonce!));
    headers.set('Referrer-Policy', 'no-referrer');
    // For browsers that predate frame-ancestors.
    headers.set('X-Frame-Options', 'DENY');
    if (found.status !== 200 || (!linkScriptSrc && !nonce))
      return new Response(found.body, { status: found.status, headers });
    // The page grows by the attributes: its length is no longer the file's.
    headers.delete('Content-Length');
    if (c.req.method === 'HEAD') return new Response(null, { status: 200, headers });
    let page = await found.text();
    if (linkScriptSrc)
      page = injectLinkScriptSrc(
        page,
        typeof linkScriptSrc === 'string' ? linkScriptSrc : linkScriptSrc(new URL(c.req.url)),
      );
    if (nonce) page = injectNonce(page, nonce);
    return new Response(page, { status: 200, headers });
  };
}

/**
 * Gzip (or deflate) for browsers that accept it: the drop-in script travels as ~16 kB instead of
 * ~46 kB. Hono's compress adds `Vary: Accept-Encoding` and leaves small, HEAD and already-encoded
 * responses alone. The widget's ETags are weak (`etag({ weak: true })`): one validator for the
 * file whichever encoding carries it, as compress would weaken it anyway when it encodes, and
 * If-None-Match compares weakly, so a 304 follows either form. SRI hashes (integrity.json) hold:
 * browsers check them on the decoded bytes. Only the static files (and the emulator's Link
 * assets): the API's answers are small JSON, and compressing them would only cost CPU per request.
 */
function compressed(): MiddlewareHandler {
  const gzip = compress();
  return async function compressStatic(c, next) {
    await gzip(c, next);
    // etag()'s 304 is a new response that keeps its ETag alone (compress passes over it): a cache
    // that stores the 200 must learn from the 304 too that the answer varies by encoding.
    if (c.res.status === 304) c.header('Vary', 'Accept-Encoding', { append: true });
  };
}

export function createSiteApp({
  root = ROOT,
  api,
  emulator,
  linkScriptSrc,
  contentSecurityPolicy = demoContentSecurityPolicy(),
  version = packageVersion(),
}: SiteOptions = {}): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true }, 200));

  const widget = staticFiles(root, 'dist');
  const notBuilt = (name: string): MiddlewareHandler =>
    async function widgetNotBuilt(c) {
      return c.json(
        {
          error: {
            code: 'NOT_BUILT',
            message: `dist/${name} is missing: run npm run build.`,
            request_id: '',
          },
        },
        404,
      );
    };
  // At the plain path, revalidated on every load (a rebuilt widget shows on reload; ETag makes it
  // a 304 when unchanged); at the versioned path, kept for a year.
  const immutable: MiddlewareHandler = async function immutableWidget(c, next) {
    await next();
    if (c.res.status === 200 || c.res.status === 304) c.header('Cache-Control', IMMUTABLE);
  };
  for (const name of WIDGET_BUILDS) {
    app.get(`/${name}`, crossOrigin, compressed(), etag({ weak: true }), widget, notBuilt(name));
    app.on(
      ['GET', 'HEAD'],
      widgetPath(version, name),
      crossOrigin,
      immutable,
      compressed(),
      etag({ weak: true }),
      staticFiles(root, 'dist', undefined, name),
      notBuilt(name),
    );
  }

  if (api) app.route(API_PATH, api);
  if (emulator) {
    // The emulator's Link script, frame page, its script and styles: static, as Plaid's CDN serves
    // them (gzip). Everything else under it is Plaid's JSON API, left alone as ours is.
    app.get(`${EMULATOR_PATH}/link/v2/stable/*`, compressed());
    app.route(EMULATOR_PATH, emulator);
  }

  app.get('*', compressed(), staticFiles(root, 'demo', { linkScriptSrc, contentSecurityPolicy }), (c) =>
    // A missing favicon is a 204, not a console error in every browser that opens the demo.
    c.req.path === '/favicon.ico' ? c.body(null, 204) : c.text('Not found', 404),
  );

  return app;
}
