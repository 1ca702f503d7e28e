/**
 * `npm start`: reads the environment, listens, and stops on SIGTERM/SIGINT. What it serves is
 * server/start-site.ts (the API, and the emulator in emulator mode) on server/site.ts (the demo,
 * the widget builds, `/health`).
 */
import { serve } from '@hono/node-server';

import { readStartConfig } from './environment.js';
import { createStartSite, type StartSite } from './start-site.js';

async function start(): Promise<void> {
  const result = readStartConfig(process.env);
  if (!result.ok) {
    console.error(
      `layer-onboarding cannot start:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    process.exitCode = 1;
    return;
  }
  const { config, warnings } = result;
  for (const warning of warnings) console.warn(`layer-onboarding: warning: ${warning}`);
  // `redis` only when it is used: importing it costs 0.3-0.7 s of every start.
  const deps = config.redisUrl
    ? { createRedisStore: (await import('./redis-store.js')).createRedisStore }
    : {};
  let site: StartSite | undefined;
  const server = serve(
    {
      // The site needs the real port (PORT=0 picks one), so it is built once listening.
      fetch: (request, env) =>
        site ? site.app.fetch(request, env) : new Response('Starting', { status: 503 }),
      port: config.port,
      hostname: config.host,
    },
    (info) => {
      site = createStartSite(config, info.port, deps);
      console.log(site.banner);
      // Last, so whoever waits for this line (the e2e harness) has everything above it too.
      console.log(`layer-onboarding listening on ${site.url}/`);
    },
  );
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(
      error.code === 'EADDRINUSE'
        ? `layer-onboarding cannot start: port ${config.port} on ${config.host} is in use. Stop the other server or set PORT.`
        : `layer-onboarding cannot start: ${error.code ?? error.message}`,
    );
    process.exit(1);
  });

  const stop = () => {
    // No webhook delivery of the emulator is left pending; then the server closes.
    const closing = site?.close() ?? Promise.resolve();
    server.close(() => {
      void closing.finally(() => process.exit(0));
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    // Browsers keep connections open; give requests in flight a moment, then close the rest.
    setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await start();
