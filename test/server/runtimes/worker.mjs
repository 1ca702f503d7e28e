// The published `layer-onboarding/server` entry as a Cloudflare Worker, as a partner writes one:
// bundled (test/server/runtimes.test.ts bundles it as wrangler does) and run by workerd. The Plaid
// settings come from the Worker's bindings. Besides the API it answers `GET /test/seen` with what
// onSession and onWebhook were given, so the test can see them.
import { createLayerApi } from 'layer-onboarding/server';

const seen = { sessions: [], webhooks: [], logs: [] };
let app;

export default {
  fetch(request, env, context) {
    if (new URL(request.url).pathname === '/test/seen') return Response.json(seen);
    app ??= createLayerApi({
      plaid: { clientId: env.PLAID_CLIENT_ID, secret: env.PLAID_SECRET, basePath: env.PLAID_URL },
      templateId: env.TEMPLATE_ID,
      sessionSecret: env.SESSION_SECRET,
      allowedOrigins: [env.ORIGIN],
      retryDelayMs: 0,
      timeoutMs: Number(env.TIMEOUT_MS),
      rateLimits: { linkTokenPerAddress: JSON.parse(env.LINK_TOKENS_PER_ADDRESS) },
      // Cloudflare's edge sets CF-Connecting-IP (a client's own is replaced).
      getClientAddress: (c) => c.req.header('CF-Connecting-IP'),
      logger: (line) => seen.logs.push(line),
      onSession(session) {
        seen.sessions.push({ ssn: session.identity?.ssn ?? null, items: session.items.length });
      },
      onWebhook(webhook) {
        seen.webhooks.push({ code: webhook.webhook_code, link_session_id: webhook.link_session_id });
      },
    });
    return app.fetch(request, env, context);
  },
};
