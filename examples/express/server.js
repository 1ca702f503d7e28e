// An Express 5 backend in plain JavaScript (no TypeScript, no build): a static page that loads
// the widget with a script tag, and the Layer API mounted with the Node adapter. Plaid is the
// offline emulator (`layer-onboarding/emulator`), mounted at /plaid.
// PORT (default 0: any free port) and HOST (default 127.0.0.1) choose where it listens.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import express from 'express';
import { createLayerApi } from 'layer-onboarding/server';
import { expressLayerApi } from 'layer-onboarding/server/node';
import {
  createPlaidEmulator,
  EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
} from 'layer-onboarding/emulator';

const host = process.env.HOST ?? '127.0.0.1';
const app = express();

// The app's own JSON routes parse bodies globally, as many Express apps do. The Layer API still
// gets its bodies: the adapter writes the parsed body back as JSON (and says once that webhooks
// need their exact bytes: for Plaid's webhooks, mount the API before express.json() or use
// express.json({ verify: keepRawBody }) from layer-onboarding/server/node).
app.use(express.json());

// The widget for script tags: the IIFE build from the installed package.
const widget = createRequire(import.meta.url).resolve('layer-onboarding/dist/layer-onboarding.js');
app.get('/layer-onboarding.js', (_request, response) => response.sendFile(widget));
app.use(express.static(join(dirname(fileURLToPath(import.meta.url)), 'public')));

// The app's own routes live beside it.
app.post('/api/newsletter', (request, response) =>
  response.json({ subscribed: Boolean(request.body?.email) }),
);

const server = app.listen(Number(process.env.PORT ?? 0), host, (error) => {
  if (error) throw error;
  const origin = `http://${host}:${server.address().port}`;
  const emulator = createPlaidEmulator();
  const api = createLayerApi({
    // With real Plaid: { clientId, secret, env: 'sandbox' } from the environment, and your template.
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `${origin}/plaid` },
    templateId: EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
    sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    allowedOrigins: [origin],
  });
  app.use('/api/layer', expressLayerApi(api));
  app.use('/plaid', expressLayerApi(emulator));
  process.stdout.write(`listening on ${origin}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      emulator.close().finally(() => process.exit(0));
    });
});
