/**
 * `npm start`: the one file that reads the environment, serves files and listens.
 *
 * It serves the partner demo at `/`, the widget builds at `/layer-onboarding.js` (IIFE) and
 * `/layer-onboarding.mjs` (ES module).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const JS = 'text/javascript; charset=utf-8';
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'demo/index.html', type: 'text/html; charset=utf-8' },
  '/layer-onboarding.js': { file: 'dist/layer-onboarding.js', type: JS },
  '/layer-onboarding.mjs': { file: 'dist/layer-onboarding.mjs', type: JS },
  '/layer-onboarding.js.map': { file: 'dist/layer-onboarding.js.map', type: 'application/json' },
  '/layer-onboarding.mjs.map': { file: 'dist/layer-onboarding.mjs.map', type: 'application/json' },
};

export interface SiteOptions {
  /** Folder that holds `demo/` and `dist/`; the repository root by default. */
  root?: string;
}

export function createSiteApp({ root = ROOT }: SiteOptions = {}): Hono {
  const app = new Hono();

  app.get('/health', (c) => c.json({ ok: true }, 200));
  app.get('/favicon.ico', (c) => c.body(null, 204));

  for (const [path, { file, type }] of Object.entries(STATIC_FILES)) {
    app.get(path, async (c) => {
      const body = await readFile(new URL(file, `file://${root}/`)).catch(() => null);
      if (!body)
        return c.json(
          { error: { code: 'NOT_BUILT', message: `${file} is missing: run npm run build.` } },
          404,
        );
      return c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
    });
  }

  return app;
}

function start(): void {
  const port = Number(process.env.PORT ?? 8787);
  const hostname = process.env.HOST ?? '127.0.0.1';
  const app = createSiteApp();
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    console.log(`layer-onboarding listening on http://${hostname}:${info.port}/`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) start();
