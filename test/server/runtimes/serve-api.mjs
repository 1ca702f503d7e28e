// The published `layer-onboarding/server` entry served by Bun or Deno, as a partner would, for
// test/server/runtimes.test.ts. Its one argument is JSON: the entry's file URL (resolved through the
// package's exports), the emulator's URL and credentials, the session secret, the allowed origin,
// and a Redis URL for the Redis store's entry. It prints `LISTENING <port>`. Besides the API it answers `GET /test/seen` with what
// onSession and onWebhook were given, so the test can see them.
const [argument] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const config = JSON.parse(argument);
const { createLayerApi } = await import(config.entry);
// The Redis store (`layer-onboarding/server/redis`), when the test runs a redis-server.
const store = config.redisUrl
  ? (await import(config.redisEntry)).createRedisStore({ url: config.redisUrl, prefix: config.redisPrefix })
  : undefined;

const seen = { sessions: [], webhooks: [], logs: [] };
const app = createLayerApi({
  plaid: { clientId: config.clientId, secret: config.secret, basePath: config.plaidUrl },
  templateId: config.templateId,
  sessionSecret: config.sessionSecret,
  allowedOrigins: [config.origin],
  retryDelayMs: 0,
  store,
  timeoutMs: config.timeoutMs,
  rateLimits: { linkTokenPerAddress: config.linkTokensPerAddress },
  logger: (line) => seen.logs.push(line),
  onSession(session) {
    seen.sessions.push({ ssn: session.identity?.ssn ?? null, items: session.items.length });
  },
  onWebhook(webhook) {
    seen.webhooks.push({ code: webhook.webhook_code, link_session_id: webhook.link_session_id });
  },
});
// `app.fetch` gets what the runtime passes (Bun its server, Deno the connection's info), as when a
// partner hands `app.fetch` to Bun.serve or Deno.serve.
const handle = (request, info) =>
  new URL(request.url).pathname === '/test/seen' ? Response.json(seen) : app.fetch(request, info);

if (globalThis.Bun) {
  const server = globalThis.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handle });
  console.log(`LISTENING ${server.port}`);
} else {
  globalThis.Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(`LISTENING ${port}`) },
    handle,
  );
}
