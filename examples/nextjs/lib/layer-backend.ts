// The Layer backend for this example: the API (`layer-onboarding/server`) behind
// app/api/layer/[...path]/route.ts and, instead of Plaid, the offline Plaid emulator
// (`layer-onboarding/emulator`) behind app/plaid/[...path]/route.ts. Server-only code.
import { randomBytes } from 'node:crypto';

import { createLayerApi } from 'layer-onboarding/server';
import { toFetchHandler } from 'layer-onboarding/server/node';
import {
  createPlaidEmulator,
  EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
} from 'layer-onboarding/emulator';

export const API_PATH = '/api/layer';
export const EMULATOR_PATH = '/plaid';

type Handler = (request: Request) => Promise<Response>;

interface Backend {
  api: Handler;
  emulator: Handler;
}

/**
 * One backend per server process, made on the first request (the emulator's address is the
 * server's own, known from that request). Kept on globalThis so that `next dev` reloading this
 * module, or each route's bundle importing it, still finds the same one.
 */
const holder = globalThis as typeof globalThis & { layerBackend?: Backend };

function backend(origin: string): Backend {
  if (holder.layerBackend) return holder.layerBackend;
  const emulator = createPlaidEmulator();
  const api = createLayerApi({
    // With real Plaid: { clientId, secret, env: 'sandbox' } from the environment, and your template.
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `${origin}${EMULATOR_PATH}` },
    templateId: EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
    // Throwaway, as the emulator keeps nothing either; real apps set SESSION_SECRET.
    sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
    allowedOrigins: [origin],
  });
  holder.layerBackend = {
    api: toFetchHandler(api, { basePath: API_PATH }).fetch,
    emulator: toFetchHandler(emulator, { basePath: EMULATOR_PATH }).fetch,
  };
  return holder.layerBackend;
}

/**
 * The origin visitors use: APP_ORIGIN, or the Host of the first request. (Next's `request.url`
 * names the address Next was started with, e.g. localhost for 127.0.0.1, not what the browser
 * used; the API compares the page's Origin header with it.)
 */
function origin(request: Request): string {
  return process.env.APP_ORIGIN ?? `http://${request.headers.get('host') ?? new URL(request.url).host}`;
}

export const layerApi: Handler = (request) => backend(origin(request)).api(request);
export const plaidEmulator: Handler = (request) => backend(origin(request)).emulator(request);
